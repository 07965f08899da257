"""The draft's IKM (issue 14): a chapter with each service unit's IKM from the SKM, its chart
(the units side by side on each element), and the goal indicator of a domain's logframe,
"IKM <unit>" with today's value as its baseline."""

from __future__ import annotations

from collections.abc import Sequence

from babel.numbers import format_decimal

from processor.draft.content import Context, Evidence, Part, Section, Statement, Table
from processor.summary import UnitIkm
from shared.numbers import format_number
from shared.survey_data import SKM_ELEMENTS

CHART_KEY = "ikm"
UNIT_COLOURS = ("#2f6f9f", "#b5543c", "#6b8e23", "#8e6bb5", "#c49a2c", "#4a4a4a")


def _decimal(ctx: Context, value: float) -> str:
    return format_number(round(value, 2), ctx.language)


def _ikm(ctx: Context, value: float) -> str:
    """An IKM as reports give it: two decimals ("80,50")."""
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


def goal_indicator(ctx: Context, domain_name: str, units: Sequence[UnitIkm]) -> tuple[str, str]:
    """(indicator, baseline) of a domain's goal: "IKM <unit>" and its latest IKM when one of
    the domain's units ran the SKM, the domain's IKM with every unit's value when several
    did, else the domain's IKM to fill in."""
    if len(units) == 1:
        return ctx.t("lf_goal_indicator_unit", unit=units[0].name), unit_line(ctx, units[0])
    if units:
        values = "; ".join(f"{row.name} {_ikm(ctx, row.ikm)} ({row.grade})" for row in units)
        return ctx.t("lf_goal_indicator", domain=domain_name), values
    return ctx.t("lf_goal_indicator", domain=domain_name), ctx.fill(ctx.t("fill_ikm"))


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
            text += " " + ctx.t("ikm_below_sample", minimum=ctx.n(row.minimum_sample))
        statements.append(
            Statement(text, Evidence(respondents=row.respondents, note=ctx.t("ikm_evidence")))
        )
    header = (
        ctx.t("ikm_col_element"),
        *(row.name for row in rows),
    )
    table_rows = [
        (_element_name(ctx, element), *(_decimal(ctx, row.nrr.get(element, 0)) for row in rows))
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
                (Statement(ctx.t("ikm_formula")), Statement(ctx.t("ikm_grades"))),
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
        axes.bar_label(bars, labels=[_decimal(ctx, v) for v in values], padding=2, fontsize=6)
    axes.set_yticks(range(len(labels)), labels, fontsize=7.5)
    axes.invert_yaxis()
    axes.set_xlim(0, 4.4)
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
