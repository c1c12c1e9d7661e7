"""The dashboard's configuration, read once from the environment with the parent's (``ParentConfig.web``).

On when a port is given: ``AZURA_WEB_PORT``, else ``$PORT`` (Heroku's ``web`` process type, honcho). Logging in
needs the OAuth2 client secret of the parent's Discord application; without it the pages say how to set it.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from azura_common.config import ConfigError

__all__ = ["DISCORD_WEB", "WebConfig"]

log = logging.getLogger(__name__)

DISCORD_WEB = "https://discord.com"  # where browsers authorize; the API is under /api/v10 there
API_VERSION = "v10"


def _ids(text: str, name: str) -> frozenset[int]:
    try:
        return frozenset(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ConfigError(f"{name} must be comma-separated user ids, not {text!r}") from None


def _port(text: str, name: str) -> int:
    if not text.strip().isdigit() or not 0 < int(text) < 65536:
        raise ConfigError(f"{name} must be a port number, not {text!r}")
    return int(text)


@dataclass(frozen=True, slots=True)
class WebConfig:
    port: int
    host: str = "0.0.0.0"  # a dashboard is meant to be reached; AZURA_WEB_HOST=127.0.0.1 keeps it local
    public_url: str = ""  # what browsers type, without a trailing slash; "" → http://127.0.0.1:port
    client_id: int | None = None  # None: the parent bot's application id (the usual case)
    client_secret: str | None = field(default=None, repr=False)  # None: logging in is off
    cookie_secret: bytes = field(default=b"", repr=False)  # signs the session cookie
    owner_ids: frozenset[int] = frozenset()  # bot owners besides the application's owner
    discord_web: str = DISCORD_WEB  # the sandbox: its fake Discord

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://127.0.0.1:{self.port}"

    @property
    def redirect_uri(self) -> str:
        """The OAuth2 redirect to register in the Developer Portal."""
        return f"{self.base_url}/auth/callback"

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def discord_api(self) -> str:
        return f"{self.discord_web}/api/{API_VERSION}"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WebConfig | None:
        """The dashboard's settings, or None when no port is given (the dashboard is off)."""
        if env.get("AZURA_WEB_PORT"):
            port = _port(env["AZURA_WEB_PORT"], "AZURA_WEB_PORT")
        elif env.get("PORT", "").strip().isdigit():  # a malformed PORT is the parent's configuration's to report
            port = _port(env["PORT"], "PORT")
        else:
            return None
        public = env.get("AZURA_WEB_URL", "").strip().rstrip("/")
        if public and not public.startswith(("http://", "https://")):
            raise ConfigError(f"AZURA_WEB_URL must start with https:// (or http://), not {public!r}")
        client_text = env.get("AZURA_OAUTH_CLIENT_ID", "").strip()
        if client_text and not client_text.isdigit():
            raise ConfigError(f"AZURA_OAUTH_CLIENT_ID must be the application id (a number), not {client_text!r}")
        cookie_text = env.get("AZURA_WEB_SECRET", "")
        if not cookie_text:
            log.warning("AZURA_WEB_SECRET is not set: dashboard logins end when the parent restarts")
        return cls(
            port=port,
            host=env.get("AZURA_WEB_HOST", "").strip() or "0.0.0.0",
            public_url=public,
            client_id=int(client_text) if client_text else None,
            client_secret=env.get("AZURA_OAUTH_CLIENT_SECRET") or None,
            cookie_secret=cookie_text.encode() if cookie_text else secrets.token_bytes(32),
            owner_ids=_ids(env.get("AZURA_OWNER_IDS", ""), "AZURA_OWNER_IDS"),
            discord_web=(env.get("AZURA_DISCORD_API") or DISCORD_WEB).rstrip("/"),
        )
