"""How long an erasure takes once it reaches the outputs already made (issue 14 item 5).

Copies the output directory of `make demo` (its SQLite database, its digest history and its
analysis files) to a temporary directory, points the stored digest at the copy, picks the
citizen quoted most often in the latest analysis, and erases them as `rembuk erase` does.

    make demo && .venv/bin/python bench/erasure_outputs.py [--demo-out out]

Prints one JSON line: seconds for the whole erasure (collect, delete, scrub the Digest rows,
re-render the drafts, edit the workbooks), digests and files scrubbed, and whether the
quote is still anywhere.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import tempfile
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path


def _quoted_text(summary: dict) -> str:
    counts: dict[str, int] = {}
    for domain in summary["domains"].values():
        for themes in domain["themes"].values():
            for theme in themes:
                for quote in theme["quotes"]:
                    counts[quote] = counts.get(quote, 0) + 1
    return max(counts, key=lambda q: (counts[q], q))


def _contains(path: Path, text: str) -> bool:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return any(
                text in archive.read(n).decode("utf-8", "replace") for n in archive.namelist()
            )
    return text in path.read_bytes().decode("utf-8", "replace")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--demo-out", type=Path, default=Path("out"))
    args = parser.parse_args()
    source = args.demo_out.resolve()
    with tempfile.TemporaryDirectory() as temporary:
        out = Path(temporary) / "out"
        shutil.copytree(source, out)
        with sqlite3.connect(out / "demo.db") as connection:
            for column in ("docx_path", "xlsx_path"):
                connection.execute(
                    f"UPDATE digest SET {column} = replace({column}, ?, ?)",  # noqa: S608
                    (str(source), str(out)),
                )
        from sqlmodel import Session, select

        from bot.respondents import erase_respondent
        from processor.erasure import scrub_files
        from shared.db import make_engine
        from shared.models import Answer, Respondent, SurveyRun

        quote = _quoted_text(json.loads((out / "summary.json").read_text(encoding="utf-8")))
        engine = make_engine(f"sqlite:///{out / 'demo.db'}")
        with Session(engine) as session:
            answer = session.exec(select(Answer).where(Answer.value_text == quote)).first()
            if answer is None:
                raise SystemExit(f"no answer reads {quote!r} (a paper form?)")
            run = session.get(SurveyRun, answer.run_id)
            person = session.get(Respondent, run.respondent_id)
            started = time.perf_counter()
            report = erase_respondent(session=session, respondent=person, now=datetime.now(UTC))
            session.commit()
            database_seconds = time.perf_counter() - started
            scrub_files(report, output_dir=out)
            seconds = time.perf_counter() - started
        engine.dispose()
        # The database itself (and SQLite's -wal file) is not an output: left out here.
        files = [p for p in out.rglob("*") if p.is_file() and ".db" not in p.name]
        print(
            json.dumps(
                {
                    "bench": "erasure_outputs",
                    "seconds": round(seconds, 2),
                    "database_seconds": round(database_seconds, 2),
                    "cpu_seconds": round(time.process_time(), 1),
                    "digests": report.digests,
                    "files_rewritten": len(report.files.rewritten),
                    "files_failed": len(report.files.failed),
                    "quote_left_in": [p.name for p in files if _contains(p, quote)],
                }
            )
        )


if __name__ == "__main__":
    main()
