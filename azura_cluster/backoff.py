"""When to restart a process that exited: exponential backoff, reset once it has stayed up ``stable_s``.

Pure: the caller says how long the process ran; the policy says how long to wait and counts the fast
failures in a row (a parent that keeps failing fast is a configuration problem, not bad luck)."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Backoff"]


@dataclass(slots=True)
class Backoff:
    first_s: float = 1.0
    factor: float = 2.0
    max_s: float = 30.0
    stable_s: float = 30.0  # up this long: the next failure starts again from ``first_s``
    fast_failures: int = field(default=0, init=False)  # exits in a row each before ``stable_s``

    def after_exit(self, up_for_s: float) -> float:
        """The process exited after running ``up_for_s``: how long to wait before starting it again."""
        if up_for_s >= self.stable_s:
            self.fast_failures = 0
            return self.first_s
        self.fast_failures += 1
        return float(min(self.max_s, self.first_s * self.factor ** (self.fast_failures - 1)))
