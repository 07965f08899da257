"""The pipeline's input end: answers of one campaign from the database, as frames.

Only pseudonyms leave the database: no Telegram ids, no local names. Erased respondents
are left out entirely.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.engine import Connection
from sqlmodel import col

from processor.ikm import empty_skm
from processor.pipeline import (
    ANSWER_COLUMNS,
    KIND_OF_QUESTION,
    STAFF_FIELD_QUESTIONS,
    Aggregator,
    AnswerTable,
    answer_labels,
    answer_number,
    answer_order_key,
    empty_answers,
    kept_apart,
    unit_code,
)
from shared.models import (
    Answer,
    Campaign,
    CampaignAgencies,
    CampaignWilayah,
    ImportedAnswer,
    Respondent,
    RespondentProfile,
    SurveyRun,
)
from shared.pii import scrub_pii
from shared.survey_data import PROFILE_FIELDS, SKM_ELEMENTS, AgencyList, Wilayah


@dataclass(frozen=True)
class CampaignFrames:
    campaign: dict  # code, name, plan_years, timezone
    runs: pd.DataFrame  # run_id, respondent, status, source, instrument, submitted_at
    # Submitted runs' and imported answers: one row per answer (ANSWER_COLUMNS), or, loaded
    # with aggregate=True, an empty frame and `aggregated` instead.
    answers: pd.DataFrame
    agencies: AgencyList | None = None  # the campaign's own agency list, if it has one
    # Respondent profiles (issue 14): respondent + the profile fields, codes or None; and
    # the campaign's own regions, if it has a list.
    profiles: pd.DataFrame | None = None
    wilayah: Wilayah | None = None
    skm: pd.DataFrame | None = None  # processor.ikm.SKM_COLUMNS: submitted SKM scores
    # The answers aggregated (processor.pipeline.AnswerTable): one row per distinct content
    # key with its weight, integers per answer; what the analysis reads at scale.
    aggregated: AnswerTable | None = None


def _frame(connection: Connection, statement: Select[Any]) -> pd.DataFrame:
    """Run a select through the raw driver cursor: plain tuples build a frame ~10x faster
    than SQLAlchemy rows. The statement's values are integers and fixed strings."""
    columns = [c.name for c in statement.selected_columns]
    # A frame per chunk: a million runs never exist as a million tuples at once.
    frames = [pd.DataFrame(chunk, columns=columns) for chunk in _chunks(connection, statement)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


# Rows fetched from the driver at a time. Small: the few values that outlive a chunk (a
# new distinct text) keep the memory of its short-lived rows held, and a smaller chunk
# spreads them over less of it (10M answers: 50-100 MB less than with 100,000).
FETCH_ROWS = 10_000


def packed_strings(values: pd.Series) -> pd.Series:
    """The same strings as new objects, made one after another. The driver's strings were
    made among its rows' short-lived tuples and values, and the few that live on would
    keep all of that memory held (Python gives its small-object memory back an arena at a
    time, only once the arena is empty): ~400 bytes a run."""
    fetched = values.to_numpy(dtype=object)
    packed = fetched.astype(str).astype(object)
    packed[pd.isna(fetched)] = None  # not the text "None"
    return pd.Series(packed, index=values.index, dtype=values.dtype)


def _chunks(connection: Connection, statement: Select[Any]) -> Iterator[list[tuple]]:
    """The statement's rows as plain tuples, FETCH_ROWS at a time (see _frame)."""
    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    driver = connection.connection.driver_connection
    if driver is None:  # a closed or detached connection
        raise RuntimeError("the connection has no driver connection")
    cursor = driver.cursor()
    try:
        cursor.execute(str(compiled))
        while chunk := cursor.fetchmany(FETCH_ROWS):
            yield chunk
    finally:
        cursor.close()


def _add_bot_answers(
    aggregator: Aggregator,
    chunks: Iterable[list[tuple]],
    submitted: pd.DataFrame,
    *,
    with_source: bool,
) -> None:
    """Stream the bot's answers (id, run_id, question_id, block, item, domain, text,
    number; in id order) into the aggregator: only answers kept apart (pipeline.kept_apart)
    get their unit and row id as text; the others' are in their unit code and item.
    Without `with_source` the run's source (venue) is left out of the key: it is the run's,
    found again through the unit code (processor.analysis), and it would make each
    distinct text up to one row per venue."""
    codes, pseudonyms = pd.factorize(submitted["respondent"].astype(object))
    aggregator.seed_respondents(np.asarray(pseudonyms, dtype=object))
    run_ids = submitted["run_id"].to_numpy(dtype=np.int64)
    size = int(run_ids.max(initial=0)) + 1
    # Lists indexed by run id: a dict of a million runs' tuples would take ~300 MB.
    respondent_of = np.zeros(size, dtype=np.int64)
    respondent_of[run_ids] = codes
    source_of = np.empty(size, dtype=object)
    if with_source:
        source_of[run_ids] = submitted["source"].astype(object).to_numpy()
    instrument_of = np.empty(size, dtype=object)
    instrument_of[run_ids] = submitted["instrument"].astype(object).to_numpy()
    respondents, sources, instruments = (
        respondent_of.tolist(),
        source_of.tolist(),
        instrument_of.tolist(),
    )
    usable, add = aggregator.usable, aggregator.add_key
    shared: dict[str, str] = {}  # one string object per question id and domain
    for chunk in chunks:
        for answer, run, question, block, item, domain, text, number in chunk:
            unit = row_id = None
            if kept_apart(domain, usable):
                unit = f"{run}.{block}"
                row_id = f"{unit}.{item}"
            question = shared.setdefault(question, question)
            domain = shared.setdefault(domain, domain) if domain is not None else None
            key = (
                "bot",
                unit,
                row_id,
                sources[run],
                instruments[run],
                question,
                domain,
                text,
                number,
            )
            respondent = respondents[run]
            add(answer, respondent, unit_code(run, block), key, item)


def _scrubbed_names(files: pd.Series) -> pd.Series:
    """File names as reports may show them: an operator names a file after whoever was
    interviewed ("wawancara Pak Budi 0812….xlsx"), and the name reaches every output."""
    files = files.astype(str)
    # One line: a name typed with a line break must not break a report's line.
    return files.map({name: scrub_pii(" ".join(name.split())) for name in files.unique()})


def campaign_info(campaign: Campaign) -> dict:
    return {
        "code": campaign.code,
        "name": campaign.name,
        "plan_years": list(range(campaign.plan_first_year, campaign.plan_last_year + 1)),
        "timezone": campaign.timezone,
    }


def load_campaign_frames(
    *,
    connection: Connection,
    campaign: Campaign,
    aggregate: bool = False,
    usable_domains: Iterable[str] | None = None,
) -> CampaignFrames:
    """The campaign's frames. With `aggregate`, its answers as an AnswerTable
    (`aggregated`), read a chunk at a time: 10M answers never exist as one row each;
    `usable_domains` are the domain codes the data files list (answers stored with another
    domain are kept apart: the analysis assigns theirs)."""
    runs = _frame(
        connection,
        select(
            col(SurveyRun.id).label("run_id"),
            col(Respondent.pseudonym).label("respondent"),
            col(SurveyRun.status),
            col(SurveyRun.source),
            col(SurveyRun.instrument),
            col(SurveyRun.submitted_at),
        )
        .join(Respondent, col(Respondent.id) == col(SurveyRun.respondent_id))
        .where(col(SurveyRun.campaign_id) == campaign.id, col(Respondent.erased).is_(False))
        .order_by(col(SurveyRun.id)),
    )
    # Enum columns are stored as their plain values ("submitted", "external"); few values
    # over many runs, so categories.
    runs = runs.astype({"status": object, "instrument": object}).assign(
        source=runs["source"].astype(object).where(runs["source"].notna(), "-")
    )
    runs = runs.astype({"status": "category", "instrument": "category", "source": "category"})
    runs = runs.assign(
        submitted_at=pd.to_datetime(runs["submitted_at"], utc=True),
        respondent=packed_strings(runs["respondent"]),
    )
    submitted = runs.loc[runs["status"] == "submitted"]
    bot = _chunks(
        connection,
        select(
            col(Answer.id),
            col(Answer.run_id),
            col(Answer.question_id),
            col(Answer.block),
            col(Answer.item),
            col(Answer.domain),
            # A chosen agency or unit is kept as its code, in the text column.
            func.coalesce(col(Answer.value_text), col(Answer.value_choice)).label("text"),
            col(Answer.value_number).label("number"),
        )
        .join(SurveyRun, col(SurveyRun.id) == col(Answer.run_id))
        .join(Respondent, col(Respondent.id) == col(SurveyRun.respondent_id))
        .where(
            col(SurveyRun.campaign_id) == campaign.id,
            col(SurveyRun.status) == "submitted",
            col(Respondent.erased).is_(False),
            # Content, a staff row's fields and yearly targets and budgets only: not the
            # domain choice or yes/no navigation.
            col(Answer.question_id).in_(
                sorted({q for _, q in KIND_OF_QUESTION} | set(STAFF_FIELD_QUESTIONS))
            )
            | col(Answer.question_id).like("target_y%")
            | col(Answer.question_id).like("budget_y%"),
        )
        .order_by(col(SurveyRun.id), col(Answer.id)),
    )
    # Not aggregating: every answer kept apart, so each row of the table is one answer.
    aggregator = Aggregator(usable_domains if aggregate else ())
    _add_bot_answers(aggregator, bot, submitted, with_source=not aggregate)
    imported = _frame(
        connection,
        select(
            col(ImportedAnswer.id),
            col(ImportedAnswer.instrument),
            col(ImportedAnswer.source_file),
            col(ImportedAnswer.source_row),
            col(ImportedAnswer.respondent_label),
            col(ImportedAnswer.question_id),
            col(ImportedAnswer.domain),
            col(ImportedAnswer.value_text).label("text"),
            col(ImportedAnswer.value_number).label("number"),
        )
        .where(col(ImportedAnswer.campaign_id) == campaign.id)
        .order_by(col(ImportedAnswer.id)),
    )
    imported_profiles = None
    if len(imported):
        form_row = imported.groupby(["source_file", "source_row"])["id"].transform("min")
        unit = "i" + form_row.astype(str)
        # Without a label, each form row is its own respondent.
        respondent = imported["respondent_label"].where(
            imported["respondent_label"].notna(), "impor-" + unit
        )
        # A form's profile columns are kept as rows "profile_<field>": not answers.
        is_profile = imported["question_id"].astype(str).str.startswith(PROFILE_PREFIX)
        imported_profiles = _imported_profiles(imported.loc[is_profile], respondent[is_profile])
        imported, unit, respondent = (
            imported.loc[~is_profile],
            unit[~is_profile],
            respondent[~is_profile],
        )
        _add_imported_answers(
            aggregator,
            pd.DataFrame(
                {
                    "answer_id": "i" + imported["id"].astype(str),
                    "origin": "import",
                    "unit": unit,
                    "row_id": unit + ".0.0",
                    "respondent": respondent,
                    "source": "impor:" + _scrubbed_names(imported["source_file"]),
                    "instrument": imported["instrument"].astype(str),
                    "question_id": imported["question_id"],
                    "domain": imported["domain"],
                    "text": imported["text"],
                    "number": imported["number"],
                }
            ),
            form_row[~is_profile],
        )
    table = aggregator.table().in_answer_order()
    skm = load_skm_scores(connection=connection, campaign=campaign)
    own = connection.execute(
        select(col(CampaignAgencies.agencies)).where(
            col(CampaignAgencies.campaign_id) == campaign.id
        )
    ).scalar_one_or_none()
    regions = connection.execute(
        select(col(CampaignWilayah.wilayah)).where(col(CampaignWilayah.campaign_id) == campaign.id)
    ).scalar_one_or_none()
    profiles = _bot_profiles(connection, campaign)
    if imported_profiles is not None and len(imported_profiles):
        # Joined as objects (categories and the forms' plain codes do not mix the same way
        # in every pandas), a missing field kept None.
        joined = pd.concat([profiles.astype(object), imported_profiles], ignore_index=True)
        profiles = joined.where(joined.notna(), None)
    return CampaignFrames(
        campaign=campaign_info(campaign),
        runs=runs,
        answers=empty_answers() if aggregate else per_answer_frame(table),
        aggregated=table if aggregate else None,
        agencies=None if own is None else AgencyList.model_validate({"agencies": own}),
        profiles=profiles,
        wilayah=None if regions is None else Wilayah.model_validate(regions),
        skm=skm,
    )


PROFILE_PREFIX = "profile_"


def per_answer_frame(table: AnswerTable) -> pd.DataFrame:
    """One row per answer (ANSWER_COLUMNS) of a table whose answers were all kept apart,
    staff rows' fields (table.fields) among them, in answer order."""
    parts = [part for part in (table, table.fields) if part is not None and len(part.members)]
    if not parts:
        return empty_answers()
    frames = []
    for part in parts:
        members = part.members
        frame = part.rows.iloc[members.row].reset_index(drop=True)
        frames.append(
            frame.assign(
                answer_id=answer_labels(members.answer),
                respondent=members.pseudonyms(),
                number=frame["number"].astype(float),
            )[list(ANSWER_COLUMNS)]
        )
    numbers = np.concatenate([part.members.answer for part in parts])
    order = np.argsort(answer_order_key(numbers), kind="stable")
    return pd.concat(frames, ignore_index=True).iloc[order].reset_index(drop=True)


def _add_imported_answers(aggregator: Aggregator, frame: pd.DataFrame, form_row: pd.Series) -> None:
    """Imported answers (ANSWER_COLUMNS) into the aggregator; a form row's unit code is
    minus its first answer's id (bot units are positive)."""
    frame = frame[list(ANSWER_COLUMNS)].astype(object)
    frame = frame.assign(number=frame["number"].astype(float)).astype(object)
    frame = frame.where(frame.notna(), None)
    for values, first in zip(
        frame.itertuples(index=False, name=None), form_row.tolist(), strict=True
    ):
        answer_id, origin, unit, row_id, respondent, *rest = values
        aggregator.add(
            answer_number(str(answer_id)),
            aggregator.respondent_code(respondent),
            -int(first),
            (origin, unit, row_id, *rest),
        )


def _bot_profiles(connection: Connection, campaign: Campaign) -> pd.DataFrame:
    """Profiles of the campaign's respondents who submitted a run (never erased ones)."""
    submitted = select(col(SurveyRun.respondent_id)).where(
        col(SurveyRun.campaign_id) == campaign.id, col(SurveyRun.status) == "submitted"
    )
    frame = _frame(
        connection,
        select(
            col(Respondent.pseudonym).label("respondent"),
            *(col(getattr(RespondentProfile, f)) for f in PROFILE_FIELDS),
        )
        .join(Respondent, col(Respondent.id) == col(RespondentProfile.respondent_id))
        .where(
            col(Respondent.erased).is_(False), col(RespondentProfile.respondent_id).in_(submitted)
        )
        .order_by(col(RespondentProfile.respondent_id)),
    )
    # Few codes over many people: categories, where a string per person and field would
    # take ~300 MB for a million profiles.
    return frame.astype({"respondent": object, **{f: "category" for f in PROFILE_FIELDS}})


def _imported_profiles(rows: pd.DataFrame, respondent: pd.Series) -> pd.DataFrame:
    """Imported profile rows (question "profile_<field>", the code as text), one row per
    form respondent."""
    if not len(rows):
        return pd.DataFrame(columns=["respondent", *PROFILE_FIELDS], dtype=object)
    long = pd.DataFrame(
        {
            "respondent": respondent.to_numpy(),
            "field": rows["question_id"].str.removeprefix(PROFILE_PREFIX).to_numpy(),
            "value": rows["text"].to_numpy(),
        }
    )
    wide = long.pivot_table(index="respondent", columns="field", values="value", aggfunc="first")
    wide = wide.reindex(columns=list(PROFILE_FIELDS)).reset_index()
    wide.columns.name = None
    return wide.astype(object).where(wide.notna(), None)


def load_skm_scores(*, connection: Connection, campaign: Campaign) -> pd.DataFrame:
    """The element scores of the campaign's submitted SKM runs (issue 14): run_id, unit
    (service unit code), submitted_at, element and score (1-4); erased respondents left out."""
    frame = _frame(
        connection,
        select(
            col(SurveyRun.id).label("run_id"),
            col(SurveyRun.service_unit).label("unit"),
            col(SurveyRun.submitted_at),
            col(Answer.question_id).label("element"),
            col(Answer.value_choice).label("score"),
        )
        .join(Answer, col(Answer.run_id) == col(SurveyRun.id))
        .join(Respondent, col(Respondent.id) == col(SurveyRun.respondent_id))
        .where(
            col(SurveyRun.campaign_id) == campaign.id,
            col(SurveyRun.instrument) == "skm",
            col(SurveyRun.status) == "submitted",
            col(SurveyRun.service_unit).is_not(None),
            col(Respondent.erased).is_(False),
            col(Answer.question_id).in_(SKM_ELEMENTS),
        )
        .order_by(col(SurveyRun.id), col(Answer.id)),
    )
    if frame.empty:
        return empty_skm()
    scores = pd.to_numeric(frame["score"], errors="coerce")
    return frame.assign(score=scores).dropna(subset=["score"]).astype({"score": int})
