"""The cluster secret check: every call but health needs exactly one ``authorization: Bearer <secret>``.

Exactly one: a second ``authorization`` value is refused even when one of the two is right, so no proxy
or client library can be talked into checking a different one than the caller meant. The scheme is
matched as written (``Bearer``), and the whole value is compared in constant time.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any, NoReturn

import grpc

from azura_common.koe.errors import Unauthenticated

from .decoding import Continuation, same_shape
from .servicer import Context, abort_with

__all__ = ["AuthInterceptor", "refusal"]

log = logging.getLogger(__name__)

OPEN_PREFIXES = ("/grpc.health.v1.Health/",)
HEADER = "authorization"

def refusal(metadata: Sequence[tuple[str, str | bytes]] | None, expected: bytes) -> str | None:
    """Why ``metadata`` does not authorise a call (for the log), or None when it does."""
    given = [value for key, value in metadata or () if key == HEADER]
    if not given:
        return "no authorization header"
    if len(given) > 1:
        return f"{len(given)} authorization headers"
    value = given[0].encode() if isinstance(given[0], str) else given[0]
    if not hmac.compare_digest(value, expected):
        return "wrong scheme or secret"
    return None


class AuthInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("the cluster secret must not be empty")
        self._expected = f"Bearer {secret}".encode()

    async def intercept_service(
        self,
        continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler[Any, Any] | None:
        handler = await continuation(handler_call_details)
        if handler is None or handler_call_details.method.startswith(OPEN_PREFIXES):
            return handler
        reason = refusal(handler_call_details.invocation_metadata, self._expected)
        if reason is None:
            return handler
        log.warning("rejected %s: %s", handler_call_details.method, reason)
        return _denying(handler)


def _denying(handler: grpc.RpcMethodHandler[Any, Any]) -> grpc.RpcMethodHandler[Any, Any]:
    """A handler of the same shape and codecs that ends every call with ``Unauthenticated``."""
    error = Unauthenticated()

    async def unary_in(request: Any, context: Context) -> NoReturn:
        await abort_with(context, error)

    async def stream_in(requests: AsyncIterator[Any], context: Context) -> NoReturn:
        await abort_with(context, error)

    # Plain coroutines for streaming replies too: grpc.aio accepts a behaviour that writes (or aborts)
    # through its context instead of yielding.
    behaviour = stream_in if handler.request_streaming else unary_in
    return same_shape(handler, behaviour, handler.request_deserializer)
