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

Group commit (SQLite): calls of functions marked `@grouped` (the survey answers) that are
waiting while the worker is busy run together, in turn, in one transaction on one hand-over
to the worker thread, and each caller gets its result only after that transaction committed:
every answer is still stored before its reply is sent, with one commit for the group instead
of one each. A grouped function opens its transaction with `transaction(engine)`, which is
the group's when one is running. If any call of a group fails, the group is rolled back and
its calls run again one by one, each in its own transaction, so one bad update never costs
the others theirs. PostgreSQL keeps one transaction per call: its workers run in parallel,
and a group would hold several respondents' row locks at once.

Context variables (e.g. bot.claims' pending update id) reach the function.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from shared.db import session_scope

logger = logging.getLogger(__name__)

ResultT = TypeVar("ResultT")
FunctionT = TypeVar("FunctionT", bound=Callable[..., Any])

POSTGRES_WORKERS = 8
SWITCH_INTERVAL_S = 0.0002  # GIL hand-over between the event loop and the worker
MAX_GROUP = 64  # calls committed together at most


def grouped(function: FunctionT) -> FunctionT:
    """Mark a function whose calls may share a transaction with other waiting calls: it does
    all its database work in one `transaction(...)` block, and nothing but that work."""
    function.rembuk_grouped = True  # type: ignore[attr-defined]
    return function


@dataclass
class _Group:
    session: Session
    on_commit: list[Callable[[], None]] = field(default_factory=list)


_local = threading.local()  # .group: the _Group running on this worker thread, if any


@contextmanager
def transaction(
    engine: Engine, *, on_commit: Callable[[], None] | None = None
) -> Iterator[Session]:
    """A transaction of its own that commits on success, or, inside a group, the group's
    (committed by the worker after the group's last call). `on_commit` runs once the work is
    committed, on the worker thread."""
    group: _Group | None = getattr(_local, "group", None)
    if group is None:
        with session_scope(engine) as session:
            yield session
        if on_commit is not None:
            on_commit()
        return
    yield group.session
    if on_commit is not None:
        group.on_commit.append(on_commit)


@dataclass
class _Call:
    function: Callable[..., Any]
    kwargs: dict[str, Any]
    context: contextvars.Context
    future: asyncio.Future[Any]

    def run(self) -> Any:
        return self.context.run(self.function, **self.kwargs)


class DatabaseWorker:
    """Runs blocking database calls; `await worker.run(fn, **kwargs)`."""

    def __init__(self, database_url: str) -> None:
        workers = 1 if database_url.startswith("sqlite") else POSTGRES_WORKERS
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rembuk-db")
        self._engine: Engine | None = None  # group commit on it, see enable_groups
        self._waiting: list[_Call] = []
        self._drainer: asyncio.Task[None] | None = None
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_S))

    def enable_groups(self, engine: Engine) -> None:
        """Group commit on this engine (SQLite only; see the module's docstring)."""
        if engine.dialect.name == "sqlite":
            self._engine = engine

    async def run(self, function: Callable[..., ResultT], /, **kwargs: Any) -> ResultT:
        loop = asyncio.get_running_loop()
        if self._engine is not None and getattr(function, "rembuk_grouped", False):
            call = _Call(function, kwargs, contextvars.copy_context(), loop.create_future())
            self._waiting.append(call)
            if self._drainer is None:
                self._drainer = loop.create_task(self._drain(), name="rembuk-db-groups")
            return await call.future
        run = partial(contextvars.copy_context().run, function, **kwargs)
        return await loop.run_in_executor(self._executor, run)

    async def _drain(self) -> None:
        """Hand the waiting grouped calls to the worker, a group at a time, until none wait."""
        loop = asyncio.get_running_loop()
        calls: list[_Call] = []
        try:
            while self._waiting:
                calls, self._waiting = self._waiting[:MAX_GROUP], self._waiting[MAX_GROUP:]
                try:
                    outcomes = await loop.run_in_executor(self._executor, self._run_group, calls)
                except Exception as error:  # the worker itself failed: every caller hears it
                    outcomes = [(False, error)] * len(calls)
                for call, (ok, value) in zip(calls, outcomes, strict=True):
                    if call.future.done():
                        continue
                    if ok:
                        call.future.set_result(value)
                    else:
                        call.future.set_exception(value)
        finally:
            self._drainer = None
            for call in [*calls, *self._waiting]:  # only if cancelled (the loop is closing)
                if not call.future.done():
                    call.future.cancel()
            self._waiting = []

    def _run_group(self, calls: list[_Call]) -> list[tuple[bool, Any]]:
        """On the worker thread: the calls in one transaction, or one by one if any fails."""
        if len(calls) > 1:
            group = _Group(Session(self._engine, expire_on_commit=False))
            _local.group = group
            try:
                with group.session:
                    results = [call.run() for call in calls]
                    group.session.commit()
            except Exception:
                logger.debug("a grouped call failed; running the group's calls one by one")
            else:
                for callback in group.on_commit:
                    callback()
                return [(True, result) for result in results]
            finally:
                _local.group = None
        return [self._run_alone(call) for call in calls]

    @staticmethod
    def _run_alone(call: _Call) -> tuple[bool, Any]:
        try:
            return True, call.run()
        except Exception as error:  # handed to the caller, as run() does
            return False, error

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)
