"""The pipeline's output end: summary.json, analysis.xlsx and the answers export."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from processor.analysis import Analysis
from processor.themes import scrub_texts

EXCEL_MAX_ROWS = 1_048_575  # data rows under one header row


def _replace_atomically(path: Path, write) -> Path:  # type: ignore[no-untyped-def]
    """Write to a temporary file and rename, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    write(temporary)
    os.replace(temporary, path)
    return path


def write_summary_json(summary: dict, path: Path) -> Path:
    def write(target: Path) -> None:
        with target.open("w", encoding="utf-8") as handle:
            json.dump(summary, handle, ensure_ascii=False, indent=1)

    return _replace_atomically(path, write)


def answers_sheet(analysis: Analysis) -> pd.DataFrame:
    texts = analysis.texts
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
            "text": scrub_texts(texts["text"]),
        }
    )


class _Sheets:
    """Formatting shared by every sheet: bold wrapped headers, widths, frozen header, filter."""

    def __init__(self, writer: pd.ExcelWriter) -> None:
        self.writer = writer
        self.book = writer.book
        self.header = self.book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.title = self.book.add_format({"bold": True, "font_size": 13})
        self.wrap = self.book.add_format({"text_wrap": True, "valign": "top"})

    def table(
        self,
        frame: pd.DataFrame,
        sheet: str,
        *,
        start_row: int = 0,
        widths: dict[str, int] | None = None,
        freeze: bool = True,
    ) -> int:
        frame.to_excel(self.writer, sheet_name=sheet, startrow=start_row, index=False)
        worksheet = self.writer.sheets[sheet]
        widths = widths or {}
        for column, name in enumerate(frame.columns):
            worksheet.write(start_row, column, name, self.header)
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


def write_analysis_xlsx(analysis: Analysis, summary: dict, path: Path) -> Path:
    """Overview, one sheet per domain (themes, gaps, dimensions), and the answers."""

    def write(target: Path) -> None:
        with pd.ExcelWriter(target, engine="xlsxwriter") as writer:
            sheets = _Sheets(writer)
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
            used = {"Ringkasan", "Jawaban"}
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
                writer.sheets[sheet].write(row, 0, "Matriks kesenjangan", sheets.title)
                row = sheets.table(gaps, sheet, start_row=row + 1, freeze=False)
                dimensions = pd.DataFrame(
                    list(domain["dimensions"].items()), columns=["dimensi", "jumlah"]
                )
                writer.sheets[sheet].write(row, 0, "Dimensi masalah", sheets.title)
                sheets.table(dimensions, sheet, start_row=row + 1, freeze=False)
            sheets.table(
                answers_sheet(analysis).head(EXCEL_MAX_ROWS),
                "Jawaban",
                widths={"text": 80, "respondent": 24},
            )

    return _replace_atomically(path, write)


def write_answers_export(answers: pd.DataFrame, path: Path, *, file_format: str) -> Path:
    """The pseudonymised answers (texts PII-scrubbed) as CSV or XLSX."""
    export = answers.assign(text=scrub_texts(answers["text"]))

    def write(target: Path) -> None:
        if file_format == "csv":
            export.to_csv(target, index=False, encoding="utf-8")
        else:
            with pd.ExcelWriter(target, engine="xlsxwriter") as writer:
                _Sheets(writer).table(export.head(EXCEL_MAX_ROWS), "Jawaban", widths={"text": 80})

    return _replace_atomically(path, write)
