"""Who is logged in to the dashboard: signed session cookies, CSRF tokens and single-use OAuth2 states.

Sessions live in the parent's database (a hash of their random id, see ``LoginBook``); the cookie carries that id
signed with ``AZURA_WEB_SECRET`` (HMAC-SHA256), so a forged or altered cookie is no session. Each session has its
own CSRF token, which every form carries. An OAuth2 ``state`` is random, bound to the browser that asked (a cookie holds
the same value) and used once: a replayed callback finds nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass

from ..store.logins import LoginRow, LoginStore

__all__ = ["LOGIN_COOKIE", "SESSION_COOKIE", "Login", "LoginBook", "Signer", "StateBook", "session_hash"]

SESSION_COOKIE = "azura_session"
LOGIN_COOKIE = "azura_login"  # the pending OAuth2 state, for the callback to compare
SESSION_TTL_S = 7 * 24 * 3600
STATE_TTL_S = 600
MAX_SESSIONS = 10_000  # the oldest go first beyond this
MAX_STATES = 10_000


class Signer:
    """HMAC-SHA256 signatures of short strings (cookie values)."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, value: str) -> str:
        return hmac.new(self._secret, value.encode(), hashlib.sha256).hexdigest()

    def sign(self, value: str) -> str:
        return f"{value}.{self._mac(value)}"

    def unsign(self, signed: str) -> str | None:
        value, _, mac = signed.rpartition(".")
        if not value or not hmac.compare_digest(mac, self._mac(value)):
            return None
        return value


@dataclass(frozen=True, slots=True)
class Login:
    """One logged-in browser: the Discord user and the servers Discord says they are in."""

    session_id: str
    user_id: int
    name: str
    guild_ids: frozenset[int]
    csrf: str
    expires: float
    locale: str = "en-US"  # Discord's language of the user (``/users/@me``): the dashboard speaks it

    def csrf_ok(self, token: str) -> bool:
        return bool(token) and hmac.compare_digest(token, self.csrf)


class LoginBook:
    """The dashboard's sessions, kept in the parent's database (``LoginStore``): a restart of the parent keeps
    everyone logged in, as long as ``AZURA_WEB_SECRET`` stays the same (it signs the cookies). The database holds a
    hash of each session id, never the id itself; the logins this process has seen are also kept in memory, so a
    live stream can ask whether its login is still open without a query."""

    def __init__(self, signer: Signer, store: LoginStore, ttl_s: float = SESSION_TTL_S) -> None:
        self.signer = signer
        self._store = store
        self._ttl_s = ttl_s
        self._logins: OrderedDict[str, Login] = OrderedDict()

    def _remember(self, login: Login) -> None:
        self._logins[login.session_id] = login
        while len(self._logins) > MAX_SESSIONS:  # only the memory is bounded: the database keeps the others
            self._logins.popitem(last=False)

    async def open(self, user_id: int, name: str, guild_ids: frozenset[int],
                   locale: str = "en-US") -> tuple[Login, str]:
        """A new session, saved; returns it and the signed cookie value."""
        login = Login(secrets.token_urlsafe(24), user_id, name, guild_ids, secrets.token_urlsafe(24),
                      time.time() + self._ttl_s, locale)
        await self._store.save_login(LoginRow(session_hash(login.session_id), user_id, name, locale, guild_ids,
                                              login.csrf, login.expires))
        self._remember(login)
        return login, self.signer.sign(login.session_id)

    async def find(self, cookie: str | None) -> Login | None:
        session_id = self.signer.unsign(cookie) if cookie else None
        if not session_id:
            return None
        login = self._logins.get(session_id)
        if login is None:  # opened before this process started (or forgotten by the memory's bound)
            row = await self._store.find_login(session_hash(session_id))
            if row is None:
                return None
            login = Login(session_id, row.user_id, row.name, row.guild_ids, row.csrf, row.expires, row.locale)
            self._remember(login)
        if login.expires < time.time():
            await self.close(login)
            return None
        return login

    async def prune(self) -> int:
        """Forget the expired logins (saving a login also does); how many there were."""
        return await self._store.prune_logins()

    def is_open(self, login: Login) -> bool:
        return self._logins.get(login.session_id) is login and login.expires >= time.time()

    async def close(self, login: Login) -> None:
        self._logins.pop(login.session_id, None)
        await self._store.delete_login(session_hash(login.session_id))


def session_hash(session_id: str) -> str:
    """What the database keys a session by: its id's SHA-256 (the id itself opens it, so it is not stored)."""
    return hashlib.sha256(session_id.encode()).hexdigest()


class StateBook:
    """OAuth2 ``state`` values handed out and not used yet."""

    def __init__(self, ttl_s: float = STATE_TTL_S) -> None:
        self._ttl_s = ttl_s
        self._states: OrderedDict[str, tuple[float, str]] = OrderedDict()

    def issue(self, next_path: str) -> str:
        state = secrets.token_urlsafe(24)
        self._states[state] = (time.monotonic() + self._ttl_s, next_path)
        while len(self._states) > MAX_STATES:
            self._states.popitem(last=False)
        return state

    def redeem(self, state: str, browser_state: str | None) -> str | None:
        """Where to go after logging in, once: None for an unknown, expired, replayed or another browser's state."""
        if not state or browser_state is None or not hmac.compare_digest(state, browser_state):
            return None
        found = self._states.pop(state, None)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]
