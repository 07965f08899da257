"""Planner curation (processor.curation, curation_sheet, curation_store) on the hand-made
campaign of tests/processor/handmade.py: rename, merge, move a theme or one answer, confirm
or reject a link; the curations survive a re-analysis with new answers, report themselves
when their theme is gone, can be undone, and a damaged Kurasi sheet is explained."""

from __future__ import annotations

import json
from datetime import timedelta

import pandas as pd
import pytest
from openpyxl import load_workbook

from processor.analysis import analyse, build_summary, run_analysis
from processor.curation import (
    CONFIRM_LINK,
    MERGE,
    MOVE_ANSWER,
    MOVE_THEME,
    REJECT_LINK,
    RENAME,
    Curation,
    LinkKey,
    ThemeKey,
    apply_curations,
)
from processor.curation_sheet import (
    COLUMNS,
    DECISION,
    HEADER_ROW,
    KEY,
    MERGE_INTO,
    NEW_DOMAIN,
    NEW_LABEL,
    SHEET,
    KurasiSheetError,
    edits_from_rows,
    read_kurasi_sheet,
)
from processor.curation_store import (
    CurationStoreError,
    active_curations,
    save_curations,
    undo_curation,
)
from processor.digest import compose_digest
from processor.render import write_analysis_xlsx
from processor.summary import listed_answer_ids
from shared.models import Instrument, Role
from tests.processor.conftest import NOW
from tests.processor.frames import answers_frame
from tests.processor.handmade import HEALTH_BLOCKS, STAFF, WATER_BLOCKS, handmade_answers

CAMPAIGN = {"code": "hm", "name": "Uji", "plan_years": [2027, 2028, 2029, 2030, 2031]}
RUNS = pd.DataFrame(columns=["run_id", "respondent", "status", "source", "instrument"])


def _ids(theme: dict) -> list[str]:
    return listed_answer_ids(theme["answer_ids"])


def _analyse(answers: pd.DataFrame, tools, survey_data):  # type: ignore[no-untyped-def]
    return analyse(
        campaign=CAMPAIGN, runs=RUNS, answers=answers, survey_data=survey_data, tools=tools
    )


@pytest.fixture(scope="module")
def analysis(tools, survey_data):  # type: ignore[no-untyped-def]
    return _analyse(handmade_answers(), tools, survey_data)


def _summary(analysis, survey_data) -> dict:  # type: ignore[no-untyped-def]
    return build_summary(analysis, survey_data=survey_data, now=NOW)


def _theme(summary: dict, label: str) -> tuple[str, str, dict]:
    """(domain, kind, theme) of the theme with this label."""
    for code, domain in summary["domains"].items():
        for kind, themes in domain["themes"].items():
            for theme in themes:
                if theme["label"] == label:
                    return code, kind, theme
    raise AssertionError(f"no theme {label!r}")


def _key(summary: dict, label: str) -> ThemeKey:
    code, kind, theme = _theme(summary, label)
    return ThemeKey.of_theme(theme, domain=code, kind=kind)


def _link_key(summary: dict, relation: str, source: str, target_label: str) -> LinkKey:
    code, _, target = _theme(summary, target_label)
    link = next(
        link
        for link in summary["domains"][code]["links"]
        if link["relation"] == relation
        and link["source"] == source
        and link["target"] == target["id"]
    )
    return LinkKey(
        relation=relation,
        source=source,
        target=_key(summary, target_label),
        similarity=link["similarity"],
        blocks=link["blocks"],
    )


QUEUE_NEED = "antrean puskesmas lebih cepat"
BIRTH_NEED = "persalinan aman untuk ibu hamil"
WATER_NEED = "air bersih di sukamaju"
QUEUE_OBSTACLE = "antre lama dari subuh di puskesmas"
BRIBE_OBSTACLE = "petugas ada calo minta uang pelicin"


def test_rename_reaches_the_label_the_draft_uses_and_the_gap(analysis, survey_data) -> None:  # type: ignore[no-untyped-def]
    before = _summary(analysis, survey_data)
    curation = Curation(
        action=RENAME, theme=_key(before, BIRTH_NEED), label="Persalinan aman bagi ibu", id=1
    )
    after = _summary(apply_curations(analysis, [curation]), survey_data)
    _, _, theme = _theme(after, "Persalinan aman bagi ibu")
    assert theme["label_formal"] == "Persalinan aman bagi ibu"
    assert theme["representative"] == BIRTH_NEED  # quotes stay verbatim
    assert theme["answer_count"] == 6
    gap = next(
        g for g in after["domains"]["kesehatan"]["gaps"] if g["need_theme_id"] == theme["id"]
    )
    assert gap["need_label"] == "Persalinan aman bagi ibu"
    assert after["curations"][0]["status"] == "applied"
    assert after["curations"][0]["theme_id"] == theme["id"]
    assert before["domains"]["kesehatan"]["themes"] != after["domains"]["kesehatan"]["themes"]


def test_merge_adds_the_answers_and_moves_the_links(analysis, survey_data) -> None:  # type: ignore[no-untyped-def]
    before = _summary(analysis, survey_data)
    bribe = _theme(before, BRIBE_OBSTACLE)[2]
    queue = _theme(before, QUEUE_OBSTACLE)[2]
    curation = Curation(
        action=MERGE, theme=_key(before, BRIBE_OBSTACLE), into=_key(before, QUEUE_OBSTACLE), id=1
    )
    merged = apply_curations(analysis, [curation])
    after = _summary(merged, survey_data)
    labels = [t["label"] for t in after["domains"]["kesehatan"]["themes"]["citizen_obstacle"]]
    assert BRIBE_OBSTACLE not in labels
    theme = _theme(after, QUEUE_OBSTACLE)[2]
    assert theme["answer_count"] == queue["answer_count"] + bribe["answer_count"] == 11
    assert set(_ids(theme)) == set(_ids(queue)) | set(_ids(bribe))
    assert set(merged.answers().loc[lambda a: a["answer_id"].isin(_ids(bribe)), "theme_id"]) == {
        theme["id"]
    }
    # Every link still points at a theme that exists.
    ids = set(merged.themes.table["theme_id"]) | set(merged.staff_rows["row_id"])
    assert set(merged.links["source"]) <= ids and set(merged.links["target"]) <= ids
    assert merged.themes.centroids.shape[0] == len(merged.themes.table)
    assert analysis.themes.table["label"].tolist().count(BRIBE_OBSTACLE) == 1  # input unchanged


def test_move_a_theme_to_another_domain(analysis, survey_data) -> None:  # type: ignore[no-untyped-def]
    before = _summary(analysis, survey_data)
    curation = Curation(
        action=MOVE_THEME, theme=_key(before, WATER_NEED), domain="lingkungan_hidup", id=1
    )
    moved = apply_curations(analysis, [curation])
    after = _summary(moved, survey_data)
    code, kind, theme = _theme(after, WATER_NEED)
    assert (code, kind, theme["id"]) == (
        "lingkungan_hidup",
        "citizen_need",
        "lingkungan_hidup.citizen_need.1",
    )
    assert theme["answer_count"] == 5
    assert after["domains"]["lingkungan_hidup"]["answers"] == 5
    assert (
        after["domains"]["pekerjaan_umum"]["answers"]
        == before["domains"]["pekerjaan_umum"]["answers"] - 5
    )
    assert after["counts"]["domain_sources"]["curated"] == 5
    # Its links to pekerjaan_umum's obstacle and suggestion join two domains: they go.
    assert all(
        link["source"] != theme["id"] for link in after["domains"]["pekerjaan_umum"]["links"]
    )


def test_move_a_single_answer(analysis, survey_data) -> None:  # type: ignore[no-untyped-def]
    before = _summary(analysis, survey_data)
    queue = _theme(before, QUEUE_NEED)[2]
    answer = sorted(_ids(queue))[0]
    curation = Curation(action=MOVE_ANSWER, answer_id=answer, domain="sosial", id=1)
    after = _summary(apply_curations(analysis, [curation]), survey_data)
    assert _theme(after, QUEUE_NEED)[2]["answer_count"] == queue["answer_count"] - 1
    other = after["domains"]["sosial"]["themes"]["citizen_need"]
    assert [(t["id"], t["is_other"], t["answer_ids"]) for t in other] == [
        ("sosial.citizen_need.0", True, answer)
    ]
    assert after["domains"]["sosial"]["other_inputs"]["citizen_need"] == [
        {"text": QUEUE_NEED, "answers": 1}
    ]


def test_confirm_and_reject_links(analysis, survey_data) -> None:  # type: ignore[no-untyped-def]
    before = _summary(analysis, survey_data)
    weak = _link_key(before, "row-need", "901.0.0", BIRTH_NEED)
    strong = _link_key(before, "row-need", "900.0.0", QUEUE_NEED)
    curations = [
        Curation(action=CONFIRM_LINK, link=weak, id=1),
        Curation(action=REJECT_LINK, link=strong, id=2),
    ]
    after = _summary(apply_curations(analysis, curations), survey_data)
    gaps = {g["need_label"]: g for g in after["domains"]["kesehatan"]["gaps"]}
    birth = gaps[BIRTH_NEED]["staff_rows"]
    assert [(r["row_id"], r["strength"]) for r in birth] == [("901.0.0", "strong")]
    link = next(
        link
        for link in after["domains"]["kesehatan"]["links"]
        if link["source"] == "901.0.0" and link["relation"] == "row-need"
    )
    assert link["curated"] == "confirmed"
    assert gaps[QUEUE_NEED]["status"] == "belum_ditangani"
    assert before_status(before, QUEUE_NEED) == "ditangani"
    # A confirmed link the analysis stopped proposing is put back as the planner saw it.
    again = apply_curations(apply_curations(analysis, curations[1:]), [curations[0]])
    assert len(again.links) == len(apply_curations(analysis, curations).links)
    gone = Curation(action=CONFIRM_LINK, link=strong, id=3)
    back = _summary(apply_curations(apply_curations(analysis, curations[1:]), [gone]), survey_data)
    assert {g["need_label"]: g["status"] for g in back["domains"]["kesehatan"]["gaps"]}[
        QUEUE_NEED
    ] == "ditangani"


def before_status(summary: dict, label: str) -> str:
    return {g["need_label"]: g["status"] for g in summary["domains"]["kesehatan"]["gaps"]}[label]


def _with_more_answers() -> pd.DataFrame:
    """The hand-made answers and 16 new citizens: 12 more want medicine (now the largest
    health need, so theme numbers shift), 4 more want shorter queues."""
    base = handmade_answers()
    rows = []
    for n in range(16):
        need = "obat puskesmas selalu lengkap" if n < 12 else "antrean puskesmas harus cepat"
        rows.append(
            {
                "question_id": "need",
                "text": need,
                "domain": "kesehatan",
                "unit": f"50{n}.0",
                "respondent": f"baru-{n}",
            }
        )
    more = answers_frame(rows).assign(answer_id=[f"a{1000 + n}" for n in range(16)])
    return pd.concat([base, more], ignore_index=True)


def test_curations_survive_a_new_analysis_with_new_answers(analysis, tools, survey_data) -> None:  # type: ignore[no-untyped-def]
    before = _summary(analysis, survey_data)
    queue_id = _theme(before, QUEUE_NEED)[2]["id"]
    curations = [
        Curation(action=RENAME, theme=_key(before, QUEUE_NEED), label="Antrean singkat", id=1),
        Curation(
            action=MERGE,
            theme=_key(before, BRIBE_OBSTACLE),
            into=_key(before, QUEUE_OBSTACLE),
            id=2,
        ),
    ]
    later = _analyse(_with_more_answers(), tools, survey_data)
    assert _theme(_summary(later, survey_data), QUEUE_NEED)[2]["id"] != queue_id  # renumbered
    after = _summary(apply_curations(later, curations), survey_data)
    theme = _theme(after, "Antrean singkat")[2]
    assert theme["answer_count"] == 11 + 4  # the new answers joined the curated theme
    assert {"a1012", "a1015"} <= set(_ids(theme))
    assert _theme(after, QUEUE_OBSTACLE)[2]["answer_count"] == 11
    assert [c["status"] for c in after["curations"]] == ["applied", "applied"]


def test_a_curation_whose_theme_dissolved_is_reported(
    analysis, tools, survey_data, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    before = _summary(analysis, survey_data)
    curation = Curation(
        action=RENAME,
        theme=_key(before, BRIBE_OBSTACLE),
        label="Pungutan liar",
        id=7,
        before=BRIBE_OBSTACLE,
        after="Pungutan liar",
    )
    answers = handmade_answers()
    without = answers.loc[~answers["text"].eq(BRIBE_OBSTACLE)]
    later = apply_curations(_analyse(without, tools, survey_data), [curation])
    summary = _summary(later, survey_data)
    assert summary["curations"] == [
        {
            "id": 7,
            "action": "rename",
            "subject": f"tema “{BRIBE_OBSTACLE}” (citizen_obstacle, kesehatan)",
            "before": BRIBE_OBSTACLE,
            "after": "Pungutan liar",
            "by": "",
            "at": "",
            "status": "stale",
            "theme_id": None,
            "note": "tema tidak ditemukan lagi",
        }
    ]
    path = write_analysis_xlsx(later, summary, tmp_path / "analysis.xlsx")
    sheet = load_workbook(path, read_only=True)[SHEET]
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "tidak berlaku lagi" in cells and "Pungutan liar" in cells
    digest = "\n".join(
        compose_digest(
            summary,
            None,
            language="id",
            messages=survey_data.messages,
            period_start=None,
            period_end=NOW,
        )
    )
    assert "Kurasi tidak berlaku lagi (1)" in digest
    assert f"#7 tema “{BRIBE_OBSTACLE}” (citizen_obstacle, kesehatan)" in digest
    assert "tema tidak ditemukan lagi" in digest


def test_a_theme_found_again_by_its_label_when_its_answers_are_gone(analysis) -> None:  # type: ignore[no-untyped-def]
    key = ThemeKey(
        domain="kesehatan",
        kind="citizen_need",
        label="persalinan aman untuk ibu hamil",
        answer_ids=("a99999",),
    )
    renamed = apply_curations(analysis, [Curation(action=RENAME, theme=key, label="X", id=1)])
    assert "X" in renamed.themes.table["label"].tolist()
    elsewhere = ThemeKey(domain="sosial", kind="citizen_need", label=key.label)
    stale = apply_curations(analysis, [Curation(action=RENAME, theme=elsewhere, label="X", id=1)])
    assert stale.curations[0]["status"] == "stale"


# --- the Kurasi sheet -----------------------------------------------------------------------
def _sheet_rows(path) -> tuple[object, dict[str, int]]:  # type: ignore[no-untyped-def]
    book = load_workbook(path)
    sheet = book[SHEET]
    header = [c.value for c in sheet[HEADER_ROW + 1]]
    return book, {name: header.index(name) + 1 for name in COLUMNS}


def _row_of(sheet, column: int, value: str) -> int:  # type: ignore[no-untyped-def]
    for row in range(HEADER_ROW + 2, sheet.max_row + 1):
        if sheet.cell(row, column).value == value:
            return row
    raise AssertionError(value)


def test_the_kurasi_sheet_round_trip(analysis, survey_data, tmp_path) -> None:  # type: ignore[no-untyped-def]
    summary = _summary(analysis, survey_data)
    path = write_analysis_xlsx(analysis, summary, tmp_path / "analysis.xlsx", domains=["sosial"])
    book, at = _sheet_rows(path)
    sheet = book[SHEET]
    assert sheet.cell(HEADER_ROW + 1, at[NEW_LABEL]).fill.fgColor.rgb.endswith("FFD966")
    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert any(v.formula1 == '"konfirmasi,tolak"' for v in validations.values())
    assert sheet.column_dimensions[sheet.cell(1, at[KEY]).column_letter].hidden
    queue = _theme(summary, QUEUE_NEED)[2]
    birth_row = _row_of(sheet, at["label"], BIRTH_NEED)
    sheet.cell(birth_row, at[NEW_LABEL]).value = "Persalinan aman"
    bribe_row = _row_of(sheet, at["label"], BRIBE_OBSTACLE)
    queue_obstacle = _theme(summary, QUEUE_OBSTACLE)[2]["id"]
    sheet.cell(bribe_row, at[MERGE_INTO]).value = queue_obstacle
    water_row = _row_of(sheet, at["label"], WATER_NEED)
    sheet.cell(water_row, at[NEW_DOMAIN]).value = "sosial"
    link_row = _row_of(sheet, at["id"], f"901.0.0 → {_theme(summary, BIRTH_NEED)[2]['id']}")
    sheet.cell(link_row, at[DECISION]).value = "konfirmasi"
    answer_row = _row_of(sheet, at["objek"], "jawaban")
    sheet.cell(answer_row, at["id"]).value = sorted(_ids(queue))[0]
    sheet.cell(answer_row, at[NEW_DOMAIN]).value = "sosial"
    book.save(path)

    read = read_kurasi_sheet(path)
    assert read.campaign == "hm"
    edits = edits_from_rows(read.rows, domains=survey_data.domains.by_code)
    assert edits.problems == ()
    assert [c.action for _, c in edits.curations] == [
        RENAME,
        MERGE,
        MOVE_THEME,
        CONFIRM_LINK,
        MOVE_ANSWER,
    ]
    curations = [Curation(**{**c.__dict__, "id": n}) for n, (_, c) in enumerate(edits.curations, 1)]
    after = _summary(apply_curations(analysis, curations), survey_data)
    assert [c["status"] for c in after["curations"]] == ["applied"] * 5
    assert _theme(after, "Persalinan aman")[0] == "kesehatan"
    assert _theme(after, WATER_NEED)[0] == "sosial"
    assert _theme(after, QUEUE_OBSTACLE)[2]["answer_count"] == 11


def test_a_damaged_kurasi_sheet_is_explained_row_by_row(analysis, survey_data, tmp_path) -> None:  # type: ignore[no-untyped-def]
    summary = _summary(analysis, survey_data)
    path = write_analysis_xlsx(analysis, summary, tmp_path / "analysis.xlsx")
    book, at = _sheet_rows(path)
    sheet = book[SHEET]
    birth = _row_of(sheet, at["label"], BIRTH_NEED)
    sheet.cell(birth, at[NEW_DOMAIN]).value = "kesehatann"
    bribe = _row_of(sheet, at["label"], BRIBE_OBSTACLE)
    sheet.cell(bribe, at[MERGE_INTO]).value = _theme(summary, QUEUE_NEED)[2]["id"]
    water = _row_of(sheet, at["label"], WATER_NEED)
    sheet.cell(water, at[NEW_LABEL]).value = "Air bersih"
    sheet.cell(water, at[KEY]).value = "{broken"
    link = _row_of(sheet, at["objek"], "tautan")
    sheet.cell(link, at[DECISION]).value = "mungkin"
    answer = _row_of(sheet, at["objek"], "jawaban")
    sheet.cell(answer, at["id"]).value = "nomor 5"
    sheet.cell(answer, at[NEW_DOMAIN]).value = "sosial"
    book.save(path)
    edits = edits_from_rows(read_kurasi_sheet(path).rows, domains=survey_data.domains.by_code)
    assert edits.curations == ()
    assert edits.problems == (
        f"Kurasi row {birth}: “kesehatann” is not a domain code; pick one from the list",
        f"Kurasi row {bribe}: {_theme(summary, QUEUE_NEED)[2]['id']} is a citizen_need theme "
        "and this one a citizen_obstacle; merge themes of the same kind only",
        f"Kurasi row {water}: the hidden kunci column was changed; copy the sheet again from "
        "the latest analysis.xlsx",
        f"Kurasi row {link}: “mungkin”: write konfirmasi or tolak",
        f"Kurasi row {answer}: “nomor 5” is not an answer id (a123 or i45, see Jawaban)",
    )
    # Without its header row the sheet cannot be read at all.
    sheet.delete_rows(HEADER_ROW + 1)
    book.save(path)
    with pytest.raises(KurasiSheetError, match="no header row starting with “objek”"):
        read_kurasi_sheet(path)
    del book[SHEET]
    book.save(path)
    with pytest.raises(KurasiSheetError, match="has no Kurasi sheet"):
        read_kurasi_sheet(path)


KEY_CHANGED = (
    "the hidden kunci column was changed; copy the sheet again from the latest analysis.xlsx"
)


def _edited_sheet(analysis, survey_data, tmp_path, edit):  # type: ignore[no-untyped-def]
    """Write analysis.xlsx, let `edit(sheet, at, summary)` change its Kurasi sheet, read it
    back; (edits, what `edit` returned)."""
    summary = _summary(analysis, survey_data)
    path = write_analysis_xlsx(analysis, summary, tmp_path / "analysis.xlsx")
    book, at = _sheet_rows(path)
    rows = edit(book[SHEET], at, summary)
    book.save(path)
    edits = edits_from_rows(read_kurasi_sheet(path).rows, domains=survey_data.domains.by_code)
    return edits, rows


def test_a_key_filled_down_from_the_row_above_is_refused(analysis, survey_data, tmp_path) -> None:  # type: ignore[no-untyped-def]
    def fill_down(sheet, at, summary):  # type: ignore[no-untyped-def]
        birth = _row_of(sheet, at["label"], BIRTH_NEED)
        sheet.cell(birth + 1, at[KEY]).value = sheet.cell(birth, at[KEY]).value
        sheet.cell(birth + 1, at[NEW_LABEL]).value = "Label baru"
        return birth + 1

    edits, row = _edited_sheet(analysis, survey_data, tmp_path, fill_down)
    assert edits.curations == ()
    assert edits.problems == (f"Kurasi row {row}: {KEY_CHANGED}",)


def test_a_key_with_edited_answers_is_refused(analysis, survey_data, tmp_path) -> None:  # type: ignore[no-untyped-def]
    def tamper(sheet, at, summary):  # type: ignore[no-untyped-def]
        birth = _row_of(sheet, at["label"], BIRTH_NEED)
        data = json.loads(sheet.cell(birth, at[KEY]).value)
        data["theme"]["answer_ids"] = sorted(_ids(_theme(summary, QUEUE_NEED)[2]))
        sheet.cell(birth, at[KEY]).value = json.dumps(data)
        sheet.cell(birth, at[NEW_LABEL]).value = "Label baru"
        link = _row_of(sheet, at["objek"], "tautan")
        data = json.loads(sheet.cell(link, at[KEY]).value)
        data["link"]["target"]["answer_ids"] = data["link"]["target"]["answer_ids"][:1]
        sheet.cell(link, at[KEY]).value = json.dumps(data)
        sheet.cell(link, at[DECISION]).value = "tolak"
        return birth, link

    edits, (birth, link) = _edited_sheet(analysis, survey_data, tmp_path, tamper)
    assert edits.curations == ()
    assert edits.problems == (
        f"Kurasi row {birth}: {KEY_CHANGED}",
        f"Kurasi row {link}: {KEY_CHANGED}",
    )


def test_a_merge_into_a_row_whose_key_was_pasted_over_is_refused(
    analysis, survey_data, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    def paste(sheet, at, summary):  # type: ignore[no-untyped-def]
        queue = _row_of(sheet, at["label"], QUEUE_OBSTACLE)
        bribe = _row_of(sheet, at["label"], BRIBE_OBSTACLE)
        sheet.cell(queue, at[KEY]).value = sheet.cell(bribe, at[KEY]).value
        sheet.cell(bribe, at[MERGE_INTO]).value = _theme(summary, QUEUE_OBSTACLE)[2]["id"]
        return queue

    edits, queue = _edited_sheet(analysis, survey_data, tmp_path, paste)
    assert edits.curations == ()
    assert edits.problems == (f"Kurasi row {queue}: {KEY_CHANGED}",)


def test_formulas_spaces_and_a_rename_with_a_merge_are_refused(
    analysis, survey_data, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    def edit(sheet, at, summary):  # type: ignore[no-untyped-def]
        birth = _row_of(sheet, at["label"], BIRTH_NEED)
        sheet.cell(birth, at[NEW_LABEL]).value = '=HYPERLINK("http://x","klik")'
        queue = _row_of(sheet, at["label"], QUEUE_NEED)
        sheet.cell(queue, at[MERGE_INTO]).value = f"=B{birth}"  # saved with no cached value
        water = _row_of(sheet, at["label"], WATER_NEED)
        sheet.cell(water, at[NEW_LABEL]).value = "   "
        bribe = _row_of(sheet, at["label"], BRIBE_OBSTACLE)
        sheet.cell(bribe, at[NEW_LABEL]).value = "Pungli"
        sheet.cell(bribe, at[MERGE_INTO]).value = _theme(summary, QUEUE_OBSTACLE)[2]["id"]
        return birth, queue, water, bribe

    edits, (birth, queue, water, bribe) = _edited_sheet(analysis, survey_data, tmp_path, edit)
    assert edits.curations == ()
    assert sorted(edits.problems) == sorted(
        [
            f"Kurasi row {birth}: the “{NEW_LABEL}” cell holds a formula; type the value itself, "
            "not a formula",
            f"Kurasi row {queue}: the “{MERGE_INTO}” cell holds a formula; type the value itself, "
            "not a formula",
            f"Kurasi row {water}: the “{NEW_LABEL}” cell holds only spaces; clear it or type "
            "a value",
            f"Kurasi row {bribe}: choose either “label baru” or “gabung ke tema”, not both: "
            "a merged theme takes the label of the theme it joins; rename that one on its own row",
        ]
    )


# --- stored, re-applied, undone ---------------------------------------------------------------
def _fill(consultation, *, without: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """The hand-made campaign through the bot's tables."""
    c, number = consultation, 0
    for domain, blocks in (("kesehatan", HEALTH_BLOCKS), ("pekerjaan_umum", WATER_BLOCKS)):
        for need, obstacle, suggestion, count in blocks:
            for _ in range(count):
                number += 1
                block = {"obstacle": obstacle} if obstacle != without else {}
                if suggestion:
                    block["strategy"] = suggestion
                c.run(c.respondent(f"warga-{number}"), [(domain, [{"need": need}], block)])
    for number, (domain, fields, targets) in enumerate(STAFF):
        item = {**fields, **{f"target_y{y}": v for y, v in enumerate(targets, start=1)}}
        c.run(
            c.respondent(f"staf-{number}", role=Role.staff),
            [(domain, [item], {})],
            instrument=Instrument.internal,
        )
    c.session.commit()


def test_stored_curations_apply_on_every_analysis_and_can_be_undone(
    consultation, engine, survey_data, tools, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    _fill(consultation)
    first = run_analysis(
        engine=engine,
        campaign_code="uji",
        out_dir=tmp_path,
        now=NOW,
        survey_data=survey_data,
        tools=tools,
    )
    summary = first.summary
    curations = [
        Curation(
            action=RENAME,
            theme=_key(summary, BIRTH_NEED),
            label="Persalinan aman",
            before=BIRTH_NEED,
            after="Persalinan aman",
        ),
        Curation(
            action=MERGE, theme=_key(summary, BRIBE_OBSTACLE), into=_key(summary, QUEUE_OBSTACLE)
        ),
    ]
    session = consultation.session
    stored, skipped = save_curations(
        session=session,
        campaign_id=consultation.campaign.id,
        curations=curations,
        by="bappeda",
        now=NOW,
    )
    again, twins = save_curations(
        session=session,
        campaign_id=consultation.campaign.id,
        curations=curations[:1],
        by="bappeda",
        now=NOW,
    )
    assert (len(stored), skipped, again, [t for _, t in twins]) == (2, [], [], [stored[0].id])
    session.commit()
    second = run_analysis(
        engine=engine,
        campaign_code="uji",
        out_dir=tmp_path,
        now=NOW + timedelta(days=1),
        survey_data=survey_data,
        tools=tools,
    ).summary
    assert [(c["id"], c["status"], c["by"]) for c in second["curations"]] == [
        (stored[0].id, "applied", "bappeda"),
        (stored[1].id, "applied", "bappeda"),
    ]
    assert _theme(second, "Persalinan aman")[2]["answer_count"] == 6

    undone = undo_curation(
        session=session,
        campaign_id=consultation.campaign.id,
        curation_id=stored[0].id,
        by="kepala",
        now=NOW,
    )
    assert (undone.undone_by, undone.before, undone.after) == (
        "kepala",
        BIRTH_NEED,
        "Persalinan aman",
    )
    session.commit()
    with pytest.raises(CurationStoreError, match="already undone by kepala"):
        undo_curation(
            session=session,
            campaign_id=consultation.campaign.id,
            curation_id=stored[0].id,
            by="kepala",
            now=NOW,
        )
    with pytest.raises(CurationStoreError, match="no curation #999"):
        undo_curation(
            session=session,
            campaign_id=consultation.campaign.id,
            curation_id=999,
            by="kepala",
            now=NOW,
        )
    assert [
        c.id for c in active_curations(session=session, campaign_id=consultation.campaign.id)
    ] == [stored[1].id]
    third = run_analysis(
        engine=engine,
        campaign_code="uji",
        out_dir=tmp_path,
        now=NOW,
        survey_data=survey_data,
        tools=tools,
    ).summary
    assert _theme(third, BIRTH_NEED)[2]["label"] == BIRTH_NEED
    assert len(third["curations"]) == 1
