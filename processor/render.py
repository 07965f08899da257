"""The pipeline's output end: summary.json, analysis.xlsx and the answers export."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter

from processor.analysis import Analysis
from processor.complaints import mask_confidential
from processor.curation_sheet import write_kurasi_sheet
from processor.themes import scrub_texts
from shared.clean import clean_text
from shared.files import replace_atomically

EXCEL_MAX_ROWS = 1_048_575  # data rows under one header row
# analysis.xlsx lists at most this many answers (writing a cell costs ~5 µs, and a
# planner does not scroll further); `rembuk export --format csv` gives them all.
ANSWER_SHEET_ROWS = 100_000


def _replace_atomically(path: Path, write) -> Path:  # type: ignore[no-untyped-def]
    """Write to a uniquely named temporary file and rename, so a reader never sees half a
    file and two runs never share a temporary file."""
    return replace_atomically(path, write)


def _cleaned(value: Any) -> Any:
    """`value` (JSON-like) with every string passed through clean_text."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {_cleaned(key): _cleaned(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_cleaned(item) for item in value]
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


def answers_sheet(texts: pd.DataFrame, dimension_tags: pd.DataFrame | None = None) -> pd.DataFrame:
    """The pseudonymised answers, each with its domain, theme and (obstacles) the problem
    dimensions it was tagged with, so a planner can check every count of the draft."""
    dimensions = pd.Series("", index=texts.index, dtype=object)
    if dimension_tags is not None and len(dimension_tags):
        joined = dimension_tags.groupby("answer_id", sort=False)["dimension"].agg(
            lambda codes: ", ".join(sorted(codes))
        )
        dimensions = texts["answer_id"].map(joined).fillna("").astype(object)
    return pd.DataFrame(
        {
            "answer_id": texts["answer_id"],
            "respondent": texts["respondent"],
            "source": texts["source"],
            "instrument": texts["instrument"],
            "question_id": texts["question_id"],
            "kind": texts["kind"],
            "row_id": texts["row_id"],
            "domain": texts["domain"],
            "domain_source": texts["domain_source"],
            "domain_confidence": texts["domain_confidence"],
            "theme_id": texts["theme_id"],
            "dimensions": dimensions,
            "text": scrub_texts(texts["text"]),
        }
    )


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

    def sheet(self, name: str):  # type: ignore[no-untyped-def]
        return self.book.get_worksheet_by_name(name) or self.book.add_worksheet(name)

    def table(
        self,
        frame: pd.DataFrame,
        sheet: str,
        *,
        start_row: int = 0,
        widths: dict[str, int] | None = None,
        freeze: bool = True,
    ) -> int:
        worksheet = self.sheet(sheet)
        widths = widths or {}
        for column, name in enumerate(frame.columns):
            worksheet.write_string(start_row, column, clean_text(str(name)), self.header)
            write_string, write_number = worksheet.write_string, worksheet.write_number
            for row, value in enumerate(frame[name].tolist(), start=start_row + 1):
                if isinstance(value, bool | str):
                    write_string(row, column, clean_text(str(value)))
                elif isinstance(value, int | float):
                    if not math.isnan(value):
                        write_number(row, column, value)
                elif value is not None:
                    write_string(row, column, clean_text(str(value)))
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
                    "peringatan": alert["kind"],
                    "bidang": alert["field"],
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


def write_analysis_xlsx(
    analysis: Analysis, summary: dict, path: Path, *, domains: Sequence[str] = ()
) -> Path:
    """Overview, one sheet per domain (themes, gaps, dimensions), the links, the planner's
    Kurasi sheet (`domains`: the codes its drop-down offers) and the answers."""

    def write(target: Path) -> None:
        with xlsxwriter.Workbook(str(target)) as book:
            sheets = _Sheets(book)
            counts = summary["counts"]
            overview = pd.DataFrame(
                [
                    {
                        "domain": code,
                        "nama": domain["name"]["id"],
                        "responden": domain["respondents"],
                        "jawaban": domain["answers"],
                        "kebutuhan teratas": next(
                            (
                                t["label"]
                                for t in domain["themes"]["citizen_need"]
                                if not t["is_other"]
                            ),
                            "",
                        ),
                        "hambatan teratas": next(
                            (
                                t["label"]
                                for t in domain["themes"]["citizen_obstacle"]
                                if not t["is_other"]
                            ),
                            "",
                        ),
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
                        f"{min(counts['answers'], ANSWER_SHEET_ROWS)} dari {counts['answers']} "
                        "jawaban (semua: rembuk export)",
                    ),
                ],
                columns=["ringkasan", "nilai"],
            )
            next_row = sheets.table(facts, "Ringkasan", widths={"ringkasan": 22, "nilai": 40})
            sheets.table(
                overview,
                "Ringkasan",
                start_row=next_row,
                freeze=False,
                widths={"kebutuhan teratas": 50, "hambatan teratas": 50},
            )
            if summary.get("coverage"):
                row = 0
                for frame in coverage_frames(summary["coverage"]):
                    row = sheets.table(frame, "Cakupan", start_row=row, freeze=False)
            used = {"Ringkasan", "Jawaban", "Tautan", "IKM", "Kurasi", "Cakupan"}
            for code, domain in summary["domains"].items():
                sheet = _sheet_name(code, used)
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
                    columns=[
                        "jenis",
                        "tema",
                        "label",
                        "kata kunci",
                        "jawaban",
                        "responden",
                        "kutipan",
                    ],
                )
                row = sheets.table(
                    themes, sheet, widths={"label": 50, "kata kunci": 30, "kutipan": 60}
                )
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
                groups = {c: d["group"] for c, d in summary["dimensions"].items()}
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
            if summary.get("ikm"):
                sheets.table(ikm_sheet(summary), "IKM", widths={"unit layanan": 40})
            sheets.table(
                links_sheet(summary),
                "Tautan",
                widths={"sumber (label)": 45, "tujuan (label)": 45, "melalui": 20},
            )
            write_kurasi_sheet(book, summary, domains=domains)
            sheets.table(
                answers_sheet(analysis.texts.head(ANSWER_SHEET_ROWS), analysis.dimension_tags),
                "Jawaban",
                widths={"text": 80, "respondent": 24},
            )

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
            with xlsxwriter.Workbook(str(target)) as book:
                _Sheets(book).table(export.head(EXCEL_MAX_ROWS), "Jawaban", widths={"text": 80})

    return _replace_atomically(path, write)
