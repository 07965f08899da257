"""From stored answers to themes, dimensions and the gap matrix; summary.json's shape.

`analyse` and `build_summary` are pure; `run_analysis` does the I/O at both ends.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from processor.complaints import mask_confidential, withhold_confidential
from processor.coverage import coverage_summary, empty_profiles
from processor.ikm import ikm_table
from processor.links import LinkParameters, evidence_links, subject_features
from processor.pipeline import (
    CITIZEN_KINDS,
    KINDS,
    ROW_COLUMNS,
    STREAM_COLUMNS,
    UNIT_BLOCKS,
    WEIGHT,
    AnswerTable,
    Members,
    Parameters,
    add_text_streams,
    agency_json,
    aggregate_answers,
    answer_id_text,
    answer_labels,
    answer_rows,
    assign_domains,
    distinct_answer_pairs,
    empty_members,
    first_positions,
    respondent_row_codes,
    split_content,
    staff_answers,
    staff_fields,
    tag_dimensions,
    weights,
)
from processor.render import write_analysis_xlsx, write_summary_json
from processor.themes import (
    STAFF_ROW_FIELDS,
    Themes,
    formal_labels,
    gap_links,
    group_themes,
    scrub_texts,
    staff_rows,
    vectorise_texts,
)
from processor.vocabulary import OTHER_DOMAIN, UNMAPPED, DimensionTagger, DomainClassifier
from shared.survey_data import AgencyList, SurveyData, Wilayah
from shared.text import TextTools

# 3: `coverage` (issue 14); 4: `answer_ids` one space-separated string (10M answers).
SCHEMA_VERSION = 4
UNMAPPED_NAME = {"id": "Belum terpetakan", "en": "Unmapped"}
STAFF_ROWS_PER_GAP = 20  # the most similar rows are listed; staff_row_count has them all

Progress = Callable[[str], None]


def _no_progress(stage: str) -> None:
    pass


@dataclass(frozen=True)
class Tools:
    """Everything built once from the data files (no I/O after construction)."""

    text: TextTools
    domains: DomainClassifier
    dimensions: DimensionTagger
    keyword_tokens: frozenset[str] = frozenset()  # spelling corrections may aim at these

    @classmethod
    def build(cls, survey_data: SurveyData, text: TextTools | None = None) -> Tools:
        text = text or TextTools.from_data_dir()
        phrases = [
            phrase
            for domain in survey_data.domains.domains
            for phrase in (*domain.keywords, domain.name.id)
        ] + [
            phrase
            for dimension in survey_data.dimensions.dimensions
            for phrase in dimension.keywords
        ]
        return cls(
            text=text,
            domains=DomainClassifier.build(domains=survey_data.domains, tools=text),
            dimensions=DimensionTagger.build(dimensions=survey_data.dimensions, tools=text),
            keyword_tokens=frozenset(t for phrase in phrases for t in text.tokens(phrase)),
        )


@dataclass(frozen=True)
class Analysis:
    campaign: dict
    runs: pd.DataFrame
    # One row per distinct text answer (question, stored domain, text …; staff answers and
    # answers whose domain was assigned one row each) with `answers`, the answers it stands
    # for: kind, domain, theme_id, streams …; `members` lists those answers.
    texts: pd.DataFrame
    targets: pd.DataFrame  # row_id, answer_id, year, value
    themes: Themes
    dimension_tags: pd.DataFrame  # row (of texts), answers, domain, kind, dimension
    staff_rows: pd.DataFrame
    gap_links: pd.DataFrame
    links: pd.DataFrame  # processor.links.LINK_COLUMNS
    params: Parameters = field(default_factory=Parameters)
    agencies: AgencyList | None = None  # the campaign's own list of OPD, if it has one
    # Respondent profiles (processor.coverage.PROFILE_COLUMNS) and the campaign's own
    # regions, for the coverage tables (issue 14).
    profiles: pd.DataFrame | None = None
    wilayah: Wilayah | None = None
    skm: pd.DataFrame | None = None  # SKM scores (processor.ikm.SKM_COLUMNS), if any
    # How each planner curation fared (processor.curation.Outcome.to_json), once applied.
    curations: tuple[dict, ...] = ()
    members: Members = field(default_factory=empty_members)  # the answers of texts' rows

    def answers(self) -> pd.DataFrame:
        """One row per text answer (texts' columns, its answer_id and respondent), in
        answer order: for reading single answers. Large: the analysis counts with weights."""
        return answer_rows(self.texts, self.members)

    def answer_dimensions(self) -> pd.DataFrame:
        """dimension_tags per answer: answer_id, domain, kind, dimension."""
        tags = self.dimension_tags
        tagged = np.zeros(len(self.texts), dtype=bool)
        tagged[tags["row"].to_numpy(dtype=np.int64)] = True
        chosen = tagged[self.members.row]
        per_answer = pd.DataFrame(
            {
                "answer_id": answer_labels(self.members.answer[chosen]),
                "row": self.members.row[chosen],
                "position": np.arange(int(chosen.sum())),
            }
        )
        merged = per_answer.merge(tags.drop(columns=WEIGHT), on="row").sort_values(
            ["position", "dimension"], kind="stable"
        )
        return merged[["answer_id", "domain", "kind", "dimension"]].reset_index(drop=True)

    def sheet_texts(self) -> pd.DataFrame:
        """One row per distinct text of a theme (and of how its domain was decided):
        domain, kind, theme_id, domain_source, text, answers, respondents, the first
        answer's id and its problem dimensions (processor.render's Jawaban sheet)."""
        return sheet_texts(self.texts, self.members, self.dimension_tags)


SHEET_KEYS = ["domain", "kind", "theme_id", "domain_source", "text"]


def sheet_texts(texts: pd.DataFrame, members: Members, tags: pd.DataFrame) -> pd.DataFrame:
    """See Analysis.sheet_texts; rows in the order of their first answer."""
    columns = [*SHEET_KEYS, "answers", "respondents", "first_answer_id", "dimensions"]
    if texts.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    keys = (
        texts[SHEET_KEYS]
        .astype(object)
        .assign(
            domain=texts["domain"].astype(object).fillna(""),
            theme_id=texts["theme_id"].astype(object).fillna(""),
        )
    )
    group = keys.groupby(SHEET_KEYS, sort=False, dropna=False).ngroup().to_numpy()
    n = int(group.max()) + 1
    group = group.astype(np.int32)
    pairs = distinct_answer_pairs(members.respondent, members, group, n)
    of_answer = group[members.row]
    first_row = np.full(n, -1, dtype=np.int64)
    first_answer = np.zeros(n, dtype=np.int64)
    at = first_positions(of_answer, n)
    found = at < len(of_answer)
    first_row[found] = members.row[at[found]]
    first_answer[found] = members.answer[at[found]]
    grouped = keys.iloc[first_row].reset_index(drop=True)
    tagged = tags.groupby("row")["dimension"].agg(lambda codes: ", ".join(sorted(codes)))
    return grouped.assign(
        answers=np.bincount(group, weights=weights(texts), minlength=n).astype(np.int64),
        respondents=np.bincount(pairs % n, minlength=n).astype(np.int64),
        first_answer_id=answer_labels(first_answer),
        dimensions=pd.Series(first_row).map(tagged).astype(object).fillna("").to_numpy(),
    )[columns]


def analyse(
    *,
    campaign: dict,
    runs: pd.DataFrame,
    answers: pd.DataFrame | AnswerTable,
    survey_data: SurveyData,
    tools: Tools,
    params: Parameters = Parameters(),  # noqa: B008 - frozen, so sharing it is safe
    progress: Progress = _no_progress,
    agencies: AgencyList | None = None,
    profiles: pd.DataFrame | None = None,
    wilayah: Wilayah | None = None,
    skm: pd.DataFrame | None = None,
) -> Analysis:
    """The whole analysis on frames (see processor.load for their columns): `answers` one
    row per answer (ANSWER_COLUMNS), or already aggregated (processor.load streams them
    so). `agencies` is the campaign's own list of agencies (OPD), if it has one."""
    progress("normalise")
    table = (
        answers
        if isinstance(answers, AnswerTable)
        else aggregate_answers(answers, usable_domains=survey_data.domains.by_code)
    )
    rows = table.rows.assign(entry=np.arange(len(table.rows)))
    texts, _ = split_content(rows, plan_years=campaign["plan_years"])
    # A staff row's fields and targets, from one row per answer (with its row id), which
    # is let go at once: at 10M answers it is ~150 MB.
    fields_answers = _staff_field_answers(table.fields)
    _, targets = split_content(fields_answers, plan_years=campaign["plan_years"])
    fields = staff_fields(
        fields_answers,
        plan_years=campaign["plan_years"],
        agencies=agencies or survey_data.agencies,
        units=survey_data.units,
    )
    del fields_answers
    members = table.members.of_rows(texts["entry"].to_numpy(), len(rows))
    texts = texts.drop(columns=["entry"])
    texts = add_text_streams(
        texts, tools.text, spelling=params.spelling, anchors=tools.keyword_tokens
    )
    progress("domains")
    texts = assign_domains(
        texts,
        tools.domains,
        known_domains=list(survey_data.domains.by_code),
        threshold=params.domain_threshold,
    )
    progress("themes")
    texts, vectors = vectorise_texts(texts)
    themes = group_themes(
        texts,
        vectors,
        surface=tools.text.surface_forms(),
        params=params,
        noise=tools.text.label_noise,
        tidy=tools.text.tidy_label,
        members=members,
    )
    # Rahasia complaints: counted, never quoted (issue 11 item 6).
    themes = replace(
        themes,
        table=withhold_confidential(
            themes.table,
            texts.assign(theme_id=themes.theme_ids),
            tidy=tools.text.tidy_label,
            label_length=params.label_length,
        ),
    )
    themes = replace(
        themes,
        table=themes.table.assign(label_formal=formal_labels(themes.table, texts)),
    )
    texts = texts.assign(theme_id=themes.theme_ids)
    progress("dimensions")
    tags = tag_dimensions(texts, tools.dimensions)
    progress("gaps")
    # Only what staff_rows reads: one row per staff answer of every text column would be
    # ~350 MB at 10M answers.
    staff = staff_answers(
        texts[list(STAFF_ANSWER_COLUMNS)], members, texts["kind"].isin(STAFF_ROW_FIELDS).to_numpy()
    )
    # The text streams are the analysis' own, and the rest of it reads none of them (the
    # staff rows' stems are in their table): ~170 MB at 10M answers, let go here, before
    # the links and the summary.
    texts = texts.drop(columns=list(STREAM_COLUMNS))
    staff_table = staff_rows(staff, targets, fields)
    del staff, fields
    subject = subject_features(vectors, tools.text.is_word)
    gaps = gap_links(staff_table, themes, vectors, texts, params=params, subject=subject)
    progress("links")
    links = evidence_links(
        texts,
        themes,
        vectors,
        staff_table,
        gaps,
        subject=subject,
        params=LinkParameters(),
        members=members,
    )
    return Analysis(
        campaign=campaign,
        runs=runs,
        texts=mask_confidential(texts),  # what the answer tables show
        targets=targets,
        themes=themes,
        dimension_tags=tags,
        staff_rows=staff_table,
        gap_links=gaps,
        links=links,
        params=params,
        agencies=agencies,
        profiles=profiles,
        wilayah=wilayah,
        skm=skm,
        members=members,
    )


STAFF_ANSWER_COLUMNS = ("kind", "row_id", "domain", "text", "stems")


def _staff_field_answers(fields: AnswerTable | None) -> pd.DataFrame:
    """The staff rows' agency, unit, baseline, targets and budgets (the table's `fields`),
    one row per answer with its row id."""
    if fields is None:
        fields = AnswerTable(
            rows=pd.DataFrame(columns=[*ROW_COLUMNS, WEIGHT]), members=empty_members()
        )
    return staff_answers(fields.rows, fields.members, np.ones(len(fields.rows), dtype=bool))


def ikm_json(analysis: Analysis, survey_data: SurveyData) -> list[dict]:
    """summary.json's `ikm`: per service unit and period (see processor.ikm)."""
    if analysis.skm is None or analysis.skm.empty:
        return []
    timezone = analysis.campaign.get("timezone") or "Asia/Jakarta"
    table = ikm_table(analysis.skm, survey_data.service_units, timezone=timezone)
    return [row.as_json() for row in table]


def _names(survey_data: SurveyData) -> dict[str, dict[str, str]]:
    names = {d.code: {"id": d.name.id, "en": d.name.en} for d in survey_data.domains.domains}
    names[UNMAPPED] = dict(UNMAPPED_NAME)
    return names


def _theme_json(row: Mapping, dimensions: Mapping[str, Mapping[str, int]]) -> dict:
    extra = (
        {"dimensions": dict(dimensions[row["theme_id"]])} if row["theme_id"] in dimensions else {}
    )
    return {
        "id": row["theme_id"],
        "label": row["label"],
        "label_formal": row.get("label_formal") or row["label"],
        "is_other": bool(row["is_other"]),
        "representative": row["representative"],
        "keywords": list(row["keywords"]),
        "answer_count": int(row["answer_count"]),
        "respondent_count": int(row["respondent_count"]),
        "quotes": list(row["quotes"]),
        "answer_ids": answer_id_text(row["answer_ids"]),
        **extra,
    }


def _theme_dimensions(analysis: Analysis) -> dict[str, dict[str, int]]:
    """Obstacle theme id -> {dimension: answers of the theme tagged with it}."""
    tags = analysis.dimension_tags
    if tags.empty:
        return {}
    theme_of_row = analysis.texts["theme_id"].to_numpy(dtype=object)
    themed = tags.assign(theme_id=theme_of_row[tags["row"].to_numpy(dtype=np.int64)])
    counts = themed.groupby(["theme_id", "dimension"])[WEIGHT].sum()
    result: dict[str, dict[str, int]] = {}
    for (theme_id, dimension), n in counts.items():
        result.setdefault(str(theme_id), {})[str(dimension)] = int(n)
    return result


class _StaffJson:
    """The staff rows' summary.json entries, made for the rows listed only: a dict for
    each of the 176,000 rows of 10M answers would take ~200 MB."""

    def __init__(self, staff_rows: pd.DataFrame) -> None:
        self.rows = staff_rows
        self.position = dict(zip(staff_rows["row_id"], range(len(staff_rows)), strict=True))

    def of(self, row_id: str) -> dict:
        return _staff_row_json(self.rows.iloc[self.position[row_id]])


def _staff_row_json(row: Mapping) -> dict:
    return {
        "row_id": row["row_id"],
        "respondent": row["respondent"],
        "need": row["need"],
        "obstacle": row["obstacle"],
        "realisation": row["realisation"],
        "strategy": row["strategy"],
        "indicator": row["indicator"],
        "targets": dict(row["targets"]),
        # Agency, unit, baseline and budget (internal v2; None and {} where not given).
        "opd": copy.deepcopy(row["opd"]),
        "unit": copy.deepcopy(row["unit"]),
        "baseline": copy.deepcopy(row["baseline"]),
        "budget": dict(row["budget"]),
        "answer_ids": answer_id_text(row["answer_ids"]),
    }


OTHER_INPUTS = 60  # verbatim leftovers per (domain, kind) in summary.json; the rest counted


def _period(runs: pd.DataFrame) -> dict[str, str | None]:
    """When the first and the last questionnaire of the campaign were submitted."""
    if "submitted_at" not in runs or runs["submitted_at"].isna().all():
        return {"first": None, "last": None}
    stamps = pd.to_datetime(runs["submitted_at"].dropna(), utc=True)
    return {"first": stamps.min().isoformat(), "last": stamps.max().isoformat()}


def _other_inputs(texts: pd.DataFrame, themes: dict[str, list[dict]], code: str) -> dict:
    """What no theme holds ("lainnya"), verbatim but PII-scrubbed, most frequent first, so
    the draft can list it instead of letting it vanish."""
    other_ids = {t["id"] for kind in CITIZEN_KINDS for t in themes[kind] if t["is_other"]}
    rest = texts.loc[texts["theme_id"].isin(other_ids) & (texts["domain"] == code)]
    inputs: dict[str, list[dict]] = {}
    more: dict[str, int] = {}
    for kind, group in rest.groupby("kind", sort=True):
        counted = group.groupby("text", sort=False)[WEIGHT].sum().reset_index()
        counted.columns = ["text", "answers"]
        counted = counted.sort_values(["answers", "text"], ascending=[False, True])
        shown = counted.head(OTHER_INPUTS)
        scrubbed = scrub_texts(shown["text"]).tolist()
        inputs[str(kind)] = [
            {"text": t, "answers": int(n)} for t, n in zip(scrubbed, shown["answers"], strict=True)
        ]
        more[str(kind)] = max(0, len(counted) - OTHER_INPUTS)
    return {"other_inputs": inputs, "other_inputs_more": more}


def _lead_agency(agencies: AgencyList, domain: str) -> dict | None:
    """The first agency of the list that usually serves the domain: whom the draft proposes
    as responsible where no officer named an OPD."""
    lead = next((a.code for a in agencies.agencies if domain in a.domains), None)
    return agency_json(agencies, lead)


def _row_need_links(analysis: Analysis) -> pd.DataFrame:
    """Agency rows that address a need (directly, or through its main obstacle or main
    suggestion), with the matched field of direct ones; the best first for each need."""
    links = analysis.links.loc[analysis.links["relation"] == "row-need"]
    fields = analysis.gap_links.rename(columns={"theme_id": "target", "row_id": "source"})
    links = links.merge(fields[["target", "source", "field"]], on=["target", "source"], how="left")
    links = links.assign(field=links["field"].where(links["via"] == "", None))
    return links.sort_values(
        ["target", "strength", "similarity", "source"],
        ascending=[True, True, False, True],  # "strong" before "weak"
        kind="stable",
    )


def _links_json(links: pd.DataFrame | None, labels: Mapping[str, str]) -> list[dict]:
    """A domain's evidence links (processor.links), each with the labels it joins."""
    if links is None:
        return []
    return [
        {
            "relation": link["relation"],
            "source": link["source"],
            "source_label": labels.get(link["source"]),
            "target": link["target"],
            "target_label": labels.get(link["target"]),
            "blocks": int(link["blocks"]),
            "lift": None if pd.isna(link["lift"]) else round(float(link["lift"]), 3),
            "p_value": None if pd.isna(link["p_value"]) else float(f"{link['p_value']:.3g}"),
            "similarity": round(float(link["similarity"]), 3),
            "strength": link["strength"],
            "via": link["via"] or None,
            "curated": link.get("curated") or None,  # "confirmed" by a planner
        }
        for link in links.to_dict("records")
    ]


def build_summary(analysis: Analysis, *, survey_data: SurveyData, now: datetime) -> dict:
    """summary.json as a dict (documented field by field in the README)."""
    texts, runs = analysis.texts, analysis.runs
    names = _names(survey_data)
    dimension_codes = [d.code for d in survey_data.dimensions.dimensions]
    domain_order = [d.code for d in survey_data.domains.domains if d.code != OTHER_DOMAIN]
    present = set(texts["domain"].unique())
    domain_order = [c for c in domain_order if c in present] + (
        [UNMAPPED] if UNMAPPED in present else []
    )
    # A domain code the data files no longer list still gets its answers reported.
    domain_order += sorted(present - set(domain_order) - {None})
    per_domain = _per_domain(texts, analysis.members)
    dimension_counts = (
        analysis.dimension_tags.groupby(["domain", "dimension"])[WEIGHT].sum()
        if len(analysis.dimension_tags)
        else pd.Series(dtype=int)
    )
    overall_dimensions = (
        analysis.dimension_tags.groupby("dimension")[WEIGHT].sum()
        if len(analysis.dimension_tags)
        else pd.Series(dtype=int)
    )
    theme_dimensions = _theme_dimensions(analysis)
    themes_by_group = {
        key: frame for key, frame in analysis.themes.table.groupby(["domain", "kind"], sort=False)
    }
    staff_json = _StaffJson(analysis.staff_rows)
    row_needs = _row_need_links(analysis)
    links_by_theme = {t: f for t, f in row_needs.groupby("target", sort=False)}
    linked_rows = set(row_needs["source"])
    labels = dict(
        zip(analysis.themes.table["theme_id"], analysis.themes.table["label"], strict=True)
    )
    links_by_domain = {d: f for d, f in analysis.links.groupby("domain", sort=False)}

    domains: dict[str, dict] = {}
    for code in domain_order:
        themes = {
            kind: [
                _theme_json(row, theme_dimensions)
                for row in themes_by_group.get((code, kind), pd.DataFrame()).to_dict("records")
            ]
            for kind in KINDS
        }
        gaps = []
        for theme in themes["citizen_need"]:
            if theme["is_other"]:
                continue
            links = links_by_theme.get(theme["id"])
            listed = [] if links is None else links.head(STAFF_ROWS_PER_GAP).to_dict("records")
            gaps.append(
                {
                    "need_theme_id": theme["id"],
                    "need_label": theme["label"],
                    "answer_count": theme["answer_count"],
                    "respondent_count": theme["respondent_count"],
                    "status": "ditangani" if listed else "belum_ditangani",
                    "staff_row_count": 0 if links is None else len(links),
                    "staff_rows": [
                        dict(
                            staff_json.of(link["source"]),
                            similarity=round(float(link["similarity"]), 3),
                            matched_field=link["field"] if isinstance(link["field"], str) else None,
                            via=link["via"] or None,
                            strength=link["strength"],
                        )
                        for link in listed
                    ],
                }
            )
        domain_rows = analysis.staff_rows.loc[analysis.staff_rows["domain"] == code, "row_id"]
        counts = per_domain.loc[code] if code in per_domain.index else None
        domains[code] = {
            "name": names.get(code, {"id": code, "en": code}),
            "respondents": int(counts["respondents"]) if counts is not None else 0,
            "answers": int(counts["answers"]) if counts is not None else 0,
            "themes": themes,
            "dimensions": {d: int(dimension_counts.get((code, d), 0)) for d in dimension_codes},
            "gaps": gaps,
            "links": _links_json(links_by_domain.get(code), labels),
            "lead_agency": _lead_agency(analysis.agencies or survey_data.agencies, code),
            **_other_inputs(texts, themes, code),
            "staff_rows_without_need": [
                staff_json.of(row_id)
                for row_id in [r for r in domain_rows if r not in linked_rows][:STAFF_ROWS_PER_GAP]
            ],
        }
    statuses = runs["status"].value_counts() if len(runs) else pd.Series(dtype=int)
    first_answers = _first_answers_of_respondents(analysis.members)
    first_rows = analysis.members.row[first_answers]
    by_source = _first_sources(analysis, first_answers).value_counts().sort_index()
    by_instrument = texts["instrument"].iloc[first_rows].value_counts().sort_index()
    answers = weights(texts)
    return {
        "schema_version": SCHEMA_VERSION,
        "campaign": dict(analysis.campaign),
        "generated_at": now.isoformat(),
        "period": _period(runs),
        "counts": {
            "submitted_runs": int(statuses.get("submitted", 0)),
            "in_progress_runs": int(statuses.get("in_progress", 0)),
            "respondents": len(first_rows),
            "answers": int(answers.sum()),
            "imported_answers": int(answers[(texts["origin"] == "import").to_numpy()].sum()),
            "target_values": len(analysis.targets),
            "by_kind": {k: int(answers[(texts["kind"] == k).to_numpy()].sum()) for k in KINDS},
            "by_domain": {
                code: {
                    "respondents": domains[code]["respondents"],
                    "answers": domains[code]["answers"],
                }
                for code in domain_order
            },
            "by_source": {str(s): int(n) for s, n in by_source.items()},
            "by_instrument": {str(i): int(n) for i, n in by_instrument.items()},
            "domain_sources": {
                str(s): int(n)
                for s, n in texts.groupby("domain_source")[WEIGHT].sum().sort_index().items()
                if n
            },
        },
        "kinds": list(KINDS),
        "citizen_kinds": list(CITIZEN_KINDS),
        "domains": domains,
        "dimensions": {
            d.code: {
                "name": {"id": d.name.id, "en": d.name.en},
                "group": d.group,
                "count": int(overall_dimensions.get(d.code, 0)),
            }
            for d in survey_data.dimensions.dimensions
        },
        "unmapped": {"answers": int(answers[(texts["domain"] == UNMAPPED).to_numpy()].sum())},
        "coverage": _coverage(analysis, survey_data),
        "ikm": ikm_json(analysis, survey_data),
        "curations": [dict(c) for c in analysis.curations],
        "parameters": {
            "domain_threshold": analysis.params.domain_threshold,
            "theme_distance": analysis.params.theme_distance,
            "gap_similarity": analysis.params.gap_similarity,
        },
    }


def _first_sources(analysis: Analysis, first_answers: np.ndarray) -> pd.Series:
    """The source (venue) of each respondent's first answer (`first_answers`: positions in
    members): its row's, or, for bot rows aggregated without one, its run's (the run id is
    in the answer's unit code)."""
    members = analysis.members
    sources = analysis.texts["source"].to_numpy(dtype=object)[members.row[first_answers]]
    missing = pd.isna(sources)
    if missing.any():
        runs = members.unit[first_answers][missing] // UNIT_BLOCKS
        by_run = analysis.runs.set_index("run_id")["source"].astype(object)
        sources[missing] = by_run.reindex(runs).to_numpy(dtype=object)
    return pd.Series(sources, dtype=object)


def _first_answers_of_respondents(members: Members) -> np.ndarray:
    """The position (in members) of each respondent's first answer, in code order; only
    respondents with an answer."""
    at = first_positions(members.respondent, len(members.respondents))
    return at[at < len(members)]


def _per_domain(texts: pd.DataFrame, members: Members) -> pd.DataFrame:
    """respondents (distinct) and answers per domain, indexed by domain."""
    codes, names = pd.factorize(texts["domain"].astype(object))
    n = len(names)
    answers = np.bincount(codes[codes >= 0], weights=weights(texts)[codes >= 0], minlength=n)
    respondents = respondent_row_codes(members, codes.astype(np.int32), n).sum(axis=0)
    return pd.DataFrame(
        {"respondents": respondents.astype(np.int64), "answers": answers.astype(np.int64)},
        index=pd.Index(names, name="domain"),
    )


def respondent_domains(texts: pd.DataFrame, members: Members, kinds: list[str]) -> pd.DataFrame:
    """(respondent, domain, kind): each respondent who gave an answer of `kinds` once per
    domain of those answers, kind the first of `kinds` (what processor.coverage counts);
    ordered by respondent, then domain. The respondent is its code (a position in
    members.respondents): a million pseudonyms hashed take ~150 MB where codes take 10."""
    codes, names = pd.factorize(texts["domain"].astype(object))
    wanted = texts["kind"].isin(kinds).to_numpy() & (codes >= 0)
    code_of_row = np.where(wanted, codes, -1).astype(np.int32)
    respondent, domain = np.nonzero(respondent_row_codes(members, code_of_row, len(names)))
    # Categories: millions of rows, a few domains.
    return pd.DataFrame(
        {
            "respondent": respondent,
            "domain": pd.Categorical.from_codes(domain, categories=np.asarray(names, dtype=object)),
            "kind": pd.Categorical.from_codes(np.zeros(len(domain), dtype=np.int8), kinds[:1])
            if kinds
            else None,
        }
    )


def coded_profiles(profiles: pd.DataFrame, members: Members) -> pd.DataFrame:
    """The profiles of the members' respondents, each keyed by its respondent's code (see
    respondent_domains); profiles of nobody among them left out."""
    profiles = profiles.drop_duplicates("respondent")
    at = pd.Index(profiles["respondent"]).get_indexer(members.respondents)
    coded = np.flatnonzero(at >= 0)
    return profiles.iloc[at[coded]].assign(respondent=coded).reset_index(drop=True)


def _coverage(analysis: Analysis, survey_data: SurveyData) -> dict:
    """summary.json's `coverage` (processor.coverage): the citizens who answered."""
    profiles = analysis.profiles if analysis.profiles is not None else empty_profiles()
    return coverage_summary(
        respondent_domains(analysis.texts, analysis.members, list(CITIZEN_KINDS)),
        coded_profiles(profiles, analysis.members),
        kinds=CITIZEN_KINDS,
        wilayah=analysis.wilayah or survey_data.wilayah,
        profile=survey_data.profile,
    )


@dataclass(frozen=True)
class AnalysisResult:
    summary: dict
    summary_path: Path
    xlsx_path: Path
    analysis: Analysis

    def write_xlsx(self, survey_data: SurveyData) -> Path:
        """analysis.xlsx at xlsx_path; the Kurasi drop-down offers every domain."""
        domains = [d.code for d in survey_data.domains.domains]
        return write_analysis_xlsx(self.analysis, self.summary, self.xlsx_path, domains=domains)


def run_analysis(
    *,
    engine: Engine,
    campaign_code: str,
    out_dir: Path,
    now: datetime,
    survey_data: SurveyData,
    tools: Tools | None = None,
    params: Parameters = Parameters(),  # noqa: B008
    progress: Progress = _no_progress,
    write_xlsx: bool = True,
) -> AnalysisResult:
    """Read the campaign's answers, analyse them, write summary.json and analysis.xlsx."""
    from sqlmodel import Session

    from processor.curation import apply_curations
    from processor.curation_store import active_curations
    from processor.load import load_campaign_frames
    from shared import crud
    from shared.models import stored_id

    progress("load")
    with Session(engine) as session:
        campaign = crud.get_campaign(session=session, code=campaign_code)
        if campaign is None:
            raise LookupError(f"no campaign {campaign_code!r}")
        frames = load_campaign_frames(
            connection=session.connection(),
            campaign=campaign,
            aggregate=True,
            usable_domains=survey_data.domains.by_code,
        )
        curations = active_curations(session=session, campaign_id=stored_id(campaign))
    tools = tools or Tools.build(survey_data)
    analysis = analyse(
        campaign=frames.campaign,
        runs=frames.runs,
        answers=frames.aggregated if frames.aggregated is not None else frames.answers,
        survey_data=survey_data,
        tools=tools,
        params=params,
        progress=progress,
        agencies=frames.agencies,
        profiles=frames.profiles,
        wilayah=frames.wilayah,
        skm=frames.skm,
    )
    analysis = apply_curations(analysis, curations)  # the planners' edits (issue 11)
    summary = build_summary(analysis, survey_data=survey_data, now=now)
    progress("write")
    out_dir.mkdir(parents=True, exist_ok=True)
    summary_path = write_summary_json(summary, out_dir / "summary.json")
    result = AnalysisResult(
        summary=summary,
        summary_path=summary_path,
        xlsx_path=out_dir / "analysis.xlsx",
        analysis=analysis,
    )
    if write_xlsx:
        result.write_xlsx(survey_data)
    return result
