"""The plan's words: the introduction (legal basis, method, participation, limits), the
seven sections of each domain and of the whole plan, and the annex of other inputs."""

from __future__ import annotations

from collections.abc import Sequence

from processor.draft.content import Context, Evidence, Part, Section, Statement, Table
from processor.draft.model import Action, DomainModel, Indicator, Priority, Source
from processor.summary import Domain, StaffRow, Theme

QUOTES_PER_STATEMENT = 2
TOP_REASONS = 3
TOP_OBSTACLES = 5
LOW_DATA_RESPONDENTS = 10
LEGAL_BASIS = (
    "law_uu25",
    "law_pp96",
    "law_pp2",
    "law_permendagri59",
    "law_pp38",
    "law_permenpan91",
    "law_permenpan15",
    "law_perpres76",
)
SECTION_KEYS = ("s1", "s2", "s3", "s4", "s5", "s6", "s7")


def theme_evidence(theme: Theme) -> Evidence:
    return Evidence(
        answers=theme.answer_count,
        respondents=theme.respondent_count,
        theme_ids=(theme.id,),
        quotes=theme.quotes[:QUOTES_PER_STATEMENT],
    )


def _theme_line(ctx: Context, key: str, theme: Theme, **extra: str) -> Statement:
    return Statement(
        ctx.t(
            key,
            label=theme.shown_label,
            answers=ctx.n(theme.answer_count),
            respondents=ctx.n(theme.respondent_count),
            **extra,
        ),
        theme_evidence(theme),
    )


def section(ctx: Context, key: str, statements: Sequence[Statement], *tables: Table) -> Section:
    return Section(
        title=f"{SECTION_KEYS.index(key) + 1}. {ctx.t(key)}",
        statements=tuple(statements),
        tables=tuple(tables),
    )


# --- coverage (issue 14) --------------------------------------------------------------------
def _coverage_statements(ctx: Context) -> list[Statement]:
    """Who took part, by place and group, and the limits of that, in words."""
    coverage = ctx.summary.coverage
    if coverage is None or not coverage.respondents:
        return []
    note = Evidence(note=ctx.t("evidence_summary"))
    if not coverage.with_profile:
        return [Statement(ctx.t("method_coverage_none"), note)]
    places = [row for row in coverage.by_kecamatan if row.code != "not_given"]
    reached = [row for row in places if row.respondents != 0]
    empty = [row.name.get(ctx.language) for row in places if row.respondents == 0]
    missing = ctx.t("method_coverage_missing", list=", ".join(empty)) if empty else ""
    statements = [
        Statement(
            ctx.t(
                "method_coverage",
                with_profile=ctx.n(coverage.with_profile),
                respondents=ctx.n(coverage.respondents),
                reached=ctx.n(len(reached)),
                places=ctx.n(len(places)),
                regency=coverage.regency or "",
                missing=missing,
            ),
            note,
        )
    ]
    below = [a for a in coverage.alerts if a.kind == "below_population_share"]
    if below:
        groups = ", ".join(
            f"{a.name.get(ctx.language)} ({ctx.share(round(100 * (a.share or 0)), 100)})"
            for a in below
        )
        statements.append(Statement(ctx.t("method_coverage_below", groups=groups), note))
    statements.append(Statement(ctx.t("method_coverage_limits")))
    return statements


# --- the introduction -----------------------------------------------------------------------
def introduction(ctx: Context, codes: Sequence[str], small: Sequence[str]) -> Part:
    """Legal basis, method, who took part, and the limits of what was heard."""
    summary = ctx.summary
    counts = summary.counts
    basis = [Statement(ctx.t("intro_basis"))]
    basis += [Statement(ctx.t(key), numbered=True) for key in LEGAL_BASIS]
    basis.append(Statement(ctx.t("evidence_law")))
    period = summary.period
    when = (
        ctx.t(
            "method_period",
            first=ctx.date(period.first),
            last=ctx.date(period.last),
        )
        if period.first and period.last
        else ctx.t("method_period_unknown")
    )
    method = [
        Statement(ctx.t("method_fgd")),
        Statement(ctx.t("method_channels", period=when)),
        Statement(ctx.t("method_analysis")),
        *_coverage_statements(ctx),
    ]
    citizens = counts.by_instrument.get("external", 0)
    staff = counts.by_instrument.get("internal", 0)
    total = max(1, counts.respondents)
    people = [
        Statement(
            ctx.t(
                "data_overview",
                respondents=ctx.n(counts.respondents),
                citizens=ctx.n(citizens),
                staff=ctx.n(staff),
                answers=ctx.n(counts.answers),
                in_progress=ctx.n(counts.in_progress_runs),
                imported=ctx.n(counts.imported_answers),
            ),
            Evidence(counts.answers, counts.respondents, note=ctx.t("evidence_summary")),
        )
    ]
    shares = ", ".join(
        f"{ctx.domain(c)} {ctx.n(summary.domains[c].respondents)} "
        f"({ctx.share(summary.domains[c].respondents, total)})"
        for c in [*codes, *small]
    )
    people.append(
        Statement(ctx.t("data_domains", list=shares), Evidence(note=ctx.t("evidence_summary")))
    )
    sources = counts.by_source
    if sources:
        listing = ", ".join(
            f"{_source_name(ctx, s)} {ctx.n(n)} ({ctx.share(n, total)})"
            for s, n in sorted(sources.items(), key=lambda x: (-x[1], x[0]))
        )
        people.append(
            Statement(
                ctx.t("data_sources", sources=listing), Evidence(note=ctx.t("evidence_summary"))
            )
        )
    return Part(
        heading=ctx.t("h_intro"),
        sections=(
            Section(ctx.t("h_basis"), tuple(basis)),
            Section(ctx.t("h_method"), tuple(method)),
            Section(ctx.t("h_participation"), tuple(people)),
            Section(ctx.t("h_limits"), tuple(_limitations(ctx, codes, small))),
        ),
        chart="domains",
    )


def _limitations(ctx: Context, codes: Sequence[str], small: Sequence[str]) -> list[Statement]:
    summary = ctx.summary
    notes = [Statement(ctx.t("limit_selection"))]
    coverage = ctx.summary.coverage
    if coverage is None or not coverage.with_profile:  # else the method states coverage
        notes.append(Statement(ctx.t("limit_profile")))
    thin = [c for c in codes if summary.domains[c].respondents < LOW_DATA_RESPONDENTS]
    if thin or small:
        listing = ", ".join(
            f"{ctx.domain(c)} ({ctx.n(summary.domains[c].respondents)})" for c in [*thin, *small]
        )
        notes.append(
            Statement(ctx.t("limit_thin", list=listing), Evidence(note=ctx.t("evidence_summary")))
        )
    silent = [c for c, d in summary.domains.items() if d.answers == 0]
    if silent:
        notes.append(
            Statement(ctx.t("limit_silent", list=", ".join(ctx.domain(c) for c in silent)))
        )
    unmapped = summary.unmapped.get("answers", 0)
    if unmapped:
        notes.append(
            Statement(
                ctx.t("data_unmapped", n=ctx.n(unmapped)),
                Evidence(unmapped, note=ctx.t("evidence_summary")),
            )
        )
    if summary.counts.in_progress_runs:
        notes.append(
            Statement(ctx.t("limit_in_progress", n=ctx.n(summary.counts.in_progress_runs)))
        )
    notes.append(Statement(ctx.t("limit_weak_links")))
    return notes


def _source_name(ctx: Context, source: str) -> str:
    """A venue or channel as a planner reads it: "kantor_desa" -> "kantor desa", "-" (a
    link without a venue) and "impor:FILE" (paper forms) in words."""
    if source == "-":
        return ctx.t("source_none")
    if source.startswith("impor:"):
        return ctx.t("source_import", file=source.removeprefix("impor:"))
    return source.replace("_", " ")


# --- one domain -----------------------------------------------------------------------------
def condition(ctx: Context, code: str, domain: Domain) -> list[Statement]:
    """Section 1: today's condition, from the needs, reasons and obstacles heard."""
    statements = [
        Statement(
            ctx.t(
                "intro_domain",
                domain=ctx.domain(code),
                respondents=ctx.n(domain.respondents),
                answers=ctx.n(domain.answers),
            ),
            Evidence(domain.answers, domain.respondents, note=ctx.t("evidence_summary")),
        )
    ]
    needs = domain.top("citizen_need", 5)
    if needs:
        statements.append(Statement(ctx.t("intro_needs")))
        statements += [_theme_line(ctx, "need_line", t) for t in needs]
    reasons = domain.top("citizen_reason", TOP_REASONS)
    if reasons:  # the answers to "Mengapa?": today's condition in the citizens' words
        statements.append(Statement(ctx.t("intro_reasons")))
        statements += [_theme_line(ctx, "need_line", t) for t in reasons]
    obstacles = domain.top("citizen_obstacle", TOP_OBSTACLES)
    staff = domain.top("staff_obstacle", TOP_OBSTACLES)
    if obstacles or staff:
        statements.append(Statement(ctx.t("intro_obstacles")))
        statements += [_theme_line(ctx, "obstacle_line", t) for t in obstacles]
        statements += [_theme_line(ctx, "staff_obstacle_line", t) for t in staff]
    statements += _complaints(ctx, domain)
    dimensions = sorted(
        ((c, n) for c, n in domain.dimensions.items() if n), key=lambda x: (-x[1], x[0])
    )
    if dimensions:
        listing = ", ".join(f"{ctx.additions(c)} ({ctx.n(n)})" for c, n in dimensions[:4])
        statements.append(
            Statement(
                ctx.t("dimension_line", list=listing),
                Evidence(sum(n for _, n in dimensions), note=ctx.t("evidence_dimensions")),
            )
        )
    return statements


def _complaints(ctx: Context, domain: Domain) -> list[Statement]:
    """Complaint-channel reports (issue 11 item 6): how many, then their largest themes,
    as evidence beside the FGD answers ("N pengaduan")."""
    total = sum(t.answer_count for t in domain.themes.get("citizen_complaint", ()))
    if not total:
        return []
    statements = [
        Statement(
            ctx.t("intro_complaints", answers=ctx.n(total)),
            Evidence(total, note=ctx.t("evidence_complaints")),
        )
    ]
    themes = domain.top("citizen_complaint", TOP_OBSTACLES)
    return statements + [_theme_line(ctx, "complaint_line", t) for t in themes]


def _indicator_text(ctx: Context, indicator: Indicator) -> str:
    unit = ctx.names(indicator.unit, "")
    return f"{indicator.name} ({unit})" if unit and unit not in indicator.name else indicator.name


def baseline_text(ctx: Context, indicator: Indicator) -> str:
    if indicator.baseline is None:
        return ctx.fill(ctx.t("fill_baseline"))
    text = ctx.value(indicator.baseline, whole=indicator.whole)
    if indicator.baseline_year:
        text += f" ({indicator.baseline_year})"
    if indicator.baseline_to_check:
        text += f" {ctx.t('check_mark')}"
    return text


def objective(ctx: Context, priority: Priority) -> Statement:
    """A measurable change: the indicator from its baseline to the last year's target."""
    need, indicator = priority.need, priority.indicator
    last = ctx.years[-1] if ctx.years else ""
    if indicator.from_citizens:
        proposed = indicator.targets.get(ctx.years[-1]) if ctx.years else None
        text = ctx.t(
            "objective_citizens",
            need=need.shown_label,
            share=ctx.value(indicator.baseline or 0),
            year=indicator.baseline_year or "",
            target=ctx.value(proposed) if proposed is not None else ctx.fill(ctx.t("fill_target")),
            check=ctx.t("check_proposal") if proposed is not None else "",
            last=last,
        )
    else:
        final = next(
            (indicator.targets[y] for y in reversed(ctx.years) if y in indicator.targets), None
        )
        text = ctx.t(
            "objective_indicator",
            need=need.shown_label,
            indicator=_indicator_text(ctx, indicator),
            baseline=baseline_text(ctx, indicator),
            target=ctx.value(final, whole=indicator.whole),
            last=last,
        )
    return Statement(text, theme_evidence(need))


def result(ctx: Context, priority: Priority) -> Statement:
    """The result and the indicator that will show it."""
    indicator = priority.indicator
    if indicator.from_citizens:
        text = ctx.t(
            "result_citizens",
            need=priority.need.shown_label,
            share=ctx.value(indicator.baseline or 0),
            year=indicator.baseline_year or "",
        )
        return Statement(text, theme_evidence(priority.need))
    targets = "; ".join(
        f"{y}: {ctx.value(indicator.targets.get(y), whole=indicator.whole)}" for y in ctx.years
    )
    text = ctx.t(
        "result_indicator",
        need=priority.need.shown_label,
        indicator=_indicator_text(ctx, indicator),
        baseline=baseline_text(ctx, indicator),
        targets=targets,
    )
    return Statement(text, Evidence(row_ids=indicator.row_ids, theme_ids=(priority.need.id,)))


def action_statement(ctx: Context, action: Action, need: Theme | None = None) -> Statement:
    phase = (
        ctx.t("phase_quick")
        if action.quick_win
        else ctx.t("phase_later", years=_years(action.years))
    )
    text = ctx.t("action_line", phase=phase, text=action_text(ctx, action).rstrip(". "))
    if action.opd_names:
        text += " " + ctx.t("action_opd", opd=ctx.names(action.opd_names, action.opd or ""))
    answers = sum(s.answers for s in action.sources)
    rows = tuple(s.ref for s in action.sources if s.kind == "agency")
    themes = tuple(s.ref for s in action.sources if s.kind == "citizen")
    return Statement(
        text,
        Evidence(answers=answers, theme_ids=themes, row_ids=rows, sources=action.sources),
    )


def action_text(ctx: Context, action: Action) -> str:
    if action.sources[0].kind == "innovation" and action.innovation:
        pattern = ctx.innovation(action.innovation)
        return ctx.t(
            "innovation_action",
            name=pattern.name.get(ctx.language),
            text=pattern.description.get(ctx.language),
        )
    return action.text


def _years(years: Sequence[int]) -> str:
    if not years:
        return ""
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


def source_text(ctx: Context, source: Source) -> str:
    """ "usulan warga «…» (16 jawaban)", "rencana OPD (baris …)", "praktik inovasi «…» (dasar)"."""
    weak = f" {ctx.t('check_link')}" if source.weak else ""
    if source.kind == "citizen":
        return ctx.t("source_citizen", label=source.label, answers=ctx.n(source.answers)) + weak
    if source.kind == "agency":
        who = ctx.t("source_officers", opd=source.label or ctx.t("lf_the_agency"), n=source.answers)
        return ctx.t("source_agency", who=who, rows=source.ref) + weak
    pattern = ctx.innovation(source.ref)
    return ctx.t(
        "source_innovation",
        name=pattern.name.get(ctx.language),
        instrument=ctx.t(f"instrument_{pattern.instrument}"),
        basis=pattern.basis.get(ctx.language),
    )


def strategy(ctx: Context, priority: Priority) -> Statement:
    """How the need will be met: its main obstacle and the routes the evidence offers."""
    routes = "; ".join(action_text(ctx, a).rstrip(". ") for a in priority.actions[:3])
    routes = routes or ctx.t("strategy_no_routes")
    if priority.obstacle is not None:
        text = ctx.t(
            "strategy_line",
            need=priority.need.shown_label,
            obstacle=priority.obstacle.shown_label,
            routes=routes,
        )
    else:
        text = ctx.t("strategy_line_no_obstacle", need=priority.need.shown_label, routes=routes)
    themes = (priority.need.id,) + ((priority.obstacle.id,) if priority.obstacle else ())
    return Statement(
        text,
        Evidence(
            priority.need.answer_count,
            priority.need.respondent_count,
            theme_ids=themes,
            row_ids=tuple(r.row_id for r in priority.rows),
        ),
    )


def policies(ctx: Context, model: DomainModel) -> list[Statement]:
    if not model.policies:
        key = "no_policy_few" if model.dimensions_below_minimum else "no_policy"
        return [Statement(ctx.t(key, n=3, fill=ctx.fill()))]
    statements = [Statement(ctx.t("policy_intro"))]
    service = ctx.domain(model.code).lower() if ctx.language == "id" else ctx.domain(model.code)
    for policy in model.policies:
        key = (
            f"policy_{policy.dimension}"
            if ctx.has(f"policy_{policy.dimension}")
            else "policy_generic"
        )
        body = ctx.t(key, service=service, dimension=ctx.dimension(policy.dimension))
        obstacle = (
            ctx.t("policy_answers", obstacle=policy.obstacle.shown_label)
            if policy.obstacle is not None
            else ""
        )
        if policy.implements:
            obstacle += ctx.t(
                "policy_implements", instrument=ctx.t(f"instrument_{policy.implements}")
            )
        statements.append(
            Statement(
                ctx.t(
                    "policy_line",
                    instrument=ctx.t(f"instrument_{policy.instrument}"),
                    policy=body,
                    obstacle=obstacle,
                    dimension=ctx.additions(policy.dimension),
                    count=ctx.n(policy.answers),
                ),
                Evidence(
                    policy.answers,
                    theme_ids=(policy.obstacle.id,) if policy.obstacle else (),
                    note=ctx.t("evidence_dimensions"),
                ),
            )
        )
    return statements


def recommendations(ctx: Context, model: DomainModel) -> list[Statement]:
    statements = []
    for priority in model.priorities:
        if not priority.rows:
            statements.append(
                Statement(
                    ctx.t(
                        "rec_unaddressed",
                        need=priority.need.shown_label,
                        respondents=ctx.n(priority.need.respondent_count),
                    ),
                    theme_evidence(priority.need),
                )
            )
    weak = sum(1 for p in model.priorities for a in p.actions for s in a.sources if s.weak)
    if weak:
        statements.append(
            Statement(ctx.t("rec_confirm", n=ctx.n(weak)), Evidence(note=ctx.t("evidence_links")))
        )
    if model.domain.respondents < LOW_DATA_RESPONDENTS:
        statements.append(
            Statement(
                ctx.t("rec_low_data", n=ctx.n(model.domain.respondents)),
                Evidence(respondents=model.domain.respondents, note=ctx.t("evidence_summary")),
            )
        )
    return statements or [Statement(ctx.t("rec_none"))]


def other_plans(ctx: Context, model: DomainModel) -> tuple[list[Statement], list[Statement]]:
    """Agency plans that answer no priority need: strategies and actions all the same."""
    strategies, actions = [], []
    for row, action in zip(model.other_rows, model.other_actions, strict=True):
        evidence = row_evidence(row)
        strategies.append(
            Statement(
                ctx.t(
                    "strategy_staff_only",
                    strategy=row.strategy or "–",
                    obstacle=row.obstacle or "–",
                ),
                evidence,
            )
        )
        actions.append(action_statement(ctx, action))
    return strategies, actions


def row_evidence(row: StaffRow) -> Evidence:
    return Evidence(answers=len(row.answer_ids), respondents=row.officers, row_ids=(row.row_id,))


def domain_sections(
    ctx: Context, model: DomainModel, results_table: Table | None
) -> tuple[Section, ...]:
    priorities = model.priorities
    none = [Statement(ctx.t("no_needs"))]
    other_strategies, other_actions = other_plans(ctx, model)
    actions: list[Statement] = []
    for priority in priorities:
        actions.append(Statement(ctx.t("actions_for", need=priority.need.shown_label)))
        actions += [action_statement(ctx, a) for a in priority.actions]
        if not priority.actions:
            # No action, so no bullet: the one place the team must design one.
            actions.append(Statement(ctx.t("action_none", fill=ctx.fill())))
    if other_actions:
        actions.append(Statement(ctx.t("actions_other")))
        actions += other_actions
    results = [result(ctx, p) for p in priorities]
    tables = (results_table,) if results_table is not None else ()
    return (
        section(ctx, "s1", condition(ctx, model.code, model.domain)),
        section(ctx, "s2", [objective(ctx, p) for p in priorities] or none),
        section(ctx, "s3", policies(ctx, model)),
        section(ctx, "s4", [strategy(ctx, p) for p in priorities] + other_strategies or none),
        section(ctx, "s5", actions or none),
        section(ctx, "s6", results or none, *tables),
        section(ctx, "s7", recommendations(ctx, model)),
    )


# --- the annex of other inputs --------------------------------------------------------------
def other_inputs(ctx: Context, codes: Sequence[str], small: Sequence[str]) -> Part:
    """What no theme holds, and the domains too small for a chapter, verbatim."""
    sections = []
    for code in [*small, *codes]:
        domain = ctx.summary.domains[code]
        statements: list[Statement] = []
        if code in small:
            statements.append(
                Statement(ctx.t("annex_small", respondents=ctx.n(domain.respondents)))
            )
            for kind in ("citizen_need", "citizen_obstacle", "citizen_strategy"):
                statements += [_theme_line(ctx, "need_line", t) for t in domain.top(kind)]
            statements += _complaints(ctx, domain)
        for kind in ("citizen_need", "citizen_reason", "citizen_obstacle", "citizen_strategy"):
            inputs = domain.other_inputs.get(kind, ())
            if not inputs:
                continue
            statements.append(Statement(ctx.t(f"annex_kind_{kind}")))
            statements += [
                Statement(
                    ctx.t("annex_line", text=i.text, answers=ctx.n(i.answers)),
                    Evidence(i.answers, note=ctx.t("evidence_other")),
                )
                for i in inputs
            ]
            more = domain.other_inputs_more.get(kind, 0)
            if more:
                statements.append(Statement(ctx.t("annex_more", n=ctx.n(more))))
        if statements:
            sections.append(Section(ctx.domain(code), tuple(statements)))
    if not sections:
        sections.append(Section(ctx.t("h_annex_other"), (Statement(ctx.t("annex_none")),)))
    return Part(heading=ctx.t("h_annex_other"), sections=tuple(sections))
