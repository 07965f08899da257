"""Database work off the event loop.

The store, crud and engine code is synchronous SQLModel shared with the console and the
processor, so rather than duplicating it for an async engine the bot runs each transaction
on a worker thread. SQLite gets exactly one worker: it has a single writer anyway, and one
thread makes every read-then-write of the bot happen in turn (SQLite has no SELECT … FOR
UPDATE). PostgreSQL gets several workers, and row locks order the writers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

ResultT = TypeVar("ResultT")

POSTGRES_WORKERS = 8


class DatabaseWorker:
    """Runs blocking database calls on its own threads; `await worker.run(fn, **kwargs)`."""

    def __init__(self, database_url: str) -> None:
        workers = 1 if database_url.startswith("sqlite") else POSTGRES_WORKERS
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rembuk-db")

    async def run(self, function: Callable[..., ResultT], /, **kwargs: Any) -> ResultT:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(function, **kwargs))

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)
