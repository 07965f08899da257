"""Shared fixtures. Every run gets its own database (a temporary SQLite file, or a fresh
PostgreSQL database when TEST_DATABASE_URL is set) and drops it afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

from shared import db
from shared.survey_data import SurveyData, load_survey_data

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


def pytest_configure(config: pytest.Config) -> None:
    """Durations as timedelta, as `rembuk` runs python-telegram-bot (see cli.main.main)."""
    os.environ.setdefault("PTB_TIMEDELTA", "1")


def _postgres_admin_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


@pytest.fixture(scope="session")
def make_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], str]]:
    """A factory of empty databases; each is dropped at the end of the run."""
    admin_url = _postgres_admin_url()
    created: list[str] = []
    admin: Engine | None = None
    if admin_url:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")

    def make() -> str:
        name = f"rembuk_test_{uuid.uuid4().hex[:12]}"
        if admin is None:
            return f"sqlite:///{tmp_path_factory.mktemp('db') / (name + '.db')}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return make_url(admin_url).set(database=name).render_as_string(hide_password=False)

    yield make
    if admin is not None:
        with admin.connect() as connection:
            for name in created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(make_database: Callable[[], str]) -> str:
    """One migrated database for the run; tests empty it before they start."""
    url = make_database()
    db.upgrade(url)
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the run's database, with every table emptied first."""
    engine = db.make_engine(database_url)
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture(scope="session")
def survey_data() -> SurveyData:
    return load_survey_data()


@pytest.fixture
def data_dir_copy(tmp_path: Path) -> Path:
    """A writable copy of the data files, for tests that break one on purpose."""
    import shutil

    from shared.survey_data import DATA_DIR

    target = tmp_path / "questionnaires"
    shutil.copytree(DATA_DIR, target)
    return target
