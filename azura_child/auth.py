"""The cluster secret check: every call but health needs ``authorization: Bearer <secret>``."""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc

from azura_common.koe.errors import Unauthenticated

from .servicer import abort_with

__all__ = ["AuthInterceptor"]

log = logging.getLogger(__name__)

OPEN_PREFIXES = ("/grpc.health.v1.Health/",)


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
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None or self._allowed(handler_call_details):
            return handler
        log.warning("rejected %s: missing or wrong cluster secret", handler_call_details.method)
        return _denying(handler)


def _denying(handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
    error = Unauthenticated()

    async def deny(context: Any) -> None:
        await abort_with(context, error)

    async def unary_in(request: Any, context: Any) -> Any:
        await deny(context)

    async def stream_in(requests: Any, context: Any) -> Any:
        await deny(context)

    async def unary_stream(request: Any, context: Any) -> AsyncIterator[Any]:
        await deny(context)
        yield None  # pragma: no cover - abort raises

    async def stream_stream(requests: Any, context: Any) -> AsyncIterator[Any]:
        await deny(context)
        yield None  # pragma: no cover - abort raises

    codecs = {
        "request_deserializer": handler.request_deserializer,
        "response_serializer": handler.response_serializer,
    }
    if handler.request_streaming and handler.response_streaming:
        return grpc.stream_stream_rpc_method_handler(stream_stream, **codecs)
    if handler.request_streaming:
        return grpc.stream_unary_rpc_method_handler(stream_in, **codecs)
    if handler.response_streaming:
        return grpc.unary_stream_rpc_method_handler(unary_stream, **codecs)
    return grpc.unary_unary_rpc_method_handler(unary_in, **codecs)
