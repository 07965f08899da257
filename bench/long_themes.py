"""Themes of long citizen complaints (issue 11; a script, not a test): one JSON line per
part of bench/data/long_complaints.jsonl (all, dev, holdout, holdout2), and one for
holdout2 analysed on its own.

    .venv/bin/python bench/long_themes.py

Each letter goes through the analysis as an imported citizen need without a domain
(domain assignment, then themes per domain). Printed:
- `lainnya_share`: the share of letters left in a domain's "lainnya";
- `nmi_rembuk`: normalised mutual information between the theme ids (each domain's
  "lainnya" one cluster) and the hand-made fine categories;
- `nmi_kmeans`: the same for plain TF-IDF (raw text, sklearn defaults) + KMeans with as
  many clusters as Rembuk made (mean of 5 seeds), the baseline to beat;
- `nmi_kmeans_k_categories`: the same with as many clusters as there are categories;
- `themes`, `categories`: counts.
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
from domain_accuracy import analysed_texts, load_long
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import normalized_mutual_info_score

from processor.pipeline import Parameters
from processor.themes import group_themes, vectorise_texts
from shared.survey_data import load_survey_data


def rembuk_themes(cases: pd.DataFrame, tools, survey_data, params: Parameters):  # type: ignore[no-untyped-def]
    texts = analysed_texts(cases["text"], tools, survey_data, params)
    texts, vectors = vectorise_texts(texts)
    themes = group_themes(
        texts,
        vectors,
        surface=tools.text.surface_forms(),
        params=params,
        noise=tools.text.label_noise,
        tidy=tools.text.tidy_label,
    )
    return texts.assign(theme_id=themes.theme_ids), themes


def kmeans_nmi(texts: pd.Series, categories: pd.Series, k: int) -> float:
    matrix = TfidfVectorizer().fit_transform(texts)
    scores = [
        normalized_mutual_info_score(
            categories, KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(matrix)
        )
        for seed in range(5)
    ]
    return float(np.mean(scores))


def main() -> None:
    from processor.analysis import Tools

    survey_data = load_survey_data()
    tools = Tools.build(survey_data)
    params = replace(Parameters())
    cases = load_long()
    for line in figures(cases, tools, survey_data, params, ("all", "dev", "holdout", "holdout2")):
        print(json.dumps(line))
    # The second held-out part analysed on its own, as a campaign of only these letters.
    alone = cases.loc[cases["part"] == "holdout2"].reset_index(drop=True)
    for line in figures(alone, tools, survey_data, params, ("all",)):
        print(json.dumps({**line, "set": "long_holdout2_alone"}))


def figures(cases: pd.DataFrame, tools, survey_data, params: Parameters, parts) -> list[dict]:  # type: ignore[no-untyped-def]
    texts, themes = rembuk_themes(cases, tools, survey_data, params)
    other = set(themes.table.loc[themes.table["is_other"], "theme_id"])
    lines = []
    for part in parts:
        chosen = np.ones(len(cases), bool) if part == "all" else (cases["part"] == part).to_numpy()
        ids = texts["theme_id"].to_numpy()[chosen]
        categories = cases["category"].to_numpy()[chosen]
        k = len(set(ids))
        lines.append(
            {
                "set": f"long_{part}",
                "cases": int(chosen.sum()),
                "categories": len(set(categories)),
                "themes": int(len(set(ids) - other)),
                "lainnya_share": round(float(np.isin(ids, list(other)).mean()), 3),
                "nmi_rembuk": round(float(normalized_mutual_info_score(categories, ids)), 3),
                "nmi_kmeans": round(kmeans_nmi(cases["text"][chosen], pd.Series(categories), k), 3),
                "kmeans_k": k,
                "nmi_kmeans_k_categories": round(
                    kmeans_nmi(cases["text"][chosen], pd.Series(categories), len(set(categories))),
                    3,
                ),
            }
        )
    return lines


if __name__ == "__main__":
    main()
