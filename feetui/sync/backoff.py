"""Capped exponential backoff with jitter, for retrying headquarters forever without a stampede.

After the n-th failure in a row the wait is drawn between half and all of
``min(cap, base * 2**n)``: it grows quickly while HQ is away, never exceeds the cap (money is
retried forever, never dropped), and counters that lost HQ together do not return in lock-step.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Backoff:
    """The wait before the next attempt, growing with each failure in a row.

    Attributes:
        base: seconds of the first wait's upper bound.
        cap: the longest wait, in seconds.
        rng: where the jitter comes from (tests pass a seeded one).
        failures: failures in a row so far.
    """

    base: float = 2.0
    cap: float = 300.0
    rng: random.Random = field(default_factory=random.Random)
    failures: int = 0

    def next_delay(self) -> float:
        """Count a failure and return the seconds to wait before trying again."""
        ceiling = min(self.cap, self.base * 2 ** min(self.failures, 30))
        self.failures += 1
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def reset(self) -> None:
        """A success: the next failure starts from the first wait again."""
        self.failures = 0


__all__ = ["Backoff"]
