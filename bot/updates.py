"""Concurrent update processing that keeps each user's updates in order."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

_REMEMBERED_IDS = 10_000


def _user_key(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return None


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Different users are served concurrently; one user's updates are handled one by one,
    in the order they arrived, so a quick double tap never answers the same question twice."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self.completed: int = 0  # updates handled so far (tests and the benchmark watch it)
        self.completed_ids: set[int] = set()
        self._completed_order: deque[int] = deque()
        self._completed_event = asyncio.Event()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _user_key(update)
        try:
            if key is None:
                await coroutine
                return
            lock = self._locks.setdefault(key, asyncio.Lock())
            self._waiting[key] = self._waiting.get(key, 0) + 1
            try:
                async with lock:
                    await coroutine
            finally:
                self._waiting[key] -= 1
                if not self._waiting[key]:
                    del self._waiting[key]
                    del self._locks[key]
        finally:
            self.completed += 1
            if isinstance(update, Update):
                self._remember(update.update_id)
            self._completed_event.set()

    def _remember(self, update_id: int) -> None:
        self.completed_ids.add(update_id)
        self._completed_order.append(update_id)
        if len(self._completed_order) > _REMEMBERED_IDS:
            self.completed_ids.discard(self._completed_order.popleft())

    async def wait_for(self, update_id: int, timeout: float = 10.0, *, after: int = 0) -> None:
        """Wait until the update with this id has been handled, and more than `after` updates
        in all (pass `completed` from before a redelivery to wait for that one; for tests)."""
        async with asyncio.timeout(timeout):
            while update_id not in self.completed_ids or self.completed <= after:
                self._completed_event.clear()
                await self._completed_event.wait()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""
