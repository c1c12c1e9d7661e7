"""Errors only the parent's commands raise; the Koe ones live in azura_common.koe.errors."""

from __future__ import annotations

from azura_common.koe.errors import KoeError

__all__ = ["NotInVoice"]


class NotInVoice(KoeError):
    kind = "not_in_voice"
    status = "FAILED_PRECONDITION"

    def default_message(self) -> str:
        return "You're not in a voice channel. Join one first."

