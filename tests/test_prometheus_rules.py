"""The shipped Prometheus config and alert rules, checked with Debian's promtool (``make prometheus``).

``promtool check`` proves the files load in Prometheus 2.42 (what Debian ships and CI runs); they use nothing
newer, so the v3 image docker-compose.yaml pins loads them too. ``promtool test rules`` runs the cases in
tests/prometheus/rules.test.yaml, and a naive variant of the rules (plain ``increase()``) must fail the cases
whose series are born at 1, so those cases demonstrably test the first-sample handling.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from prometheus_support import REPO, RULE_TESTS, RULES, promtool

ALERTS = {"ToolStalled", "ToolSlowP95", "ToolErrorRatio", "ToolTimeouts", "ModelSlowP95"}
COMPOSE = REPO / "collector-config" / "docker-compose.yaml"
PROMETHEUS_CONFIG = REPO / "collector-config" / "prometheus.yaml"


def rules() -> list[dict[str, object]]:
    document = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def test_the_five_alerts_are_shipped_with_a_for_and_tool_and_agent_labels() -> None:
    by_name = {rule["alert"]: rule for rule in rules()}
    assert set(by_name) == ALERTS
    for name, rule in by_name.items():
        assert re.fullmatch(r"\d+[smh]", str(rule.get("for", ""))), f"{name} needs a for:"
        expr = str(rule["expr"])
        grouping = re.findall(r"\bby \(([^)]*)\)", expr)
        assert grouping, f"{name} must aggregate by the labels it names"
        for labels in grouping:
            names = {label.strip() for label in labels.split(",")}
            assert {"job", "gen_ai_agent_name"} <= names, f"{name}: grouping {labels!r} drops job or agent"
            assert "gen_ai_tool_name" in names or name == "ModelSlowP95", f"{name}: grouping drops the tool"
        # Every window is robust to a series' first sample: increase() only for series that existed a window ago,
        # the raw count for series born inside it.
        windows = re.findall(r"increase\((\w+(?:\{[^}]*\})?)\[(\w+)\]\)", expr)
        assert windows, f"{name} uses no increase()"
        for selector, window in windows:
            assert (
                f"{selector} offset {window}" in expr and f"({selector} unless {selector} offset {window})" in expr
            ), f"{name}: increase({selector}[{window}]) has no first-sample branch"


def test_promtool_check_rules() -> None:
    result = promtool("check", "rules", RULES)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(ALERTS)} rules found" in result.stdout


def test_promtool_check_config_with_the_rules_mounted_as_in_compose(tmp_path: Path) -> None:
    """prometheus.yaml names the rules by their path in the container; map it through compose's mounts."""
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    (service,) = [s for s in compose["services"].values() if "prom/prometheus" in s.get("image", "")]
    mounts = {}
    for volume in service["volumes"]:
        source, target = volume.split(":")[:2]
        mounts[target] = (COMPOSE.parent / source).resolve()
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text(encoding="utf-8"))
    assert mounts.get("/etc/prometheus/prometheus.yml") == PROMETHEUS_CONFIG.resolve()
    rule_files = config["rule_files"]
    assert rule_files, "prometheus.yaml must load the shipped rules"
    local_rules = []
    for path in rule_files:
        assert path in mounts, f"rule file {path} is not mounted by docker-compose.yaml"
        assert mounts[path] == RULES.resolve()
        local_rules.append(str(shutil.copy(mounts[path], tmp_path / Path(path).name)))
    config["rule_files"] = local_rules
    local = tmp_path / "prometheus.yml"
    local.write_text(yaml.safe_dump(config), encoding="utf-8")
    result = promtool("check", "config", local)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 rule files found" in result.stdout


def test_promtool_rule_unit_tests() -> None:
    result = promtool("test", "rules", RULE_TESTS.name, cwd=RULE_TESTS.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def first_sample(values: str) -> float:
    """The first present sample of a promtool series (``_`` marks a missing one): ``'_ _ 1x5'`` -> 1."""
    for token in values.split():
        if not token.startswith("_"):
            return float(re.match(r"-?[\d.]+", token).group())  # type: ignore[union-attr]
    raise AssertionError(f"no sample in {values!r}")


def test_every_shipped_alert_has_unit_tests_including_a_series_born_at_1() -> None:
    cases = yaml.safe_load(RULE_TESTS.read_text(encoding="utf-8"))["tests"]
    firing = {
        check["alertname"] for case in cases for check in case.get("alert_rule_test", []) if check.get("exp_alerts")
    }
    assert firing == ALERTS
    born_at_one = {
        check["alertname"]
        for case in cases
        if any(first_sample(series["values"]) >= 1 for series in case["input_series"])
        for check in case.get("alert_rule_test", [])
        if check.get("exp_alerts")
    }
    assert born_at_one == ALERTS, f"alerts without a born-at-first-sample case: {ALERTS - born_at_one}"


@pytest.fixture
def naive_rules_tree(tmp_path: Path) -> Path:
    """A copy of the rules with every first-sample branch removed, beside a copy of the unit tests."""
    text = RULES.read_text(encoding="utf-8")
    branch = re.compile(
        r"\(increase\((\w+(?:\{[^}]*\})?)\[(\w+)\]\) and \1 offset \2\)\s*or\s*\(\1 unless \1 offset \2\)"
    )
    naive, count = branch.subn(r"increase(\1[\2])", text)
    assert count >= len(ALERTS) and " offset " not in naive.split("groups:", 1)[1]
    (tmp_path / "collector-config").mkdir()
    (tmp_path / "collector-config" / RULES.name).write_text(naive, encoding="utf-8")
    (tmp_path / "tests" / "prometheus").mkdir(parents=True)
    shutil.copy(RULE_TESTS, tmp_path / "tests" / "prometheus" / RULE_TESTS.name)
    return tmp_path / "tests" / "prometheus"


def test_the_unit_tests_catch_rules_blind_to_a_first_sample(naive_rules_tree: Path) -> None:
    result = promtool("test", "rules", RULE_TESTS.name, cwd=naive_rules_tree)
    assert result.returncode != 0
    failed = set(re.findall(r"alertname: (\w+), time", result.stdout + result.stderr))
    assert failed == ALERTS, result.stdout
