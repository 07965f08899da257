"""Accuracy of domain assignment for free text on held-out citizen complaints (a script,
not a test): prints per-domain figures and one JSON line.

    .venv/bin/python bench/domain_accuracy.py [bench/data/domain_holdout.csv]

The CSV (columns domain,text) was written independently of the domain vocabulary and is
not used to tune it; a miss that lands on "belum_terpetakan" (unmapped) is safer than a
wrong domain, so both are counted.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pandas as pd

from processor.pipeline import Parameters, add_text_streams, assign_domains, split_content
from processor.vocabulary import UNMAPPED
from shared.survey_data import load_survey_data

DEFAULT_FILE = Path(__file__).parent / "data" / "domain_holdout.csv"


def main(path: Path) -> None:
    from processor.analysis import Tools

    survey_data = load_survey_data()
    tools = Tools.build(survey_data)
    cases = pd.read_csv(path)
    frame = pd.DataFrame(
        {
            "answer_id": [f"a{n}" for n in range(len(cases))],
            "origin": "bot",
            "unit": [f"{n}.0" for n in range(len(cases))],
            "row_id": [f"{n}.0.0" for n in range(len(cases))],
            "respondent": [f"r{n}" for n in range(len(cases))],
            "source": "-",
            "instrument": "external",
            "question_id": "need",
            "domain": None,
            "text": cases["text"],
            "number": None,
        }
    )
    texts, _ = split_content(frame, plan_years=[2027])
    texts = add_text_streams(texts, tools.text)
    result = assign_domains(
        texts,
        tools.domains,
        known_domains=list(survey_data.domains.by_code),
        threshold=Parameters().domain_threshold,
    )
    got = result["domain"].tolist()
    expected = cases["domain"].tolist()
    right = Counter(e for e, g in zip(expected, got, strict=True) if e == g)
    total = Counter(expected)
    for domain in sorted(total):
        print(f"{domain:22} {right[domain]:3d}/{total[domain]:3d}")
    wrong = [
        (e, g, t)
        for e, g, t in zip(expected, got, cases["text"], strict=True)
        if g not in (e, UNMAPPED)
    ]
    unmapped = [
        (e, t) for e, g, t in zip(expected, got, cases["text"], strict=True) if g == UNMAPPED
    ]
    for e, g, t in wrong:
        print(f"WRONG   expected {e}, got {g}: {t}")
    for e, t in unmapped:
        print(f"UNMAPPED expected {e}: {t}")
    print(
        json.dumps(
            {
                "cases": len(cases),
                "right": sum(right.values()),
                "unmapped": len(unmapped),
                "wrong": len(wrong),
                "accuracy": round(sum(right.values()) / len(cases), 3),
            }
        )
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_FILE)
