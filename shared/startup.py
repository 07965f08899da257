"""What every entry point does first: migrate the database and make sure it is usable."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from shared import crud, db
from shared.settings import Settings
from shared.survey_data import SurveyData


def prepare_database(
    *, settings: Settings, survey_data: SurveyData, now: datetime | None = None
) -> Engine:
    """Migrate to head, add the default campaign to a fresh database, return an engine."""
    db.upgrade(settings.database_url)
    engine = db.make_engine(settings.database_url)
    with db.session_scope(engine) as session:
        crud.ensure_default_campaign(
            session=session,
            survey_data=survey_data,
            timezone=settings.timezone,
            now=now or datetime.now(UTC),
        )
    return engine
