"""The KoeError hierarchy: every failure a Session can report, with a message fit for a user.

Each error carries a ``kind`` (stable wire name), the gRPC status code name it travels as, and its
structured fields, so ``convert.py`` can send it over gRPC and rebuild the very same error on the other
side: ``RemoteSession`` raises exactly what ``LocalSession`` raises. No grpc import here.

Its sentence comes from the message catalogue (``azura_common.i18n``): ``key`` and ``params`` travel with it,
so the bot answering the user shows it in the user's language (``text_in``), wherever it was raised; the
English ``message`` stays for logs and for gRPC callers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from ..i18n import catalogue, text

__all__ = [
    "AlreadyConnected",
    "Busy",
    "ChildUnavailable",
    "FieldValue",
    "InvalidArgument",
    "KoeError",
    "KoeTimeout",
    "MusicServerDown",
    "NoSession",
    "NotConnected",
    "NothingPlaying",
    "PermissionDenied",
    "QueueIndexError",
    "SessionLost",
    "TrackLoadFailed",
    "Unauthenticated",
    "error_kinds",
]

FieldValue = int | str


class KoeError(Exception):
    """Base of every Koe failure. ``str(err)`` is a friendly sentence a user may read (in English);
    ``text_in(locale)`` the same in the user's language when it has a catalogue ``key``."""

    kind: ClassVar[str] = "internal"
    status: ClassVar[str] = "INTERNAL"  # grpc.StatusCode member name

    def __init__(
        self, message: str | None = None, *, key: str | None = None, params: Mapping[str, FieldValue] | None = None
    ) -> None:
        if key is None:  # no key given: the default sentence's, when the words are those (or none are given)
            found = self.default_text()
            if found is not None and (not message or message == _english(*found)):
                key, params = found
        self.key = key
        self.params: dict[str, FieldValue] = dict(params or {})
        self.message = message or (self._english() if key is not None else None) or self.default_message()
        super().__init__(self.message)

    def default_text(self) -> tuple[str, Mapping[str, FieldValue]] | None:
        """The catalogue key and params of the default sentence; None: ``default_message`` alone (a subclass
        elsewhere that predates the catalogue)."""
        return ("errors.internal", {}) if type(self).default_message is KoeError.default_message else None

    def default_message(self) -> str:
        return "Something went wrong inside Azura."

    def is_default_text(self) -> bool:
        """Whether the sentence is this error's default one (its kind and fields rebuild it: no key to send)."""
        found = self.default_text()
        return found is not None and (found[0], dict(found[1])) == (self.key, self.params)

    def _english(self) -> str | None:
        return self.text_in("en") if self.key is not None and self.key in catalogue() else None

    def text_in(self, locale: str | None) -> str:
        """The sentence in the language of Discord locale ``locale`` (English ``message`` without a known key)."""
        if self.key is None or self.key not in catalogue():
            return self.message
        try:
            return text(self.key, locale, **_with_nested(self.params, locale))
        except (KeyError, IndexError, ValueError):  # params that do not fit the sentence (another version's)
            return self.message

    def fields(self) -> dict[str, FieldValue]:
        """The structured arguments that rebuild this error (besides the message)."""
        return {}

    @classmethod
    def from_fields(cls, message: str, fields: dict[str, FieldValue]) -> KoeError:
        """Rebuild from ``fields()``; values may arrive as strings (they travel as ErrorInfo metadata)."""
        return cls(message)

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and isinstance(other, KoeError)
            and other.message == self.message
            and other.fields() == self.fields()
        )

    def __hash__(self) -> int:
        return hash((type(self), self.message))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, {self.fields()!r})"


class NoSession(KoeError):
    """There is no session for that voice channel."""

    kind = "no_session"
    status = "NOT_FOUND"

    def default_text(self) -> tuple[str, Mapping[str, FieldValue]]:
        return "errors.no_session", {}


class NotConnected(KoeError):
    """The session exists but its bot is not in voice (yet, or any more)."""

    kind = "not_connected"
    status = "FAILED_PRECONDITION"

    def default_text(self) -> tuple[str, Mapping[str, FieldValue]]:
        return "errors.not_connected", {}


class AlreadyConnected(KoeError):
    kind = "already_connected"
    status = "ALREADY_EXISTS"

    def default_text(self) -> tuple[str, Mapping[str, FieldValue]]:
        return "errors.already_connected", {}


class NothingPlaying(KoeError):
    """The operation needs a current track and there is none."""

    kind = "nothing_playing"
    status = "FAILED_PRECONDITION"

    def default_text(self) -> tuple[str, Mapping[str, FieldValue]]:
        return "errors.nothing_playing", {}


class QueueIndexError(KoeError):
    """A queue position outside what the queue holds."""

    kind = "queue_index"
    status = "OUT_OF_RANGE"

    def __init__(
        self, position: int, total: int, message: str | None = None, *, key: str | None = None,
        params: Mapping[str, FieldValue] | None = None,
    ) -> None:
        self.position = position
        self.total = total
        super().__init__(message, key=key, params=params)

    def default_text(self) -> tuple[str, Mapping[str, FieldValue]]:
        if self.total == 0:
            return "errors.position_queue_empty", {"position": self.position}
        if self.position < 1:
            return "errors.position_before_start", {"position": self.position}
        if self.total == 1:
            return "errors.position_past_end_one", {"position": self.position}
        return "errors.position_past_end", {"position": self.position, "total": self.total}

    def fields(self) -> dict[str, FieldValue]:
        return {"position": self.position, "total": self.total}

    @classmethod
    def from_fields(cls, message: str, fields: dict[str, FieldValue]) -> KoeError:
        return cls(int(fields.get("position", 0)), int(fields.get("total", 0)), message)


class InvalidArgument(KoeError):
    """A malformed argument (bad range, negative volume, unknown mode...)."""

    kind = "invalid_argument"
    status = "INVALID_ARGUMENT"

    def __init__(
        self, message: str | None = None, argument: str = "", *, key: str | None = None,
        params: Mapping[str, FieldValue] | None = None,
    ) -> None:
        self.argument = argument
        super().__init__(message, key=key, params=params)

    def fields(self) -> dict[str, FieldValue]:
        return {"argument": self.argument}

    @classmethod
    def from_fields(cls, message: str, fields: dict[str, FieldValue]) -> KoeError:
        return cls(message, str(fields.get("argument", "")))


class Busy(KoeError):
    """Every bot of the cluster that is up is already playing elsewhere in this server (``offline`` of the
    ``bots`` are down, so they were not asked)."""

    kind = "busy"
    status = "RESOURCE_EXHAUSTED"

    def __init__(
        self, bots: int, message: str | None = None, *, offline: int = 0, key: str | None = None,
        params: Mapping[str, FieldValue] | None = None,
    ) -> None:
        self.bots = bots
        self.offline = offline
        super().__init__(message, key=key, params=params)

    def default_text(self) -> tuple[str, Mapping[str, FieldValue]]:
        if self.offline:
            available = self.bots - self.offline
            one = "one" if available == 1 else "many"
            down = "one" if self.offline == 1 else "many"
            return f"errors.busy_{one}_available_{down}_offline", {"available": available, "offline": self.offline}
        if self.bots == 1:
            return "errors.busy_one", {}
        return "errors.busy_all", {"bots": self.bots}

    def fields(self) -> dict[str, FieldValue]:
        return {"bots": self.bots, "offline": self.offline}

    @classmethod
    def from_fields(cls, message: str, fields: dict[str, FieldValue]) -> KoeError:
        return cls(int(fields.get("bots", 0)), message, offline=int(fields.get("offline", 0)))


class PermissionDenied(KoeError):
    kind = "permission_denied"
    status = "PERMISSION_DENIED"

    def default_text(self) -> tuple[str, Mapping[str, FieldValue]]:
        return "errors.permission_denied", {}


class Unauthenticated(KoeError):
    """A cluster call without the right shared secret."""

    kind = "unauthenticated"
    status = "UNAUTHENTICATED"

    def default_text(self) -> tuple[str, Mapping[str, FieldValue]]:
        return "errors.unauthenticated", {}


class ChildUnavailable(KoeError):
    """The child holding the session cannot be reached."""

    kind = "child_unavailable"
    status = "UNAVAILABLE"

    def default_text(self) -> tuple[str, Mapping[str, FieldValue]]:
        return "errors.child_unavailable", {}


class SessionLost(KoeError):
    """The process holding the session died; it is waiting for recovery."""

    kind = "session_lost"
    status = "ABORTED"

    def default_text(self) -> tuple[str, Mapping[str, FieldValue]]:
        return "errors.session_lost", {}


class KoeTimeout(KoeError):
    kind = "timeout"
    status = "DEADLINE_EXCEEDED"

    def default_text(self) -> tuple[str, Mapping[str, FieldValue]]:
        return "errors.timeout", {}


class MusicServerDown(KoeError):
    """The bot's Lavalink node is away (restarting, unreachable); its sessions wait for it, queues kept."""

    kind = "music_server_down"
    # Not UNAVAILABLE: the child is fine, and the parent's gRPC retry policy would retry that code.
    status = "FAILED_PRECONDITION"

    def default_text(self) -> tuple[str, Mapping[str, FieldValue]]:
        return "errors.music_server_down", {}


class TrackLoadFailed(KoeError):
    """Lavalink could not load or play a track."""

    kind = "track_load_failed"
    status = "FAILED_PRECONDITION"

    def default_text(self) -> tuple[str, Mapping[str, FieldValue]]:
        return "errors.track_load_failed", {}


def _with_nested(params: Mapping[str, FieldValue], locale: str | None) -> dict[str, FieldValue]:
    """``params`` plus, for each one named ``<name>_key``, that catalogue sentence (filled from the same params)
    as ``<name>``: a sentence inside a sentence ("Track 3: <why>") reads in one language."""
    nested = {name.removesuffix("_key"): text(str(value), locale, **params)
              for name, value in params.items() if name.endswith("_key")}
    return {**params, **nested}


def _english(key: str, params: Mapping[str, FieldValue]) -> str | None:
    return text(key, "en", **params) if key in catalogue() else None


def error_kinds() -> dict[str, type[KoeError]]:
    """Every concrete error class by its wire ``kind`` (the base class included, as ``internal``)."""
    found: dict[str, type[KoeError]] = {}
    pending: list[type[KoeError]] = [KoeError]
    while pending:
        cls = pending.pop()
        found[cls.kind] = cls
        pending.extend(cls.__subclasses__())
    return found
