"""Snapshots and sandbox client options travel through JSON by their ``type`` tag (a paused run's sandbox state, a
resumed session): the tag picks the class back, a dump always carries it, an unknown tag or a second class claiming a
tag is a loud error, never a silent pick."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest

from agents_otel.sandbox.sandboxes import UnixLocalSandboxClientOptions
from agents_otel.sandbox.session import BaseSandboxClientOptions
from agents_otel.sandbox.snapshot import LocalSnapshot, NoopSnapshot, SnapshotBase


def test_a_snapshot_comes_back_as_its_own_class_from_its_dump(tmp_path: Path) -> None:
    snapshot = LocalSnapshot(id="s1", base_path=tmp_path)
    dumped = snapshot.model_dump(mode="json")
    assert dumped["type"] == "local"
    again = SnapshotBase.parse(dumped)
    assert type(again) is LocalSnapshot and again == snapshot
    assert SnapshotBase.parse(snapshot) is snapshot
    assert type(SnapshotBase.parse({"type": "noop", "id": "n"})) is NoopSnapshot


def test_client_options_come_back_as_their_own_class() -> None:
    options = UnixLocalSandboxClientOptions(exposed_ports=(8080,))
    again = BaseSandboxClientOptions.parse(options.model_dump(mode="json"))
    assert type(again) is UnixLocalSandboxClientOptions and again.exposed_ports == (8080,)


def test_unknown_tags_and_non_mappings_are_loud() -> None:
    with pytest.raises(ValueError, match="unknown snapshot type `floppy`"):
        SnapshotBase.parse({"type": "floppy", "id": "x"})
    with pytest.raises(ValueError, match="unknown sandbox client options type `cloud`"):
        BaseSandboxClientOptions.parse({"type": "cloud"})
    with pytest.raises(TypeError, match="expected a SnapshotBase or a mapping for a snapshot, got list"):
        SnapshotBase.parse([])


def test_a_second_class_claiming_a_tag_fails_at_its_definition() -> None:
    with pytest.raises(TypeError, match="snapshot type `local` is already registered by LocalSnapshot"):

        class Impostor(LocalSnapshot):  # the definition itself must fail
            type: Literal["local"] = "local"

    with pytest.raises(TypeError, match="must define a non-empty string default for `type`"):

        class Untagged(BaseSandboxClientOptions):
            pass

    # client options too (they used to keep the first class silently)
    with pytest.raises(TypeError, match="sandbox client options type `unix_local` is already registered"):

        class OtherUnixOptions(BaseSandboxClientOptions):
            type: Literal["unix_local"] = "unix_local"

    assert type(BaseSandboxClientOptions.parse({"type": "unix_local"})) is UnixLocalSandboxClientOptions

    # the two families keep separate registries: a client-options tag may equal a snapshot tag
    class LocalOptions(BaseSandboxClientOptions):
        type: Literal["local"] = "local"

    try:
        assert type(BaseSandboxClientOptions.parse({"type": "local"})) is LocalOptions
        assert type(SnapshotBase.parse({"type": "local", "id": "s", "base_path": "/tmp"})) is LocalSnapshot
    finally:
        BaseSandboxClientOptions._registry.pop("local", None)


def test_a_snapshot_spec_dump_carries_its_tag(tmp_path: Path) -> None:
    from agents_otel.sandbox.snapshot import LocalSnapshotSpec

    assert LocalSnapshotSpec(base_path=tmp_path).model_dump(mode="json")["type"] == "local"
