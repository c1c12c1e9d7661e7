"""The Session protocol and the KoeSession service must describe the same operations."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Protocol

from google.protobuf.descriptor import ServiceDescriptor

from azura_common.koe.pb.azura.koe.v1 import koe_pb2 as pb
from azura_common.koe.session import Session

# RPCs that are not one session's operation, and why.
NOT_SESSION_METHODS = {
    "Link": "the control stream between parent and child",
    "ListSessions": "a child-wide listing for operators and reconciliation",
}
SERVICE = pb.DESCRIPTOR.services_by_name["KoeSession"]


def camel(name: str) -> str:
    return "".join(part.title() for part in name.split("_"))


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def session_methods(protocol: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in inspect.getmembers(protocol, inspect.isfunction)
        if not name.startswith("_")
    }


def parity_problems(protocol: type, service: ServiceDescriptor) -> list[str]:
    problems = []
    methods = session_methods(protocol)
    rpcs = {m.name: m for m in service.methods if m.name not in NOT_SESSION_METHODS}
    for name, signature in methods.items():
        rpc = rpcs.get(camel(name))
        if rpc is None:
            problems.append(f"Session.{name} has no RPC {camel(name)}")
            continue
        request = rpc.input_type
        fields = set(request.fields_by_name) | set(request.oneofs_by_name)
        for param in list(signature.parameters)[1:]:
            if param not in fields:
                problems.append(f"Session.{name}({param}) has no field in {request.name}")
        for required in ("guild_id", "channel_id"):
            if required not in request.fields_by_name:
                problems.append(f"{request.name} lacks {required}")
    for name in rpcs:
        if snake(name) not in methods:
            problems.append(f"RPC {name} has no Session method {snake(name)}")
    return problems


def test_every_session_method_has_an_rpc_and_back() -> None:
    assert parity_problems(Session, SERVICE) == []


def test_mutating_requests_carry_a_request_id() -> None:
    read_only = {"GetState", "GetQueue", "ListSessions"}
    for method in SERVICE.methods:
        if method.name in NOT_SESSION_METHODS or method.name in read_only:
            continue
        assert "request_id" in method.input_type.fields_by_name, method.name


def test_every_session_rpc_is_unary() -> None:
    # One RPC path: RemoteSession calls these through the generated stub; the Link is the one stream.
    streams = {m.name for m in SERVICE.methods if m.client_streaming or m.server_streaming}
    assert streams == {"Link"}


def test_every_rpc_message_and_field_is_documented() -> None:
    text = (Path(__file__).resolve().parents[3] / "proto" / "azura" / "koe" / "v1" / "koe.proto").read_text()
    lines = text.splitlines()
    declaration = re.compile(r"^\s*(rpc |message |enum |oneof |(optional |repeated )?[\w.<>, ]+ \w+ = \d+;|\w+ = \d+;)")
    checked = 0
    for i, line in enumerate(lines):
        if declaration.match(line) and not line.strip().startswith("//"):
            checked += 1
            assert lines[i - 1].strip().startswith("//"), f"line {i + 1} has no comment: {line.strip()}"
    assert checked > 200  # the pattern really sees the declarations


class _Incomplete(Protocol):
    async def skip(self, by: int = 1) -> None: ...

    async def teleport(self) -> None: ...


def test_the_parity_check_itself_catches_drift() -> None:
    problems = parity_problems(_Incomplete, SERVICE)
    assert "Session.teleport has no RPC Teleport" in problems
    assert "RPC Pause has no Session method pause" in problems
    assert not any("skip" in p for p in problems)
