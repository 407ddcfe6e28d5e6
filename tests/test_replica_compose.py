"""Offline checks of the replicated server in collector-config/: two ``agents-otel serve`` replicas sharing runs
through the compose file's Redis, behind an nginx that streams SSE unbuffered. Nothing starts a container; the
files are parsed and cross-checked so that a renamed service, a wrong port or a buffering proxy fails here."""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest

from agents_otel import Agent
from agents_otel.commands.serve import load_target

yaml = pytest.importorskip("yaml")

REPO = Path(__file__).resolve().parent.parent
ROOT = REPO / "collector-config"


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yaml").read_text(encoding="utf-8"))
    return compose["services"]  # type: ignore[no-any-return]


def replicas(services: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: svc for name, svc in services.items() if "build" in svc}


def env(service: dict[str, Any]) -> dict[str, str]:
    return dict(item.split("=", 1) for item in service.get("environment") or [])


def test_two_replicas_share_the_compose_redis(services: dict[str, Any]) -> None:
    found = replicas(services)
    assert len(found) == 2
    (redis_name, redis_svc), *_ = [(n, s) for n, s in services.items() if s.get("image", "").startswith("redis:")]
    assert not redis_svc["image"].endswith(":latest"), "pin the Redis image"
    for name, svc in found.items():
        url = env(svc)["AGENTS_OTEL_BROKER_URL"]
        assert re.fullmatch(rf"redis://{redis_name}:6379/\d+", url), f"{name}: {url}"
        otlp_host = re.sub(r"^\w+://", "", env(svc)["OTEL_EXPORTER_OTLP_ENDPOINT"]).split(":")[0]
        assert otlp_host in services, f"{name} sends traces to {otlp_host!r}, not a compose service"


def test_the_replica_image_serves_an_agent(services: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    build = next(iter(replicas(services).values()))["build"]
    dockerfile = (ROOT / build["context"] / build["dockerfile"]).resolve()
    lines = dockerfile.read_text(encoding="utf-8").splitlines()
    for line in lines:
        if line.startswith("COPY "):
            for source in shlex.split(line)[1:-1]:
                assert (REPO / source).exists(), f"{dockerfile.name} copies missing {source}"
    workdir = [line.split()[1] for line in lines if line.startswith("WORKDIR ")][-1]
    cmd = next(line for line in lines if line.startswith("CMD "))
    argv: list[str] = yaml.safe_load(cmd.removeprefix("CMD "))
    assert argv[:2] == ["agents-otel", "serve"] and argv[argv.index("--port") + 1] == "8000"
    monkeypatch.chdir(REPO / workdir.removeprefix("/src/"))
    monkeypatch.setattr(sys, "path", list(sys.path))  # load_target puts the working directory on it
    module = argv[2].partition(":")[0]
    try:
        target = load_target(argv[2])
        assert isinstance(target, Agent) or isinstance(target(), Agent)
    finally:
        sys.modules.pop(module, None)


def test_the_load_balancer_spreads_over_both_replicas_without_buffering(services: dict[str, Any]) -> None:
    (lb,) = [s for s in services.values() if s.get("image", "").startswith("nginx:")]
    (mount,) = [v for v in lb["volumes"] if v.startswith("./")]
    conf = (ROOT / mount.split(":")[0]).read_text(encoding="utf-8")
    upstream = re.search(r"upstream\s+(\w+)\s*{([^}]*)}", conf)
    assert upstream is not None
    assert set(re.findall(r"server\s+([\w-]+):8000;", upstream.group(2))) == set(replicas(services))
    assert f"proxy_pass http://{upstream.group(1)};" in conf
    assert "proxy_buffering off;" in conf, "SSE through a buffering proxy arrives in bursts"
