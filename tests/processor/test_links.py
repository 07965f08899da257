"""Evidence links (processor.links) on the hand-made campaign of tests/processor/handmade.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from processor.analysis import analyse, build_summary
from processor.links import LinkParameters, _cooccurrence
from tests.processor.conftest import NOW
from tests.processor.handmade import handmade_answers

CAMPAIGN = {"code": "hm", "name": "Uji", "plan_years": [2027, 2028, 2029, 2030, 2031]}


@pytest.fixture(scope="module")
def analysis(tools, survey_data):  # type: ignore[no-untyped-def]
    runs = pd.DataFrame(columns=["run_id", "respondent", "status", "source", "instrument"])
    return analyse(
        campaign=CAMPAIGN,
        runs=runs,
        answers=handmade_answers(),
        survey_data=survey_data,
        tools=tools,
    )


def _labelled(analysis) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    label = dict(
        zip(analysis.themes.table["theme_id"], analysis.themes.table["label"], strict=True)
    )
    return {
        (r, label.get(s, s), label[t])
        for r, s, t in zip(
            analysis.links["relation"],
            analysis.links["source"],
            analysis.links["target"],
            strict=True,
        )
    }


def test_themes_named_in_one_block_are_linked(analysis) -> None:  # type: ignore[no-untyped-def]
    links = _labelled(analysis)
    assert (
        "need-obstacle",
        "antrean puskesmas lebih cepat",
        "antre lama dari subuh di puskesmas",
    ) in links
    assert (
        "need-suggestion",
        "persalinan aman untuk ibu hamil",
        "rumah tunggu kelahiran dekat puskesmas",
    ) in links
    # Never named together and nothing alike: no link.
    assert not any(
        s == "obat puskesmas selalu lengkap" and t == "antrean online lewat whatsapp"
        for _, s, t in links
    )


def test_a_row_answers_a_need_through_its_main_suggestion(analysis) -> None:  # type: ignore[no-untyped-def]
    label = dict(
        zip(analysis.themes.table["theme_id"], analysis.themes.table["label"], strict=True)
    )
    row_needs = analysis.links.loc[analysis.links["relation"] == "row-need"]
    waiting_house = row_needs.loc[row_needs["source"] == "901.0.0"]
    assert [label[t] for t in waiting_house["target"]] == ["persalinan aman untuk ibu hamil"]
    assert label[waiting_house["via"].iloc[0]] == "rumah tunggu kelahiran dekat puskesmas"
    queue = row_needs.loc[row_needs["source"] == "900.0.0"]
    assert [label[t] for t in queue["target"]] == ["antrean puskesmas lebih cepat"]


def test_a_shared_place_name_is_no_link(analysis) -> None:  # type: ignore[no-untyped-def]
    road = analysis.links.loc[analysis.links["source"] == "902.0.0"]
    assert road.empty, road


def test_links_reach_the_summary_with_their_numbers(analysis, survey_data) -> None:  # type: ignore[no-untyped-def]
    summary = build_summary(analysis, survey_data=survey_data, now=NOW)
    health = summary["domains"]["kesehatan"]
    link = next(
        item
        for item in health["links"]
        if item["relation"] == "need-obstacle"
        and item["source_label"] == "antrean puskesmas lebih cepat"
    )
    assert link["blocks"] == 8 and link["lift"] > 1 and link["p_value"] < 0.01
    assert link["strength"] == "strong"
    safe_birth = next(g for g in health["gaps"] if g["need_label"].startswith("persalinan"))
    assert safe_birth["status"] == "ditangani"
    assert [r["row_id"] for r in safe_birth["staff_rows"]] == ["901.0.0"]
    assert safe_birth["staff_rows"][0]["via"] is not None
    water = summary["domains"]["pekerjaan_umum"]["gaps"]
    assert [g["status"] for g in water] == ["belum_ditangani"]


def test_cooccurrence_counts_lift_and_chance() -> None:
    texts = pd.DataFrame(
        {
            "domain": ["d"] * 8,
            "unit": ["1", "1", "2", "2", "3", "3", "4", "4"],
            "kind": ["citizen_need", "citizen_obstacle"] * 4,
            "theme_id": ["n1", "o1", "n1", "o1", "n2", "o2", "n2", "o1"],
        }
    )
    pairs = _cooccurrence(texts, "citizen_need", "citizen_obstacle").set_index(["source", "target"])
    assert pairs.loc[("n1", "o1"), "blocks"] == 2
    # 4 blocks; n1 in 2, o1 in 3: chance gives 1.5 shared blocks.
    assert pairs.loc[("n1", "o1"), "lift"] == pytest.approx(2 / 1.5, abs=1e-3)
    assert pairs.loc[("n1", "o1"), "p_value"] == pytest.approx(0.5)  # C(3,2)/C(4,2)
    assert ("n1", "o2") not in pairs.index
    assert LinkParameters().max_p < 0.5


def test_cooccurrence_is_the_same_in_any_row_order() -> None:
    """block_themes gives its rows by unit and domain (counted in one pass); other frames
    are put in order first. A unit holding two domains is two blocks."""
    rng = np.random.default_rng(3)
    n = 400
    texts = pd.DataFrame(
        {
            "domain": rng.choice(["d", "e"], size=n),
            "unit": rng.integers(0, 60, size=n),
            "kind": rng.choice(["citizen_need", "citizen_obstacle"], size=n),
            "theme_id": rng.choice(["t1", "t2", "t3"], size=n),
        }
    )
    in_order = texts.sort_values(["unit", "domain"], kind="stable").reset_index(drop=True)
    key = ["domain", "source", "target"]

    def pairs(frame: pd.DataFrame) -> pd.DataFrame:
        result = _cooccurrence(frame, "citizen_need", "citizen_obstacle")
        return result.sort_values(key).reset_index(drop=True)

    shuffled = pairs(texts)
    pd.testing.assert_frame_equal(shuffled, pairs(in_order))
    # Blocks counted by hand: a (unit, domain) naming both themes.
    blocks = in_order.groupby(["unit", "domain", "kind"])["theme_id"].agg(set).unstack()
    blocks = blocks.dropna()
    d1 = blocks.xs("d", level="domain")
    expected = sum(
        "t1" in need and "t2" in obstacle
        for need, obstacle in zip(d1["citizen_need"], d1["citizen_obstacle"], strict=True)
    )
    found = shuffled.set_index(key)["blocks"].get(("d", "t1", "t2"), 0)
    assert found == expected > 0


def test_cooccurrence_of_themes_named_in_many_blocks_does_not_overflow() -> None:
    """At 10M answers a theme is named in hundreds of thousands of blocks: the chance
    figures multiply such counts."""
    n = 50_000
    texts = pd.DataFrame(
        {
            "domain": ["d"] * (2 * n),
            "unit": np.repeat(np.arange(n), 2),
            "kind": ["citizen_need", "citizen_obstacle"] * n,
            "theme_id": ["n1", "o1"] * n,
        }
    )
    pair = _cooccurrence(texts, "citizen_need", "citizen_obstacle").iloc[0]
    assert pair["blocks"] == n
    assert pair["lift"] == 1.0  # every block names both: no more than chance
    assert pair["confidence"] == 1.0


def test_links_have_their_own_sheet(analysis, survey_data, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from processor.render import LINK_SHEET_COLUMNS, write_analysis_xlsx

    summary = build_summary(analysis, survey_data=survey_data, now=NOW)
    path = write_analysis_xlsx(analysis, summary, tmp_path / "analysis.xlsx")
    sheet = pd.read_excel(path, sheet_name="Tautan")
    assert list(sheet.columns) == list(LINK_SHEET_COLUMNS)
    assert len(sheet) == sum(len(d["links"]) for d in summary["domains"].values())
    via = sheet.loc[sheet["sumber"] == "901.0.0"]
    assert set(via["tujuan (label)"]) >= {"persalinan aman untuk ibu hamil"}
