"""How much of a draft master plan is a plan: one JSON line measured from the DOCX itself
(a script, not a test).

    make demo
    .venv/bin/python bench/draft_quality.py [out/draf-master-plan-demo-id.docx] [--pdf]

- pages_est: pages, counted from a PDF when --pdf is given and LibreOffice is installed,
  otherwise estimated from the text, the tables and the pictures;
- placeholders: "[isi" / "[fill in" markers; per priority need: over the logframe's output
  rows (one per priority need);
- actions, actions_with_source: the bullets of the "5. Aksi" sections of the domain
  chapters, and those whose evidence line names its sources ("Sumber:");
- untagged_obstacle_share: citizen obstacles without a problem dimension, from the
  analysis.xlsx beside the draft (the DOCX does not list every answer);
- repeated_sentences: policy sentences ("3. Kebijakan" sections) that appear again, but
  for their counts and what stands in brackets;
- logframe_rows, logframe_rows_with_baseline, logframe_rows_with_unit: output rows of the
  logframe tables, and those with a baseline figure / a unit;
  logframe_rows_staff_without_baseline: output rows from an agency indicator that have no
  baseline figure (the staff gave none).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from docx import Document

DEFAULT = Path("out") / "draf-master-plan-demo-id.docx"
PLACEHOLDER = re.compile(r"\[(?:isi|fill in)\b")
UNIT_HEADERS = {"Satuan", "Unit"}
BASELINE_HEADERS = {"Nilai awal (tahun)", "Baseline (year)"}
OUTPUT_LEVELS = ("Keluaran", "Output")  # also "Keluaran (output)" in drafts before v4
CITIZEN_INDICATOR = re.compile(r"^(Warga yang menyebut|Citizens naming)")
NO_FIGURE = {"–", ""}


def _body(document) -> list:  # type: ignore[no-untyped-def]
    """(style, text) of every paragraph, in order."""
    # The notice on the title page explains the marker; it is not one.
    return [(p.style.name, p.text) for p in document.paragraphs if p.style.name != "Intense Quote"]


def _sections(paragraphs: list, prefix: str) -> list[list[tuple[str, str]]]:
    """The paragraphs under each Heading 2 that starts with `prefix`, in domain chapters
    and the whole plan."""
    found, current = [], None
    for style, text in paragraphs:
        if style.startswith("Heading"):
            current = [] if style == "Heading 2" and text.startswith(prefix) else None
            if current is not None:
                found.append(current)
            continue
        if current is not None:
            current.append((style, text))
    return found


def _pages(path: Path, document, pdf: bool) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    soffice = shutil.which("soffice")
    if pdf and soffice:
        with tempfile.TemporaryDirectory() as folder:
            subprocess.run(
                [soffice, "--headless", "--convert-to", "pdf", "--outdir", folder, str(path)],
                check=True,
                capture_output=True,
                timeout=600,
            )
            info = subprocess.run(
                ["pdfinfo", str(Path(folder) / (path.stem + ".pdf"))],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        return int(re.search(r"Pages:\s+(\d+)", info).group(1)), "pdf"  # type: ignore[union-attr]
    characters = sum(len(p.text) for p in document.paragraphs)
    rows = sum(len(t.rows) for t in document.tables)
    return round(characters / 2600 + rows / 9 + len(document.inline_shapes) * 0.45), "estimate"


def _untagged_share(xlsx: Path) -> float | None:
    if not xlsx.exists():
        return None
    import pandas as pd

    # One row per distinct text, with how many answers wrote it.
    answers = pd.read_excel(xlsx, sheet_name="Jawaban", usecols=["kind", "dimensions", "answers"])
    obstacles = answers.loc[answers["kind"] == "citizen_obstacle"]
    if obstacles.empty:
        return 0.0
    untagged = obstacles["dimensions"].fillna("").eq("")
    return round(float(obstacles.loc[untagged, "answers"].sum() / obstacles["answers"].sum()), 3)


def measure(path: Path, *, pdf: bool = False) -> dict:
    document = Document(str(path))
    paragraphs = _body(document)
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    placeholders = sum(len(PLACEHOLDER.findall(t)) for _, t in paragraphs) + sum(
        len(PLACEHOLDER.findall(c)) for c in cells
    )
    actions = with_source = 0
    for section in _sections(paragraphs, "5."):
        for (style, _), following in zip(section, [*section[1:], ("", "")], strict=True):
            if style == "List Bullet":
                actions += 1
                with_source += following[1].startswith(("Sumber:", "Sources:"))
    policies = [t for s in _sections(paragraphs, "3.") for style, t in s if style == "List Bullet"]
    # A stock sentence repeated with other counts is repeated all the same.
    bodies = [re.sub(r"\([^)]*\)|\d+", "", p).strip() for p in policies]
    repeated = sum(n - 1 for n in Counter(bodies).values() if n > 1)
    outputs = []  # (indicator, unit, baseline) of each output row; "" where no such column
    for table in document.tables:
        header = [c.text for c in table.rows[0].cells]
        if header[0] not in ("Tingkat", "Level"):
            continue
        unit = next((i for i, h in enumerate(header) if h in UNIT_HEADERS), None)
        baseline = next((i for i, h in enumerate(header) if h in BASELINE_HEADERS), None)
        for row in table.rows[1:]:
            cells_of_row = [c.text for c in row.cells]
            if cells_of_row[0].startswith(OUTPUT_LEVELS):
                outputs.append(
                    (
                        cells_of_row[2],
                        "" if unit is None else cells_of_row[unit],
                        "" if baseline is None else cells_of_row[baseline],
                    )
                )

    def has_figure(text: str) -> bool:
        return text not in NO_FIGURE and not PLACEHOLDER.search(text)

    staff_outputs = [r for r in outputs if not CITIZEN_INDICATOR.match(r[0])]
    pages, method = _pages(path, document, pdf)
    return {
        "draft": path.name,
        "pages_est": pages,
        "pages_method": method,
        "placeholders": placeholders,
        "priority_needs": len(outputs),
        "placeholders_per_priority_need": round(placeholders / len(outputs), 2)
        if outputs
        else None,
        "actions": actions,
        "actions_with_source": with_source,
        "untagged_obstacle_share": _untagged_share(path.parent / "analysis.xlsx"),
        "repeated_sentences": repeated,
        "logframe_rows_with_baseline": sum(has_figure(r[2]) for r in outputs),
        "logframe_rows_with_unit": sum(has_figure(r[1]) for r in outputs),
        "logframe_rows": len(outputs),
        "logframe_rows_staff_without_baseline": sum(not has_figure(r[2]) for r in staff_outputs),
    }


def main(argv: list[str]) -> None:
    paths = [Path(a) for a in argv if not a.startswith("--")] or [DEFAULT]
    for path in paths:
        print(json.dumps(measure(path, pdf="--pdf" in argv)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
