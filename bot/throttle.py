"""Per-user flood throttle: a sliding window of recent updates, kept in memory."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from enum import Enum


class Verdict(Enum):
    allow = "allow"
    drop_and_note = "drop_and_note"  # the first dropped update: tell the user once
    drop = "drop"


class FloodThrottle:
    """Allows `max_updates` per `window` seconds and per user; the rest are dropped."""

    def __init__(
        self,
        *,
        max_updates: int,
        window: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_updates = max_updates
        self.window = window
        self._monotonic = monotonic
        self._recent: dict[int, deque[float]] = {}
        self._noted: set[int] = set()

    def check(self, user_id: int) -> Verdict:
        now = self._monotonic()
        recent = self._recent.setdefault(user_id, deque())
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        if len(recent) < self.max_updates:
            recent.append(now)
            self._noted.discard(user_id)
            self._forget_idle(now)
            return Verdict.allow
        if user_id in self._noted:
            return Verdict.drop
        self._noted.add(user_id)
        return Verdict.drop_and_note

    def _forget_idle(self, now: float) -> None:
        # Keep memory bounded: drop users with nothing in the window (checked occasionally).
        if len(self._recent) > 10_000:
            for user_id in [
                u for u, q in self._recent.items() if not q or q[-1] <= now - self.window
            ]:
                del self._recent[user_id]
