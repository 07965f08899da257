"""The pipeline's output end: summary.json, analysis.xlsx and the answers export."""

from __future__ import annotations

import gc
import json
import operator
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
import xlsxwriter

from processor.complaints import mask_confidential
from processor.curation_sheet import write_kurasi_sheet
from processor.themes import scrub_texts
from processor.xlsx_cells import write_column
from shared.clean import clean_text
from shared.files import replace_atomically

EXCEL_MAX_ROWS = 1_048_575  # data rows under one header row
# analysis.xlsx's Jawaban sheet lists at most this many distinct texts (writing a cell
# costs ~5 µs, and a planner does not scroll further); `rembuk export --format csv` gives
# every answer.
ANSWER_SHEET_ROWS = 100_000


class AnalysedAnswers(Protocol):
    """What the XLSX writer reads of an analysis (processor.analysis.Analysis has it)."""

    def sheet_texts(self) -> pd.DataFrame: ...  # see processor.analysis.Analysis.sheet_texts


@contextmanager
def _collection_paused() -> Iterator[None]:
    """Python's cyclic garbage collection paused (if it was on) while a workbook is
    written. xlsxwriter keeps a tuple per cell, and allocating hundreds of thousands of
    them sets off collections that each walk every object alive, the analysis' millions
    included: at 100k answers, right after the analysis, a third of the writing time.
    Writing creates no cycles worth collecting; reference counting still frees what it
    drops."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _replace_atomically(path: Path, write: Callable[[Path], None]) -> Path:
    """Write to a uniquely named temporary file and rename, so a reader never sees half a
    file and two runs never share a temporary file."""
    return replace_atomically(path, write)


def _cleaned(value: Any) -> Any:
    """`value` (JSON-like) with every string passed through clean_text. A dict or list
    whose strings are all clean is returned itself: a copy of summary.json at 10M answers
    is ~250 MB, and its strings almost never need cleaning."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        items = [(_cleaned(key), _cleaned(item)) for key, item in value.items()]
        unchanged = all(
            new[0] is old[0] and new[1] is old[1]
            for new, old in zip(items, value.items(), strict=True)
        )
        return value if unchanged else dict(items)
    if isinstance(value, list | tuple):
        cleaned = [_cleaned(item) for item in value]
        return value if all(map(operator.is_, cleaned, value)) else cleaned
    return value


def _clean_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with clean_text applied to the strings of its text columns."""
    columns = {
        name: frame[name].map(lambda v: clean_text(v) if isinstance(v, str) else v)
        for name in frame.columns
        if frame[name].dtype == object or pd.api.types.is_string_dtype(frame[name])
    }
    return frame.assign(**columns) if columns else frame


def write_summary_json(summary: dict, path: Path) -> Path:
    # Cleaned although JSON could escape them: whoever reads the file next (a DOCX or XLSX
    # writer) should not meet a character it cannot store.
    cleaned = _cleaned(summary)

    def write(target: Path) -> None:
        with target.open("w", encoding="utf-8") as handle:
            json.dump(cleaned, handle, ensure_ascii=False, indent=1)

    return _replace_atomically(path, write)


ANSWER_SHEET_COLUMNS = (
    "domain",
    "kind",
    "theme_id",
    "domain_source",
    "dimensions",
    "text",
    "answers",
    "respondents",
    "first_answer_id",
)


def _theme_numbers(theme_ids: pd.Series) -> pd.Series:
    """The sort key of each row's theme: its number, with "lainnya" (0) and rows without
    a theme last. Parsed once per distinct theme id."""
    codes, distinct = pd.factorize(theme_ids, use_na_sentinel=False)
    number = pd.to_numeric(
        pd.Series(distinct, dtype=object).str.rsplit(".", n=1).str[-1], errors="coerce"
    ).fillna(0)
    number = number.where(number > 0, 1e9).to_numpy()
    return pd.Series(number[codes], index=theme_ids.index)


def answers_sheet(grouped: pd.DataFrame) -> pd.DataFrame:
    """The answers as planners check them: one row per distinct text of a theme (and of
    how its domain was decided), with how many answers and respondents wrote it, the
    problem dimensions it was tagged with (obstacles) and its first answer's id, so every
    count of the draft can be checked by summing `answers` (`grouped`: the analysis'
    sheet_texts()). Largest themes' texts first within each domain and kind; texts
    PII-scrubbed. `rembuk export` lists every answer."""
    if grouped.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ANSWER_SHEET_COLUMNS})
    # Themes in their own order (by number, "lainnya" = 0 last), each theme's texts
    # most often written first.
    grouped = grouped.assign(_number=_theme_numbers(grouped["theme_id"]))
    grouped = (
        grouped.sort_values(
            ["domain", "kind", "_number", "answers", "text"],
            ascending=[True, True, True, False, True],
            kind="stable",
        )
        .head(ANSWER_SHEET_ROWS)
        .drop(columns="_number")
    )
    return grouped.assign(text=scrub_texts(grouped["text"]))[
        list(ANSWER_SHEET_COLUMNS)
    ].reset_index(drop=True)


LINK_SHEET_COLUMNS = (
    "domain",
    "relasi",
    "sumber",
    "sumber (label)",
    "tujuan",
    "tujuan (label)",
    "blok bersama",
    "lift",
    "p",
    "kemiripan",
    "kekuatan",
    "melalui",
)


def ikm_sheet(summary: dict) -> pd.DataFrame:
    """The IKM sheet: per service unit and period, the NRR of each SKM element, the
    converted IKM and its grade (PermenPANRB 14/2017), with a note when the unit has fewer
    respondents than the regulation's minimum sample."""
    rows = []
    for entry in summary.get("ikm", []):
        minimum = entry.get("minimum_sample")
        note = (
            f"di bawah sampel minimum ({entry['respondents']} < {minimum})"
            if entry.get("below_minimum_sample")
            else ""
        )
        rows.append(
            {
                "kode": entry.get("code", ""),
                "unit layanan": entry["name"],
                "periode": entry["period"],
                "responden": entry["respondents"],
                **{f"NRR {element}": value for element, value in entry["nrr"].items()},
                "IKM": entry["ikm"],
                "mutu": entry["grade"],
                "kinerja": (entry.get("grade_label") or {}).get("id", ""),
                "sampel minimum": minimum if minimum is not None else "",
                "catatan": note,
            }
        )
    return pd.DataFrame(rows)


def links_sheet(summary: dict) -> pd.DataFrame:
    """Every evidence link of summary.json, a row each: what joins what, and how strongly
    ("lemah" links are for the planner to confirm)."""
    strength = {"strong": "kuat", "weak": "lemah (periksa)"}
    return pd.DataFrame(
        [
            (
                code,
                link["relation"],
                link["source"],
                link["source_label"] or "",
                link["target"],
                link["target_label"] or "",
                link["blocks"],
                link["lift"],
                link["p_value"],
                link["similarity"],
                strength.get(link["strength"], link["strength"]),
                link["via"] or "",
            )
            for code, domain in summary["domains"].items()
            for link in domain["links"]
        ],
        columns=list(LINK_SHEET_COLUMNS),
    )


class _Sheets:
    """Formatting shared by every sheet: bold wrapped headers, widths, frozen header, filter."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        self.header = self.book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.title = self.book.add_format({"bold": True, "font_size": 13})
        self.wrap = self.book.add_format({"text_wrap": True, "valign": "top"})
        self.percent = self.book.add_format({"num_format": "0.0%"})

    def sheet(self, name: str) -> Any:
        return self.book.get_worksheet_by_name(name) or self.book.add_worksheet(name)

    def table(
        self,
        frame: pd.DataFrame,
        sheet: str,
        *,
        start_row: int = 0,
        widths: dict[str, int] | None = None,
        freeze: bool = True,
        percent: Sequence[str] = (),
    ) -> int:
        """`frame` from `start_row`; the columns named in `percent` hold fractions and are
        shown as percentages (cell by cell: a column's format would reach the other tables
        of the sheet). Returns the row after the table and a blank row."""
        worksheet = self.sheet(sheet)
        widths = widths or {}
        for column, name in enumerate(frame.columns):
            worksheet.write_string(start_row, column, clean_text(str(name)), self.header)
            cell_format = self.percent if name in percent else None
            write_column(worksheet, frame[name].tolist(), start_row + 1, column, cell_format)
            longest = frame[name].head(200).astype(str).str.len().max() if len(frame) else 0
            width = widths.get(name) or int(min(60, max(len(name) + 2, longest + 2)))
            wrap = self.wrap if width >= 40 else None
            worksheet.set_column(column, column, width, wrap)
        if len(frame.columns):
            worksheet.autofilter(start_row, 0, start_row + len(frame), len(frame.columns) - 1)
        if freeze:
            worksheet.freeze_panes(start_row + 1, 0)
        return start_row + len(frame) + 2


def _sheet_name(code: str, used: set[str]) -> str:
    name = code[:31]
    while name in used:
        name = name[:28] + f"~{len(used)}"
    used.add(name)
    return name


def _shown(value: object) -> object:
    return "" if value is None else value


# The Cakupan sheet in the planner's words (summary.json keeps the codes).
ALERT_LABELS = {
    "no_respondents": "tidak ada responden",
    "few_respondents": "responden sangat sedikit",
    "below_population_share": "jauh di bawah porsi penduduk",
}
FIELD_LABELS = {
    "kecamatan": "kecamatan",
    "age_band": "usia",
    "sex": "jenis kelamin",
    "disability": "disabilitas",
}
SHARE_COLUMNS = ("porsi", "porsi penduduk")  # fractions, shown as percentages


def coverage_frames(coverage: dict) -> list[pd.DataFrame]:
    """The Cakupan sheet's tables: kecamatan (with domains), age band, sex, disability and
    the alerts; suppressed counts stay "< 5" and their shares blank."""
    domains = sorted({d for row in coverage["by_kecamatan"] for d in row["by_domain"]})
    places = pd.DataFrame(
        [
            {
                "kecamatan": row["name"]["id"],
                "responden": row["respondents"],
                "porsi": _shown(row["share"]),
                "penduduk": _shown(row["population"]),
                "per 1.000 penduduk": _shown(row["per_1000"]),
                **{d: row["by_domain"].get(d, 0) for d in domains},
            }
            for row in coverage["by_kecamatan"]
        ],
        columns=["kecamatan", "responden", "porsi", "penduduk", "per 1.000 penduduk", *domains],
    )
    frames = [places]
    for field, title in (
        ("age_band", "usia"),
        ("sex", "jenis kelamin"),
        ("disability", "disabilitas"),
    ):
        frames.append(
            pd.DataFrame(
                [
                    {
                        title: row["name"]["id"],
                        "responden": row["respondents"],
                        "porsi": _shown(row["share"]),
                        "porsi penduduk": _shown(row["population_share"]),
                    }
                    for row in coverage[f"by_{field}"]
                ],
                columns=[title, "responden", "porsi", "porsi penduduk"],
            )
        )
    frames.append(
        pd.DataFrame(
            [
                {
                    "peringatan": ALERT_LABELS.get(alert["kind"], alert["kind"]),
                    "bidang": FIELD_LABELS.get(alert["field"], alert["field"]),
                    "nama": alert["name"]["id"],
                    "responden": alert["respondents"],
                    "porsi": _shown(alert["share"]),
                    "porsi penduduk": _shown(alert["population_share"]),
                }
                for alert in coverage["alerts"]
            ],
            columns=["peringatan", "bidang", "nama", "responden", "porsi", "porsi penduduk"],
        )
    )
    return frames


@dataclass(frozen=True)
class XlsxInput:
    """What the sheets of analysis.xlsx are written from."""

    analysis: AnalysedAnswers
    summary: dict
    domains: Sequence[str] = ()  # the codes the Kurasi sheet's drop-down offers


def _overview_sheet(sheets: _Sheets, data: XlsxInput) -> None:
    summary = data.summary
    counts = summary["counts"]

    def top(domain: dict, kind: str) -> str:
        return next((t["label"] for t in domain["themes"][kind] if not t["is_other"]), "")

    overview = pd.DataFrame(
        [
            {
                "domain": code,
                "nama": domain["name"]["id"],
                "responden": domain["respondents"],
                "jawaban": domain["answers"],
                "kebutuhan teratas": top(domain, "citizen_need"),
                "hambatan teratas": top(domain, "citizen_obstacle"),
                "kebutuhan belum ditangani": sum(
                    g["status"] == "belum_ditangani" for g in domain["gaps"]
                ),
            }
            for code, domain in summary["domains"].items()
        ],
        columns=[
            "domain",
            "nama",
            "responden",
            "jawaban",
            "kebutuhan teratas",
            "hambatan teratas",
            "kebutuhan belum ditangani",
        ],
    )
    facts = pd.DataFrame(
        [
            ("kampanye", f"{summary['campaign']['name']} ({summary['campaign']['code']})"),
            ("dibuat", summary["generated_at"]),
            ("sesi selesai", counts["submitted_runs"]),
            ("sesi berjalan", counts["in_progress_runs"]),
            ("responden", counts["respondents"]),
            ("jawaban", counts["answers"]),
            ("jawaban impor", counts["imported_answers"]),
            ("belum terpetakan", summary["unmapped"]["answers"]),
            (
                "lembar Jawaban",
                "satu baris per teks berbeda, dengan jumlah jawaban dan responden "
                "(setiap jawaban: rembuk export)",
            ),
        ],
        columns=["ringkasan", "nilai"],
    )
    next_row = sheets.table(facts, "Ringkasan", widths={"ringkasan": 22, "nilai": 40})
    next_row = sheets.table(
        overview,
        "Ringkasan",
        start_row=next_row,
        freeze=False,
        widths={"kebutuhan teratas": 50, "hambatan teratas": 50},
    )
    # Where respondents came from: a deep link's venue, or an imported file.
    sources = pd.DataFrame(
        list(counts["by_source"].items()), columns=["sumber", "responden (sumber)"]
    )
    sheets.table(sources, "Ringkasan", start_row=next_row, freeze=False, widths={"sumber": 22})


def _domain_sheet(sheets: _Sheets, sheet: str, domain: dict, groups: dict[str, str]) -> None:
    """Themes, the gap matrix and dimension counts of one domain."""
    themes = pd.DataFrame(
        [
            {
                "jenis": kind,
                "tema": t["id"],
                "label": t["label"],
                "kata kunci": ", ".join(t["keywords"]),
                "jawaban": t["answer_count"],
                "responden": t["respondent_count"],
                "kutipan": "\n".join(t["quotes"]),
            }
            for kind, items in domain["themes"].items()
            for t in items
        ],
        columns=["jenis", "tema", "label", "kata kunci", "jawaban", "responden", "kutipan"],
    )
    row = sheets.table(themes, sheet, widths={"label": 50, "kata kunci": 30, "kutipan": 60})
    gaps = pd.DataFrame(
        [
            {
                "kebutuhan (tema)": g["need_theme_id"],
                "label": g["need_label"],
                "jawaban": g["answer_count"],
                "status": g["status"],
                "baris staf": ", ".join(r["row_id"] for r in g["staff_rows"]),
                "realisasi": "\n".join(r["realisation"] for r in g["staff_rows"][:3]),
                "strategi": "\n".join(r["strategy"] for r in g["staff_rows"][:3]),
            }
            for g in domain["gaps"]
        ],
        columns=[
            "kebutuhan (tema)",
            "label",
            "jawaban",
            "status",
            "baris staf",
            "realisasi",
            "strategi",
        ],
    )
    sheets.sheet(sheet).write(row, 0, "Matriks kesenjangan", sheets.title)
    row = sheets.table(gaps, sheet, start_row=row + 1, freeze=False)
    dimensions = pd.DataFrame(
        [
            # The guide's seven, or Rembuk's additions to them.
            (code, "panduan" if groups.get(code) == "seed" else "tambahan", n)
            for code, n in domain["dimensions"].items()
        ],
        columns=["dimensi", "kelompok", "jumlah"],
    )
    sheets.sheet(sheet).write(row, 0, "Dimensi masalah", sheets.title)
    sheets.table(dimensions, sheet, start_row=row + 1, freeze=False)


def _coverage_sheet(sheets: _Sheets, data: XlsxInput) -> None:
    if data.summary.get("coverage"):
        row = 0
        for frame in coverage_frames(data.summary["coverage"]):
            row = sheets.table(frame, "Cakupan", start_row=row, freeze=False, percent=SHARE_COLUMNS)


def _domain_sheets(sheets: _Sheets, data: XlsxInput) -> None:
    used = {"Ringkasan", "Jawaban", "Tautan", "IKM", "Kurasi", "Cakupan"}
    groups = {c: d["group"] for c, d in data.summary["dimensions"].items()}
    for code, domain in data.summary["domains"].items():
        _domain_sheet(sheets, _sheet_name(code, used), domain, groups)


def _links_sheet(sheets: _Sheets, data: XlsxInput) -> None:
    sheets.table(
        links_sheet(data.summary),
        "Tautan",
        widths={"sumber (label)": 45, "tujuan (label)": 45, "melalui": 20},
    )


def _ikm_sheet(sheets: _Sheets, data: XlsxInput) -> None:
    if data.summary.get("ikm"):
        sheets.table(ikm_sheet(data.summary), "IKM", widths={"unit layanan": 40})


def _kurasi_sheet(sheets: _Sheets, data: XlsxInput) -> None:
    write_kurasi_sheet(sheets.book, data.summary, domains=data.domains)


def _answers_sheet(sheets: _Sheets, data: XlsxInput) -> None:
    sheets.table(
        answers_sheet(data.analysis.sheet_texts()),
        "Jawaban",
        widths={"text": 80},
    )


# The sheets of analysis.xlsx, in order: adding a sheet is adding its function here.
XLSX_SHEETS: tuple[Callable[[_Sheets, XlsxInput], None], ...] = (
    _overview_sheet,
    _coverage_sheet,
    _domain_sheets,
    _ikm_sheet,
    _links_sheet,
    _kurasi_sheet,
    _answers_sheet,
)


def write_analysis_xlsx(
    analysis: AnalysedAnswers, summary: dict, path: Path, *, domains: Sequence[str] = ()
) -> Path:
    """Overview, one sheet per domain (themes, gaps, dimensions), the IKM, the links, the
    planner's Kurasi sheet (`domains`: the codes its drop-down offers) and the answers (see
    XLSX_SHEETS)."""
    data = XlsxInput(analysis=analysis, summary=summary, domains=tuple(domains))

    def write(target: Path) -> None:
        with _collection_paused(), xlsxwriter.Workbook(str(target)) as book:
            sheets = _Sheets(book)
            for write_sheet in XLSX_SHEETS:
                write_sheet(sheets, data)

    return _replace_atomically(path, write)


# A spreadsheet reads a CSV cell that starts with one of these as a formula (OWASP "CSV
# injection"): `=HYPERLINK(...)` in an answer would run when a planner opens the export.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _is_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with a single quote before every text cell a spreadsheet would take for a
    formula (OWASP's advice); the rest of the cell, and every other cell, kept as it is."""
    changed = {}
    for name in frame.columns:
        column = frame[name]
        if not pd.api.types.is_object_dtype(column) and not pd.api.types.is_string_dtype(column):
            continue
        risky = column.map(_is_formula).astype(bool)
        if risky.any():
            changed[name] = column.astype(object).where(~risky, "'" + column.astype(str))
    return frame.assign(**changed) if changed else frame


def write_answers_export(answers: pd.DataFrame, path: Path, *, file_format: str) -> Path:
    """The pseudonymised answers (texts PII-scrubbed) as CSV or XLSX. The XLSX writer stores
    every text as a string cell, never a formula, so only the CSV needs neutralising."""
    answers = mask_confidential(answers)  # Rahasia complaints: never their text
    export = _clean_frame(answers.assign(text=scrub_texts(answers["text"])))

    def write(target: Path) -> None:
        if file_format == "csv":
            # CRLF rows (RFC 4180): Python 3.11's csv quotes a cell with a line break only
            # when the break is part of the row terminator, and a bare CR would split a row.
            neutralise_formulas(export).to_csv(
                target, index=False, encoding="utf-8", lineterminator="\r\n"
            )
        else:
            with _collection_paused(), xlsxwriter.Workbook(str(target)) as book:
                _Sheets(book).table(export.head(EXCEL_MAX_ROWS), "Jawaban", widths={"text": 80})

    return _replace_atomically(path, write)
