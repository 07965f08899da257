"""Fixtures for the digest tests: the hand-written summary, a campaign with planners, and a
stand-in for issue 4's analysis that returns the fixture summary."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from processor.digest_job import AnalysisOutput
from shared import crud
from shared.db import session_scope
from shared.models import Respondent, Role
from shared.survey_data import SurveyData

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # Monday 07:00 in Jakarta


@pytest.fixture
def summary() -> dict[str, Any]:
    return json.loads((FIXTURES / "summary.json").read_text(encoding="utf-8"))


@pytest.fixture
def campaign(engine: Engine, survey_data: SurveyData) -> str:
    with session_scope(engine) as session:
        crud.create_campaign(
            session=session,
            code="tjb2027",
            name="Master Plan Pelayanan Publik Kab. Tanjung Jabung Barat",
            plan_first_year=2027,
            plan_last_year=2031,
            survey_data=survey_data,
            timezone="Asia/Jakarta",
            now=NOW,
        )
    return "tjb2027"


def add_person(
    engine: Engine,
    *,
    telegram_user_id: int,
    role: Role,
    campaign_code: str | None,
    language: str = "id",
) -> int:
    with session_scope(engine) as session:
        campaign_id = None
        if campaign_code:
            found = crud.get_campaign(session=session, code=campaign_code)
            assert found is not None
            campaign_id = found.id
        person = Respondent(
            telegram_user_id=telegram_user_id,
            pseudonym=f"r-test{telegram_user_id}",
            role=role,
            campaign_id=campaign_id,
            language=language,
            created_at=NOW,
        )
        session.add(person)
        session.flush()
        assert person.id is not None
        return person.id


@pytest.fixture
def planners(engine: Engine, campaign: str) -> list[int]:
    """Three planners' Telegram ids: 501 and 502 (id), 503 (en)."""
    add_person(engine, telegram_user_id=501, role=Role.planner, campaign_code=campaign)
    add_person(engine, telegram_user_id=502, role=Role.planner, campaign_code=campaign)
    add_person(
        engine, telegram_user_id=503, role=Role.planner, campaign_code=campaign, language="en"
    )
    return [501, 502, 503]


@pytest.fixture
def fake_analyse(summary: dict[str, Any]) -> Iterator[Callable[..., AnalysisOutput]]:
    """Stands in for run_analysis: writes summary.json and a small XLSX, returns them.
    `fake_analyse.summaries` can queue the summaries of successive runs."""
    queue: list[dict[str, Any]] = []

    def analyse(*, engine, campaign_code, out_dir, now, survey_data):  # type: ignore[no-untyped-def]
        from openpyxl import Workbook

        current = copy.deepcopy(queue.pop(0) if queue else summary)
        current["generated_at"] = now.isoformat()
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "summary.json").write_text(json.dumps(current), encoding="utf-8")
        workbook = Workbook()
        workbook.active.append(["ringkasan", "uji"])
        xlsx = out_dir / "analysis.xlsx"
        workbook.save(xlsx)
        return AnalysisOutput(
            summary=current, xlsx_path=xlsx, summary_path=out_dir / "summary.json"
        )

    analyse.summaries = queue  # type: ignore[attr-defined]
    yield analyse
