"""A real Prometheus for tests: Debian's ``prometheus`` / ``promtool`` (installed by ``make prometheus``).

``PrometheusServer`` runs its own server on a free port with a temporary data directory, and lets a test wait for
an alert by polling ``/api/v1/alerts`` against a deadline (polling a condition, not sleeping to synchronise).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from support import free_port, missing

REPO = Path(__file__).resolve().parent.parent
RULES = REPO / "collector-config" / "prometheus-rules.yaml"
RULE_TESTS = REPO / "tests" / "prometheus" / "rules.test.yaml"
PROMTOOL = os.environ.get("PROMTOOL_PATH") or shutil.which("promtool") or "/usr/bin/promtool"
PROMETHEUS = os.environ.get("PROMETHEUS_PATH") or shutil.which("prometheus") or "/usr/bin/prometheus"


def require(binary: str) -> None:
    """Skip (fail under CI) when Debian's prometheus package is missing, as the browser test does for chromium."""
    if Path(binary).exists():
        return
    message = f"Debian's prometheus is not installed ({binary} missing): run `make prometheus`"
    missing(message)


def promtool(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    require(PROMTOOL)
    return subprocess.run([PROMTOOL, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=60, check=False)


class PrometheusServer:
    """``prometheus`` scraping ``targets`` and evaluating ``rules_file``, both every second."""

    def __init__(self, workdir: Path, rules_file: Path, targets: list[str]) -> None:
        require(PROMETHEUS)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = workdir / "prometheus.yml"
        config.write_text(
            json.dumps(  # JSON is YAML: no quoting surprises
                {
                    "global": {"scrape_interval": "1s", "evaluation_interval": "1s", "scrape_timeout": "1s"},
                    "rule_files": [str(rules_file)],
                    "scrape_configs": [{"job_name": "app", "static_configs": [{"targets": targets}]}],
                }
            ),
            encoding="utf-8",
        )
        self._log = (workdir / "prometheus.log").open("w")
        self.process = subprocess.Popen(
            [
                PROMETHEUS,
                f"--config.file={config}",
                f"--storage.tsdb.path={workdir / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.log_path = workdir / "prometheus.log"

    def wait_ready(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"prometheus exited: {self.log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)  # polling interval of a readiness check
        raise AssertionError(f"prometheus not ready in time: {self.log_path.read_text()[-2000:]}")

    def alerts(self) -> list[dict[str, Any]]:
        with urllib.request.urlopen(f"{self.url}/api/v1/alerts", timeout=5) as response:
            body = json.load(response)
        assert body["status"] == "success", body
        alerts: list[dict[str, Any]] = body["data"]["alerts"]
        return alerts

    def wait_for_alert(self, name: str, labels: dict[str, str], deadline: float) -> dict[str, Any]:
        """The first pending or firing alert ``name`` whose labels include ``labels``, polled until ``deadline``."""
        seen: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            seen = self.alerts()
            for alert in seen:
                matches = alert["labels"].get("alertname") == name and labels.items() <= alert["labels"].items()
                if matches and alert["state"] in ("pending", "firing"):
                    return alert
            time.sleep(0.2)  # polling interval; the deadline bounds the wait
        raise AssertionError(f"no {name} alert with {labels} before the deadline; alerts: {seen}")

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()
