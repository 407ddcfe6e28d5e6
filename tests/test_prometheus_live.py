"""The shipped alert rules, live: a real Prometheus (Debian's, its own process on a free port, scraping and
evaluating every second) scrapes a freshly started app's /metrics and raises each alert for the right tool.

The app (tests/prometheus/app.py) exports through ``OTEL_METRICS_EXPORTER=prometheus`` with its own
TracerProvider. The rules file is the shipped one with two thresholds lowered so the test needs no 30 s call:
ToolSlowP95 ``> 30`` -> ``> 1`` and ModelSlowP95 ``> 20`` -> ``> 1`` (the slow tool and model take 1.5 s).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import yaml
from prometheus_support import RULES, PrometheusServer
from support import free_port

APP = Path(__file__).resolve().parent / "prometheus" / "app.py"
DEADLINE_SECONDS = 60.0
"""Upper bound for all alerts together; only reached when the test is about to fail (a loaded CI machine)."""


def lowered_thresholds(text: str) -> str:
    """The shipped rules with the p95 thresholds of ToolSlowP95 (30 s) and ModelSlowP95 (20 s) set to 1 s."""
    document = yaml.safe_load(text)
    lowered = set()
    for group in document["groups"]:
        for rule in group["rules"]:
            if rule["alert"] in ("ToolSlowP95", "ModelSlowP95"):
                expr, count = re.subn(r"\)\s*>\s*(30|20)\s*$", ") > 1", rule["expr"])
                assert count == 1, f"{rule['alert']}: threshold not found in {rule['expr']!r}"
                rule["expr"] = expr
                lowered.add(rule["alert"])
    assert lowered == {"ToolSlowP95", "ModelSlowP95"}
    return str(yaml.safe_dump(document))


def test_each_shipped_alert_goes_pending_for_its_tool_in_a_fresh_process(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(lowered_thresholds(RULES.read_text(encoding="utf-8")), encoding="utf-8")
    app_port = free_port()
    prometheus = PrometheusServer(tmp_path, rules, [f"127.0.0.1:{app_port}"])
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env.update(
        OTEL_METRICS_EXPORTER="prometheus",
        OTEL_EXPORTER_PROMETHEUS_HOST="127.0.0.1",
        OTEL_EXPORTER_PROMETHEUS_PORT=str(app_port),
        AGENTS_OTEL_TRACE_FILE=str(tmp_path / "traces.jsonl"),
    )
    app = subprocess.Popen([sys.executable, str(APP)], env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        prometheus.wait_ready(deadline)
        expected = [
            ("ToolStalled", {"gen_ai_tool_name": "hang", "gen_ai_agent_name": "Ops"}),
            ("ToolTimeouts", {"gen_ai_tool_name": "limited", "gen_ai_agent_name": "Ops"}),
            ("ToolErrorRatio", {"gen_ai_tool_name": "fail", "gen_ai_agent_name": "Ops"}),
            ("ToolSlowP95", {"gen_ai_tool_name": "slow", "gen_ai_agent_name": "Ops"}),
            ("ModelSlowP95", {"gen_ai_request_model": "big", "gen_ai_agent_name": "Writer"}),
        ]
        for name, labels in expected:
            alert = prometheus.wait_for_alert(name, {**labels, "job": "app"}, deadline)
            assert alert["labels"]["severity"] == "warning"
        assert app.poll() is None, "the app must still be running (its hanging call never ends)"
        # Nothing else fires: the hanging tool has no error, the slow one no stall, the failing one is not slow.
        names = {(a["labels"]["alertname"], a["labels"].get("gen_ai_tool_name")) for a in prometheus.alerts()}
        assert ("ToolStalled", "slow") not in names and ("ToolSlowP95", "fail") not in names
        assert ("ToolErrorRatio", "hang") not in names and ("ToolTimeouts", "fail") not in names
    finally:
        app.terminate()
        _, stderr = app.communicate(timeout=10)
        prometheus.close()
    assert "Traceback" not in stderr, stderr
