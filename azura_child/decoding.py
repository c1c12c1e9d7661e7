"""Request bytes that are no request: INVALID_ARGUMENT and one WARNING line, never a traceback.

grpc.aio decodes each request with the generated ``FromString`` before any servicer code runs; a
``DecodeError`` there would end the call UNKNOWN and log an ERROR with a traceback, as if the child had
a bug. ``DecodingInterceptor`` gives every method a tolerant decoder that turns such bytes into an
``Undecodable`` marker, and a behaviour that answers the marker itself, so no handler ever sees one.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, NoReturn, TypeAlias

import grpc
from google.protobuf.message import DecodeError

from azura_common.koe.errors import InvalidArgument, KoeError

from .servicer import Context, abort_with

__all__ = ["Continuation", "DecodingInterceptor", "Undecodable", "refusing", "same_shape"]

log = logging.getLogger(__name__)

Behaviour = Callable[..., Any]
# A string: grpc's RpcMethodHandler is generic only in its type stubs.
Continuation: TypeAlias = "Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler[Any, Any] | None]]"
"""What a server interceptor is handed: the way to the next interceptor, and at the end the method handler."""


@dataclass(frozen=True, slots=True)
class Undecodable:
    """What a tolerant decoder hands on in place of a request it could not read."""

    size: int
    reason: str


def same_shape(
    handler: grpc.RpcMethodHandler[Any, Any], behaviour: Behaviour, decode: Callable[[bytes], Any] | None
) -> grpc.RpcMethodHandler[Any, Any]:
    """A handler of ``handler``'s streaming kind and reply encoding, with another behaviour and decoder."""
    build: Callable[..., grpc.RpcMethodHandler[Any, Any]]
    if handler.request_streaming and handler.response_streaming:
        build = grpc.stream_stream_rpc_method_handler
    elif handler.request_streaming:
        build = grpc.stream_unary_rpc_method_handler
    elif handler.response_streaming:
        build = grpc.unary_stream_rpc_method_handler
    else:
        build = grpc.unary_unary_rpc_method_handler
    return build(behaviour, decode, handler.response_serializer)


def refusing(handler: grpc.RpcMethodHandler[Any, Any], error: KoeError) -> grpc.RpcMethodHandler[Any, Any]:
    """A handler of ``handler``'s shape and codecs that ends every call with ``error`` (refused before any
    servicer code runs: no secret, no such bot)."""

    async def unary_in(request: Any, context: Context) -> NoReturn:
        await abort_with(context, error)

    async def stream_in(requests: AsyncIterator[Any], context: Context) -> NoReturn:
        await abort_with(context, error)

    # Plain coroutines for streaming replies too: grpc.aio accepts a behaviour that writes (or aborts)
    # through its context instead of yielding.
    behaviour = stream_in if handler.request_streaming else unary_in
    return same_shape(handler, behaviour, handler.request_deserializer)


def _behaviour(handler: grpc.RpcMethodHandler[Any, Any]) -> Behaviour:
    found = handler.stream_stream or handler.stream_unary or handler.unary_stream or handler.unary_unary
    assert found is not None, "a method handler always has one behaviour"
    return found


class DecodingInterceptor(grpc.aio.ServerInterceptor):
    async def intercept_service(
        self,
        continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler[Any, Any] | None:
        handler = await continuation(handler_call_details)
        if handler is None or handler.request_deserializer is None:
            return handler
        return same_shape(
            handler, _guarded(handler, handler_call_details.method), _tolerant(handler.request_deserializer)
        )


def _tolerant(decode: Callable[[bytes], Any]) -> Callable[[bytes], Any]:
    def decode_or_mark(raw: bytes) -> Any:
        try:
            return decode(raw)
        except DecodeError as exc:
            return Undecodable(len(raw), str(exc) or type(exc).__name__)

    return decode_or_mark


async def _refuse(method: str, bad: Undecodable, context: Context) -> None:
    log.warning("undecodable request to %s (%d bytes): %s", method, bad.size, bad.reason)
    error = InvalidArgument(f"The request to {method} could not be decoded; check the message type.", "request")
    await abort_with(context, error)


async def _until_undecodable(requests: AsyncIterator[Any], seen: list[Undecodable]) -> AsyncIterator[Any]:
    """The requests of a stream up to the first undecodable one, which ends it (and is kept in ``seen``)."""
    async for request in requests:
        if isinstance(request, Undecodable):
            seen.append(request)
            return
        yield request


def _guarded(handler: grpc.RpcMethodHandler[Any, Any], method: str) -> Behaviour:
    """``handler``'s behaviour, answering an ``Undecodable`` request instead of passing it on.

    A streaming call ends at its first undecodable message; the handler sees its requests end, winds
    down as it would when the caller stops, and the call then ends INVALID_ARGUMENT. Async-generator
    behaviours stay async generators (grpc.aio picks the streaming path by inspecting them)."""
    behaviour = _behaviour(handler)
    generator = inspect.isasyncgenfunction(behaviour)

    if not handler.request_streaming:
        if generator:

            async def unary_in_stream_out(request: Any, context: Context) -> AsyncIterator[Any]:
                if isinstance(request, Undecodable):
                    await _refuse(method, request, context)
                async for reply in behaviour(request, context):
                    yield reply

            return unary_in_stream_out

        async def unary_in(request: Any, context: Context) -> Any:
            if isinstance(request, Undecodable):
                await _refuse(method, request, context)
            return await behaviour(request, context)

        return unary_in

    if generator:

        async def stream_in_stream_out(requests: AsyncIterator[Any], context: Context) -> AsyncIterator[Any]:
            seen: list[Undecodable] = []
            async for reply in behaviour(_until_undecodable(requests, seen), context):
                yield reply
            if seen:
                await _refuse(method, seen[0], context)

        return stream_in_stream_out

    async def stream_in(requests: AsyncIterator[Any], context: Context) -> Any:
        seen: list[Undecodable] = []
        reply = await behaviour(_until_undecodable(requests, seen), context)
        if seen:
            await _refuse(method, seen[0], context)
        return reply

    return stream_in
