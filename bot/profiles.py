"""The respondent profile (issue 14) in the database: kept apart from the answers.

The survey engine sees a profile answer as a StoredAnswer keyed "profile_<field>" (see
bot.engine.PROFILE_PREFIX); here those are read from and written to the one
respondent_profile row of the respondent. A profile is asked in the run that first reaches
it (the row records that run): once the row exists, a later run does not ask again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlmodel import SQLModel

from bot.engine import PROFILE_PREFIX, AnswerKey, Context, Outcome, StoredAnswer, is_profile_key
from shared.models import RespondentProfile
from shared.survey_data import PROFILE_FIELDS

_profile = SQLModel.metadata.tables[RespondentProfile.__tablename__]
TABLE = _profile
# What a query joining the profile row reads of it (see from_columns): the key (None when
# there is no row), the run that asked it, the fields.
STATE_COLUMNS = (
    _profile.c.respondent_id,
    _profile.c.run_id,
    *(_profile.c[name] for name in PROFILE_FIELDS),
)


def asked_in_run(profile_run_id: int | None, exists: bool, run_id: int) -> bool:
    """Whether this run asks the profile: nobody asked it yet, or this run did."""
    return not exists or profile_run_id == run_id


def context_for_run(ctx: Context, profile: ProfileState, run_id: int) -> Context:
    """The run's context: without the profile questions when an earlier run asked them."""
    if ctx.profile is None or asked_in_run(profile.run_id, profile.exists, run_id):
        return ctx
    return replace(ctx, profile=None)


@dataclass(frozen=True)
class ProfileState:
    exists: bool = False
    run_id: int | None = None  # the run that asked it


def read(connection: Connection, respondent_id: int) -> tuple[ProfileState, dict]:
    """(whether the row exists and which run asked it, its fields as engine answers)."""
    row = connection.execute(
        select(*STATE_COLUMNS).where(_profile.c.respondent_id == respondent_id)
    ).first()
    return from_columns(row)


def from_columns(columns: Sequence[Any] | None) -> tuple[ProfileState, dict]:
    """`read`'s result from the values of STATE_COLUMNS (all None: no profile row)."""
    if columns is None or columns[0] is None:
        return ProfileState(), {}
    answers: dict[AnswerKey, StoredAnswer] = {}
    for name, value in zip(PROFILE_FIELDS, columns[2:], strict=True):
        if value is not None:
            answer = StoredAnswer(PROFILE_PREFIX + name, 0, 0, None, choice=value)
            answers[answer.key] = answer
    return ProfileState(True, columns[1]), answers


def run_answers(
    connection: Connection, respondent_id: int, run_id: int
) -> tuple[ProfileState, dict]:
    """The profile's state and, when this run asks it, its answers (else none)."""
    state, answers = read(connection, respondent_id)
    return state, answers if asked_in_run(state.run_id, state.exists, run_id) else {}


def changes(outcome: Outcome) -> dict[str, str | None]:
    """The profile fields an outcome sets (a value) or clears (None)."""
    changed: dict[str, str | None] = {}
    for key in outcome.deletes:
        if is_profile_key(key):
            changed[key[0].removeprefix(PROFILE_PREFIX)] = None
    for answer in outcome.writes:
        if is_profile_key(answer.key):
            changed[answer.question_id.removeprefix(PROFILE_PREFIX)] = answer.choice
    return {name: value for name, value in changed.items() if name in PROFILE_FIELDS}


def write(
    connection: Connection,
    respondent_id: int,
    changed: Mapping[str, str | None],
    now: datetime,
    run_id: int | None = None,
) -> None:
    """Create or update the respondent's profile row (a skip creates it too: it was asked)."""
    if not changed:
        return
    exists = connection.execute(
        select(_profile.c.respondent_id).where(_profile.c.respondent_id == respondent_id)
    ).first()
    if exists is None:
        connection.execute(
            insert(_profile).values(
                respondent_id=respondent_id, run_id=run_id, updated_at=now, **changed
            )
        )
    else:
        connection.execute(
            update(_profile)
            .where(_profile.c.respondent_id == respondent_id)
            .values(updated_at=now, **changed)
        )
