"""Import answers from paper FGD forms (or other channels) in CSV or XLSX files.

One file row is one form row: for citizens a need with its reason, obstacle and
strategy; for staff a need row with its obstacle, realisation, strategy, agency (OPD),
indicator with its unit and baseline, yearly targets and indicative budgets. Checking
(`parse_rows`) is pure; `import_rows` writes the good rows in the caller's transaction,
so a crash leaves nothing of the file behind.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import logging
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from processor.profile_columns import PROFILE_COLUMNS, profile_codes
from shared import crud
from shared.clean import clean_text
from shared.models import Campaign, ImportedAnswer, ImportedFile, Instrument, stored_id
from shared.numbers import format_number, parse_number
from shared.survey_data import AgencyList, DomainList, UnitList, name_key

logger = logging.getLogger(__name__)

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
    **PROFILE_COLUMNS,  # optional respondent profile (issue 14), kept apart from answers
}
_DELIMITERS = ",;\t|"
_BATCH = 5000  # answers per bulk insert: few round trips, bounded memory
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


def file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes: the same content under another name is recognised."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def read_table(
    path: Path, *, max_bytes: int | None = None, max_rows: int | None = None
) -> pd.DataFrame:
    """Every cell as text ("" when empty), header names normalised, XML-illegal characters
    replaced. A file over `max_bytes` (uncompressed) or `max_rows` data rows is refused
    before it is read. Messages do not repeat the file's name: the caller prefixes it."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xlsm"):
        raise ImportFileError("use a .csv or .xlsx file")
    try:
        if suffix == ".csv":
            _check_csv_bounds(path, max_bytes, max_rows)
            header, rows = _read_csv(path, max_rows)
        else:
            _check_xlsx_bounds(path, max_bytes)
            header, rows = _read_xlsx(path, max_rows)
    except UnicodeDecodeError:
        raise ImportFileError(
            'the file is neither UTF-8 nor Windows-1252 text; save it as "CSV UTF-8"'
        ) from None
    except (zipfile.BadZipFile, CalamineError):
        raise ImportFileError(
            "not a readable .xlsx file; save it again from a spreadsheet"
        ) from None
    except OSError as exc:  # its message would repeat the path: the caller names the file
        raise ImportFileError(f"cannot read it: {exc.strerror or exc}") from exc
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise ImportFileError(
                'a quote (") is opened and never closed; nothing was imported'
            ) from None
        raise ImportFileError(f"cannot read it: {exc}") from exc
    except ValueError as exc:
        raise ImportFileError(f"cannot read it: {exc}") from exc
    return pd.DataFrame(rows, columns=_column_names(header), dtype=object)


def _limit_error(what: str, value: float, limit: float, variable: str) -> ImportFileError:
    return ImportFileError(
        f"the file is too large ({what} {value:,.0f}, the limit is {limit:,.0f}; "
        f"raise {variable} or split the file)"
    )


def _check_csv_bounds(path: Path, max_bytes: int | None, max_rows: int | None) -> None:
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise _limit_error("bytes", size, max_bytes, "REMBUK_IMPORT_MAX_BYTES")
    if max_rows is None:
        return
    # Every row takes at least one line, so more lines than the limit (plus the header)
    # refuses the file without parsing it; counting newlines streams in constant memory.
    lines = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            lines += block.count(b"\n")
    if lines - 1 > max_rows:
        raise _limit_error("lines", lines, max_rows, "REMBUK_IMPORT_MAX_ROWS")


def _check_xlsx_bounds(path: Path, max_bytes: int | None) -> None:
    """A zip's declared sizes bound what can be read from it (zipfile stops there)."""
    if max_bytes is None:
        return
    with zipfile.ZipFile(path) as archive:
        expanded = sum(info.file_size for info in archive.infolist())
    size = max(expanded, path.stat().st_size)
    if size > max_bytes:
        raise _limit_error("bytes uncompressed", size, max_bytes, "REMBUK_IMPORT_MAX_BYTES")


def _delimiter(header_line: str) -> str:
    """The delimiter that splits the header into the most fields (a comma when none does).
    Only the header is looked at: its names hold no delimiter, unlike free-text answers,
    and a one-column file is not taken apart at some letter."""
    counts = {d: len(next(csv.reader([header_line], delimiter=d))) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])  # ties: the earlier one
    return best if counts[best] > 1 else ","


def csv_encoding(path: Path) -> str:
    """UTF-8 (with or without a BOM) when every byte decodes as UTF-8; otherwise
    Windows-1252, what Excel on an Indonesian Windows writes for "CSV (Comma delimited)".
    UTF-16 ("Unicode Text", with its byte-order mark) is refused: read as either, every
    other byte would be a NUL. So is a file that is neither, before anything is read."""
    with path.open("rb") as handle:
        if handle.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            raise ImportFileError('the file is UTF-16 text; save it as "CSV UTF-8"')
    if _decodes(path, "utf-8"):
        return "utf-8-sig"
    if _decodes(path, "cp1252"):
        return "cp1252"
    raise ImportFileError('the file is neither UTF-8 nor Windows-1252 text; save it as "CSV UTF-8"')


def _decodes(path: Path, encoding: str) -> bool:
    """Whether the whole file decodes (a block at a time: a character may span two)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _read_csv(path: Path, max_rows: int | None) -> tuple[list[str], list[list[str]]]:
    encoding = csv_encoding(path)
    if encoding != "utf-8-sig":
        logger.warning("%s is not UTF-8: read as Windows-1252", path.name)
    with path.open(encoding=encoding, newline="") as handle:
        first = next((line for line in handle if line.strip()), None)
    if first is None:
        raise ImportFileError("the file is empty")
    with path.open(encoding=encoding, newline="") as handle:
        # Cleaned line by line (line breaks are kept, so the CSV's structure is unchanged):
        # one regex pass per line instead of one per cell.
        lines = (clean_text(line) for line in handle)
        # strict: a quote opened and never closed is an error, not a cell that swallows
        # every row after it.
        records = csv.reader(lines, delimiter=_delimiter(first), strict=True)
        header = next((cells for cells in records if any(c.strip() for c in cells)), [])
        return header, _fit_rows(header, records, max_rows)


def _xlsx_text(value: object) -> str:
    if isinstance(value, str):
        return clean_text(value)  # calamine has decoded the _xHHHH_ escapes already
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 1250.0 is written 1250, as pandas did
    return "" if value is None else str(value)


def _read_xlsx(path: Path, max_rows: int | None) -> tuple[list[str], list[list[str]]]:
    """The first sheet. calamine holds it in compact native memory (bounded by the
    uncompressed size check); rows become Python strings one at a time."""
    book = CalamineWorkbook.from_path(str(path))
    try:
        sheet = book.get_sheet_by_index(0)
        if max_rows is not None and sheet.height - 1 > max_rows:
            raise _limit_error("rows", sheet.height - 1, max_rows, "REMBUK_IMPORT_MAX_ROWS")
        records = ([_xlsx_text(value) for value in row] for row in sheet.iter_rows())
        header = next(records, [])
        if not any(header):
            raise ImportFileError("the file is empty (no header row in its first sheet)")
        return header, _fit_rows(header, records, max_rows)
    finally:
        book.close()


def _fit_rows(
    header: list[str], records: Iterator[list[str]], max_rows: int | None
) -> list[list[str]]:
    """Rows cut or padded to the header's width. Empty cells past the header (a trailing
    delimiter) are dropped; a row with text past the header refuses the file, since its
    cells cannot be matched to columns."""
    width = len(header)
    rows: list[list[str]] = []
    for number, cells in enumerate(records, start=2):
        if max_rows is not None and len(rows) >= max_rows:
            raise _limit_error("rows", len(rows) + 1, max_rows, "REMBUK_IMPORT_MAX_ROWS")
        if len(cells) > width:
            if any(cell.strip() for cell in cells[width:]):
                raise ImportFileError(
                    f"row {number} has {len(cells)} cells but the header has {width} "
                    "columns; check the delimiter and the header"
                )
            cells = cells[:width]
        elif len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        rows.append(cells)
    return rows


def _column_names(header: Sequence[str]) -> list[str]:
    """Normalised names ("Target 2027" -> "target_2027"); a repeated name refuses the file."""
    names: list[str] = []
    for position, raw in enumerate(header):
        name = re.sub(r"\s+", "_", clean_text(str(raw)).strip().lower())
        if not name:
            name = f"unnamed:_{position}"  # an empty spreadsheet column
        elif name in names:
            raise ImportFileError(f"the column {name} appears twice in the header")
        names.append(name)
    return names


def column_plan(
    columns: Sequence[str], *, instrument: str, plan_years: Sequence[int]
) -> dict[str, str]:
    """Map each file column to what it holds; unknown columns stop the import."""
    plan: dict[str, str] = {}
    unknown: list[str] = []
    for column in columns:
        planned = _planned_field(column, instrument, plan_years)
        if planned is not None:
            plan[column] = planned
        elif not column.startswith("unnamed:"):  # that one is an empty spreadsheet column
            unknown.append(column)
    _check_plan(plan, unknown, instrument)
    return plan


def _planned_field(column: str, instrument: str, plan_years: Sequence[int]) -> str | None:
    """The field a file column holds; None when unknown (or a year outside the plan)."""
    if column in COMMON_COLUMNS:
        return COMMON_COLUMNS[column]
    if column in COLUMNS[instrument]:
        return COLUMNS[instrument][column]
    if instrument == "internal" and (match := _TARGET.match(column) or _BUDGET.match(column)):
        index = int(match.group(1)) if match.group(1) else None
        if index is None and int(match.group(2)) in plan_years:
            index = list(plan_years).index(int(match.group(2))) + 1
        if index is None or not 1 <= index <= len(plan_years):
            return None
        kind = "target" if match.re is _TARGET else "budget"
        return f"{kind}_y{index}"
    return None


def _check_plan(plan: dict[str, str], unknown: list[str], instrument: str) -> None:
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


@dataclass(frozen=True)
class _RowRules:
    """What parse_rows checks a row's cells against."""

    domains: DomainList
    plan_years: Sequence[int]
    max_length: int
    ranges: dict[str, tuple[float | None, float | None]]
    agencies: AgencyList | None
    units: UnitList | None

    def names(self, key: str) -> AgencyList | UnitList | None:
        return self.agencies if key == "opd" else self.units


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
    rules = _RowRules(
        domains=domains,
        plan_years=plan_years,
        max_length=max_length,
        ranges={"target_y": target_range, "budget_y": budget_range, "baseline": target_range},
        agencies=agencies,
        units=units,
    )
    plan = column_plan(list(frame.columns), instrument=instrument, plan_years=plan_years)
    good: list[FormRow] = []
    errors: list[RowError] = []
    columns = list(frame.columns)
    for offset, cells in enumerate(frame.itertuples(index=False, name=None)):
        values = {plan[c]: str(v).strip() for c, v in zip(columns, cells, strict=True) if c in plan}
        if not any(values.values()):
            continue  # blank spreadsheet row
        parsed = _parse_row(offset + 2, values, rules)  # header is row 1
        if isinstance(parsed, RowError):
            errors.append(parsed)
        else:
            good.append(parsed)
    return good, errors


def _parse_row(row: int, values: dict[str, str], rules: _RowRules) -> FormRow | RowError:
    """One non-blank row's cells (field -> text) checked: the form row, or why it is bad."""
    problems: list[str] = []
    domain_text = values.pop("domain", "")
    domain = rules.domains.by_name.get(name_key(domain_text)) if domain_text else None
    if domain_text and domain is None:
        problems.append(f"unknown domain {domain_text!r}")
    respondent = values.pop("respondent", "") or None
    profile = {k: values.pop(k) for k in list(values) if k.startswith("profile_")}
    texts: dict[str, str] = profile_codes(profile, problems)
    numbers: dict[str, float] = {}
    _typed_cells(values, rules, texts, numbers, problems)
    problems += _row_consistency(texts, numbers, rules.units, typed=values)
    if not any(v for k, v in values.items() if k not in _STRUCTURED and not k.startswith(_YEARLY)):
        problems.append("no answer text in the row")
    if problems:
        return RowError(row=row, reason="; ".join(problems))
    return FormRow(row=row, respondent=respondent, domain=domain, texts=texts, numbers=numbers)


def _typed_cells(
    values: dict[str, str],
    rules: _RowRules,
    texts: dict[str, str],
    numbers: dict[str, float],
    problems: list[str],
) -> None:
    """Each non-empty cell checked into `texts` or `numbers`, or a reason into `problems`."""
    for key, value in values.items():
        if not value:
            continue
        if key in ("opd", "unit"):
            code = _named(key, value, rules.names(key), problems)
            if code is not None:
                texts[key] = code
        elif key == "baseline_year":
            year = _baseline_year(value, rules.plan_years, problems)
            if year is not None:
                numbers[key] = year
        elif key == "baseline" or key.startswith(_YEARLY):
            number = _number(key, value, rules.ranges[key.rstrip("0123456789")], problems)
            if number is not None:
                numbers[key] = number
        elif len(value) > rules.max_length:
            problems.append(f"{key}: longer than {rules.max_length} characters")
        else:
            texts[key] = value


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
    texts: Mapping[str, str],
    numbers: Mapping[str, float],
    units: UnitList | None,
    *,
    typed: Mapping[str, str],
) -> list[str]:
    """A baseline's year needs a baseline, and a unit that counts whole things takes no
    decimals (the bot refuses 146,2 desa as well)."""
    problems = []
    # A baseline typed but refused has its own message already.
    if "baseline_year" in numbers and "baseline" not in numbers and not typed.get("baseline"):
        problems.append("baseline_year given without a baseline")
    unit = units.by_code.get(texts["unit"]) if units is not None and "unit" in texts else None
    if unit is not None and unit.whole:
        for key, number in numbers.items():
            if (key == "baseline" or key.startswith("target_y")) and not number.is_integer():
                problems.append(
                    f"{key}: {format_number(number, 'en')} is not a whole number of {unit.name.en}"
                )
    figures = [n for k, n in numbers.items() if k == "baseline" or k.startswith("target_y")]
    if (
        unit is not None
        and unit.code == "persen"
        and figures
        and max(figures) <= 1 < 100 * max(figures)
    ):
        # A spreadsheet cell formatted as a percentage holds 0.45 for 45 %.
        problems.append(
            f"the % figures ({', '.join(format_number(n, 'en') for n in figures)}) look like "
            "fractions; write 45 for 45 %"
        )
    return problems


_ANSWER_COLUMNS = (
    "campaign_id",
    "instrument",
    "source_file",
    "imported_at",
    "source_row",
    "respondent_label",
    "question_id",
    "domain",
    "value_text",
    "value_number",
)
_FILE_COLUMNS = _ANSWER_COLUMNS[:4]  # the same for every answer of the file


class _AnswerInserter:
    """Inserts imported_answer rows in batches, skipping SQLAlchemy's per-row parameter
    processing (it cost more than the database at 100k rows): COPY in text format on
    PostgreSQL (executemany there costs a round trip per row), the driver's executemany
    elsewhere. The file's values go through their column type's bind processor once; the
    per-answer ones are ints, floats, strings or None, which every driver takes as they are.
    On PostgreSQL one COPY stays open for the whole file, so the server stores a batch
    while the next one is prepared; use it as a context manager, so an error aborts it.
    """

    def __init__(
        self, session: Session, *, campaign_id: int, instrument: str, file: str, now: datetime
    ) -> None:
        self.connection = session.connection()
        dialect = self.connection.dialect
        table = ImportedAnswer.__table__  # type: ignore[attr-defined]
        columns = ", ".join(_ANSWER_COLUMNS)
        values = (campaign_id, Instrument(instrument).value, file, now)
        file_values = tuple(
            processor(value) if (processor := _bind_processor(table.c[name], dialect)) else value
            for name, value in zip(_FILE_COLUMNS, values, strict=True)
        )
        self.copy = dialect.name == "postgresql"
        if self.copy:
            self.sql = f"COPY {table.name} ({columns}) FROM STDIN"
            self.prefix = "\t".join(_copy_field(value) for value in file_values) + "\t"
        else:
            marker = "?" if dialect.paramstyle == "qmark" else "%s"
            self.sql = (
                f"INSERT INTO {table.name} ({columns}) "
                f"VALUES ({', '.join([marker] * len(_ANSWER_COLUMNS))})"
            )
            self.file_values = file_values
        self.lines: list[str] = []
        self.batch: list[tuple[object, ...]] = []
        self.open_copy = ExitStack()
        self.copy_stream: Any = None

    def __enter__(self) -> _AnswerInserter:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if exc_info[0] is None:
            self.flush()
        self.open_copy.__exit__(*exc_info)  # ends the COPY, or fails it on an error

    def add(
        self,
        form: FormRow,
        label: str | None,
        question_id: str,
        text: str | None,
        number: float | None,
    ) -> None:
        if self.copy:
            fields = (form.row, label, question_id, form.domain, text, number)
            self.lines.append(self.prefix + "\t".join(map(_copy_field, fields)) + "\n")
        else:
            self.batch.append(
                (*self.file_values, form.row, label, question_id, form.domain, text, number)
            )
        if len(self.lines) + len(self.batch) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        if self.lines:  # psycopg 3, in the session's transaction
            if self.copy_stream is None:
                driver = self.connection.connection.driver_connection
                cursor = self.open_copy.enter_context(driver.cursor())  # type: ignore[union-attr]
                self.copy_stream = self.open_copy.enter_context(cursor.copy(self.sql))
            self.copy_stream.write("".join(self.lines))
            self.lines = []
        if self.batch:
            self.connection.exec_driver_sql(self.sql, self.batch)
            self.batch = []


# COPY's text format: backslash escapes for the characters that delimit fields and rows.
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_COPY_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _copy_field(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        if _COPY_SPECIAL.search(value) is None:  # nearly every answer: no copy made
            return value
        return _COPY_SPECIAL.sub(lambda match: _COPY_ESCAPES[match.group()], value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _bind_processor(column: Any, dialect: Any) -> Callable[[Any], Any] | None:
    """What SQLAlchemy does to a value of `column` before handing it to the driver."""
    return column.type._cached_bind_processor(dialect)


def same_content(
    *, session: Session, campaign: Campaign, file: str, content_hash: str
) -> list[str]:
    """Names of the other files of the campaign already imported with these very bytes."""
    return list(
        session.exec(
            select(ImportedFile.file_name).where(
                ImportedFile.campaign_id == campaign.id,
                ImportedFile.content_hash == content_hash,
                ImportedFile.file_name != file,
            )
        ).all()
    )


def _claim_file(
    *,
    session: Session,
    campaign: Campaign,
    instrument: str,
    file: str,
    content_hash: str | None,
    now: datetime,
    replace: bool,
) -> tuple[ImportedFile, int]:
    """Take the campaign's key for `file` in the caller's transaction; returns the record and
    how many earlier answers were deleted. A concurrent import of the same file waits on the
    key (the unique index, or the record's row lock when replacing) until this transaction
    ends, then is refused (or, replacing, replaces this one's rows)."""
    code = campaign.code  # read now: a failed flush expires the session's objects
    record = session.exec(
        select(ImportedFile).where(
            ImportedFile.campaign_id == campaign.id, ImportedFile.file_name == file
        )
    ).first()
    if record is not None and not replace:
        raise ImportFileError(
            f"already imported into {code} ({record.answers} answers); "
            "use --replace to load it again"
        )
    if record is None:
        record = ImportedFile(
            campaign_id=stored_id(campaign),
            instrument=Instrument(instrument),
            file_name=file,
            content_hash=content_hash,
            imported_at=now,
        )
    else:
        record.instrument, record.content_hash, record.imported_at = (
            Instrument(instrument),
            content_hash,
            now,
        )
    session.add(record)
    try:
        session.flush()
    except IntegrityError:
        raise ImportFileError(
            f"already imported into {code} by an import that ran at the same time; "
            "use --replace to load it again"
        ) from None
    deleted = session.connection().execute(
        delete(ImportedAnswer).where(
            col(ImportedAnswer.campaign_id) == campaign.id,
            col(ImportedAnswer.source_file) == file,
        )
    )
    return record, deleted.rowcount or 0


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
    content_hash: str | None = None,
    on_row: Callable[[FormRow], None] | None = None,
) -> tuple[int, int]:
    """Add the rows in the caller's transaction (the caller commits); returns (answers,
    replaced). The file's record (see `_claim_file`) is taken first, so two imports of one
    file never both load it. Answers go in by bulk inserts of _BATCH rows.

    Respondent labels from the form are stored only as pseudonyms.
    """
    record, previous = _claim_file(
        session=session,
        campaign=campaign,
        instrument=instrument,
        file=file,
        content_hash=content_hash,
        now=now,
        replace=replace,
    )
    assert campaign.id is not None
    code = campaign.code
    labels: dict[str, str] = {}
    count = 0
    with _AnswerInserter(
        session, campaign_id=campaign.id, instrument=instrument, file=file, now=now
    ) as inserter:
        for form in rows:
            label = None
            if form.respondent:
                if form.respondent not in labels:
                    labels[form.respondent] = crud.make_pseudonym(
                        key=pseudonym_key, identity=f"import:{code}:{form.respondent}"
                    )
                label = labels[form.respondent]
            for question_id, text in form.texts.items():
                inserter.add(form, label, question_id, text, None)
            for question_id, number in form.numbers.items():
                inserter.add(form, label, question_id, None, float(number))
            count += len(form.texts) + len(form.numbers)
            if on_row is not None:
                on_row(form)
    record.rows, record.answers = len(rows), count
    session.add(record)
    session.flush()
    return count, previous
