"""Database work of the bot, called from the event loop as `await bot.db.run(fn, **kwargs)`.

The store, crud and engine code is synchronous SQLModel shared with the console and the
processor, so rather than duplicating it for an async engine the bot runs each transaction
as a plain function call:

- SQLite runs it right on the event loop's thread. SQLite is a library in this process and
  a bot transaction takes a fraction of a millisecond; a worker thread costs more than that
  (the hand-over, and above all the GIL: sqlite3 releases it around every statement, and
  getting it back from a busy event loop takes up to the 5 ms switch interval, so a thread
  made each update wait ~10 ms, measured with py-spy under bench/bot_throughput.py). One
  thread also makes every read-then-write of the bot happen in turn, which SQLite needs (it
  has no SELECT … FOR UPDATE).
- PostgreSQL gets a pool of worker threads: its statements wait on the network, and row
  locks order the writers.

Context variables (e.g. bot.claims' pending update id) reach the function either way.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

ResultT = TypeVar("ResultT")

POSTGRES_WORKERS = 8


class DatabaseWorker:
    """Runs blocking database calls; `await worker.run(fn, **kwargs)`."""

    def __init__(self, database_url: str) -> None:
        self.inline = database_url.startswith("sqlite")
        self._executor = (
            None
            if self.inline
            else ThreadPoolExecutor(max_workers=POSTGRES_WORKERS, thread_name_prefix="rembuk-db")
        )

    async def run(self, function: Callable[..., ResultT], /, **kwargs: Any) -> ResultT:
        if self._executor is None:
            return function(**kwargs)
        loop = asyncio.get_running_loop()
        call = partial(contextvars.copy_context().run, function, **kwargs)
        return await loop.run_in_executor(self._executor, call)

    def shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
