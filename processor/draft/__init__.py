"""The draft master plan: a Word document built from the analysis summary.

Layers, each its own module: `model` (priorities, actions, indicators and policies from the
evidence), `narrative` (the words of every section), `tables` (targets, logframe, work
plan, budget), `charts` and `docx_writer`. `plan_from_summary` and `render_charts` are pure;
`write_draft` does the I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from babel.dates import format_date

from processor.draft.charts import render_charts
from processor.draft.content import (
    Context,
    DraftPlan,
    Evidence,
    Part,
    Section,
    Statement,
    Table,
    load_draft_texts,
)
from processor.draft.docx_writer import EVIDENCE_STYLE, PAPER_SIZES_CM, render_document
from processor.draft.ikm import CHART_KEY as IKM_CHART
from processor.draft.ikm import ikm_part
from processor.draft.model import (
    DomainModel,
    Innovation,
    build_domain_model,
    implement_shared,
)
from processor.draft.narrative import (
    action_statement,
    domain_sections,
    introduction,
    objective,
    other_inputs,
    section,
    theme_evidence,
)
from processor.draft.tables import (
    budget_table,
    logframe,
    results_overview,
    results_table,
    workplan,
)
from processor.summary import Summary, parse_summary
from shared.files import replace_atomically
from shared.survey_data import MessageCatalog

__all__ = [
    "EVIDENCE_STYLE",
    "PAPER_SIZES_CM",
    "draft_filename",
    "load_draft_texts",
    "plan_from_summary",
    "render_charts",
    "write_draft",
]
MIN_DOMAIN_RESPONDENTS = 5  # fewer: the domain's inputs go to the annex, not a chapter
# The instrument a policy for each problem dimension rests on (texts: instrument_<code>).
POLICY_INSTRUMENTS = {
    "kurang_responsif": "perbup",
    "kurang_informatif": "standar_pelayanan",
    "kurang_aksesibel": "sop",
    "kurang_koordinasi": "pks",
    "birokratis": "sop",
    "inefisiensi": "sop",
    "kurang_mendengar": "perbup",
    "integritas": "maklumat",
    "petugas_tidak_hadir": "sop",
    "regulasi": "perbup",
    "anggaran": "spm",
    "sdm": "sk",
    "sarana_prasarana": "spm",
    "data_ti": "perbup",
}


def _overall(ctx: Context, models: Sequence[DomainModel]) -> Part:
    """The whole plan: the seven sections across domains, and the budget per agency."""
    needs = sorted(
        ((m.code, p) for m in models for p in m.priorities),
        key=lambda cp: (-cp[1].need.respondent_count, -cp[1].need.answer_count, cp[1].need.id),
    )[:10]
    s1 = [Statement(ctx.t("intro_overall", domains=len(models)))]
    s1 += [
        Statement(
            ctx.t(
                "need_line_domain",
                label=p.need.shown_label,
                domain=ctx.domain(code),
                answers=ctx.n(p.need.answer_count),
                respondents=ctx.n(p.need.respondent_count),
            ),
            theme_evidence(p.need),
        )
        for code, p in needs
    ]
    # Each domain's first priority, as a measurable objective of the whole plan.
    s2 = [
        Statement(ctx.t("action_domain", domain=ctx.domain(m.code), text=o.text), o.evidence)
        for m in models
        if m.priorities
        for o in [objective(ctx, m.priorities[0])]
    ]
    s3 = _overall_policies(ctx, models)
    s4 = [_overall_strategy(ctx, m) for m in models if m.priorities]
    # Each quick win once per domain, however many of its needs it answers.
    quick = list(
        {
            (m.code, a.key): (m, a)
            for m in models
            for p in m.priorities
            for a in p.actions
            if a.quick_win
        }.values()
    )
    s5 = [Statement(ctx.t("overall_quick_intro", n=ctx.n(len(quick))))]
    s5 += [
        Statement(ctx.t("action_domain", domain=ctx.domain(m.code), text=s.text), s.evidence)
        for m, a in quick
        for s in [action_statement(ctx, a)]
    ]
    s6 = [Statement(ctx.t("overall_results_intro"))] if models else []
    s7 = [
        Statement(
            ctx.t(
                "rec_unaddressed_domain",
                need=p.need.shown_label,
                domain=ctx.domain(m.code),
                respondents=ctx.n(p.need.respondent_count),
            ),
            theme_evidence(p.need),
        )
        for m in models
        for p in m.priorities
        if not p.rows
    ]
    s7.append(Statement(ctx.t("rec_monitor")))
    budget = budget_table(ctx, models)
    return Part(
        heading=ctx.t("h_overall"),
        sections=(
            section(ctx, "s1", s1),
            section(ctx, "s2", s2 or [Statement(ctx.t("no_needs"))]),
            section(ctx, "s3", s3),
            section(ctx, "s4", s4 or [Statement(ctx.t("no_needs"))]),
            section(ctx, "s5", s5),
            section(
                ctx, "s6", s6 or [Statement(ctx.t("no_needs"))], *_results_overview(ctx, models)
            ),
            section(ctx, "s7", s7),
        ),
        chart="dimensions",
        tables=(budget,) if budget is not None else (),
    )


def _results_overview(ctx: Context, models: Sequence[DomainModel]) -> tuple[Table, ...]:
    table = results_overview(ctx, models)
    return (table,) if table is not None else ()


def _overall_strategy(ctx: Context, model: DomainModel) -> Statement:
    priorities = model.priorities
    return Statement(
        ctx.t(
            "strategy_overall",
            domain=ctx.domain(model.code),
            total=len(priorities),
            agency=sum(1 for p in priorities if p.rows),
            citizens=sum(
                1
                for p in priorities
                if any(s.kind == "citizen" for a in p.actions for s in a.sources)
            ),
            innovations=sum(1 for p in priorities if any(a.innovation for a in p.actions)),
        ),
        # Answers to the priority needs; their respondents overlap, so none are summed.
        Evidence(
            sum(p.need.answer_count for p in priorities),
            theme_ids=tuple(p.need.id for p in priorities),
        ),
    )


def _shared_dimensions(models: Sequence[DomainModel]) -> dict[str, list[DomainModel]]:
    """The problem dimensions whose policy several domains would draft."""
    by_dimension: dict[str, list[DomainModel]] = {}
    for model in models:
        for policy in model.policies:
            by_dimension.setdefault(policy.dimension, []).append(model)
    return {d: ms for d, ms in by_dimension.items() if len(ms) > 1}


def _overall_policies(ctx: Context, models: Sequence[DomainModel]) -> list[Statement]:
    """One cross-agency policy per dimension that several domains' policies share."""
    shared = _shared_dimensions(models)
    if not shared:
        return [Statement(ctx.t("policy_overall_none"))]
    statements = [Statement(ctx.t("policy_overall_intro"))]
    for dimension, domain_models in sorted(shared.items(), key=lambda x: (-len(x[1]), x[0])):
        answers = sum(m.domain.dimensions.get(dimension, 0) for m in domain_models)
        statements.append(
            Statement(
                ctx.t(
                    "policy_overall_line",
                    instrument=ctx.t(f"instrument_{POLICY_INSTRUMENTS.get(dimension, 'perbup')}"),
                    policy=ctx.t(
                        f"policy_{dimension}"
                        if ctx.has(f"policy_{dimension}")
                        else "policy_generic",
                        service=ctx.t("service_all"),
                        dimension=ctx.dimension(dimension),
                    ),
                    dimension=ctx.additions(dimension),
                    domains=", ".join(ctx.domain(m.code) for m in domain_models),
                    count=ctx.n(answers),
                ),
                Evidence(answers, note=ctx.t("evidence_dimensions")),
            )
        )
    return statements


def _domain_part(ctx: Context, model: DomainModel) -> Part:
    lead = model.domain.lead_agency
    responsible = (
        ctx.t("wp_responsible_lead", opd=lead.name.get(ctx.language))
        if lead is not None
        else ctx.t("wp_responsible_text", domain=ctx.domain(model.code))
    )
    return Part(
        heading=ctx.t("h_domain", name=ctx.domain(model.code)),
        sections=domain_sections(ctx, model, results_table(ctx, model)),
        chart=f"themes:{model.code}",
        tables=(logframe(ctx, model, responsible), workplan(ctx, model, responsible)),
    )


def plan_from_summary(
    summary: Mapping[str, Any] | Summary,
    *,
    language: str,
    now: datetime,
    texts: MessageCatalog,
    innovations: Sequence[Innovation] = (),
) -> DraftPlan:
    """The whole draft as data: introduction, the whole plan, one chapter per domain with
    enough answers, and the annexes."""
    parsed = parse_summary(summary)
    ctx = Context(parsed, language, texts, {i.code: i for i in innovations})
    answered = parsed.domains_with_answers()
    codes = [c for c in answered if parsed.domains[c].respondents >= MIN_DOMAIN_RESPONDENTS]
    small = [c for c in answered if c not in codes]
    models = [
        build_domain_model(
            code,
            parsed.domains[code],
            innovations=innovations,
            instruments=POLICY_INSTRUMENTS,
            years=ctx.years,
            now_year=parsed.generated_at.year,
        )
        for code in codes
    ]
    shared = {d: POLICY_INSTRUMENTS.get(d, "perbup") for d in _shared_dimensions(models)}
    models = [implement_shared(m, shared) for m in models]
    campaign = parsed.campaign
    years = ctx.years or [now.year + 1, now.year + 5]
    date = format_date(now.date(), format="long", locale="id_ID" if language == "id" else "en_GB")
    charts = [("domains", ctx.t("chart_domains")), ("dimensions", ctx.t("chart_dimensions"))]
    charts += [(f"themes:{c}", ctx.t("chart_themes", domain=ctx.domain(c))) for c in codes]
    skm = ikm_part(ctx)
    if skm is not None:
        charts.append((IKM_CHART, ctx.t("chart_ikm")))
    return DraftPlan(
        language=language,
        title=ctx.t("title"),
        subtitle=ctx.t(
            "subtitle", campaign=campaign.name or campaign.code, first=years[0], last=years[-1]
        ),
        date_line=ctx.t("date_line", date=date),
        generated=ctx.t(
            "generated",
            date=date,
            respondents=ctx.n(parsed.counts.respondents),
            answers=ctx.n(parsed.counts.answers),
        ),
        notice=ctx.t("draft_notice", fill=ctx.fill()),
        parts=(
            introduction(ctx, codes, small),
            *((skm,) if skm is not None else ()),
            _overall(ctx, models),
            *(_domain_part(ctx, m) for m in models),
            other_inputs(ctx, codes, small),
            Part(
                heading=ctx.t("h_appendix"),
                sections=(
                    Section(
                        ctx.t("h_appendix_evidence"),
                        (Statement(ctx.t("appendix_text")), Statement(ctx.t("appendix_kinds"))),
                    ),
                ),
            ),
        ),
        charts=tuple(charts),
    )


def draft_filename(campaign_code: str, language: str) -> str:
    return f"draf-master-plan-{campaign_code}-{language}.docx"


def _default_innovations() -> Sequence[Innovation]:
    from shared.survey_data import DATA_DIR, load_innovations

    return load_innovations(DATA_DIR / "innovations.yaml").innovations


def write_draft(
    summary: Mapping[str, Any] | Summary,
    *,
    out_dir: Path,
    language: str,
    now: datetime,
    texts: MessageCatalog | None = None,
    innovations: Sequence[Innovation] | None = None,
    paper: str = "a4",
) -> Path:
    """Render and save the draft; returns the .docx path. Blocking: call via to_thread."""
    texts = texts or load_draft_texts()
    patterns = innovations if innovations is not None else _default_innovations()
    parsed = parse_summary(summary)
    plan = plan_from_summary(parsed, language=language, now=now, texts=texts, innovations=patterns)
    ctx = Context(parsed, language, texts, {i.code: i for i in patterns})
    document = render_document(plan, render_charts(plan, ctx), ctx, paper=paper)
    path = out_dir / draft_filename(parsed.campaign.code, language)

    return replace_atomically(path, lambda temporary: document.save(str(temporary)))
