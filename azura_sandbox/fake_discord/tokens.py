"""Bot tokens in Discord's format: ``base64(user id).base64(timestamp).hmac``.

The first segment is the bot's user id in base64, as in real tokens, so a client library that reads the id
from the token works. The fake signs the first two segments and the bot's token generation with its own
secret: a token it did not issue, or issued before a reset (a new generation), does not verify. Pure.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time

__all__ = ["TOKEN_EPOCH_S", "issue_token", "token_user_id", "verify_token"]

TOKEN_EPOCH_S = 1_293_840_000  # Discord's token timestamps count from 2011-01-01
_MAC_BYTES = 20  # 27 base64 characters, like the HMAC part of a real token


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, signed: str) -> str:
    return _b64(hmac.new(secret, signed.encode(), hashlib.sha256).digest()[:_MAC_BYTES])


def issue_token(secret: bytes, user_id: int, generation: int = 0, now_s: float | None = None) -> str:
    """The token of *user_id*'s *generation* (a reset starts the next one), signed with *secret*."""
    issued = int((time.time() if now_s is None else now_s) - TOKEN_EPOCH_S)
    signed = f"{_b64(str(user_id).encode())}.{_b64(issued.to_bytes(4, 'big'))}"
    return f"{signed}.{_mac(secret, f'{signed}:{generation}')}"


def token_user_id(token: str) -> int | None:
    """The user id in a token's first segment, or ``None`` when the token is not shaped like Discord's."""
    parts = token.split(".")
    if len(parts) != 3 or not all(parts):
        return None
    try:
        raw = _unb64(parts[0]).decode("ascii")
    except (binascii.Error, ValueError):
        return None
    return int(raw) if raw.isdigit() else None


def verify_token(secret: bytes, token: str, generation: int = 0) -> int | None:
    """The user id of a token this secret signed for that *generation*; ``None`` for a malformed, forged or
    superseded one."""
    user_id = token_user_id(token)
    if user_id is None:
        return None
    signed, _, mac = token.rpartition(".")
    return user_id if hmac.compare_digest(mac, _mac(secret, f"{signed}:{generation}")) else None
