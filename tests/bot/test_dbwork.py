"""Group commit in the bot's database worker (bot.dbwork): answers waiting for the worker
share one transaction, each is committed before its caller gets the result, and a failing
call costs the others nothing."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, event, insert, select
from sqlalchemy.engine import Engine

from bot import dbwork
from shared.db import make_engine

_metadata = MetaData()
_rows = Table("row", _metadata, Column("value", Integer, primary_key=True))


@pytest.fixture
def sqlite(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'group.db'}")
    _metadata.create_all(engine)
    return engine


def _count_commits(engine: Engine) -> list[int]:
    commits: list[int] = []
    event.listen(engine, "commit", lambda connection: commits.append(1))
    return commits


def _stored(engine: Engine) -> list[int]:
    with engine.connect() as connection:
        return sorted(connection.scalars(select(_rows.c.value)))


def _store_writer(engine: Engine, committed: list[int]):  # type: ignore[no-untyped-def]
    @dbwork.grouped
    def store(*, value: int) -> int:
        with dbwork.transaction(engine, on_commit=lambda: committed.append(value)) as session:
            if value < 0:
                raise ValueError("a bad answer")
            session.connection().execute(insert(_rows), {"value": value})
            # What the caller gets back is only handed over after the commit: by then the
            # row is in the database for any other connection.
            return value

    return store


async def _queued_behind_a_busy_worker(worker: dbwork.DatabaseWorker, calls):  # type: ignore[no-untyped-def]
    """Run `calls` (coroutines of worker.run) while the worker is busy, so they all wait."""
    release = threading.Event()
    busy = asyncio.ensure_future(worker.run(release.wait))
    await asyncio.sleep(0.05)
    tasks = [asyncio.ensure_future(call) for call in calls]
    await asyncio.sleep(0.05)
    release.set()
    await busy
    return await asyncio.gather(*tasks, return_exceptions=True)


async def test_waiting_answers_commit_together_and_each_before_its_result(
    sqlite: Engine,
) -> None:
    worker = dbwork.DatabaseWorker("sqlite://")
    worker.enable_groups(sqlite)
    committed: list[int] = []
    store = _store_writer(sqlite, committed)
    commits = _count_commits(sqlite)
    try:
        results = await _queued_behind_a_busy_worker(
            worker, [worker.run(store, value=n) for n in range(1, 6)]
        )
    finally:
        worker.shutdown()
    assert results == [1, 2, 3, 4, 5]
    assert _stored(sqlite) == [1, 2, 3, 4, 5]
    assert len(commits) == 1
    assert committed == [1, 2, 3, 4, 5]


async def test_a_failing_call_rolls_back_alone(sqlite: Engine) -> None:
    worker = dbwork.DatabaseWorker("sqlite://")
    worker.enable_groups(sqlite)
    committed: list[int] = []
    store = _store_writer(sqlite, committed)
    try:
        results = await _queued_behind_a_busy_worker(
            worker, [worker.run(store, value=n) for n in (1, -2, 3)]
        )
    finally:
        worker.shutdown()
    assert results[0] == 1 and results[2] == 3
    assert isinstance(results[1], ValueError)
    assert _stored(sqlite) == [1, 3]
    assert committed == [1, 3]  # the group's rolled-back attempt claimed nothing


async def test_without_groups_each_call_commits_on_its_own(sqlite: Engine) -> None:
    worker = dbwork.DatabaseWorker("sqlite://")  # enable_groups not called (PostgreSQL)
    committed: list[int] = []
    store = _store_writer(sqlite, committed)
    commits = _count_commits(sqlite)
    try:
        results = await _queued_behind_a_busy_worker(
            worker, [worker.run(store, value=n) for n in range(1, 4)]
        )
    finally:
        worker.shutdown()
    assert results == [1, 2, 3]
    assert len(commits) == 3
