"""Makes xlsx_sample_input.json, the fixed input of tests/processor/test_xlsx_golden.py:
a demo analysis (`rembuk demo`) cut to two domains, a sample of its text answers, a few
hand-made awkward rows (a formula-like text, a control character, a phone number, no
theme, no domain), a theme label with characters XML refuses and two stored curations,
so the test exercises every sheet without depending on the analysis code.

    .venv/bin/rembuk demo --out /tmp/demo
    .venv/bin/python tests/processor/data/make_xlsx_sample.py /tmp/demo/demo.db
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOMAINS = ("kesehatan", "adminduk_perizinan")
TEXT_COLUMNS = ["answer_id", "respondent", "domain", "kind", "theme_id", "domain_source", "text"]
PER_THEME = 2


def main(database: str) -> None:
    from processor.analysis import run_analysis
    from shared import db
    from shared.survey_data import load_survey_data

    result = run_analysis(
        engine=db.make_engine(f"sqlite:///{database}"),
        campaign_code="demo",
        out_dir=Path(database).parent / "sample",
        now=datetime(2026, 11, 27, tzinfo=UTC),
        survey_data=load_survey_data(),
        write_xlsx=False,
    )
    summary = result.summary
    summary["domains"] = {c: d for c, d in summary["domains"].items() if c in DOMAINS}
    # Characters no XLSX cell can hold, in a label the Kurasi sheet and its keys show.
    theme = summary["domains"][DOMAINS[0]]["themes"]["citizen_need"][0]
    theme["label"] = theme["label"] + "\x07 \ufffe"
    summary["curations"] = [
        {
            "id": 1,
            "action": "rename",
            "subject": "kesehatan.citizen_need.1",
            "theme_id": "kesehatan.citizen_need.1",
            "before": "lama",
            "after": "baru",
            "by": "perencana",
            "at": "2026-11-20T03:04:05+00:00",
            "status": "applied",
            "note": None,
        },
        {
            "id": 2,
            "action": "move_answer",
            "subject": "a999999",
            "before": None,
            "after": "sosial",
            "by": "perencana",
            "at": "bukan waktu",
            "status": "stale",
            "note": "jawaban tidak ditemukan",
        },
    ]
    texts = result.analysis.texts
    texts = texts.loc[texts["domain"].isin(DOMAINS)]
    sample = texts.groupby(["domain", "kind", "theme_id"], sort=True).head(PER_THEME)
    rows = sample[TEXT_COLUMNS].astype(object).where(sample[TEXT_COLUMNS].notna(), None)
    records = rows.to_dict("records")
    awkward = [
        ('=HYPERLINK("http://contoh.id","klik")', "kesehatan", "kesehatan.citizen_need.1"),
        ("antri lama\x07 sekali", "kesehatan", "kesehatan.citizen_need.1"),
        ("hubungi pak Budi Santoso 081234567890 soal ktp", "adminduk_perizinan", None),
        ("tidak tahu domainnya", None, None),
    ]
    for number, (text, domain, theme) in enumerate(awkward):
        records.append(
            {
                "answer_id": f"a90000{number}",
                "respondent": f"r90000{number}",
                "domain": domain,
                "kind": "citizen_need",
                "theme_id": theme,
                "domain_source": "respondent",
                "text": text,
            }
        )
    tags = result.analysis.dimension_tags
    tags = tags.loc[tags["answer_id"].isin({r["answer_id"] for r in records})]
    data = {
        "summary": summary,
        "texts": records,
        "dimension_tags": tags.astype(object).to_dict("records"),
    }
    target = HERE / "xlsx_sample_input.json"
    target.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(target, len(records), "texts")


if __name__ == "__main__":
    main(sys.argv[1])
