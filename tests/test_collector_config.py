"""Offline checks of the local observability stack in collector-config/.

Nothing here starts a container: the collector, Prometheus, Tempo and Grafana configs are parsed and
cross-checked against each other, so that a renamed component, a pipeline that samples before the
spanmetrics connector, a dashboard query naming a metric the collector never emits, or a mount of a
file that does not exist fails in CI instead of on an operator's laptop.

Metric names are DERIVED from the collector config (spanmetrics `namespace` and histogram `unit`,
prometheus exporter `namespace` and `translation_strategy`) using the naming rules documented in
collector-config/README.md, never copied from the dashboard.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

import agents_otel.metrics as runtime_metrics

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parent.parent / "collector-config"
COLLECTOR_CONFIG = ROOT / "otel-collector.yaml"
COMPOSE = ROOT / "docker-compose.yaml"
DASHBOARD = ROOT / "grafana" / "dashboards" / "slow-tools.json"
RUNTIME_DASHBOARD = ROOT / "grafana" / "dashboards" / "slow-tools-runtime.json"
PROMETHEUS_CONFIG = ROOT / "prometheus.yaml"
RULES = ROOT / "prometheus-rules.yaml"
DATASOURCES_DIR = ROOT / "grafana" / "provisioning" / "datasources"
DASHBOARD_PROVIDERS_DIR = ROOT / "grafana" / "provisioning" / "dashboards"

# The connector type was renamed upstream (spanmetrics -> span_metrics); the old name is an alias.
SPANMETRICS_TYPES = {"spanmetrics", "span_metrics"}
OTLP_EXPORTER_TYPES = {"otlp", "otlp_grpc", "otlphttp", "otlp_http"}

# spanmetrics connector defaults (contrib connector/spanmetricsconnector factory.go).
DEFAULT_SPANMETRICS_NAMESPACE = "traces.span.metrics"
DEFAULT_HISTOGRAM_UNIT = "ms"
# Data point attributes the connector always adds (connector.go buildAttributes).
STANDARD_SPANMETRICS_ATTRIBUTES = ("service.name", "span.name", "span.kind", "status.code")
STATUS_CODE_VALUES = {"STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"}
# Labels a query may use that come from Prometheus itself rather than from the connector.
PROMETHEUS_LABELS = {"le", "job", "instance"}
# Prometheus unit suffixes for the two units the connector supports (otlptranslator unit map).
UNIT_SUFFIX = {"ms": "milliseconds", "s": "seconds"}

# fmt: off
PROMQL_WORDS = {
    # aggregations and their modifiers
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
    "quantile", "limitk", "limit_ratio", "by", "without", "on", "ignoring", "group_left", "group_right",
    "bool", "and", "or", "unless", "offset", "atan2",
    # functions
    "abs", "absent", "absent_over_time", "ceil", "changes", "clamp", "clamp_max", "clamp_min",
    "day_of_month", "day_of_week", "day_of_year", "days_in_month", "delta", "deriv", "exp", "floor",
    "histogram_avg", "histogram_count", "histogram_fraction", "histogram_quantile", "histogram_stddev",
    "histogram_stdvar", "histogram_sum", "hour", "idelta", "increase", "irate", "label_join",
    "label_replace", "ln", "log2", "log10", "minute", "month", "predict_linear", "rate", "resets",
    "round", "scalar", "sgn", "sort", "sort_desc", "sqrt", "time", "timestamp", "vector", "year",
    "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
    "quantile_over_time", "stddev_over_time", "stdvar_over_time", "last_over_time",
    "present_over_time", "inf", "nan",
}
# fmt: on


# --------------------------------------------------------------------------------------------------
# loading helpers


def load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


@pytest.fixture(scope="module")
def collector() -> dict[str, Any]:
    cfg = load_yaml(COLLECTOR_CONFIG)
    assert isinstance(cfg, dict)
    return cfg


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    cfg = load_yaml(COMPOSE)
    assert isinstance(cfg, dict)
    return cfg


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    data = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def datasources() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in sorted(DATASOURCES_DIR.glob("*.y*ml")):
        found.extend(load_yaml(path).get("datasources") or [])
    assert found, "no datasource provisioning file"
    return found


def ctype(component_id: str) -> str:
    """`otlp/jaeger` -> `otlp` (component ids are `type[/name]`)."""
    return component_id.split("/", 1)[0]


def pipelines(cfg: dict[str, Any]) -> dict[str, dict[str, Any]]:
    result = cfg["service"]["pipelines"]
    assert isinstance(result, dict) and result
    return result


def spanmetrics_ids(cfg: dict[str, Any]) -> list[str]:
    ids = [cid for cid in (cfg.get("connectors") or {}) if ctype(cid) in SPANMETRICS_TYPES]
    assert ids, "no spanmetrics connector defined"
    return ids


def spanmetrics_config(cfg: dict[str, Any]) -> dict[str, Any]:
    ids = spanmetrics_ids(cfg)
    assert len(ids) == 1, f"expected exactly one spanmetrics connector, got {ids}"
    return cfg["connectors"][ids[0]] or {}


def prometheus_exporter_config(cfg: dict[str, Any]) -> dict[str, Any]:
    ids = [cid for cid in cfg["exporters"] if ctype(cid) == "prometheus"]
    assert len(ids) == 1, f"expected exactly one prometheus exporter, got {ids}"
    return cfg["exporters"][ids[0]] or {}


# --------------------------------------------------------------------------------------------------
# Prometheus naming rules (see README "Metric names"): prometheus exporter, translation_strategy
# UnderscoreEscapingWithSuffixes (default) or UnderscoreEscapingWithoutSuffixes.


def escape(name: str) -> str:
    """Every character outside [a-zA-Z0-9_:] becomes `_`; runs of `_` collapse."""
    escaped = re.sub(r"[^a-zA-Z0-9_:]", "_", name)
    escaped = re.sub(r"_+", "_", escaped)
    if escaped and escaped[0].isdigit():
        escaped = "_" + escaped
    return escaped


def with_suffixes(exporter: dict[str, Any]) -> bool:
    strategy = exporter.get("translation_strategy")
    if strategy is None:
        return exporter.get("add_metric_suffixes", True) is not False
    assert strategy in {"UnderscoreEscapingWithSuffixes", "UnderscoreEscapingWithoutSuffixes"}, (
        f"translation_strategy {strategy!r} keeps UTF-8 names; the dashboard assumes underscore escaping"
    )
    return strategy == "UnderscoreEscapingWithSuffixes"


def expected_metric_names(cfg: dict[str, Any]) -> set[str]:
    """Prometheus series names the collector exposes for the spanmetrics connector."""
    connector = spanmetrics_config(cfg)
    exporter = prometheus_exporter_config(cfg)
    namespace = connector.get("namespace", DEFAULT_SPANMETRICS_NAMESPACE)
    histogram = connector.get("histogram") or {}
    unit = histogram.get("unit", DEFAULT_HISTOGRAM_UNIT)
    assert unit in UNIT_SUFFIX, f"unsupported histogram unit {unit!r}"

    def otel_name(metric: str) -> str:
        full = f"{namespace}.{metric}" if namespace else metric
        if exporter.get("namespace"):
            full = f"{exporter['namespace']}_{full}"
        return escape(full)

    suffixes = with_suffixes(exporter)
    calls = otel_name("calls") + ("_total" if suffixes else "")
    names = {calls}
    if not histogram.get("disable", False):
        duration = otel_name("duration") + (f"_{UNIT_SUFFIX[unit]}" if suffixes else "")
        names |= {f"{duration}_bucket", f"{duration}_sum", f"{duration}_count"}
    return names


# The runtime's own OTLP metrics: names from the code, so a renamed metric breaks the dashboard test.
RUNTIME_METRICS: list[tuple[str, str, str]] = [
    (runtime_metrics.TOOL_DURATION, "histogram", "s"),
    (runtime_metrics.OPERATION_DURATION, "histogram", "s"),
    (runtime_metrics.TOKEN_USAGE, "histogram", "{token}"),
    (runtime_metrics.PROGRESS_EVENTS, "counter", "{event}"),
    (runtime_metrics.TOOL_STALLS, "counter", "{stall}"),
]
RUNTIME_METRIC_ATTRIBUTES = [
    "gen_ai.tool.name", "gen_ai.tool.type", "gen_ai.agent.name", "gen_ai.operation.name", "error.type",
    "gen_ai.provider.name", "gen_ai.request.model", "gen_ai.response.model", "gen_ai.token.type",
    "server.address", "server.port",
]  # fmt: skip


def runtime_metrics_reach_prometheus(cfg: dict[str, Any]) -> bool:
    """A metrics pipeline takes OTLP from the runtime and exports it to the prometheus exporter."""
    return any(
        name.split("/")[0] == "metrics"
        and any(ctype(r) == "otlp" for r in p.get("receivers", []))
        and any(ctype(e) == "prometheus" for e in p.get("exporters", []))
        for name, p in pipelines(cfg).items()
    )


def expected_runtime_metric_names(cfg: dict[str, Any]) -> set[str]:
    if not runtime_metrics_reach_prometheus(cfg):
        return set()
    suffixes = with_suffixes(prometheus_exporter_config(cfg))
    names: set[str] = set()
    for metric, kind, unit in RUNTIME_METRICS:
        base = escape(metric)
        if suffixes and unit in UNIT_SUFFIX:  # annotations in braces ({token}) add no suffix
            base += f"_{UNIT_SUFFIX[unit]}"
        if kind == "histogram":
            names |= {f"{base}_bucket", f"{base}_sum", f"{base}_count"}
        else:
            names.add(base + ("_total" if suffixes else ""))
    return names


def expected_label_names(cfg: dict[str, Any]) -> set[str]:
    connector = spanmetrics_config(cfg)
    excluded = set(connector.get("exclude_dimensions") or [])
    attrs = [a for a in STANDARD_SPANMETRICS_ATTRIBUTES if a not in excluded]
    attrs += [d["name"] for d in connector.get("dimensions") or []]
    if runtime_metrics_reach_prometheus(cfg):
        attrs += RUNTIME_METRIC_ATTRIBUTES
    return {escape(a) for a in attrs} | PROMETHEUS_LABELS


# --------------------------------------------------------------------------------------------------
# A small PromQL scanner: enough to pull metric names and label names out of dashboard queries.

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_MATCHERS = re.compile(r"\{([^{}]*)\}")
_GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\(([^()]*)\)")
_RANGE = re.compile(r"\[[^\]]*\]")
_OFFSET = re.compile(r"\boffset\s+(-?\d+[a-z]+|\$\{?\w+\}?)")
_VARIABLE = re.compile(r"\$\{[^}]*\}|\$\w+")
_IDENT = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_NUMBER = re.compile(r"\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b", re.IGNORECASE)


def parse_promql(expr: str) -> tuple[set[str], set[str], list[tuple[str, str, str]]]:
    """Return (metric names, label names, label matchers as (label, op, value))."""
    matchers: list[tuple[str, str, str]] = []
    labels: set[str] = set()

    for block in _MATCHERS.findall(expr):
        for m in re.finditer(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"', block):
            matchers.append((m.group(1), m.group(2), m.group(3)))
            labels.add(m.group(1))
        leftover = re.sub(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"', "", block)
        assert not leftover.strip(" ,\n"), f"unparsed matcher text {leftover!r} in {expr!r}"
    stripped = _MATCHERS.sub(" ", expr)
    for _, group in _GROUPING.findall(stripped):
        labels |= {part.strip() for part in group.split(",") if part.strip()}
    stripped = _GROUPING.sub(r" \1 ", stripped)
    stripped = _STRING.sub(" ", stripped)
    stripped = _RANGE.sub(" ", stripped)
    stripped = _OFFSET.sub(" ", stripped)
    stripped = _VARIABLE.sub(" ", stripped)
    stripped = _NUMBER.sub(" ", stripped)
    metrics = {tok for tok in _IDENT.findall(stripped) if tok.lower() not in PROMQL_WORDS}
    return metrics, labels, matchers


def split_label_values(query: str) -> tuple[str, str | None]:
    """Grafana's `label_values(<series selector>, <label>)` -> (selector, label)."""
    m = re.fullmatch(r"\s*label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*", query, re.DOTALL)
    if m:
        return m.group(1), m.group(2)
    m = re.fullmatch(r"\s*label_values\(\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*", query)
    if m:
        return "", m.group(1)
    return query, None


def walk_panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from walk_panels(panel.get("panels") or [])


def dashboard_queries(dashboard: dict[str, Any]) -> list[tuple[str, str]]:
    """(where, PromQL) for every panel target and every query variable."""
    found: list[tuple[str, str]] = []
    for panel in walk_panels(dashboard.get("panels") or []):
        for target in panel.get("targets") or []:
            if "expr" in target:
                found.append((f"panel {panel.get('title')!r} ref {target.get('refId')}", target["expr"]))
    for var in (dashboard.get("templating") or {}).get("list") or []:
        if var.get("type") != "query":
            continue
        query = var.get("query")
        if isinstance(query, dict):
            query = query.get("query")
        if query:
            found.append((f"variable ${var['name']}", query))
    return found


def check_query(where: str, query: str, metrics_ok: set[str], labels_ok: set[str]) -> list[str]:
    selector, label = split_label_values(query)
    metrics, labels, matchers = parse_promql(selector)
    if label is not None:
        labels.add(label)
    problems = []
    if label is None and not metrics:
        problems.append(f"{where}: no metric name found in {query!r}")
    problems += [f"{where}: unknown metric {m!r}" for m in sorted(metrics - metrics_ok)]
    problems += [f"{where}: unknown label {lbl!r}" for lbl in sorted(labels - labels_ok)]
    for name, op, value in matchers:
        if name == "status_code" and op in {"=", "!="}:
            assert value in STATUS_CODE_VALUES, f"{where}: status_code value {value!r}"
        if name == "span_kind" and op in {"=", "!="}:
            assert value.startswith("SPAN_KIND_"), f"{where}: span_kind value {value!r}"
    return problems


# --------------------------------------------------------------------------------------------------
# every file parses


def all_config_files() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*") if p.suffix in {".yaml", ".yml", ".json"})


def test_expected_files_exist() -> None:
    for path in (
        COLLECTOR_CONFIG,
        COMPOSE,
        DASHBOARD,
        ROOT / "README.md",
        ROOT / "tempo.yaml",
        ROOT / "prometheus.yaml",
        RULES,
        RUNTIME_DASHBOARD,
    ):
        assert path.is_file(), f"missing {path.relative_to(ROOT.parent)}"


@pytest.mark.parametrize("path", all_config_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_config_file_parses(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    assert data, f"{path} is empty"


# --------------------------------------------------------------------------------------------------
# collector config


def test_pipeline_components_are_defined(collector: dict[str, Any]) -> None:
    kinds = {"receivers": "receivers", "processors": "processors", "exporters": "exporters"}
    connectors = set(collector.get("connectors") or {})
    for name, pipe in pipelines(collector).items():
        for key, section in kinds.items():
            defined = set(collector.get(section) or {})
            if key in {"receivers", "exporters"}:
                defined |= connectors
            for cid in pipe.get(key) or []:
                assert cid in defined, f"pipeline {name}: {key[:-1]} {cid!r} is not defined"
    for ext in collector["service"].get("extensions") or []:
        assert ext in (collector.get("extensions") or {}), f"extension {ext!r} is not defined"


def test_every_defined_component_is_used(collector: dict[str, Any]) -> None:
    used: dict[str, set[str]] = {"receivers": set(), "processors": set(), "exporters": set()}
    for pipe in pipelines(collector).values():
        for key in used:
            used[key] |= set(pipe.get(key) or [])
    for section in ("receivers", "processors", "exporters"):
        unused = set(collector.get(section) or {}) - used[section]
        assert not unused, f"{section} defined but not used in any pipeline: {sorted(unused)}"
    for cid in collector.get("connectors") or {}:
        assert cid in used["exporters"], f"connector {cid} is not an exporter of any pipeline"
        assert cid in used["receivers"], f"connector {cid} is not a receiver of any pipeline"
    unused_ext = set(collector.get("extensions") or {}) - set(collector["service"].get("extensions") or [])
    assert not unused_ext, f"extensions defined but not enabled: {sorted(unused_ext)}"


def test_otlp_receiver_listens_on_grpc_and_http(collector: dict[str, Any]) -> None:
    protocols = collector["receivers"]["otlp"]["protocols"]
    assert protocols["grpc"]["endpoint"].endswith(":4317")
    assert protocols["http"]["endpoint"].endswith(":4318")
    for pipe in pipelines(collector).values():
        if any(ctype(r) not in SPANMETRICS_TYPES for r in pipe.get("receivers") or []):
            assert "otlp" in pipe["receivers"]


def test_spanmetrics_is_computed_before_sampling(collector: dict[str, Any]) -> None:
    for cid in spanmetrics_ids(collector):
        feeding = {n: p for n, p in pipelines(collector).items() if cid in (p.get("exporters") or [])}
        assert feeding, f"no pipeline exports to {cid}"
        for name, pipe in feeding.items():
            assert name.split("/", 1)[0] == "traces", f"{cid} must be fed by a traces pipeline, not {name}"
            procs = [ctype(p) for p in pipe.get("processors") or []]
            assert "tail_sampling" not in procs, f"{name} samples before {cid}: metrics would be biased"
            assert "otlp" in pipe["receivers"], f"{name} must read the OTLP receiver directly"

        consuming = {n: p for n, p in pipelines(collector).items() if cid in (p.get("receivers") or [])}
        assert consuming, f"no pipeline receives from {cid}"
        for name, pipe in consuming.items():
            assert name.split("/", 1)[0] == "metrics", f"{cid} must feed a metrics pipeline, not {name}"
            assert "prometheus" in {ctype(e) for e in pipe["exporters"]}, f"{name} must export to prometheus"


def test_tail_sampling_guards_the_trace_stores(collector: dict[str, Any]) -> None:
    to_stores = {
        name: pipe
        for name, pipe in pipelines(collector).items()
        if any(ctype(e) in OTLP_EXPORTER_TYPES for e in pipe.get("exporters") or [])
    }
    exporters = {e for pipe in to_stores.values() for e in pipe["exporters"]}
    assert any("jaeger" in e for e in exporters), "no exporter to Jaeger"
    assert any("tempo" in e for e in exporters), "no exporter to Tempo"
    for name, pipe in to_stores.items():
        assert name.split("/", 1)[0] == "traces"
        assert "tail_sampling" in {ctype(p) for p in pipe["processors"]}, f"{name} exports unsampled"
        assert "otlp" in pipe["receivers"], f"{name} must read the OTLP receiver directly"


def test_memory_limiter_first_and_batch_last(collector: dict[str, Any]) -> None:
    for name, pipe in pipelines(collector).items():
        procs = [ctype(p) for p in pipe.get("processors") or []]
        assert procs, f"{name} has no processors"
        assert procs[0] == "memory_limiter", f"{name}: memory_limiter must be first, got {procs}"
        assert procs[-1] == "batch", f"{name}: batch must be last, got {procs}"


def test_spanmetrics_dimensions_and_buckets(collector: dict[str, Any]) -> None:
    connector = spanmetrics_config(collector)
    dims = {d["name"] for d in connector.get("dimensions") or []}
    assert {"gen_ai.tool.name", "gen_ai.operation.name"} <= dims, dims
    assert not dims & {"gen_ai.tool.call.id", "gen_ai.conversation.id"}, "unbounded cardinality"

    # Names in the dashboard depend on these two being explicit, not on a version's default.
    assert "namespace" in connector, "set the spanmetrics namespace explicitly"
    histogram = connector["histogram"]
    assert histogram.get("unit") in UNIT_SUFFIX, "set the histogram unit explicitly"

    buckets = [parse_duration(b) for b in histogram["explicit"]["buckets"]]
    assert buckets == sorted(buckets) and len(set(buckets)) == len(buckets), "buckets must increase"
    assert buckets[0] <= 0.010 + 1e-9, "first bucket should be ~10ms"
    assert buckets[-1] >= 180, "slow tools need buckets up to several minutes"


def parse_duration(text: str) -> float:
    """Go duration string (as the collector accepts it) -> seconds."""
    units = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)", str(text))
    assert parts and "".join(n + u for n, u in parts) == str(text), f"bad duration {text!r}"
    return sum(float(n) * units[u] for n, u in parts)


def tail_sampling_policies(collector: dict[str, Any]) -> list[dict[str, Any]]:
    ids = [p for p in collector["processors"] if ctype(p) == "tail_sampling"]
    assert ids, "no tail_sampling processor"
    return [pol for pid in ids for pol in collector["processors"][pid]["policies"]]


def test_tail_sampling_policies(collector: dict[str, Any]) -> None:
    policies = tail_sampling_policies(collector)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for pol in policies:
        by_type.setdefault(pol["type"], []).append(pol)

    assert any("ERROR" in p["status_code"]["status_codes"] for p in by_type.get("status_code", [])), (
        "no status_code ERROR policy"
    )
    assert by_type.get("probabilistic"), "no probabilistic base policy"
    pct = by_type["probabilistic"][0]["probabilistic"]["sampling_percentage"]
    assert 0 < pct < 100

    slow = [
        cond
        for pol in by_type.get("ottl_condition", [])
        for cond in pol["ottl_condition"].get("span") or []
        if "execute_tool" in cond and "end_time_unix_nano" in cond
    ]
    assert slow, "no ottl_condition policy on slow execute_tool spans"
    for cond in slow:
        # Conditions listed under `span:` are OR-ed: both checks must be in ONE expression.
        assert " and " in cond, f"operation and duration checks must be AND-ed in one condition: {cond}"
        assert 'attributes["gen_ai.operation.name"] == "execute_tool"' in cond
        m = re.search(r"end_time_unix_nano\s*-\s*start_time_unix_nano\s*>\s*(\d+)", cond)
        assert m, f"duration comparison not found in {cond}"
        threshold_s = int(m.group(1)) / 1e9
        assert 0.1 <= threshold_s <= 3600, f"threshold {threshold_s}s looks like a unit mistake"


def test_prometheus_exporter_naming_is_pinned(collector: dict[str, Any]) -> None:
    exporter = prometheus_exporter_config(collector)
    assert exporter.get("translation_strategy") == "UnderscoreEscapingWithSuffixes"
    assert exporter["endpoint"].rsplit(":", 1)[1].isdigit()


def test_expected_metric_names_follow_the_documented_rules(collector: dict[str, Any]) -> None:
    # The example in the README; guards the derivation itself against regressions.
    assert expected_metric_names(collector) == {
        "traces_span_metrics_calls_total",
        "traces_span_metrics_duration_milliseconds_bucket",
        "traces_span_metrics_duration_milliseconds_sum",
        "traces_span_metrics_duration_milliseconds_count",
    }
    other = {
        "connectors": {"spanmetrics": {"namespace": "agents", "histogram": {"unit": "s"}}},
        "exporters": {"prometheus": {"endpoint": "0.0.0.0:1", "namespace": "x"}},
    }
    assert expected_metric_names(other) == {
        "x_agents_calls_total",
        "x_agents_duration_seconds_bucket",
        "x_agents_duration_seconds_sum",
        "x_agents_duration_seconds_count",
    }
    other["exporters"]["prometheus"]["translation_strategy"] = "UnderscoreEscapingWithoutSuffixes"
    assert "x_agents_calls" in expected_metric_names(other)


# --------------------------------------------------------------------------------------------------
# docker compose


def host_mounts(service: dict[str, Any]) -> list[tuple[Path, str]]:
    """(host path, container path) for bind mounts given as relative paths."""
    mounts = []
    for vol in service.get("volumes") or []:
        if isinstance(vol, dict):
            source, target = vol.get("source", ""), vol["target"]
        else:
            source, target = vol.split(":")[0], vol.split(":")[1]
        if source.startswith((".", "/")):
            mounts.append(((COMPOSE.parent / source).resolve(), target))
    return mounts


def container_path_to_host(service: dict[str, Any], container_path: str) -> Path | None:
    best: tuple[int, Path] | None = None
    for host, target in host_mounts(service):
        cpath, tpath = PurePosixPath(container_path), PurePosixPath(target)
        if cpath == tpath or tpath in cpath.parents:
            rel = cpath.relative_to(tpath)
            if best is None or len(tpath.parts) > best[0]:
                best = (len(tpath.parts), host / rel)
    return best[1] if best else None


def find_service(compose: dict[str, Any], image_part: str) -> tuple[str, dict[str, Any]]:
    found = [(n, s) for n, s in compose["services"].items() if image_part in s.get("image", "")]
    assert len(found) == 1, f"expected one service with image {image_part!r}, got {[n for n, _ in found]}"
    return found[0]


def published(service: dict[str, Any]) -> set[str]:
    return {str(p).split(":")[-2] if str(p).count(":") >= 1 else str(p) for p in service.get("ports") or []}


def test_every_mounted_file_exists(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for host, _ in host_mounts(service):
            assert host.exists(), f"service {name} mounts missing {host}"
            assert ROOT in host.parents or host == ROOT, (
                f"service {name} mounts {host} outside collector-config"
            )


def test_collector_service(compose: dict[str, Any], collector: dict[str, Any]) -> None:
    _, svc = find_service(compose, "opentelemetry-collector-contrib")
    assert not svc["image"].endswith(":latest") and ":" in svc["image"], "pin the collector image"
    mounted = {host: target for host, target in host_mounts(svc)}
    assert COLLECTOR_CONFIG.resolve() in mounted, "collector config not mounted"
    target = mounted[COLLECTOR_CONFIG.resolve()]
    command = " ".join(svc.get("command") or [])
    if command:
        assert f"--config={target}" in command or f"--config {target}" in command
    else:
        assert target == "/etc/otelcol-contrib/config.yaml", "mount on the image's default config path"
    assert {"4317", "4318"} <= published(svc), "OTLP ports must be published to the host"


def test_exporters_point_at_compose_services(compose: dict[str, Any], collector: dict[str, Any]) -> None:
    services = compose["services"]
    for cid, exp in collector["exporters"].items():
        if ctype(cid) in OTLP_EXPORTER_TYPES:
            host = re.sub(r"^\w+://", "", exp["endpoint"]).split(":")[0]
            assert host in services, f"exporter {cid} targets {host!r}, not a compose service"


def test_ports_published(compose: dict[str, Any]) -> None:
    expectations = {
        "jaeger": "16686",
        "grafana/grafana": "3000",
        "prom/prometheus": "9090",
        "grafana/tempo": "3200",
    }
    for image_part, port in expectations.items():
        _, svc = find_service(compose, image_part)
        assert port in published(svc), f"{image_part} must publish {port}"


def test_prometheus_scrapes_the_collector_exporter(
    compose: dict[str, Any], collector: dict[str, Any]
) -> None:
    collector_name, _ = find_service(compose, "opentelemetry-collector-contrib")
    _, prom = find_service(compose, "prom/prometheus")
    mounted = [host for host, target in host_mounts(prom) if target.startswith("/etc/prometheus/")]
    assert mounted, "prometheus config not mounted"
    prom_cfg = load_yaml(mounted[0])
    port = prometheus_exporter_config(collector)["endpoint"].rsplit(":", 1)[1]
    targets = {t for job in prom_cfg["scrape_configs"] for sc in job["static_configs"] for t in sc["targets"]}
    assert f"{collector_name}:{port}" in targets, f"no scrape of {collector_name}:{port} in {targets}"


def test_tempo_service_config(compose: dict[str, Any]) -> None:
    _, svc = find_service(compose, "grafana/tempo")
    command = " ".join(svc.get("command") or [])
    m = re.search(r"-config\.file=(\S+)", command)
    assert m, "tempo needs -config.file"
    host = container_path_to_host(svc, m.group(1))
    assert host is not None and host.is_file(), "tempo config file is not mounted"
    tempo = load_yaml(host)
    assert tempo["server"]["http_listen_port"] == 3200
    assert tempo["distributor"]["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"].endswith(":4317")


def test_grafana_provisioning(compose: dict[str, Any], datasources: list[dict[str, Any]]) -> None:
    _, svc = find_service(compose, "grafana/grafana")
    for sub in ("datasources", "dashboards"):
        host = container_path_to_host(svc, f"/etc/grafana/provisioning/{sub}")
        assert host is not None and host.is_dir(), f"grafana provisioning/{sub} not mounted"

    types = {ds["type"] for ds in datasources}
    assert {"prometheus", "tempo", "jaeger"} <= types, types
    uids = {ds["uid"] for ds in datasources}
    assert len(uids) == len(datasources), "datasource uids must be unique and set"
    services = compose["services"]
    for ds in datasources:
        host = re.sub(r"^\w+://", "", ds["url"]).split(":")[0]
        assert host in services, f"datasource {ds['name']} points at {host!r}, not a compose service"
        for key, value in walk_items(ds.get("jsonData") or {}):
            if key == "datasourceUid":
                assert value in uids, f"datasource {ds['name']} references unknown uid {value!r}"


def walk_items(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from walk_items(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk_items(item)


def test_dashboard_provider_loads_the_dashboard(compose: dict[str, Any]) -> None:
    _, svc = find_service(compose, "grafana/grafana")
    providers = [
        prov
        for path in sorted(DASHBOARD_PROVIDERS_DIR.glob("*.y*ml"))
        for prov in load_yaml(path).get("providers") or []
    ]
    assert providers, "no dashboard provider"
    loaded = False
    for prov in providers:
        host = container_path_to_host(svc, prov["options"]["path"])
        assert host is not None, f"provider path {prov['options']['path']} is not mounted in grafana"
        if host.resolve() == DASHBOARD.parent.resolve() or DASHBOARD.resolve() == host.resolve():
            loaded = True
    assert loaded, "no provider path maps to grafana/dashboards/ (where slow-tools.json lives)"


# --------------------------------------------------------------------------------------------------
# dashboard


def test_dashboard_queries_use_emitted_metrics_and_labels(
    dashboard: dict[str, Any], collector: dict[str, Any]
) -> None:
    metrics_ok = expected_metric_names(collector) | expected_runtime_metric_names(collector)
    labels_ok = expected_label_names(collector)
    queries = dashboard_queries(dashboard)
    assert len(queries) >= 5
    problems = [p for where, q in queries for p in check_query(where, q, metrics_ok, labels_ok)]
    assert not problems, "\n".join(problems)


def test_grafana_datasource_queries_use_emitted_metrics(
    datasources: list[dict[str, Any]], collector: dict[str, Any]
) -> None:
    metrics_ok = expected_metric_names(collector)
    labels_ok = expected_label_names(collector)
    for ds in datasources:
        for key, value in walk_items(ds.get("jsonData") or {}):
            if key == "query" and isinstance(value, str):
                # `$$` is Grafana's provisioning escape for a literal `$`; `{$__tags}` is filled in
                # by Grafana with the span's tags.
                expr = value.replace("$$", "$").replace("{$__tags}", "")
                problems = check_query(f"datasource {ds['name']}", expr, metrics_ok, labels_ok)
                assert not problems, problems


def test_dashboard_covers_the_slow_tools_questions(
    dashboard: dict[str, Any], collector: dict[str, Any]
) -> None:
    names = expected_metric_names(collector)
    bucket = next(n for n in names if n.endswith("_bucket"))
    calls = next(n for n in names if n.endswith("_total") or n.endswith("_calls"))
    tool_label = escape("gen_ai.tool.name")
    exprs = [q for _, q in dashboard_queries(dashboard)]

    for quantile in ("0.5", "0.95", "0.99"):
        assert any(
            re.search(rf"histogram_quantile\(\s*{re.escape(quantile)}\s*,", e)
            and bucket in e
            and re.search(r"by \([^)]*\ble\b[^)]*\)", e)
            and tool_label in e
            for e in exprs
        ), f"no p{quantile} per-tool panel over {bucket}"
    assert any(calls in e and "rate(" in e and tool_label in e for e in exprs), "no call-rate panel"
    assert any(calls in e and 'status_code="STATUS_CODE_ERROR"' in e for e in exprs), "no error panel"
    for e in exprs:
        if bucket in e or calls in e:
            assert 'gen_ai_operation_name="execute_tool"' in e or "label_values" in e, (
                f"query does not restrict to execute_tool spans: {e}"
            )
    assert any(p.get("type") == "table" for p in walk_panels(dashboard["panels"])), "no slowest-tools table"
    stalls = escape(runtime_metrics.TOOL_STALLS) + "_total"
    assert stalls in expected_runtime_metric_names(collector), "runtime metrics do not reach Prometheus"
    assert any(stalls in e and tool_label in e for e in exprs), "no stalled-tools panel"


def test_runtime_metric_names_follow_the_documented_rules(collector: dict[str, Any]) -> None:
    names = expected_runtime_metric_names(collector)
    assert {
        "gen_ai_execute_tool_duration_seconds_bucket",
        "agents_otel_tool_stalls_total",
        "agents_otel_tool_progress_total",
        "gen_ai_client_token_usage_bucket",
    } <= names
    other = copy.deepcopy(collector)
    del other["service"]["pipelines"]["metrics/runtime"]
    assert expected_runtime_metric_names(other) == set()


@pytest.mark.parametrize("path", [DASHBOARD, RUNTIME_DASHBOARD], ids=lambda p: p.name)
def test_dashboard_datasources_are_provisioned(path: Path, datasources: list[dict[str, Any]]) -> None:
    dashboard = json.loads(path.read_text(encoding="utf-8"))
    by_uid = {ds["uid"]: ds for ds in datasources}

    def check(ref: Any, where: str) -> None:
        if ref is None:
            return
        uid = ref.get("uid") if isinstance(ref, dict) else ref
        assert uid in by_uid, f"{where}: datasource uid {uid!r} is not provisioned"
        if isinstance(ref, dict) and ref.get("type"):
            assert ref["type"] == by_uid[uid]["type"], f"{where}: type mismatch for {uid}"

    for panel in walk_panels(dashboard["panels"]):
        if panel.get("type") == "row":
            continue
        assert panel.get("datasource") is not None, f"panel {panel.get('title')!r} has no datasource"
        check(panel.get("datasource"), f"panel {panel.get('title')!r}")
        for target in panel.get("targets") or []:
            check(target.get("datasource"), f"panel {panel.get('title')!r} target {target.get('refId')}")
            if "expr" in target:
                ref = target.get("datasource") or panel.get("datasource")
                uid = ref.get("uid") if isinstance(ref, dict) else ref
                assert by_uid[uid]["type"] == "prometheus", "PromQL sent to a non-Prometheus datasource"
    for var in dashboard.get("templating", {}).get("list", []):
        check(var.get("datasource"), f"variable {var.get('name')}")


# --------------------------------------------------------------------------------------------------
# the scanner itself must be able to fail


def test_promql_scanner_catches_wrong_names(collector: dict[str, Any]) -> None:
    metrics_ok = expected_metric_names(collector)
    labels_ok = expected_label_names(collector)
    good = (
        "histogram_quantile(0.95, sum by (le, gen_ai_tool_name) (rate("
        'traces_span_metrics_duration_milliseconds_bucket{gen_ai_operation_name="execute_tool"}[5m])))'
    )
    assert check_query("good", good, metrics_ok, labels_ok) == []
    # dotted label name (UTF-8), wrong unit suffix, missing _total, unknown label
    bad_metric = good.replace("milliseconds", "seconds")
    assert check_query("bad", bad_metric, metrics_ok, labels_ok)
    assert check_query("bad", "rate(traces_span_metrics_calls[5m])", metrics_ok, labels_ok)
    assert check_query(
        "bad", "sum by (tool) (rate(traces_span_metrics_calls_total[5m]))", metrics_ok, labels_ok
    )
    assert check_query(
        "bad", 'rate(traces_span_metrics_calls_total{operation="x"}[5m])', metrics_ok, labels_ok
    )
    assert check_query("bad", "label_values(calls_total, service_name)", metrics_ok, labels_ok)
    assert (
        check_query("ok", "label_values(traces_span_metrics_calls_total, span_name)", metrics_ok, labels_ok)
        == []
    )

# --------------------------------------------------------------------------------------------------
# the runtime-metrics dashboard and the alert rules: they must work without a Collector, so they may
# only use the runtime's own metrics (whose Prometheus names are the same through the Collector's
# exporter and through a direct scrape of the app, opentelemetry-exporter-prometheus).


@pytest.fixture(scope="module")
def runtime_dashboard() -> dict[str, Any]:
    data = json.loads(RUNTIME_DASHBOARD.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def runtime_labels() -> set[str]:
    return {escape(a) for a in RUNTIME_METRIC_ATTRIBUTES} | PROMETHEUS_LABELS


def test_runtime_dashboard_uses_only_the_runtime_metrics(
    runtime_dashboard: dict[str, Any], collector: dict[str, Any]
) -> None:
    runtime_names = expected_runtime_metric_names(collector)
    queries = dashboard_queries(runtime_dashboard)
    assert len(queries) >= 10
    problems = [p for where, q in queries for p in check_query(where, q, runtime_names, runtime_labels())]
    assert not problems, "\n".join(problems)
    spanmetrics = expected_metric_names(collector)
    assert not any(name in q for _, q in queries for name in spanmetrics), "span metrics need a Collector"


def test_runtime_dashboard_has_a_counterpart_for_every_spanmetrics_panel(
    runtime_dashboard: dict[str, Any], dashboard: dict[str, Any]
) -> None:
    titles = {p.get("title") for p in walk_panels(runtime_dashboard["panels"])}
    for panel in walk_panels(dashboard["panels"]):
        title = str(panel.get("title")).removesuffix(" (runtime metric)")
        assert title in titles, f"no runtime-metrics panel for {title!r}"
    exprs = [q for _, q in dashboard_queries(runtime_dashboard)]
    bucket = escape(runtime_metrics.TOOL_DURATION) + "_seconds_bucket"
    for quantile in ("0.5", "0.95", "0.99"):
        assert any(f"histogram_quantile({quantile}," in e and bucket in e for e in exprs), f"no p{quantile}"
    for needed in (escape(runtime_metrics.TOOL_STALLS) + "_total", 'error_type="timeout"', "gen_ai_client_"):
        assert any(needed in e for e in exprs), f"no panel over {needed}"
    assert runtime_dashboard["uid"] != dashboard["uid"], "dashboard uids must differ"


def test_runtime_dashboard_is_in_the_provisioned_folder() -> None:
    assert RUNTIME_DASHBOARD.parent == DASHBOARD.parent  # the provider loads the whole folder (test above)


def alert_rules() -> list[dict[str, Any]]:
    return [rule for group in load_yaml(RULES)["groups"] for rule in group["rules"] if "alert" in rule]


def test_alert_rules_use_only_the_runtime_metrics(collector: dict[str, Any]) -> None:
    runtime_names = expected_runtime_metric_names(collector)
    rules = alert_rules()
    assert {r["alert"] for r in rules} == {
        "ToolStalled",
        "ToolSlowP95",
        "ToolErrorRatio",
        "ToolTimeouts",
        "ModelSlowP95",
    }
    problems = [p for r in rules for p in check_query(f"rule {r['alert']}", r["expr"], runtime_names, runtime_labels())]
    assert not problems, "\n".join(problems)
    for rule in rules:
        for template in re.findall(r"\$labels\.(\w+)", json.dumps(rule.get("annotations"))):
            assert re.search(rf"\bby \([^)]*\b{template}\b", rule["expr"]), (
                f"{rule['alert']}: annotation uses {template}, which the expression aggregates away"
            )


def test_prometheus_loads_the_rules_mounted_by_compose(compose: dict[str, Any]) -> None:
    _, prom = find_service(compose, "prom/prometheus")
    config = load_yaml(PROMETHEUS_CONFIG)
    assert config.get("rule_files"), "prometheus.yaml must load the alert rules"
    for path in config["rule_files"]:
        assert container_path_to_host(prom, path) == RULES.resolve(), f"rule file {path} is not the shipped rules"
    collector_job = next(j for j in config["scrape_configs"] if j["job_name"] == "otel-collector-spanmetrics")
    assert collector_job.get("honor_labels") is True, "job must stay service.name through the Collector"


def test_prometheus_version_pin_is_stated_where_the_configs_depend_on_it(compose: dict[str, Any]) -> None:
    _, prom = find_service(compose, "prom/prometheus")
    tag = prom["image"].rsplit(":", 1)[1]
    assert re.fullmatch(r"v\d+\.\d+\.\d+", tag), f"pin an exact Prometheus version, not {tag!r}"
    for path in (PROMETHEUS_CONFIG, RULES, ROOT / "README.md"):
        assert tag in path.read_text(encoding="utf-8"), f"{path.name} does not mention the pinned {tag}"
