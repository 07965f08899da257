"""The answer path in SQLAlchemy Core: what almost every update of a survey does.

One statement reads the respondent, their run in progress and its answers, locking the
respondent's and the run's rows on PostgreSQL (so two workers apply one respondent's inputs
in turn); after the engine decides, a few statements write the answers (revisions first, so
edits stay audited) and the run's cursor (and, only for someone marked as having blocked the
bot, that they are back). It stores exactly
through `write_outcome`, the one writer of answers (bot.store.apply_outcome uses it too),
for a fraction of the ORM's CPU: its unit of work and identity map cost more than the
statements themselves.

Anything unusual (no consent, a planner, no run in progress, a paused run, a run the
respondent left with /batal) is left to the ORM path of bot.conversation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Connection,
    String,
    and_,
    bindparam,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.orm import aliased
from sqlmodel import SQLModel

from bot import profiles
from bot.driver_sql import DriverStatement
from bot.engine import AnswerKey, Outcome, Progress, StoredAnswer, is_profile_key
from shared.models import Answer, AnswerRevision, Role, RunStatus, SurveyRun

_respondent = SQLModel.metadata.tables["respondent"]
_run = SQLModel.metadata.tables[SurveyRun.__tablename__]
_answer = SQLModel.metadata.tables["answer"]
_revision_table = SQLModel.metadata.tables[AnswerRevision.__tablename__]
_latest = aliased(_run, name="latest")


def _constant(value: str) -> ColumnElement[str]:
    """A constant written into the SQL instead of bound. On SQLite a bound value compared
    with the column of a partial index's condition (survey_run.status, see uq_survey_run_open)
    makes SQLite prepare the statement again on every execution, in case the value changes
    the plan: measured, that made the load below take ~0.17 ms instead of ~0.015 ms."""
    assert "'" not in value
    return literal_column(f"'{value}'", String)


_IN_PROGRESS = _constant(RunStatus.in_progress.value)
_STAFF = _constant(Role.staff.value)

# The respondent's most recent run in progress of their instrument (staff: internal; others:
# the consultation or a service unit's SKM, see bot.runs.instruments_of).
_latest_run = (
    select(func.max(_latest.c.id))
    .where(
        _latest.c.respondent_id == _respondent.c.id,
        or_(
            and_(_respondent.c.role == _STAFF, _latest.c.instrument == _constant("internal")),
            and_(
                _respondent.c.role != _STAFF,
                # (two comparisons, not IN: an IN's SQL is only known with its values)
                or_(
                    _latest.c.instrument == _constant("external"),
                    _latest.c.instrument == _constant("skm"),
                ),
            ),
        ),
        _latest.c.status == _IN_PROGRESS,
    )
    .scalar_subquery()
)

# An answer as the writer needs it (the fields of Row, in order).
_ANSWER_COLUMNS = (
    _answer.c.id,
    _answer.c.question_id,
    _answer.c.block,
    _answer.c.item,
    _answer.c.domain,
    _answer.c.value_text,
    _answer.c.value_number,
    _answer.c.value_choice,
)

_RESPONDENT_AND_RUN = (
    _respondent.c.id,
    _respondent.c.language,
    _respondent.c.role,
    _respondent.c.consent_at,
    _respondent.c.erased,
    _respondent.c.opted_out,
    _run.c.id,
    _run.c.campaign_id,
    _run.c.instrument,
    _run.c.current_step,
    _run.c.editing,
    _run.c.receipt_code,
    _run.c.questionnaire_version,
    _run.c.cancelled_at,
)
_LOAD = (
    select(*_RESPONDENT_AND_RUN, *profiles.STATE_COLUMNS, *_ANSWER_COLUMNS)
    .select_from(
        _respondent.join(
            _run,
            and_(_run.c.id == _latest_run, _run.c.status == _IN_PROGRESS),
        )
        .outerjoin(profiles.TABLE, profiles.TABLE.c.respondent_id == _respondent.c.id)
        .outerjoin(_answer, _answer.c.run_id == _run.c.id)
    )
    .where(_respondent.c.telegram_user_id == bindparam("user_id"))
    .with_for_update(of=[_respondent, _run])
)
_LOADED = DriverStatement(_LOAD)
_PROFILE_AT = len(_RESPONDENT_AND_RUN)  # where the profile's columns start in a row of _LOAD
_ANSWER_AT = _PROFILE_AT + len(profiles.STATE_COLUMNS)  # and the answer's

_INSERT_KEYS = (
    "run_id",
    "question_id",
    "block",
    "item",
    "domain",
    "value_text",
    "value_number",
    "value_choice",
    "questionnaire_version",
    "created_at",
    "updated_at",
)
_INSERT_ANSWERS = DriverStatement(
    insert(_answer).values({key: bindparam(key) for key in _INSERT_KEYS})
)
_REVISION_KEYS = (
    "answer_id",
    "run_id",
    "question_id",
    "block",
    "item",
    "domain",
    "value_text",
    "value_number",
    "value_choice",
    "change",
    "changed_at",
)
_INSERT_REVISIONS = DriverStatement(
    insert(_revision_table).values({key: bindparam(key) for key in _REVISION_KEYS})
)
_UPDATE_ANSWER_STATEMENT = (
    update(_answer)
    .where(_answer.c.id == bindparam("answer_id"))
    .values(
        domain=bindparam("domain"),
        value_text=bindparam("value_text"),
        value_number=bindparam("value_number"),
        value_choice=bindparam("value_choice"),
        questionnaire_version=bindparam("questionnaire_version"),
        updated_at=bindparam("updated_at"),
    )
)
_DELETE_ANSWERS = delete(_answer).where(_answer.c.id.in_(bindparam("ids", expanding=True)))
_UPDATE_ANSWER = DriverStatement(_UPDATE_ANSWER_STATEMENT)
_UPDATE_RUN_STATEMENT = (
    update(_run)
    .where(_run.c.id == bindparam("run_id"))
    .values(
        current_step=bindparam("current_step"),
        editing=bindparam("editing"),
        updated_at=bindparam("updated_at"),
    )
)
_UPDATE_RUN = DriverStatement(_UPDATE_RUN_STATEMENT)
_SUBMIT_RUN = DriverStatement(
    _UPDATE_RUN_STATEMENT.values(
        status=RunStatus.submitted.value, submitted_at=bindparam("updated_at")
    )
)
_ROWS_OF_RUN = select(*_ANSWER_COLUMNS).where(_answer.c.run_id == bindparam("run_id"))
_BACK = (
    update(_respondent)
    .where(_respondent.c.id == bindparam("respondent_id"))
    .values(opted_out=False)
)


@dataclass(frozen=True)
class Row:
    """A stored answer with its id and the values an audit revision keeps."""

    id: int
    question_id: str
    block: int
    item: int
    domain: str | None
    value_text: str | None
    value_number: float | None
    value_choice: str | None


@dataclass(frozen=True)
class Loaded:
    respondent_id: int
    language: str
    role: str
    opted_out: bool
    run_id: int
    campaign_id: int
    instrument: str
    questionnaire_version: int
    progress: Progress
    rows: Mapping[AnswerKey, Row]
    profile: profiles.ProfileState = profiles.ProfileState()


def stored_answer(row: Row | Answer) -> StoredAnswer:
    """A database answer (Core row or ORM object) as the survey engine sees it."""
    return StoredAnswer(
        question_id=row.question_id,
        block=row.block,
        item=row.item,
        domain=row.domain,
        text=row.value_text,
        number=row.value_number,
        choice=row.value_choice,
    )


def load(connection: Connection, user_id: int) -> Loaded | None:
    """The consented respondent and their run in progress, locked; None for anything else
    (including a run left with /batal, which the ORM path handles)."""
    result = _LOADED.all(connection, {"user_id": user_id})
    if not result:
        return None
    first = result[0]
    respondent_id, language, role, consent_at, erased, opted_out = first[:6]
    run_id, campaign_id, instrument, step, editing, receipt_code = first[6:12]
    questionnaire_version, cancelled_at = first[12:_PROFILE_AT]
    if consent_at is None or erased or role == Role.planner.value or cancelled_at is not None:
        return None
    rows: dict[AnswerKey, Row] = {}
    answers: dict[AnswerKey, StoredAnswer] = {}
    for record in result:
        if record[_ANSWER_AT] is None:
            continue
        row = Row(*record[_ANSWER_AT:])
        key = (row.question_id, row.block, row.item)
        rows[key] = row
        answers[key] = stored_answer(row)
    # The profile, kept apart from the answers, joins them for the engine (see bot.profiles).
    profile_state, profile = profiles.from_columns(first[_PROFILE_AT:_ANSWER_AT])
    if profiles.asked_in_run(profile_state.run_id, profile_state.exists, run_id):
        answers.update(profile)
    return Loaded(
        respondent_id=respondent_id,
        language=language,
        role=role,
        opted_out=bool(opted_out),
        run_id=run_id,
        campaign_id=campaign_id,
        instrument=instrument,
        questionnaire_version=questionnaire_version,
        progress=Progress(
            step=step, editing=bool(editing), answers=answers, receipt_code=receipt_code or ""
        ),
        rows=rows,
        profile=profile_state,
    )


def _revision(row: Row, run_id: int, change: str, now: datetime) -> dict[str, object]:
    return {
        "answer_id": row.id,
        "run_id": run_id,
        "question_id": row.question_id,
        "block": row.block,
        "item": row.item,
        "domain": row.domain,
        "value_text": row.value_text,
        "value_number": row.value_number,
        "value_choice": row.value_choice,
        "change": change,
        "changed_at": now,
    }


def rows_of_run(connection: Connection, run_id: int) -> dict[AnswerKey, Row]:
    """The stored answers of a run, as the writer needs them."""
    result = connection.execute(_ROWS_OF_RUN, {"run_id": run_id})
    return {(r.question_id, r.block, r.item): Row(*r) for r in result}


def _insert_values(
    write: StoredAnswer, run_id: int, questionnaire_version: int, now: datetime
) -> dict[str, object]:
    return {
        "run_id": run_id,
        "question_id": write.question_id,
        "block": write.block,
        "item": write.item,
        "domain": write.domain,
        "value_text": write.text,
        "value_number": write.number,
        "value_choice": write.choice,
        "questionnaire_version": questionnaire_version,
        "created_at": now,
        "updated_at": now,
    }


def _update_values(
    row: Row, write: StoredAnswer, questionnaire_version: int, now: datetime
) -> dict[str, object]:
    return {
        "answer_id": row.id,
        "domain": write.domain,
        "value_text": write.text,
        "value_number": write.number,
        "value_choice": write.choice,
        "questionnaire_version": questionnaire_version,
        "updated_at": now,
    }


def _changed(row: Row, write: StoredAnswer) -> bool:
    stored = (row.domain, row.value_text, row.value_number, row.value_choice)
    return stored != (write.domain, write.text, write.number, write.choice)


def _write_answers(
    connection: Connection,
    *,
    run_id: int,
    questionnaire_version: int,
    rows: Mapping[AnswerKey, Row],
    outcome: Outcome,
    now: datetime,
) -> None:
    """The answers inserted, updated or deleted, each change of a stored value first copied
    to answer_revision (profile keys are not answers)."""
    revisions: list[dict[str, object]] = []
    deleted: list[int] = []
    for key in outcome.deletes:
        row = rows.get(key) if not is_profile_key(key) else None
        if row is not None:
            revisions.append(_revision(row, run_id, "delete", now))
            deleted.append(row.id)
    inserts: list[dict[str, object]] = []
    updates: list[dict[str, object]] = []
    for write in (w for w in outcome.writes if not is_profile_key(w.key)):
        row = rows.get(write.key)
        if row is None:
            inserts.append(_insert_values(write, run_id, questionnaire_version, now))
        elif _changed(row, write):
            revisions.append(_revision(row, run_id, "edit", now))
            updates.append(_update_values(row, write, questionnaire_version, now))
    if revisions:
        _INSERT_REVISIONS.execute_many(connection, revisions)
    if deleted:
        connection.execute(_DELETE_ANSWERS, {"ids": deleted})
    if updates:
        _UPDATE_ANSWER.execute_many(connection, updates)
    if inserts:
        _INSERT_ANSWERS.execute_many(connection, inserts)


def write_outcome(
    connection: Connection,
    *,
    run_id: int,
    questionnaire_version: int,
    rows: Mapping[AnswerKey, Row],
    outcome: Outcome,
    now: datetime,
    respondent_id: int | None = None,
) -> None:
    """Write what the engine decided: answers inserted, updated or deleted (each change of a
    stored value first copied to answer_revision), then the run's cursor and status. The one
    writer of answers, for the Telegram fast path and bot.store.apply_outcome alike."""
    if respondent_id is not None:  # profile answers go to the profile row, never to answers
        profiles.write(connection, respondent_id, profiles.changes(outcome), now, run_id)
    _write_answers(
        connection,
        run_id=run_id,
        questionnaire_version=questionnaire_version,
        rows=rows,
        outcome=outcome,
        now=now,
    )
    run = {
        "run_id": run_id,
        "current_step": outcome.step,
        "editing": outcome.editing,
        "updated_at": now,
    }
    (_SUBMIT_RUN if outcome.submitted else _UPDATE_RUN).execute(connection, run)


def store(connection: Connection, loaded: Loaded, outcome: Outcome, now: datetime) -> None:
    """Write the outcome of a loaded run; someone marked as having blocked the bot (a 403)
    who writes again is back."""
    write_outcome(
        connection,
        run_id=loaded.run_id,
        questionnaire_version=loaded.questionnaire_version,
        rows=loaded.rows,
        outcome=outcome,
        now=now,
        respondent_id=loaded.respondent_id,
    )
    if loaded.opted_out:
        connection.execute(_BACK, {"respondent_id": loaded.respondent_id})
