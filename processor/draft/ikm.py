"""The draft's IKM (issue 14): a chapter with each service unit's IKM from the SKM, its chart
(the units side by side on each element), and the goal indicator of a domain's logframe,
"IKM <unit>" with today's value as its baseline and a proposed yearly target path."""

from __future__ import annotations

from collections.abc import Sequence

from babel.numbers import format_decimal

from processor.draft.content import Context, Evidence, Part, Section, Statement, Table
from processor.ikm import GRADES
from processor.summary import UnitIkm
from shared.survey_data import SKM_ELEMENTS

CHART_KEY = "ikm"
UNIT_COLOURS = ("#2f6f9f", "#b5543c", "#6b8e23", "#8e6bb5", "#c49a2c", "#4a4a4a")


def _ikm(ctx: Context, value: float) -> str:
    """An IKM or an NRR as reports give it: always two decimals ("80,50", "3,00")."""
    return format_decimal(value, "#,##0.00", locale="id_ID" if ctx.language == "id" else "en_GB")


def _element_name(ctx: Context, element: str) -> str:
    return ctx.t(f"skm_{element}")


def unit_line(ctx: Context, row: UnitIkm) -> str:
    """ "77,78 (B, Baik; 2026-S2, 4 responden)"."""
    label = row.grade_label.get(ctx.language) if row.grade_label is not None else ""
    return ctx.t(
        "ikm_value",
        ikm=_ikm(ctx, row.ikm),
        grade=row.grade,
        label=label,
        period=row.period,
        respondents=ctx.n(row.respondents),
    )


def _sample_mark(ctx: Context, row: UnitIkm) -> str:
    """ "[periksa: di bawah sampel minimum 361]" when the unit is under the regulation's sample."""
    if row.below_minimum_sample and row.minimum_sample is not None:
        return " " + ctx.t("check_ikm_sample", minimum=ctx.n(row.minimum_sample))
    return ""


def goal_indicator(ctx: Context, domain_name: str, units: Sequence[UnitIkm]) -> tuple[str, str]:
    """(indicator, baseline) of a domain's goal: "IKM <unit>" and its latest IKM when one of
    the domain's units ran the SKM, the domain's IKM with every unit's value when several
    did, else the domain's IKM to fill in. A unit under the minimum sample is marked."""
    if len(units) == 1:
        unit = units[0]
        baseline = unit_line(ctx, unit) + _sample_mark(ctx, unit)
        return ctx.t("lf_goal_indicator_unit", unit=unit.name), baseline
    if units:
        values = "; ".join(
            f"{row.name} {_ikm(ctx, row.ikm)} ({row.grade}){_sample_mark(ctx, row)}"
            for row in units
        )
        return ctx.t("lf_goal_indicator", domain=domain_name), values
    return ctx.t("lf_goal_indicator", domain=domain_name), ctx.fill(ctx.t("fill_ikm"))


def next_grade_floor(value: float) -> float:
    """The lower bound of the grade above the value's (PermenPANRB 14/2017): C 72,89 -> B
    76,61; B -> A 88,31; an A unit keeps A's 88,31."""
    above = [grade.low for grade in GRADES if grade.low > value]
    return above[0] if above else GRADES[-1].low


def target_path(baseline: float, years: int) -> tuple[float, ...]:
    """Yearly targets rising linearly from the baseline to the next grade's lower bound in
    the last year; an A unit keeps at least A's lower bound every year."""
    goal = next_grade_floor(baseline)
    if goal <= baseline:
        return (goal,) * years
    return tuple(round(baseline + (goal - baseline) * (i + 1) / years, 2) for i in range(years))


def goal_targets(ctx: Context, units: Sequence[UnitIkm]) -> tuple[str, ...]:
    """The goal indicator's yearly target cells, "≥ 74,43 [periksa]". We propose a path
    rather than leaving "[isi: target]": one grade up over a five-year plan is the modest
    step the regulation's own grade table suggests, a planner edits a proposal faster than
    a blank, and every cell is marked for checking. Several units: each unit's path in a
    cell. No unit ran the SKM: targets to fill in, as the baseline is."""
    years = len(ctx.years)
    if not units:
        return (ctx.fill(ctx.t("fill_target")),) * years
    paths = [(row.name, target_path(row.ikm, years)) for row in units]
    mark = ctx.t("check_ikm_target")
    if len(paths) == 1:
        return tuple(f"≥ {_ikm(ctx, v)} {mark}" for v in paths[0][1])
    return tuple(
        "; ".join(f"{name} ≥ {_ikm(ctx, path[i])}" for name, path in paths) + f" {mark}"
        for i in range(years)
    )


def _below_sample(ctx: Context, row: UnitIkm, minimum: int) -> str:
    """The under-sample warning with where the minimum comes from."""
    source = ""
    if row.population is not None:
        source = " " + ctx.t("ikm_sample_source", population=ctx.n(row.population))
    return ctx.t("ikm_below_sample", minimum=ctx.n(minimum), source=source)


def ikm_part(ctx: Context) -> Part | None:
    """The SKM chapter: one statement per unit, the NRR table and the chart; None without
    SKM answers."""
    rows = ctx.summary.latest_ikm()
    if not rows:
        return None
    statements = [Statement(ctx.t("ikm_intro"))]
    for row in rows:
        text = ctx.t("ikm_unit", unit=row.name, value=unit_line(ctx, row))
        if row.below_minimum_sample and row.minimum_sample is not None:
            text += " " + _below_sample(ctx, row, row.minimum_sample)
        statements.append(
            Statement(text, Evidence(respondents=row.respondents, note=ctx.t("ikm_evidence")))
        )
    header = (
        ctx.t("ikm_col_element"),
        *(row.name for row in rows),
    )
    table_rows = [
        (_element_name(ctx, element), *(_ikm(ctx, row.nrr.get(element, 0)) for row in rows))
        for element in SKM_ELEMENTS
    ]
    table_rows.append((ctx.t("ikm_row_ikm"), *(_ikm(ctx, row.ikm) for row in rows)))
    table_rows.append((ctx.t("ikm_row_grade"), *(row.grade for row in rows)))
    table = Table(header=header, rows=tuple(table_rows), title=ctx.t("ikm_table_title"))
    return Part(
        heading=ctx.t("h_ikm"),
        sections=(
            Section(ctx.t("h_ikm_results"), tuple(statements), (table,)),
            Section(
                ctx.t("h_ikm_method"),
                (
                    Statement(ctx.t("ikm_formula")),
                    Statement(ctx.t("ikm_grades")),
                    Statement(ctx.t("ikm_targets", year=ctx.years[-1] if ctx.years else "")),
                ),
            ),
        ),
        chart=CHART_KEY,
    )


def ikm_chart(ctx: Context, caption: str) -> bytes | None:
    """Grouped horizontal bars: each element's NRR (1-4), the units side by side; the legend
    gives each unit's IKM and grade."""
    rows = ctx.summary.latest_ikm()
    if not rows:
        return None
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels = [_element_name(ctx, element) for element in SKM_ELEMENTS]
    figure = Figure(figsize=(6.4, min(5.5, 2.4 + 0.25 * len(labels) * max(1, len(rows)) / 2)))
    figure.set_dpi(150)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    width = 0.8 / len(rows)
    for index, row in enumerate(rows):
        offsets = [p + (index - (len(rows) - 1) / 2) * width for p in range(len(labels))]
        values = [row.nrr.get(element, 0.0) for element in SKM_ELEMENTS]
        legend = f"{row.name}: IKM {_ikm(ctx, row.ikm)} ({row.grade})"
        bars = axes.barh(
            offsets,
            values,
            height=width,
            color=UNIT_COLOURS[index % len(UNIT_COLOURS)],
            label=legend,
        )
        axes.bar_label(bars, labels=[_ikm(ctx, v) for v in values], padding=2, fontsize=6)
    axes.set_yticks(range(len(labels)), labels, fontsize=7.5)
    axes.invert_yaxis()
    axes.set_xlim(1, 4.4)  # NRR runs 1-4: the axis starts at 1
    axes.set_xticks([1, 2, 3, 4])
    axes.set_title(caption, fontsize=10)
    axes.set_xlabel(ctx.t("ikm_chart_axis"), fontsize=8)
    axes.tick_params(axis="x", labelsize=7)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(fontsize=6.5, frameon=False, loc="lower center", bbox_to_anchor=(0.5, -0.3))
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()
