"""Reading settings from the environment, shared by both bots' configurations."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["ConfigError", "env_seconds"]


class ConfigError(ValueError):
    """A missing or malformed setting; the message says which variable to set."""


def env_seconds(env: Mapping[str, str], key: str, default: float) -> float:
    """A number of seconds from the environment, with a message naming the variable when malformed."""
    text = env.get(key, "")
    if not text:
        return default
    try:
        return float(text)
    except ValueError:
        raise ConfigError(f"{key} must be a number of seconds, not {text!r}") from None
