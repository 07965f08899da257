"""Accuracy of domain assignment for free text (a script, not a test): prints the misses
and one JSON line per set.

    .venv/bin/python bench/domain_accuracy.py [--verbose] [bench/data/domain_holdout.csv]

Two sets, both written independently of the domain vocabulary and not used to tune it:
- `short`: bench/data/domain_holdout.csv (columns domain,text), short held-out complaints
  and FGD-style answers;
- `long`: bench/data/long_complaints.jsonl (issue 11), letters to a complaint channel
  (title, greeting, NIK/KK and address, the problem, closing plea), reported whole and
  by part (`dev`; `holdout`: every third statement, set aside before any tuning;
  `holdout2`: written after the parameters were chosen).

A miss that lands on "belum_terpetakan" (unmapped) is safer than a wrong domain, so both
are counted; macro-F1 is over the expected domains (unmapped counts as a miss).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
from sklearn.metrics import f1_score

from processor.pipeline import Parameters, add_text_streams, assign_domains, split_content
from processor.vocabulary import UNMAPPED
from shared.survey_data import load_survey_data

DATA = Path(__file__).parent / "data"
SHORT_FILE = DATA / "domain_holdout.csv"
LONG_FILE = DATA / "long_complaints.jsonl"


def load_long(path: Path = LONG_FILE) -> pd.DataFrame:
    """The long-complaint set: id, domain, category, part, text."""
    return pd.read_json(path, lines=True, dtype={"id": str})


def answer_frame(texts: pd.Series) -> pd.DataFrame:
    """Each text as one citizen's need answer without a domain (as an import leaves it)."""
    n = len(texts)
    return pd.DataFrame(
        {
            "answer_id": [f"a{i}" for i in range(n)],
            "origin": "import",
            "unit": [f"{i}.0" for i in range(n)],
            "row_id": [f"{i}.0.0" for i in range(n)],
            "respondent": [f"r{i}" for i in range(n)],
            "source": "-",
            "instrument": "external",
            "question_id": "need",
            "domain": None,
            "text": texts.to_numpy(),
            "number": None,
        }
    )


def analysed_texts(texts: pd.Series, tools, survey_data, params: Parameters) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """The texts through the analysis up to domain assignment, in input order."""
    frame, _ = split_content(answer_frame(texts), plan_years=[2027])
    frame = add_text_streams(
        frame, tools.text, spelling=params.spelling, anchors=tools.keyword_tokens
    )
    return assign_domains(
        frame,
        tools.domains,
        known_domains=list(survey_data.domains.by_code),
        threshold=params.domain_threshold,
    )


def figures(name: str, expected: list[str], got: list[str]) -> dict:
    right = sum(e == g for e, g in zip(expected, got, strict=True))
    return {
        "set": name,
        "cases": len(expected),
        "right": right,
        "unmapped": sum(g == UNMAPPED for g in got),
        "wrong": sum(g not in (e, UNMAPPED) for e, g in zip(expected, got, strict=True)),
        "accuracy": round(right / len(expected), 3),
        "macro_f1": round(
            float(f1_score(expected, got, labels=sorted(set(expected)), average="macro")), 3
        ),
    }


def report(name: str, cases: pd.DataFrame, got: list[str], *, verbose: bool) -> dict:
    expected = cases["domain"].tolist()
    if verbose:
        right = Counter(e for e, g in zip(expected, got, strict=True) if e == g)
        for domain, total in sorted(Counter(expected).items()):
            print(f"{name:6} {domain:22} {right[domain]:3d}/{total:3d}")
        for e, g, t in zip(expected, got, cases["text"], strict=True):
            if e != g:
                label = "UNMAPPED" if g == UNMAPPED else "WRONG"
                print(f"{label} expected {e}, got {g}: {' '.join(t.split())[:160]}")
    return figures(name, expected, got)


def main(short_path: Path, *, verbose: bool) -> None:
    from processor.analysis import Tools

    survey_data = load_survey_data()
    tools = Tools.build(survey_data)
    params = Parameters()
    short = pd.read_csv(short_path)
    long = load_long()
    lines = [
        report(
            "short",
            short,
            analysed_texts(short["text"], tools, survey_data, params)["domain"].tolist(),
            verbose=verbose,
        )
    ]
    got = analysed_texts(long["text"], tools, survey_data, params)["domain"].tolist()
    lines.append(report("long", long, got, verbose=verbose))
    for part in ("dev", "holdout", "holdout2"):
        chosen = (long["part"] == part).to_numpy()
        lines.append(
            figures(
                f"long_{part}",
                long.loc[chosen, "domain"].tolist(),
                [g for g, keep in zip(got, chosen, strict=True) if keep],
            )
        )
    for line in lines:
        print(json.dumps(line))


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--verbose"]
    main(Path(arguments[0]) if arguments else SHORT_FILE, verbose="--verbose" in sys.argv)
