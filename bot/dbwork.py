"""Database work of the bot, called from the event loop as `await bot.db.run(fn, **kwargs)`.

The store, crud and engine code is synchronous SQLModel shared with the console and the
processor, so rather than duplicating it for an async engine the bot runs each transaction
in a worker thread, never on the event loop:

- SQLite gets exactly one worker thread, so every read-then-write of the bot happens in
  turn, which SQLite needs (it has no SELECT … FOR UPDATE).
- PostgreSQL gets a pool of worker threads: its statements wait on the network, and row
  locks order the writers.

A transaction takes well under a millisecond, but every hand-over between the event loop
and the worker needs the GIL, and a thread asking for it waits up to the interpreter's
switch interval (5 ms by default) while the busy loop holds it: measured with py-spy under
bench/bot_throughput.py, that made each update wait ~10 ms. The worker therefore lowers
the switch interval for the bot's process.

Context variables (e.g. bot.claims' pending update id) reach the function.
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

ResultT = TypeVar("ResultT")

POSTGRES_WORKERS = 8
SWITCH_INTERVAL_S = 0.0002  # GIL hand-over between the event loop and the worker


class DatabaseWorker:
    """Runs blocking database calls; `await worker.run(fn, **kwargs)`."""

    def __init__(self, database_url: str) -> None:
        workers = 1 if database_url.startswith("sqlite") else POSTGRES_WORKERS
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rembuk-db")
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_S))

    async def run(self, function: Callable[..., ResultT], /, **kwargs: Any) -> ResultT:
        loop = asyncio.get_running_loop()
        call = partial(contextvars.copy_context().run, function, **kwargs)
        return await loop.run_in_executor(self._executor, call)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)
