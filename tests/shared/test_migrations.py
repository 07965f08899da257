"""The schema only changes through migrations, and they agree with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import shared.models  # noqa: F401  (registers the tables)
from shared import db


def test_upgrade_downgrade_upgrade_and_no_drift(make_database) -> None:  # type: ignore[no-untyped-def]
    url = make_database()
    db.upgrade(url)
    engine = db.make_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert set(SQLModel.metadata.tables) <= tables
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, SQLModel.metadata) == []

        db.downgrade(url, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

        db.upgrade(url)
        assert set(SQLModel.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
