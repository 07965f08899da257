"""The pipeline's input end: answers of one campaign from the database, as frames.

Only pseudonyms leave the database: no Telegram ids, no local names. Erased respondents
are left out entirely.
"""

from __future__ import annotations

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
    empty_answers,
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
    answers: pd.DataFrame  # ANSWER_COLUMNS, submitted runs and imported rows
    agencies: AgencyList | None = None  # the campaign's own agency list, if it has one
    # Respondent profiles (issue 14): respondent + the profile fields, codes or None; and
    # the campaign's own regions, if it has a list.
    profiles: pd.DataFrame | None = None
    wilayah: Wilayah | None = None
    skm: pd.DataFrame | None = None  # processor.ikm.SKM_COLUMNS: submitted SKM scores


def _frame(connection: Connection, statement: Select[Any]) -> pd.DataFrame:
    """Run a select through the raw driver cursor: plain tuples build a frame ~10x faster
    than SQLAlchemy rows. The statement's values are integers and fixed strings."""
    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    driver = connection.connection.driver_connection
    if driver is None:  # a closed or detached connection
        raise RuntimeError("the connection has no driver connection")
    cursor = driver.cursor()
    try:
        cursor.execute(str(compiled))
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return pd.DataFrame(rows, columns=[c.name for c in statement.selected_columns])


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


def load_campaign_frames(*, connection: Connection, campaign: Campaign) -> CampaignFrames:
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
    # Enum columns are stored as their plain values ("submitted", "external").
    runs = runs.astype({"status": object, "instrument": object}).assign(
        source=runs["source"].astype(object).where(runs["source"].notna(), "-")
    )
    submitted = runs.loc[runs["status"] == "submitted"]
    bot = _frame(
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
        .order_by(col(Answer.id)),
    )
    frames = []
    if len(bot):
        bot = bot.merge(submitted, on="run_id", how="inner", validate="many_to_one")
        # Python's f-strings on plain ints build these ~2x faster than pandas string
        # arithmetic; the same "str" columns come out.
        ids, run_ids, blocks, items = (bot[c].tolist() for c in ("id", "run_id", "block", "item"))
        units = [f"{run}.{block}" for run, block in zip(run_ids, blocks, strict=True)]

        def column(values: list[str]) -> pd.Series:
            return pd.Series(values, index=bot.index, dtype="str")

        frames.append(
            pd.DataFrame(
                {
                    "answer_id": column([f"a{i}" for i in ids]),
                    "origin": "bot",
                    "unit": column(units),
                    "row_id": column(
                        [f"{unit}.{item}" for unit, item in zip(units, items, strict=True)]
                    ),
                    "respondent": bot["respondent"],
                    "source": bot["source"],
                    "instrument": bot["instrument"],
                    "question_id": bot["question_id"],
                    "domain": bot["domain"],
                    "text": bot["text"],
                    "number": bot["number"],
                }
            )
        )
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
        frames.append(
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
            )
        )
    answers = (
        pd.concat(frames, ignore_index=True)[list(ANSWER_COLUMNS)] if frames else empty_answers()
    )
    answers = answers.assign(
        domain=answers["domain"].astype(object).where(answers["domain"].notna(), None),
        number=answers["number"].astype(float) if len(answers) else np.array([], dtype=float),
    )
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
        profiles = pd.concat([profiles, imported_profiles], ignore_index=True)
    return CampaignFrames(
        campaign=campaign_info(campaign),
        runs=runs,
        answers=answers,
        agencies=None if own is None else AgencyList.model_validate({"agencies": own}),
        profiles=profiles,
        wilayah=None if regions is None else Wilayah.model_validate(regions),
        skm=skm,
    )


PROFILE_PREFIX = "profile_"


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
    return frame.astype(object)


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
