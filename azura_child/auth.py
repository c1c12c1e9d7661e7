"""The cluster secret check: every call but health needs exactly one ``authorization: Bearer <secret>``.

Exactly one: a second ``authorization`` value is refused even when one of the two is right, so no proxy
or client library can be talked into checking a different one than the caller meant. The scheme is
matched as written (``Bearer``), and the whole value is compared in constant time.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Sequence
from typing import Any

import grpc

from azura_common.koe.errors import Unauthenticated

from .decoding import Continuation, refusing

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
        return refusing(handler, Unauthenticated())
