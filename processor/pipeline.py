"""The analysis as pure functions on pandas frames.

Each function returns new frames and never changes its inputs; none reads the clock or
touches a file or the database (that happens in `processor.load` and `processor.render`).
Work on text is done once per distinct text, because real answers repeat heavily.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

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


# --- 0. answers aggregated ---------------------------------------------------------------
# The analysis holds one row per distinct content key with its weight (`answers`), not one
# row per answer: 10M answers are ~400k distinct (question, domain, text). Per answer only
# integers are kept (Members). A row's key is every answer column but answer_id and
# respondent; unit and row_id are part of it only for answers that must stay apart (see
# `kept_apart`), and None for the others.
ROW_COLUMNS = tuple(c for c in ANSWER_COLUMNS if c not in ("answer_id", "respondent"))
KEY_COLUMNS = ROW_COLUMNS  # what makes a row
WEIGHT = "answers"  # answers a row stands for


def answer_labels(answers: np.ndarray) -> np.ndarray:
    """ "a<id>" for bot answers (positive), "i<id>" for imported ones (stored negative)."""
    return np.array([f"a{n}" if n > 0 else f"i{-n}" for n in answers.tolist()], dtype=object)


def answer_id_list(answer_ids: Iterable[object]) -> list[str]:
    """Answer ids as summary.json lists them, from answer numbers (an int array, see
    themes.theme_counts) or ids already."""
    if isinstance(answer_ids, np.ndarray) and answer_ids.dtype.kind == "i":
        return answer_labels(answer_ids).tolist()
    return [str(a) for a in answer_ids]


def answer_id_text(answer_ids: Iterable[object]) -> str:
    """Answer ids as summary.json writes them (schema 4): one space-separated string, made
    one theme at a time (see processor.summary.listed_answer_ids)."""
    return " ".join(answer_id_list(answer_ids))


def answer_number(answer_id: str) -> int:
    """The signed integer Members keeps for an answer id ("a7" -> 7, "i7" -> -7)."""
    number = int(answer_id[1:])
    return -number if answer_id.startswith("i") else number


@dataclass(frozen=True)
class Members:
    """The answers behind the rows of an aggregated frame, integers only, in answer order
    (bot answers by id, then imported ones): what counts respondents, lists answer ids
    and finds the blocks two themes share."""

    # int32 (int64 where a caller gave it so): 10M answers, 40 MB an array instead of 80.
    # Answer ids are INTEGER columns, so they fit; a larger one fails loudly in the loader.
    answer: np.ndarray  # a bot answer's id; minus an imported answer's id
    row: np.ndarray  # position of the answer's row in its frame
    respondent: np.ndarray  # position in `respondents`
    unit: np.ndarray  # int64: the answer's unit (unit_code: a run's block, a form row)
    respondents: np.ndarray  # object: the pseudonyms
    item: np.ndarray | None = None  # int8: the item (row) of the answer in its block

    def __len__(self) -> int:
        return len(self.answer)

    def of_rows(self, kept: np.ndarray, n_rows: int) -> Members:
        """The members of the rows `kept` (positions in the old frame, in their new order;
        `n_rows` rows before), each pointing at its row's new position. Itself when every
        row is kept in its place (the content table of the loader: no copy)."""
        kept = np.asarray(kept, dtype=np.int64)
        if len(kept) == n_rows and (kept == np.arange(n_rows)).all():
            return self
        new_position = np.full(n_rows, -1, dtype=np.int32)
        new_position[kept] = np.arange(len(kept), dtype=np.int32)
        rows = new_position[self.row]
        keep = rows >= 0
        return Members(
            answer=self.answer[keep],
            row=rows[keep],
            respondent=self.respondent[keep],
            unit=self.unit[keep],
            respondents=self.respondents,
            item=None if self.item is None else self.item[keep],
        )

    def regrouped(self, row_of_answer: np.ndarray) -> Members:
        """The same answers, each in the row given (positions in a new frame)."""
        return replace(self, row=np.asarray(row_of_answer, dtype=np.int32))

    def row_ids(self, chosen: np.ndarray) -> np.ndarray:
        """The row ids ("<run>.<block>.<item>", "i<form row>.0.0") of the chosen answers,
        from their unit codes (unit_code) and items."""
        items = np.zeros(len(self.answer), dtype=np.int8) if self.item is None else self.item
        units, chosen_items = self.unit[chosen].tolist(), items[chosen].tolist()
        return np.array(
            [_row_id(unit, item) for unit, item in zip(units, chosen_items, strict=True)],
            dtype=object,
        )

    def pseudonyms(self) -> np.ndarray:
        return self.respondents[self.respondent]


PAIR_CHUNK = 1_000_000  # answers looked at a time when pairing them with their rows' codes


def as_categorical(values: pd.Series) -> pd.Categorical:
    """`values` as categories: a categorical column's own (no copy), others factorised.
    Codes of a categorical are what millions of rows of few values should be counted by:
    factorising them as objects builds a hash table sized to the rows (~100 MB at 10M
    answers)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.array
    return pd.Categorical(values)


def first_positions(codes: np.ndarray, n: int) -> np.ndarray:
    """The position of each code's (0..n-1) first place in `codes`, len(codes) for a code
    that is not there. No sort: np.unique(return_index=True) of 10M codes holds ~250 MB
    while it runs."""
    at = np.full(n, len(codes), dtype=np.int64)
    np.minimum.at(at, codes, np.arange(len(codes), dtype=np.int64))
    return at


def distinct_pairs(high: np.ndarray, low: np.ndarray, width: int) -> np.ndarray:
    """The distinct values of high * width + low (0 <= low < width), sorted: np.unique's
    result, made in one int64 array sorted in place (np.unique of 10M pairs holds three
    such arrays while it runs)."""
    pairs = high.astype(np.int64)  # a copy, whatever high's type
    pairs *= width
    pairs += low
    return _distinct_in_place(pairs)


def _distinct_in_place(pairs: np.ndarray) -> np.ndarray:
    """The distinct values of `pairs`, sorted; `pairs` is sorted in place."""
    pairs.sort()
    if not len(pairs):
        return pairs
    new = np.empty(len(pairs), dtype=bool)
    new[0] = True
    np.not_equal(pairs[1:], pairs[:-1], out=new[1:])
    return pairs[new]


def distinct_answer_pairs(
    values: np.ndarray, members: Members, code_of_row: np.ndarray, width: int
) -> np.ndarray:
    """distinct_pairs of (value, code) over the answers whose row has a code: `values` one
    per answer (members.unit, members.respondent), `code_of_row` 0..width-1 per row, -1
    for none. Made a chunk of answers at a time, then the chunks' pairs together: 10M
    answers never make an array each (~250 MB while they run)."""
    parts = [np.empty(0, dtype=np.int64)]
    for chunk, codes in _coded_chunks(members, code_of_row):
        parts.append(distinct_pairs(values[chunk][codes >= 0], codes[codes >= 0], width))
    pairs = np.concatenate(parts)
    parts.clear()  # the chunks' pairs, as large as `pairs`, are let go before it is sorted
    return _distinct_in_place(pairs)


def respondent_row_codes(members: Members, code_of_row: np.ndarray, n_codes: int) -> np.ndarray:
    """A respondents-by-codes boolean matrix: True where the respondent has an answer
    whose row has that code (`code_of_row`: 0..n_codes-1 per row, -1 for none). For a
    few codes (domains) it is far smaller than the answers' pairs: 10M answers, 1.7M
    respondents, 18 domains: 30 MB, where sorting the pairs holds ~200 MB. Read a chunk
    of answers at a time, so no array of every answer is made."""
    seen = np.zeros((len(members.respondents), n_codes), dtype=bool)
    for chunk, codes in _coded_chunks(members, code_of_row):
        seen[members.respondent[chunk][codes >= 0], codes[codes >= 0]] = True
    return seen


def _coded_chunks(members: Members, code_of_row: np.ndarray) -> Iterator[tuple[slice, np.ndarray]]:
    """PAIR_CHUNK answers at a time: their slice of members and their rows' codes."""
    for start in range(0, len(members), PAIR_CHUNK):
        chunk = slice(start, start + PAIR_CHUNK)
        yield chunk, code_of_row[members.row[chunk]]


def _row_id(unit: int, item: int) -> str:
    if unit < 0:
        return f"i{-unit}.0.0"
    return f"{unit // UNIT_BLOCKS}.{unit % UNIT_BLOCKS}.{item}"


UNIT_BLOCKS = 1 << 16  # a bot unit's code: run id * UNIT_BLOCKS + block


def unit_code(run: int, block: int) -> int:
    """A bot answer's unit as an integer (an imported form row's: minus its first id)."""
    return run * UNIT_BLOCKS + block


def empty_members() -> Members:
    empty = np.empty(0, dtype=np.int64)
    return Members(empty, empty, empty, empty, np.empty(0, dtype=object))


def answer_order_key(answers: np.ndarray) -> np.ndarray:
    """A key that sorts answer numbers in answer order: bot answers by id, then imported
    ones by id."""
    answers = answers.astype(np.int64)  # after_bot - answer may not fit in int32
    after_bot = int(np.abs(answers).max(initial=0)) + 1
    return np.where(answers > 0, answers, after_bot - answers)


@dataclass(frozen=True)
class AnswerTable:
    """Answers aggregated: `rows` (ROW_COLUMNS and WEIGHT) and their Members. A staff
    row's fields, yearly targets and budgets are in `fields`, a table of their own: they
    are no content, and the analysis then keeps the content's members as they are
    instead of copying all but these (~250 MB at 10M answers)."""

    rows: pd.DataFrame
    members: Members
    fields: AnswerTable | None = None

    def in_answer_order(self) -> AnswerTable:
        """The same table with members in answer order (bot answers by id, then imported
        ones by id) and rows in the order of their first answer. The loader reads answers
        run by run (an index order: sorting 10M answers by id costs SQLite ~1 GB)."""
        fields = None if self.fields is None else self.fields.in_answer_order()
        answer = self.members.answer
        if len(answer) < 2:
            return replace(self, fields=fields)
        key = answer_order_key(answer)
        if (np.diff(key) > 0).all():
            return replace(self, fields=fields)
        order = np.argsort(key, kind="stable")
        del key  # 80 MB at 10M answers, while five arrays are put in order
        members = self.members
        members = Members(
            answer=answer[order],
            row=members.row[order],
            respondent=members.respondent[order],
            unit=members.unit[order],
            respondents=members.respondents,
            item=None if members.item is None else members.item[order],
        )
        first = first_positions(members.row, len(self.rows))
        rows_seen = np.flatnonzero(first < len(members.row))
        new_order = rows_seen[np.argsort(first[rows_seen], kind="stable")]
        position = np.empty(len(self.rows), dtype=np.int64)
        position[new_order] = np.arange(len(new_order))
        rows = self.rows.iloc[new_order].reset_index(drop=True)
        return AnswerTable(
            rows=rows, members=members.regrouped(position[members.row]), fields=fields
        )


def kept_apart(domain: object, usable: frozenset[str] | None) -> bool:
    """Answers whose domain the processor assigns per unit (no usable stored domain) keep
    their unit and row in their row's key."""
    if domain is None or domain == OTHER_DOMAIN:
        return True
    return usable is not None and domain not in usable


class _Collected:
    """The rows and per-answer integers of one table while an Aggregator builds it."""

    def __init__(self) -> None:
        self.index: dict[tuple, int] = {}
        self.keys: list[tuple] = []
        # Compact arrays: ~25 bytes an answer where lists of ints would take ~180.
        self.answer = array("i")  # int32, as Members keeps them
        self.row = array("i")
        self.respondent = array("i")
        self.unit = array("q")
        self.item = array("b")

    def add(self, answer: int, respondent: int, unit: int, key: tuple, item: int) -> None:
        row = self.index.get(key)
        if row is None:
            row = self.index[key] = len(self.keys)
            self.keys.append(key)
        self.answer.append(answer)
        self.row.append(row)
        self.respondent.append(respondent)
        self.unit.append(unit)
        self.item.append(item)

    def table(self, respondents: np.ndarray) -> AnswerTable:
        row = np.frombuffer(self.row, dtype=np.int32)
        rows = pd.DataFrame(self.keys, columns=list(ROW_COLUMNS), dtype=object)
        self.index, self.keys = {}, []
        rows[WEIGHT] = np.bincount(row, minlength=len(rows)).astype(np.int64)
        members = Members(
            answer=np.frombuffer(self.answer, dtype=np.int32),
            row=row,
            respondent=np.frombuffer(self.respondent, dtype=np.int32),
            unit=np.frombuffer(self.unit, dtype=np.int64),
            respondents=respondents,
            item=np.frombuffer(self.item, dtype=np.int8),
        )
        return AnswerTable(rows=rows, members=members)


_INTERNAL_CONTENT = frozenset(q for (i, q) in KIND_OF_QUESTION if i == "internal")


def is_staff_field(instrument: object, question_id: object) -> bool:
    """A staff row's agency, unit, baseline, yearly target or budget: no content."""
    return instrument == "internal" and question_id not in _INTERNAL_CONTENT


class Aggregator:
    """Builds an AnswerTable one answer at a time (the loader streams into it), staff
    rows' fields in its `fields` table. With `staff_apart`, staff answers keep their unit
    and row in the key too (for frames whose row ids are not unit codes and items, see
    Members.row_ids)."""

    def __init__(
        self, usable_domains: Iterable[str] | None = None, *, staff_apart: bool = False
    ) -> None:
        self.usable = None if usable_domains is None else frozenset(usable_domains) - {OTHER_DOMAIN}
        self.staff_apart = staff_apart
        self.content = _Collected()
        self.fields = _Collected()
        self.respondent_index: dict[str, int] = {}
        self.unit_index: dict[str, int] = {}
        self.seeded = np.empty(0, dtype=object)  # respondents known in advance (codes 0..)
        self.seeded_index: pd.Index | None = None

    def seed_respondents(self, pseudonyms: np.ndarray) -> None:
        """Respondents coded by position in `pseudonyms` (before any other is coded)."""
        self.seeded, self.seeded_index = pseudonyms, None

    def respondent_code(self, pseudonym: str) -> int:
        code = self.respondent_index.get(pseudonym)
        if code is not None:
            return code
        if len(self.seeded):
            if self.seeded_index is None:
                self.seeded_index = pd.Index(self.seeded)
            found = int(self.seeded_index.get_indexer([pseudonym])[0])
            if found >= 0:
                return found
        code = self.respondent_index[pseudonym] = len(self.seeded) + len(self.respondent_index)
        return code

    def unit_code(self, unit: str) -> int:
        code = self.unit_index.get(unit)
        if code is None:
            code = self.unit_index[unit] = len(self.unit_index)
        return code

    def add(self, answer: int, respondent: int, unit: int, key: tuple) -> None:
        """One answer: its number, respondent and unit codes, and its key (ROW_COLUMNS:
        origin, unit, row_id, source, instrument, question_id, domain, text, number)."""
        apart = (self.staff_apart and key[4] == "internal") or kept_apart(key[6], self.usable)
        if not apart:
            key = (key[0], None, None, *key[3:])
        self.add_key(answer, respondent, unit, key)

    def add_key(self, answer: int, respondent: int, unit: int, key: tuple, item: int = 0) -> None:
        """As add, with unit and row_id of the key already None where not kept apart."""
        collected = self.fields if is_staff_field(key[4], key[5]) else self.content
        try:
            collected.add(answer, respondent, unit, key, item)
        except OverflowError as error:  # the int32 arrays of Members
            raise ValueError(f"answer {answer}: its id does not fit in 32 bits") from error

    def table(self) -> AnswerTable:
        respondents = np.concatenate(
            [self.seeded, np.array(list(self.respondent_index), dtype=object)]
        )
        content = self.content.table(respondents)
        return replace(content, fields=self.fields.table(respondents))


def aggregate_answers(
    answers: pd.DataFrame, *, usable_domains: Iterable[str] | None = None
) -> AnswerTable:
    """A per-answer frame (ANSWER_COLUMNS, in answer order) as an AnswerTable."""
    aggregator = Aggregator(usable_domains, staff_apart=True)
    frame = answers[list(ANSWER_COLUMNS)].astype(object)
    frame = frame.where(frame.notna(), None)
    for values in frame.itertuples(index=False, name=None):
        answer_id, origin, unit, row_id, respondent, *rest = values
        aggregator.add(
            answer_number(str(answer_id)),
            aggregator.respondent_code(respondent),
            aggregator.unit_code(unit),
            (origin, unit, row_id, *rest),
        )
    return aggregator.table()


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
    if "answer_id" in answers.columns:
        target_ids = answers.loc[is_target, "answer_id"]
    elif not is_target.any():  # aggregated content: targets are in AnswerTable.fields
        target_ids = pd.Series(dtype=object)
    else:
        raise ValueError("targets are split from one row per answer (staff_answers)")
    targets = pd.DataFrame({"row_id": answers.loc[is_target, "row_id"], "answer_id": target_ids})
    targets = targets.assign(
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
    opd_codes = [rows[r].get("opd") for r in ids]
    unit_codes = [rows[r].get("unit") for r in ids]
    # One object per code, shared by its rows (readers copy what they hand on): a dict
    # for each of 270,000 rows at 10M answers would take ~250 MB.
    opd = {code: agency_json(agencies, code) for code in set(opd_codes)}
    unit = {code: _unit_json(units, code) for code in set(unit_codes)}
    return pd.DataFrame(
        {
            "opd": [opd[code] for code in opd_codes],
            "unit": [unit[code] for code in unit_codes],
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
TAG_COLUMNS = ("row", WEIGHT, "domain", "kind", "dimension")


def weights(texts: pd.DataFrame) -> np.ndarray:
    """Answers each row stands for (1 each in a per-answer frame)."""
    if WEIGHT in texts.columns:
        return texts[WEIGHT].to_numpy(dtype=np.int64)
    return np.ones(len(texts), dtype=np.int64)


def tag_dimensions(texts: pd.DataFrame, tagger: DimensionTagger) -> pd.DataFrame:
    """Long frame (row, answers, domain, kind, dimension): every dimension of every obstacle
    row of `texts` (row: its position there; answers: the answers it stands for)."""
    is_obstacle = texts["kind"].isin(OBSTACLE_KINDS).to_numpy()
    obstacles = texts.loc[is_obstacle]
    codes, uniques = pd.factorize(obstacles["words"])
    if len(uniques) == 0:
        return pd.DataFrame(
            {c: pd.Series(dtype=int if c in ("row", WEIGHT) else object) for c in TAG_COLUMNS}
        )
    first_rows = np.unique(codes, return_index=True)[1]
    tags = tagger.tag(obstacles.iloc[first_rows].reset_index(drop=True))
    # Fan each distinct text's tags out to the answers that share it.
    per_answer = pd.DataFrame({"text_index": codes, "position": range(len(codes))})
    merged = per_answer.merge(tags, on="text_index", how="inner").sort_values(
        ["position", "dimension"], kind="stable"
    )
    positions = merged["position"].to_numpy()
    picked = obstacles.iloc[positions]
    return pd.DataFrame(
        {
            "row": np.flatnonzero(is_obstacle)[positions],
            WEIGHT: weights(obstacles)[positions],
            "domain": picked["domain"].to_numpy(),
            "kind": picked["kind"].to_numpy(),
            "dimension": merged["dimension"].to_numpy(),
        }
    )


def members_of_answers(answers: pd.DataFrame) -> Members:
    """Members of a per-answer frame (answer_id, respondent, unit): one answer a row."""
    respondent, pseudonyms = pd.factorize(answers["respondent"].astype(object))
    unit, _ = pd.factorize(answers["unit"].astype(object))
    return Members(
        answer=np.array([answer_number(str(a)) for a in answers["answer_id"]], dtype=np.int64),
        row=np.arange(len(answers), dtype=np.int64),
        respondent=respondent.astype(np.int64),
        unit=unit.astype(np.int64),
        respondents=np.asarray(pseudonyms, dtype=object),
        item=np.zeros(len(answers), dtype=np.int8),
    )


def answer_rows(
    texts: pd.DataFrame, members: Members, rows: np.ndarray | None = None
) -> pd.DataFrame:
    """One row per answer (of the rows `rows` of `texts`, a boolean mask; all by default):
    its row's columns with its own answer_id and respondent, in answer order. For what
    reads single answers (staff rows, curation); the analysis itself counts with weights."""
    chosen = np.ones(len(members), dtype=bool) if rows is None else np.asarray(rows)[members.row]
    positions = members.row[chosen]
    frame = texts.iloc[positions].reset_index(drop=True)
    return frame.assign(
        answer_id=answer_labels(members.answer[chosen]),
        respondent=members.respondents[members.respondent[chosen]],
        **{WEIGHT: 1},
    )


def staff_answers(texts: pd.DataFrame, members: Members, rows: np.ndarray) -> pd.DataFrame:
    """answer_rows of staff rows, each with its row_id (from its unit and item where its
    row was aggregated: processor.load does not keep staff answers apart)."""
    frame = answer_rows(texts, members, rows)
    missing = frame["row_id"].isna().to_numpy()
    if not missing.any():
        return frame
    chosen = np.flatnonzero(np.asarray(rows)[members.row])
    row_id = frame["row_id"].to_numpy(dtype=object).copy()
    row_id[missing] = members.row_ids(chosen[missing])
    return frame.assign(row_id=row_id)
