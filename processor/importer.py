"""Import answers from paper FGD forms (or other channels) in CSV or XLSX files.

One file row is one form row: for citizens a need with its reason, obstacle and
strategy; for staff a need row with its obstacle, realisation, strategy, agency (OPD),
indicator with its unit and baseline, yearly targets and indicative budgets. Checking
(`parse_rows`) is pure; `import_rows` writes the good rows in the caller's transaction,
so a crash leaves nothing of the file behind.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
from sqlmodel import Session, delete, select

from shared import crud
from shared.models import Campaign, ImportedAnswer, Instrument
from shared.numbers import format_number, parse_number
from shared.survey_data import AgencyList, DomainList, UnitList, name_key

# Column names, with the Indonesian headings a paper form would carry.
COLUMNS: Mapping[str, Mapping[str, str]] = {
    "external": {
        "need": "need",
        "kebutuhan": "need",
        "reason": "reason",
        "alasan": "reason",
        "obstacle": "obstacle",
        "hambatan": "obstacle",
        "strategy": "strategy",
        "strategi": "strategy",
    },
    "internal": {
        "need": "need",
        "kebutuhan": "need",
        "obstacle": "obstacle",
        "kendala": "obstacle",
        "hambatan": "obstacle",
        "realisation": "realisation",
        "realisasi": "realisation",
        "strategy": "strategy",
        "strategi": "strategy",
        "target_indicator": "target_indicator",
        "indikator": "target_indicator",
        "opd": "opd",
        "dinas": "opd",
        "perangkat_daerah": "opd",
        "instansi": "opd",
        "agency": "opd",
        "unit": "unit",
        "satuan": "unit",
        "baseline": "baseline",
        "nilai_awal": "baseline",
        "nilai_dasar": "baseline",
        "baseline_year": "baseline_year",
        "tahun_baseline": "baseline_year",
        "tahun_dasar": "baseline_year",
        "tahun_nilai_awal": "baseline_year",
    },
}
# A staff row's fields that are no answer text: the agency and unit (stored as codes) and
# the numbers of the baseline and its year.
_STRUCTURED = ("opd", "unit", "baseline", "baseline_year")
_YEARLY = ("target_y", "budget_y")  # target_y<n>, budget_y<n>
COMMON_COLUMNS = {
    "respondent": "respondent",
    "responden": "respondent",
    "domain": "domain",
    "bidang": "domain",
}
_TARGET = re.compile(r"^(?:target|sasaran)_(?:y(\d)|(\d{4}))$")
# pagu_2027, pagu_indikatif_y1, anggaran_2028, budget_y3
_BUDGET = re.compile(r"^(?:budget|pagu|pagu_indikatif|anggaran)_(?:y(\d)|(\d{4}))$")
EARLIEST_BASELINE_YEAR = 2000  # as the questionnaire's baseline_year question


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, unknown columns, no content)."""


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet shows it: the header is row 1
    reason: str


@dataclass(frozen=True)
class FormRow:
    row: int
    respondent: str | None
    domain: str | None
    texts: Mapping[str, str]  # question id -> text (opd and unit: their codes)
    numbers: Mapping[str, float]  # target_y<n>, budget_y<n>, baseline, baseline_year -> value


@dataclass(frozen=True)
class ImportReport:
    file: str
    rows: int = 0
    answers: int = 0
    replaced: int = 0
    errors: list[RowError] = field(default_factory=list)


def read_table(path: Path) -> pd.DataFrame:
    """Every cell as text ("" when empty), header names normalised."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                sep=None,
                engine="python",
                encoding="utf-8-sig",
            )
        elif suffix in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
        else:
            raise ImportFileError(f"{path.name}: use a .csv or .xlsx file")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"{path.name}: cannot read it: {exc}") from exc
    frame.columns = [re.sub(r"\s+", "_", str(column).strip().lower()) for column in frame.columns]
    return frame


def column_plan(
    columns: Sequence[str], *, instrument: str, plan_years: Sequence[int]
) -> dict[str, str]:
    """Map each file column to what it holds; unknown columns stop the import."""
    plan: dict[str, str] = {}
    unknown: list[str] = []
    for column in columns:
        if column in COMMON_COLUMNS:
            plan[column] = COMMON_COLUMNS[column]
        elif column in COLUMNS[instrument]:
            plan[column] = COLUMNS[instrument][column]
        elif instrument == "internal" and (match := _TARGET.match(column) or _BUDGET.match(column)):
            index = int(match.group(1)) if match.group(1) else None
            if index is None and int(match.group(2)) in plan_years:
                index = list(plan_years).index(int(match.group(2))) + 1
            if index is None or not 1 <= index <= len(plan_years):
                unknown.append(column)
            else:
                kind = "target" if match.re is _TARGET else "budget"
                plan[column] = f"{kind}_y{index}"
        elif column.startswith("unnamed:"):
            continue  # an empty spreadsheet column
        else:
            unknown.append(column)
    if unknown:
        allowed = sorted({*COMMON_COLUMNS, *COLUMNS[instrument]})
        if instrument == "internal":
            allowed.append("target_<year> or target_y<n>")
            allowed.append("pagu_<year> or pagu_y<n>")
        raise ImportFileError(f"unknown column(s) {', '.join(unknown)}; use: {', '.join(allowed)}")
    if len(set(plan.values())) != len(plan):
        raise ImportFileError("two columns hold the same field")
    if not set(plan.values()) & (set(COLUMNS[instrument].values()) - set(_STRUCTURED)):
        raise ImportFileError("no answer column: the file needs at least a need column")
    return plan


def parse_rows(
    frame: pd.DataFrame,
    *,
    instrument: str,
    domains: DomainList,
    plan_years: Sequence[int],
    max_length: int,
    target_range: tuple[float | None, float | None] = (None, None),
    budget_range: tuple[float | None, float | None] = (None, None),
    agencies: AgencyList | None = None,
    units: UnitList | None = None,
) -> tuple[list[FormRow], list[RowError]]:
    """Check every row; return the good ones and the reasons of the bad ones.
    `target_range` is the (min, max) the questionnaire allows a yearly target (and a
    baseline), `budget_range` a yearly budget; `agencies` and `units` are the lists an OPD
    and a unit are checked against (the campaign's agencies)."""
    ranges = {"target_y": target_range, "budget_y": budget_range, "baseline": target_range}
    plan = column_plan(list(frame.columns), instrument=instrument, plan_years=plan_years)
    good: list[FormRow] = []
    errors: list[RowError] = []
    for offset, record in enumerate(frame.to_dict("records")):
        row = offset + 2  # header is row 1
        values = {plan[c]: str(v).strip() for c, v in record.items() if c in plan}
        if not any(values.values()):
            continue  # blank spreadsheet row
        problems: list[str] = []
        domain_text = values.pop("domain", "")
        domain = domains.by_name.get(name_key(domain_text)) if domain_text else None
        if domain_text and domain is None:
            problems.append(f"unknown domain {domain_text!r}")
        respondent = values.pop("respondent", "") or None
        texts: dict[str, str] = {}
        numbers: dict[str, float] = {}
        for key, value in values.items():
            if not value:
                continue
            if key in ("opd", "unit"):
                code = _named(key, value, agencies if key == "opd" else units, problems)
                if code is not None:
                    texts[key] = code
            elif key == "baseline_year":
                year = _baseline_year(value, plan_years, problems)
                if year is not None:
                    numbers[key] = year
            elif key == "baseline" or key.startswith(_YEARLY):
                number = _number(key, value, ranges[key.rstrip("0123456789")], problems)
                if number is not None:
                    numbers[key] = number
            elif len(value) > max_length:
                problems.append(f"{key}: longer than {max_length} characters")
            else:
                texts[key] = value
        problems += _row_consistency(texts, numbers, units)
        if not any(
            v for k, v in values.items() if k not in _STRUCTURED and not k.startswith(_YEARLY)
        ):
            problems.append("no answer text in the row")
        if problems:
            errors.append(RowError(row=row, reason="; ".join(problems)))
        else:
            good.append(
                FormRow(row=row, respondent=respondent, domain=domain, texts=texts, numbers=numbers)
            )
    return good, errors


def _named(
    key: str, value: str, names: AgencyList | UnitList | None, problems: list[str]
) -> str | None:
    """The code of the agency or unit `value` names (code, name, short name or alias)."""
    what = "OPD" if key == "opd" else "unit"
    found = names.find(value) if names is not None else None
    if found is not None:
        return found.code
    if isinstance(names, UnitList):
        problems.append(
            f"unknown unit {value!r}; use one of: "
            + ", ".join(unit.name.id for unit in names.units)
        )
    else:
        problems.append(f"unknown {what} {value!r} (see `rembuk campaign agencies`)")
    return None


def _number(
    key: str, value: str, limits: tuple[float | None, float | None], problems: list[str]
) -> float | None:
    number = parse_number(value, "id")  # as the bot reads a typed number
    low, high = limits
    if number is None:
        problems.append(f"{key}: {value!r} is not a number")
    elif (low is not None and number < low) or (high is not None and number > high):
        allowed = "–".join("…" if x is None else format_number(x, "en") for x in (low, high))
        problems.append(f"{key}: {value} is outside {allowed}")
    else:
        return number
    return None


def _baseline_year(value: str, plan_years: Sequence[int], problems: list[str]) -> float | None:
    """A four-digit year with data: before the plan's first year, as the bot asks it."""
    latest = plan_years[0] - 1 if plan_years else 9999
    typed = value.strip().removesuffix(".0")  # a spreadsheet's 2025.0
    if typed.isdigit() and len(typed) == 4 and EARLIEST_BASELINE_YEAR <= int(typed) <= latest:
        return float(typed)
    problems.append(
        f"baseline_year: {value!r} is not a year from {EARLIEST_BASELINE_YEAR} to {latest}"
    )
    return None


def _row_consistency(
    texts: Mapping[str, str], numbers: Mapping[str, float], units: UnitList | None
) -> list[str]:
    """A baseline's year needs a baseline, and a unit that counts whole things takes no
    decimals (the bot refuses 146,2 desa as well)."""
    problems = []
    if "baseline_year" in numbers and "baseline" not in numbers:
        problems.append("baseline_year given without a baseline")
    unit = units.by_code.get(texts["unit"]) if units is not None and "unit" in texts else None
    if unit is not None and unit.whole:
        for key, number in numbers.items():
            if (key == "baseline" or key.startswith("target_y")) and not number.is_integer():
                problems.append(
                    f"{key}: {format_number(number, 'en')} is not a whole number of {unit.name.en}"
                )
    return problems


def _answer_record(
    *,
    campaign: Campaign,
    instrument: str,
    file: str,
    form: FormRow,
    label: str | None,
    question_id: str,
    text: str | None,
    number: float | None,
    now: datetime,
) -> ImportedAnswer:
    return ImportedAnswer(
        campaign_id=campaign.id,
        instrument=Instrument(instrument),
        source_file=file,
        source_row=form.row,
        respondent_label=label,
        question_id=question_id,
        domain=form.domain,
        value_text=text,
        value_number=number,
        imported_at=now,
    )


def import_rows(
    *,
    session: Session,
    campaign: Campaign,
    instrument: str,
    file: str,
    rows: Sequence[FormRow],
    pseudonym_key: str,
    now: datetime,
    replace: bool = False,
    on_row: Callable[[FormRow], None] | None = None,
) -> tuple[int, int]:
    """Add the rows to the session (the caller commits); returns (answers, replaced).

    Respondent labels from the form are stored only as pseudonyms.
    """
    existing = select(ImportedAnswer.id).where(
        ImportedAnswer.campaign_id == campaign.id, ImportedAnswer.source_file == file
    )
    previous = len(session.exec(existing).all())
    if previous and not replace:
        raise ImportFileError(
            f"{file} was already imported into {campaign.code} ({previous} answers); "
            "use --replace to load it again"
        )
    if previous:
        session.exec(  # type: ignore[call-overload]
            delete(ImportedAnswer).where(
                ImportedAnswer.campaign_id == campaign.id, ImportedAnswer.source_file == file
            )
        )
    count = 0
    for form in rows:
        label = (
            crud.make_pseudonym(
                key=pseudonym_key, identity=f"import:{campaign.code}:{form.respondent}"
            )
            if form.respondent
            else None
        )
        values = [(q, text, None) for q, text in form.texts.items()]
        values += [(q, None, number) for q, number in form.numbers.items()]
        for question_id, text, number in values:
            session.add(
                _answer_record(
                    campaign=campaign,
                    instrument=instrument,
                    file=file,
                    form=form,
                    label=label,
                    question_id=question_id,
                    text=text,
                    number=number,
                    now=now,
                )
            )
            count += 1
        if on_row is not None:
            on_row(form)
    session.flush()
    return count, previous
