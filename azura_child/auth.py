"""The cluster secret check: every call but health needs ``authorization: Bearer <secret>``."""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import NoReturn, TypeVar

import grpc

from azura_common.koe.errors import Unauthenticated

from .servicer import Context, abort_with

__all__ = ["AuthInterceptor"]

log = logging.getLogger(__name__)

OPEN_PREFIXES = ("/grpc.health.v1.Health/",)

Request = TypeVar("Request")
Reply = TypeVar("Reply")


class AuthInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("the cluster secret must not be empty")
        self._expected = f"Bearer {secret}".encode()

    def _allowed(self, details: grpc.HandlerCallDetails) -> bool:
        if details.method.startswith(OPEN_PREFIXES):
            return True
        for key, value in details.invocation_metadata or ():
            if key == "authorization":
                given = value.encode() if isinstance(value, str) else value
                return hmac.compare_digest(given, self._expected)
        return False

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler[Request, Reply] | None]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[Request, Reply] | None:
        handler = await continuation(handler_call_details)
        if handler is None or self._allowed(handler_call_details):
            return handler
        log.warning("rejected %s: missing or wrong cluster secret", handler_call_details.method)
        return _denying(handler)


def _denying(handler: grpc.RpcMethodHandler[Request, Reply]) -> grpc.RpcMethodHandler[Request, Reply]:
    """A handler of the same shape and codecs that ends every call with ``Unauthenticated``."""
    error = Unauthenticated()

    async def unary_in(request: Request, context: Context) -> NoReturn:
        await abort_with(context, error)

    async def stream_in(requests: AsyncIterator[Request], context: Context) -> NoReturn:
        await abort_with(context, error)

    async def unary_stream(request: Request, context: Context) -> AsyncIterator[Reply]:
        await abort_with(context, error)
        yield  # an async generator, as grpc.aio expects of a streaming reply; abort raises first

    async def stream_stream(requests: AsyncIterator[Request], context: Context) -> AsyncIterator[Reply]:
        await abort_with(context, error)
        yield  # as above

    decode, encode = handler.request_deserializer, handler.response_serializer
    if handler.request_streaming and handler.response_streaming:
        return grpc.stream_stream_rpc_method_handler(stream_stream, decode, encode)
    if handler.request_streaming:
        return grpc.stream_unary_rpc_method_handler(stream_in, decode, encode)
    if handler.response_streaming:
        return grpc.unary_stream_rpc_method_handler(unary_stream, decode, encode)
    return grpc.unary_unary_rpc_method_handler(unary_in, decode, encode)
