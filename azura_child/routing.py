"""Which bot of the process a KoeSession call is for: the ``azura-bot`` metadata (its 1-based slot).

A process serves one gRPC server for all its bots; each bot has its own ``KoeSessionService``. ``BotRouter``
is the server's handler for the KoeSession service: it hands each call (the Link stream and every session
RPC) to the handler of the slot its metadata names, slot 1 when it names none (a single-bot child, grpcurl).
A slot the process does not run, or a value that is no slot, is refused with INVALID_ARGUMENT saying which
slots there are, and reaches no bot.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import grpc

from azura_common.koe.errors import InvalidArgument
from azura_common.koe.pb.azura.koe.v1 import koe_pb2_grpc as pb_grpc
from azura_common.koe.remote import BOT_HEADER

from .decoding import refusing
from .servicer import KoeSessionService

__all__ = ["BOT_HEADER", "BotRouter", "slot_of"]

log = logging.getLogger(__name__)

_Handlers: TypeAlias = "dict[str, grpc.RpcMethodHandler[Any, Any]]"  # a string: generic only in the stubs


def slot_of(metadata: Sequence[tuple[str, str | bytes]] | None) -> int | str:
    """The slot named by ``metadata`` (1 when none), or what is wrong with it."""
    given = [value for key, value in metadata or () if key == BOT_HEADER]
    if not given:
        return 1
    if len(given) > 1:
        return f"{len(given)} {BOT_HEADER} headers"
    text = given[0].decode(errors="replace") if isinstance(given[0], bytes) else given[0]
    if not text.isdigit() or len(text) > 4:
        return f"{BOT_HEADER} must be a bot slot number, not {text[:20]!r}"
    return int(text)


class _Capture:
    """Stands in for a server to take the method handlers the generated code builds for one servicer."""

    def __init__(self) -> None:
        self.handlers: _Handlers = {}

    def add_generic_rpc_handlers(self, handlers: object) -> None:
        pass

    def add_registered_method_handlers(self, service: str, handlers: _Handlers) -> None:
        self.handlers = dict(handlers)


def _method_handlers(service: KoeSessionService) -> _Handlers:
    capture = _Capture()
    pb_grpc.add_KoeSessionServicer_to_server(service, capture)  # type: ignore[arg-type]
    return capture.handlers


class BotRouter(grpc.GenericRpcHandler):
    """The KoeSession service of a process: each call to the servicer of the bot its metadata names."""

    def __init__(self, service_name: str, services: Mapping[int, KoeSessionService]) -> None:
        self._prefix = f"/{service_name}/"
        self._bots = {slot: _method_handlers(service) for slot, service in services.items()}
        self._slots = sorted(self._bots)

    def service(self, handler_call_details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler[Any, Any] | None:
        method = handler_call_details.method
        if not method.startswith(self._prefix):
            return None
        name = method[len(self._prefix):]
        slot = slot_of(handler_call_details.invocation_metadata)
        handlers = self._bots.get(slot) if isinstance(slot, int) else None
        if handlers is not None:
            return handlers.get(name)
        any_bot = self._bots[self._slots[0]].get(name)
        if any_bot is None:
            return None  # no such method: gRPC's own UNIMPLEMENTED
        problem = slot if isinstance(slot, str) else f"there is no bot {slot}"
        message = (f"This child process runs bots {_slot_range(self._slots)}; {problem} "
                   f"(the {BOT_HEADER} metadata).")
        log.warning("refused %s: %s", method, message)
        return refusing(any_bot, InvalidArgument(message, BOT_HEADER))


def _slot_range(slots: list[int]) -> str:
    return str(slots[0]) if len(slots) == 1 else f"{slots[0]}-{slots[-1]}"

