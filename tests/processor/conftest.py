"""Helpers to put a consultation into the database through crud and the models."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from processor.analysis import Tools
from shared import crud
from shared.models import Answer, Campaign, Instrument, Respondent, Role, RunStatus, SurveyRun
from shared.survey_data import QuestionKind, SurveyData

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def tools(survey_data: SurveyData) -> Tools:
    return Tools.build(survey_data)


@dataclass
class Consultation:
    session: Session
    campaign: Campaign
    survey_data: SurveyData

    def respondent(self, name: str, *, role: Role = Role.citizen, erased: bool = False):
        respondent = crud.get_or_create_respondent(
            session=self.session, pseudonym_key="test-key", now=NOW, local_name=name, role=role
        )
        respondent.erased = erased
        self.session.add(respondent)
        self.session.flush()
        return respondent

    def run(
        self,
        respondent: Respondent,
        blocks: Sequence[tuple[str, Sequence[dict[str, object]], dict[str, object]]],
        *,
        instrument: Instrument = Instrument.external,
        status: RunStatus = RunStatus.submitted,
        source: str | None = None,
    ) -> SurveyRun:
        """blocks: (domain, item answers per item, block answers); numbers stay numbers."""
        questionnaire = self.survey_data.questionnaire(instrument)
        run = SurveyRun(
            respondent_id=respondent.id,
            campaign_id=self.campaign.id,
            instrument=instrument,
            questionnaire_id=questionnaire.id,
            questionnaire_version=questionnaire.version,
            status=status,
            source=source,
            started_at=NOW,
            updated_at=NOW,
            submitted_at=NOW if status is RunStatus.submitted else None,
        )
        self.session.add(run)
        self.session.flush()

        def chosen(question_id: str, value: object) -> str | None:
            # A pressed button (an agency, a unit) is stored as the choice, as the bot does.
            question = questionnaire.by_id.get(question_id)
            kinds = (QuestionKind.agency, QuestionKind.unit, QuestionKind.choice)
            return str(value) if question is not None and question.kind in kinds else None

        def add(question_id: str, block: int, item: int, domain: str, value: object) -> None:
            self.session.add(
                Answer(
                    run_id=run.id,
                    question_id=question_id,
                    block=block,
                    item=item,
                    domain=domain,
                    value_text=value
                    if isinstance(value, str) and chosen(question_id, value) is None
                    else None,
                    value_number=float(value) if isinstance(value, int | float) else None,
                    value_choice=domain if question_id == "domain" else chosen(question_id, value),
                    questionnaire_version=questionnaire.version,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )

        for block, (domain, items, block_answers) in enumerate(blocks):
            add("domain", block, 0, domain, None)
            for item, answers in enumerate(items):
                for question_id, value in answers.items():
                    add(question_id, block, item, domain, value)
                add(
                    "more_needs" if instrument is Instrument.external else "more_rows",
                    block,
                    item,
                    domain,
                    None,
                )
            for question_id, value in block_answers.items():
                add(question_id, block, 0, domain, value)
        self.session.flush()
        return run


@pytest.fixture
def consultation(session: Session, survey_data: SurveyData) -> Consultation:
    campaign = crud.create_campaign(
        session=session,
        code="uji",
        name="Kampanye uji",
        plan_first_year=2027,
        plan_last_year=2031,
        survey_data=survey_data,
        timezone="Asia/Jakarta",
        now=NOW,
    )
    session.flush()
    return Consultation(session=session, campaign=campaign, survey_data=survey_data)
