"""Share of citizen obstacle answers that carry no problem dimension (a script, not a test).

    make demo
    .venv/bin/python bench/untagged_obstacles.py [out/demo.db] [--list]

Re-runs the analysis on the demo's database with the current data files (nothing is written
to ./out), so a keyword change in dimensions.yaml is measured without a new `make demo`.
Prints one JSON line; --list also prints the untagged texts, most frequent first, to see
which phrasing the vocabulary misses.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine

DEFAULT_DB = Path("out") / "demo.db"


def untagged(database: Path) -> tuple[int, Counter[str]]:
    """(citizen obstacle answers, untagged texts with their counts)."""
    from processor.analysis import run_analysis
    from shared.survey_data import load_survey_data

    engine = create_engine(f"sqlite:///{database}")
    with tempfile.TemporaryDirectory() as scratch:
        result = run_analysis(
            engine=engine,
            campaign_code="demo",
            out_dir=Path(scratch),
            now=datetime.now(UTC),
            survey_data=load_survey_data(),
            write_xlsx=False,
        )
    texts = result.analysis.answers()  # one row per answer
    obstacles = texts.loc[texts["kind"] == "citizen_obstacle"]
    tagged = set(result.analysis.answer_dimensions()["answer_id"])
    missed = obstacles.loc[~obstacles["answer_id"].isin(tagged), "text"]
    return len(obstacles), Counter(" ".join(str(t).lower().split()) for t in missed)


def main(arguments: list[str]) -> None:
    paths = [a for a in arguments if not a.startswith("--")]
    database = Path(paths[0]) if paths else DEFAULT_DB
    if not database.exists():
        sys.exit(f"{database}: not found; run `make demo` first")
    total, missed = untagged(database)
    if "--list" in arguments:
        for text, count in missed.most_common():
            print(f"{count:4d}  {text}")
    count = sum(missed.values())
    share = round(count / total, 3) if total else 0.0
    print(json.dumps({"citizen_obstacles": total, "untagged": count, "untagged_share": share}))


if __name__ == "__main__":
    main(sys.argv[1:])
