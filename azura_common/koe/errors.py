"""The KoeError hierarchy: every failure a Session can report, with a message fit for a user.

Each error carries a ``kind`` (stable wire name), the gRPC status code name it travels as, and its
structured fields, so ``convert.py`` can send it over gRPC and rebuild the very same error on the other
side: ``RemoteSession`` raises exactly what ``LocalSession`` raises. No grpc import here.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "AlreadyConnected",
    "Busy",
    "ChildUnavailable",
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
    """Base of every Koe failure. ``str(err)`` is a friendly sentence a user may read."""

    kind: ClassVar[str] = "internal"
    status: ClassVar[str] = "INTERNAL"  # grpc.StatusCode member name

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message()
        super().__init__(self.message)

    def default_message(self) -> str:
        return "Something went wrong inside Azura."

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

    def default_message(self) -> str:
        return "Nothing is playing in your voice channel."


class NotConnected(KoeError):
    """The session exists but its bot is not in voice (yet, or any more)."""

    kind = "not_connected"
    status = "FAILED_PRECONDITION"

    def default_message(self) -> str:
        return "I'm not connected to a voice channel."


class AlreadyConnected(KoeError):
    kind = "already_connected"
    status = "ALREADY_EXISTS"

    def default_message(self) -> str:
        return "There is already a session in that voice channel."


class NothingPlaying(KoeError):
    """The operation needs a current track and there is none."""

    kind = "nothing_playing"
    status = "FAILED_PRECONDITION"

    def default_message(self) -> str:
        return "Nothing is playing right now."


class QueueIndexError(KoeError):
    """A queue position outside what the queue holds."""

    kind = "queue_index"
    status = "OUT_OF_RANGE"

    def __init__(self, position: int, total: int, message: str | None = None) -> None:
        self.position = position
        self.total = total
        super().__init__(message)

    def default_message(self) -> str:
        if self.total == 0:
            return f"Position {self.position} is out of range: the queue is empty."
        if self.position < 1:
            return f"Position {self.position} is out of range: positions start at 1."
        tracks = "track" if self.total == 1 else "tracks"
        return f"Position {self.position} is past the end of the queue ({self.total} {tracks})."

    def fields(self) -> dict[str, FieldValue]:
        return {"position": self.position, "total": self.total}

    @classmethod
    def from_fields(cls, message: str, fields: dict[str, FieldValue]) -> KoeError:
        return cls(int(fields.get("position", 0)), int(fields.get("total", 0)), message)


class InvalidArgument(KoeError):
    """A malformed argument (bad range, negative volume, unknown mode...)."""

    kind = "invalid_argument"
    status = "INVALID_ARGUMENT"

    def __init__(self, message: str, argument: str = "") -> None:
        self.argument = argument
        super().__init__(message)

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

    def __init__(self, bots: int, message: str | None = None, *, offline: int = 0) -> None:
        self.bots = bots
        self.offline = offline
        super().__init__(message)

    def default_message(self) -> str:
        if self.offline:
            available = self.bots - self.offline
            down = f"{self.offline} {'is' if self.offline == 1 else 'are'} offline"
            if available == 1:
                return f"The one available Azura bot is busy in this server; {down}."
            return f"All {available} available Azura bots are busy in this server; {down}."
        if self.bots == 1:
            return "The Azura bot is busy in another voice channel of this server."
        return f"All {self.bots} Azura bots are busy in this server."

    def fields(self) -> dict[str, FieldValue]:
        return {"bots": self.bots, "offline": self.offline}

    @classmethod
    def from_fields(cls, message: str, fields: dict[str, FieldValue]) -> KoeError:
        return cls(int(fields.get("bots", 0)), message, offline=int(fields.get("offline", 0)))


class PermissionDenied(KoeError):
    kind = "permission_denied"
    status = "PERMISSION_DENIED"

    def default_message(self) -> str:
        return "You don't have permission to do that."


class Unauthenticated(KoeError):
    """A cluster call without the right shared secret."""

    kind = "unauthenticated"
    status = "UNAUTHENTICATED"

    def default_message(self) -> str:
        return "The cluster secret was missing or wrong."


class ChildUnavailable(KoeError):
    """The child holding the session cannot be reached."""

    kind = "child_unavailable"
    status = "UNAVAILABLE"

    def default_message(self) -> str:
        return "The bot playing in your channel can't be reached right now. Try again in a moment."


class SessionLost(KoeError):
    """The process holding the session died; it is waiting for recovery."""

    kind = "session_lost"
    status = "ABORTED"

    def default_message(self) -> str:
        return "The bot playing in your channel went away; the session is being recovered."


class KoeTimeout(KoeError):
    kind = "timeout"
    status = "DEADLINE_EXCEEDED"

    def default_message(self) -> str:
        return "That took too long. Try again in a moment."


class MusicServerDown(KoeError):
    """The bot's Lavalink node is away (restarting, unreachable); its sessions wait for it, queues kept."""

    kind = "music_server_down"
    # Not UNAVAILABLE: the child is fine, and the parent's gRPC retry policy would retry that code.
    status = "FAILED_PRECONDITION"

    def default_message(self) -> str:
        return "The music server is restarting; your queue is safe."


class TrackLoadFailed(KoeError):
    """Lavalink could not load or play a track."""

    kind = "track_load_failed"
    status = "FAILED_PRECONDITION"

    def default_message(self) -> str:
        return "That track could not be loaded."


def error_kinds() -> dict[str, type[KoeError]]:
    """Every concrete error class by its wire ``kind`` (the base class included, as ``internal``)."""
    found: dict[str, type[KoeError]] = {}
    pending: list[type[KoeError]] = [KoeError]
    while pending:
        cls = pending.pop()
        found[cls.kind] = cls
        pending.extend(cls.__subclasses__())
    return found
