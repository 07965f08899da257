"""The analysis as pure functions on pandas frames.

Each function returns new frames and never changes its inputs; none reads the clock or
touches a file or the database (that happens in `processor.load` and `processor.render`).
Work on text is done once per distinct text, because real answers repeat heavily.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from processor.vocabulary import (
    ANSWER_BREAK,
    OTHER_DOMAIN,
    UNMAPPED,
    DimensionTagger,
    DomainClassifier,
)
from shared.spelling import SpellingRules
from shared.survey_data import AgencyList, UnitList
from shared.text import TextTools

# citizen_complaint: a report of a complaint channel (processor/lapor.py, issue 11 item 6),
# grouped by domain and theme like a need or an obstacle.
CITIZEN_KINDS = (
    "citizen_need",
    "citizen_reason",
    "citizen_obstacle",
    "citizen_strategy",
    "citizen_complaint",
)
STAFF_KINDS = (
    "staff_need",
    "staff_obstacle",
    "staff_realisation",
    "staff_strategy",
    "staff_target",
)
KINDS = CITIZEN_KINDS + STAFF_KINDS
OBSTACLE_KINDS = ("citizen_obstacle", "staff_obstacle")

# Which stored question is which kind of content; everything else (the domain choice,
# the yes/no "another need?" navigation) is not content.
KIND_OF_QUESTION: Mapping[tuple[str, str], str] = {
    ("external", "need"): "citizen_need",
    ("external", "reason"): "citizen_reason",
    ("external", "obstacle"): "citizen_obstacle",
    ("external", "strategy"): "citizen_strategy",
    ("external", "complaint"): "citizen_complaint",
    ("external", "complaint_confidential"): "citizen_complaint",  # Rahasia: never quoted
    ("internal", "need"): "staff_need",
    ("internal", "obstacle"): "staff_obstacle",
    ("internal", "realisation"): "staff_realisation",
    ("internal", "strategy"): "staff_strategy",
    ("internal", "target_indicator"): "staff_target",
    # The SKM's closing suggestion is a citizen's suggestion for the unit's domain (issue 14).
    ("skm", "saran"): "citizen_strategy",
}
_YEAR_TARGET = re.compile(r"^target_y(\d+)$")
# A staff row's structured fields (internal v2): the codes of its agency and unit (stored
# as the answer's text), its baseline and the baseline's year, and a budget per plan year.
STAFF_FIELD_QUESTIONS = ("opd", "unit", "baseline", "baseline_year")
_YEAR_BUDGET = re.compile(r"^budget_y(\d+)$")

STREAM_COLUMNS = ("words", "word_stems", "norm", "stems")

ANSWER_COLUMNS = (
    "answer_id",  # "a<id>" for bot answers, "i<id>" for imported ones
    "origin",  # "bot" or "import"
    "unit",  # what shares one domain: a run's block, or an imported form row
    "row_id",  # "<run>.<block>.<item>": one need row (staff rows in the gap matrix)
    "respondent",  # pseudonym
    "source",  # venue of the deep link, "impor:<file>" for imports, "-" when unknown
    "instrument",
    "question_id",
    "domain",  # as stored: None for imported rows without one
    "text",
    "number",
)


@dataclass(frozen=True)
class Parameters:
    """Tuning of the analysis; the defaults are what the README documents."""

    spelling: SpellingRules | None = SpellingRules()  # None: no corpus spelling corrections
    domain_threshold: float = 0.35  # below this confidence an answer stays unmapped
    theme_distance: float = 0.75  # cosine distance (average linkage) that still joins
    theme_cap: int = 2000  # distinct texts per (domain, kind) clustered exactly
    tail_similarity: float = 0.3  # long-tail text joins its nearest theme from here
    min_citizen_theme_answers: int = 2  # smaller citizen themes go to "lainnya"
    min_staff_theme_answers: int = 1  # staff rows are few and deliberate: keep them
    gap_similarity: float = 0.25  # a staff row field addresses a need theme from here
    quotes: int = 3
    label_candidates: int = 3  # the label is the tidiest answer of this many keys
    keywords: int = 5
    label_length: int = 120


def empty_answers() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=object) for column in ANSWER_COLUMNS})


# --- 1. content and targets -----------------------------------------------------------
def split_content(
    answers: pd.DataFrame, *, plan_years: Sequence[int]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Text answers with their kind, and the staff's yearly targets.

    Returns (texts, targets); targets has row_id, year and value.
    """
    kind_by_key = {f"{i}:{q}": kind for (i, q), kind in KIND_OF_QUESTION.items()}
    kinds = (
        (answers["instrument"].astype(str) + ":" + answers["question_id"].astype(str))
        .map(kind_by_key)
        .astype(object)
    )
    text = answers["text"].astype(object).where(answers["text"].notna(), "")
    has_text = text.str.strip().str.len() > 0
    texts = answers.loc[kinds.notna() & has_text].assign(
        kind=kinds, text=lambda frame: frame["text"].str.strip()
    )
    year_index = answers["question_id"].str.extract(_YEAR_TARGET, expand=False)
    is_target = year_index.notna() & answers["number"].notna()
    targets = answers.loc[is_target, ["row_id", "answer_id"]].assign(
        position=year_index[is_target].astype(int) - 1,
        value=answers.loc[is_target, "number"].astype(float),
    )
    years = list(plan_years)
    targets = targets.loc[targets["position"].between(0, len(years) - 1)]
    targets = targets.assign(year=[years[position] for position in targets["position"]]).drop(
        columns="position"
    )
    return texts.reset_index(drop=True), targets.reset_index(drop=True)


def staff_fields(
    answers: pd.DataFrame,
    *,
    plan_years: Sequence[int],
    agencies: AgencyList,
    units: UnitList,
) -> pd.DataFrame:
    """Per staff row (index row_id): `opd` and `unit` as their summary.json objects (None
    when not given, or a code the lists no longer hold), `baseline` ({value, year} or None)
    and `budget` ({"<plan year>": Rp}). Rows without any of these fields are absent."""
    internal = answers.loc[answers["instrument"].astype(str) == "internal"]
    question = internal["question_id"].astype(str)
    budget_index = question.str.extract(_YEAR_BUDGET, expand=False)
    wanted = internal.loc[question.isin(STAFF_FIELD_QUESTIONS) | budget_index.notna()]
    years = list(plan_years)
    rows: dict[str, dict] = {}
    for row_id, question_id, text, number in zip(
        wanted["row_id"], wanted["question_id"], wanted["text"], wanted["number"], strict=True
    ):
        row = rows.setdefault(row_id, {"budget": {}})
        match = _YEAR_BUDGET.match(question_id)
        if match:
            position = int(match.group(1)) - 1
            if 0 <= position < len(years) and pd.notna(number):
                row["budget"][str(years[position])] = float(number)
        elif question_id in ("opd", "unit") and isinstance(text, str):
            row[question_id] = text.strip()
        elif pd.notna(number):
            row[question_id] = float(number)
    columns = ["opd", "unit", "baseline", "budget"]
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns}).rename_axis("row_id")
    ids = sorted(rows)
    return pd.DataFrame(
        {
            "opd": [agency_json(agencies, rows[r].get("opd")) for r in ids],
            "unit": [_unit_json(units, rows[r].get("unit")) for r in ids],
            "baseline": [_baseline_json(rows[r]) for r in ids],
            "budget": [dict(sorted(rows[r]["budget"].items())) for r in ids],
        },
        index=pd.Index(ids, name="row_id"),
        dtype=object,
    )


def agency_json(agencies: AgencyList, code: str | None) -> dict | None:
    agency = agencies.by_code.get(code) if code else None
    if agency is None:
        return None
    return {
        "code": agency.code,
        "name": {"id": agency.name.id, "en": agency.name.en},
        "short": agency.short,
    }


def _unit_json(units: UnitList, code: str | None) -> dict | None:
    unit = units.by_code.get(code) if code else None
    if unit is None:
        return None
    return {
        "code": unit.code,
        "name": {"id": unit.name.id, "en": unit.name.en},
        "whole": unit.whole,
    }


def _baseline_json(row: Mapping) -> dict | None:
    if "baseline" not in row:
        return None
    year = row.get("baseline_year")
    return {"value": row["baseline"], "year": int(year) if year is not None else None}


# --- 2. normalised text -----------------------------------------------------------------
def add_text_streams(
    texts: pd.DataFrame,
    tools: TextTools,
    *,
    spelling: SpellingRules | None = None,
    anchors: Iterable[str] = (),
) -> pd.DataFrame:
    """Adds the normalised streams (words, word_stems, norm, stems) of every text, and
    `typos`: how many of its tokens the spelling corrections changed (see shared.spelling;
    anchors are the keyword tokens of the data files)."""
    codes, uniques = pd.factorize(texts["text"])
    analysed = tools.analyse(uniques, spelling=spelling, anchors=anchors)
    streams = pd.DataFrame([analysed[text] for text in uniques], columns=[*STREAM_COLUMNS, "typos"])
    # Object columns share the distinct texts' strings; a string dtype would copy each.
    columns = {
        name: pd.Series(
            streams[name].to_numpy(dtype=object)[codes], index=texts.index, dtype=object
        )
        for name in STREAM_COLUMNS
    }
    columns["typos"] = pd.Series(
        streams["typos"].to_numpy(dtype=np.int32)[codes], index=texts.index
    )
    return texts.assign(**columns)


# --- 3. domains -------------------------------------------------------------------------
def assign_domains(
    texts: pd.DataFrame,
    classifier: DomainClassifier,
    *,
    known_domains: Sequence[str],
    threshold: float,
) -> pd.DataFrame:
    """Keeps the respondent's domain; gives one to units without a usable one.

    A unit (a run's domain block, or one imported form row) is classified on all its
    texts together, so a short "karena jauh" is read with the need it explains.
    Adds domain_source ("respondent", "assigned" or "unmapped") and domain_confidence.
    """
    usable = set(known_domains) - {OTHER_DOMAIN}
    stored = texts["domain"].astype(object)
    needs_domain = ~stored.isin(usable)
    domain = stored.where(~needs_domain, None)
    source = pd.Series(np.where(needs_domain, "unmapped", "respondent"), index=texts.index)
    confidence = pd.Series(np.nan, index=texts.index)
    if needs_domain.any():
        pending = texts.loc[needs_domain]
        # ANSWER_BREAK stops keyword phrases from matching across two answers.
        # A long text's subject (its headline) weighs more than what it mentions in passing.
        text_codes, distinct = pd.factorize(pending["text"])
        subject = pd.Series(
            np.array([classifier.subject(text) for text in distinct], dtype=object)[text_codes],
            index=pending.index,
        )
        columns = (*STREAM_COLUMNS, "subject")
        joined: dict[str, list[list[str]]] = {}
        for unit, *streams in zip(
            pending["unit"], *(pending[c] for c in STREAM_COLUMNS), subject, strict=True
        ):
            parts = joined.setdefault(unit, [[] for _ in columns])
            for part, value in zip(parts, streams, strict=True):
                part.append(value)
        unit_names = sorted(joined)
        units = pd.DataFrame(
            {
                column: [f" {ANSWER_BREAK} ".join(joined[u][i]) for u in unit_names]
                for i, column in enumerate(columns)
            },
            index=pd.Index(unit_names, name="unit"),
            dtype=object,
        )
        codes, uniques = pd.factorize(units["words"])
        first_of_each = units.iloc[np.unique(codes, return_index=True)[1]]
        subjects = [s if s.strip(f" {ANSWER_BREAK}") else "" for s in first_of_each["subject"]]
        verdict = classifier.classify(first_of_each, threshold=threshold, subjects=subjects)
        unit_domain = pd.Series(verdict["domain"].to_numpy()[codes], index=units.index)
        unit_confidence = pd.Series(verdict["confidence"].to_numpy()[codes], index=units.index)
        domain.loc[needs_domain] = pending["unit"].map(unit_domain).to_numpy()
        confidence.loc[needs_domain] = pending["unit"].map(unit_confidence).to_numpy()
        assigned = needs_domain & (domain != UNMAPPED)
        source.loc[assigned] = "assigned"
    return texts.assign(domain=domain, domain_source=source, domain_confidence=confidence)


# --- 4. obstacle dimensions ---------------------------------------------------------------
def tag_dimensions(texts: pd.DataFrame, tagger: DimensionTagger) -> pd.DataFrame:
    """Long frame (answer_id, domain, kind, dimension): every dimension of every obstacle."""
    obstacles = texts.loc[texts["kind"].isin(OBSTACLE_KINDS)]
    codes, uniques = pd.factorize(obstacles["words"])
    if len(uniques) == 0:
        return pd.DataFrame(
            {c: pd.Series(dtype=object) for c in ("answer_id", "domain", "kind", "dimension")}
        )
    first_rows = np.unique(codes, return_index=True)[1]
    tags = tagger.tag(obstacles.iloc[first_rows].reset_index(drop=True))
    # Fan each distinct text's tags out to the answers that share it.
    per_answer = pd.DataFrame({"text_index": codes, "position": range(len(codes))})
    merged = per_answer.merge(tags, on="text_index", how="inner").sort_values(
        ["position", "dimension"], kind="stable"
    )
    picked = obstacles.iloc[merged["position"].to_numpy()]
    return pd.DataFrame(
        {
            "answer_id": picked["answer_id"].to_numpy(),
            "domain": picked["domain"].to_numpy(),
            "kind": picked["kind"].to_numpy(),
            "dimension": merged["dimension"].to_numpy(),
        }
    )
