"""The digest message: content, escaping of every user text, splitting under 4,096."""

from __future__ import annotations

import copy
import html
import re
from datetime import UTC, datetime
from typing import Any

from processor.digest import TELEGRAM_LIMIT, compose_digest, new_themes, pack_blocks
from processor.summary import parse_summary
from shared.survey_data import SurveyData

END = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
START = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
ALLOWED_TAGS = re.compile(r"</?b>")


def _compose(
    summary, previous=None, *, survey_data: SurveyData, language="id", limit=TELEGRAM_LIMIT
):  # type: ignore[no-untyped-def]
    return compose_digest(
        summary,
        previous,
        language=language,
        messages=survey_data.messages,
        period_start=START if previous else None,
        period_end=END,
        limit=limit,
    )


def _well_formed(part: str) -> bool:
    """Only <b> tags, balanced, and no bare & or < from user text."""
    stripped = ALLOWED_TAGS.sub("", part)
    if "<" in stripped or ">" in stripped:
        return False
    if re.search(r"&(?!amp;|lt;|gt;|quot;|#)", stripped):
        return False
    return part.count("<b>") == part.count("</b>")


def test_first_digest_has_period_counts_top_needs_obstacles_and_gaps(
    summary: dict[str, Any], survey_data: SurveyData
) -> None:
    [message] = _compose(summary, survey_data=survey_data)
    assert "ringkasan pertama" in message and "30 Nov 2026 07:00 WIB" in message  # Jakarta
    assert "Jawaban baru: <b>412</b> · total 412 jawaban dari 61 responden" in message
    assert "<b>Kesehatan</b> · 30 responden, 190 jawaban" in message
    assert "• puskesmas buka sampai sore (22 jawaban)" in message
    assert "• antre lama (18 jawaban)" in message
    # top needs in order of answers, at most three per domain
    health = message.split("<b>Kesehatan</b>")[1]
    assert (
        health.index("puskesmas buka")
        < health.index("dokter di pustu")
        < health.index("obat lengkap")
    )
    unaddressed = message.split("belum ditangani OPD</b>")[1].split("\n\n")[0]
    assert "Kesehatan: dokter di pustu desa (12 responden)" in unaddressed
    # what needs a decision comes first: right after the header, before the domains
    assert message.index("belum ditangani OPD") < message.index("<b>Kesehatan</b>")
    assert "puskesmas buka sampai sore" not in unaddressed  # addressed by a staff row
    assert len(message) <= TELEGRAM_LIMIT and _well_formed(message)


def test_english_on_request(summary: dict[str, Any], survey_data: SurveyData) -> None:
    [message] = _compose(summary, survey_data=survey_data, language="en")
    assert "30 Nov 2026 07:00 WIB" in message  # the zone as planners name it, in English too
    assert "<b>Health</b> · 30 respondents, 190 answers" in message
    assert "Top needs:" in message and "(first digest)" in message


def test_counts_of_one_are_singular_in_english_and_quiet_domains_say_so(
    summary: dict[str, Any], survey_data: SurveyData
) -> None:
    quiet = copy.deepcopy(summary)
    health = quiet["domains"]["kesehatan"]
    health.update(respondents=1, answers=1)
    for kind in health["themes"]:
        health["themes"][kind] = []
    [message] = _compose(quiet, survey_data=survey_data, language="en")
    block = message.split("<b>Health</b>")[1].split("\n\n")[0]
    assert block.startswith(" · 1 respondent, 1 answer\n")
    assert "No need or obstacle has been named by more than one person yet." in block


def test_a_long_list_of_unaddressed_needs_says_how_many_more(
    summary: dict[str, Any], survey_data: SurveyData
) -> None:
    many = copy.deepcopy(summary)
    gaps = many["domains"]["kesehatan"]["gaps"]
    template = next(g for g in gaps if g["status"] == "belum_ditangani")
    for i in range(12):
        extra = copy.deepcopy(template)
        extra.update(need_theme_id=f"kesehatan.citizen_need.{50 + i}", need_label=f"kebutuhan {i}")
        gaps.append(extra)
    [message] = _compose(many, survey_data=survey_data)
    unaddressed = message.split("belum ditangani OPD</b>")[1].split("\n\n")[0].split("\n\n")[0]
    shown = unaddressed.count("\n• ")
    total = sum(
        g["status"] == "belum_ditangani" for d in many["domains"].values() for g in d["gaps"]
    )
    assert shown == 8 and f"… dan {total - 8} kebutuhan lain" in unaddressed


def test_new_since_last_digest_counts_only_new_answers(
    summary: dict[str, Any], survey_data: SurveyData
) -> None:
    previous = copy.deepcopy(summary)
    current = copy.deepcopy(summary)
    need = current["domains"]["kesehatan"]["themes"]["citizen_need"][1]  # dokter di pustu desa
    need["answer_ids"] += [900, 901, 902]
    need["answer_count"] += 3
    current["domains"]["kesehatan"]["themes"]["citizen_obstacle"].append(
        {
            "id": "kesehatan.citizen_obstacle.3",
            "label": "petugas judes",
            "keywords": ["petugas"],
            "answer_count": 2,
            "respondent_count": 2,
            "quotes": [],
            "answer_ids": [903, 904],
        }
    )
    current["counts"]["answers"] += 5
    fresh = new_themes(parse_summary(current), parse_summary(previous))
    assert [(code, theme.label, n) for code, theme, n in fresh] == [
        ("kesehatan", "dokter di pustu desa", 3),
        ("kesehatan", "petugas judes", 2),
    ]
    [message] = _compose(current, previous, survey_data=survey_data)
    assert "Jawaban baru: <b>5</b> · total 417" in message
    assert "Periode: 23 Nov 2026 07:00 WIB – 30 Nov 2026 07:00 WIB" in message
    new_block = message.split("Baru sejak ringkasan lalu</b>")[1].split("\n\n")[0]
    assert "• Kesehatan: dokter di pustu desa (+3 jawaban baru)" in new_block
    assert "puskesmas" not in new_block


def _as_schema_4(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary with every theme's answer ids as one string, as schema 4 writes them."""
    result = copy.deepcopy(summary)
    for domain in result["domains"].values():
        for themes in domain["themes"].values():
            for theme in themes:
                theme["answer_ids"] = " ".join(str(i) for i in theme.get("answer_ids", []))
    return result


def test_new_answers_are_told_apart_in_either_form_of_answer_ids(
    summary: dict[str, Any],
) -> None:
    previous = copy.deepcopy(summary)
    current = copy.deepcopy(summary)
    need = current["domains"]["kesehatan"]["themes"]["citizen_need"][1]
    need["answer_ids"] = [*need["answer_ids"], "a900", "a901"]
    expected = [("kesehatan", need["id"], 2)]

    def fresh(now: dict[str, Any], before: dict[str, Any]) -> list[tuple[str, str, int]]:
        found = new_themes(parse_summary(now), parse_summary(before))
        return [(code, theme.id, n) for code, theme, n in found]

    assert fresh(current, previous) == expected
    assert fresh(_as_schema_4(current), _as_schema_4(previous)) == expected
    # A digest stored before schema 4 compared with a new one.
    assert fresh(_as_schema_4(current), previous) == expected


def test_user_text_is_escaped(summary: dict[str, Any], survey_data: SurveyData) -> None:
    evil = copy.deepcopy(summary)
    theme = evil["domains"]["kesehatan"]["themes"]["citizen_need"][0]
    theme["label"] = '<a href="x">klik</a> & <script>alert(1)</script>'
    gap = evil["domains"]["kesehatan"]["gaps"][1]
    need = next(
        t
        for t in evil["domains"]["kesehatan"]["themes"]["citizen_need"]
        if t["id"] == gap["need_theme_id"]
    )
    gap["need_label"] = need["label"] = "dokter <i>tetap</i> & bidan"
    evil["campaign"]["name"] = "Kab. <Tanjab> & Barat"
    [message] = _compose(evil, survey_data=survey_data)
    assert "<a href" not in message and "<script>" not in message and "<i>" not in message
    assert '&lt;a href="x"&gt;klik&lt;/a&gt; &amp; &lt;script&gt;' in message
    assert "Kab. &lt;Tanjab&gt; &amp; Barat" in message
    assert "dokter &lt;i&gt;tetap&lt;/i&gt; &amp; bidan" in message
    assert _well_formed(message)


def test_long_digest_splits_at_block_boundaries_under_the_limit(
    summary: dict[str, Any], survey_data: SurveyData
) -> None:
    big = copy.deepcopy(summary)
    # 12 domains with long labels full of characters that grow when escaped
    template = big["domains"]["kesehatan"]
    for i in range(12):
        domain = copy.deepcopy(template)
        domain["name"] = {"id": f"Bidang & <{i}>", "en": f"Domain & <{i}>"}
        for theme in domain["themes"]["citizen_need"] + domain["themes"]["citizen_obstacle"]:
            theme["label"] = ("jalan & <jembatan> rusak " * 8).strip()
        big["domains"][f"bidang_{i}"] = domain
    parts = _compose(big, survey_data=survey_data, limit=1500)
    assert len(parts) > 2
    for number, part in enumerate(parts, start=1):
        assert len(part) <= 1500
        assert _well_formed(part)
        assert part.endswith(f"({number}/{len(parts)})")
    # every domain block stays whole in exactly one part
    for i in range(12):
        holders = [p for p in parts if f"<b>Bidang &amp; &lt;{i}&gt;</b>" in p]
        assert len(holders) == 1
        block = holders[0].split(f"<b>Bidang &amp; &lt;{i}&gt;</b>")[1].split("\n\n")[0]
        assert "Hambatan teratas:" in block
    # 15 domains: the 12 largest are shown, the rest are counted, nothing silently lost
    joined = "\n".join(parts)
    assert joined.count("Kebutuhan teratas:") == 12
    assert "… dan 3 bidang lain" in joined
    assert joined.index("belum ditangani OPD") < joined.index("Baru sejak ringkasan lalu")


def test_labels_are_shortened_before_escaping(
    survey_data: SurveyData, summary: dict[str, Any]
) -> None:
    long = copy.deepcopy(summary)
    long["domains"]["kesehatan"]["themes"]["citizen_need"][0]["label"] = "&" * 500
    [message] = _compose(long, survey_data=survey_data)
    line = next(line for line in message.split("\n") if line.startswith("• &amp;&amp;"))
    assert line.endswith("… (22 jawaban)")
    assert _well_formed(message)


def test_oversized_single_block_is_split_between_lines_and_words() -> None:
    lines = [f"<b>baris {i}</b> " + html.escape("kata & " * 30) for i in range(40)]
    block = "\n".join(lines)
    parts = pack_blocks([block, "akhir"], limit=400)
    assert all(len(p) <= 400 for p in parts)
    assert all(_well_formed(p) for p in parts)
    assert parts[-1].endswith("akhir")
    one_word = pack_blocks(["x" * 1000], limit=300)
    assert [len(p) for p in one_word] == [300, 300, 300, 100]


def test_leftover_other_theme_is_never_a_top_theme(
    summary: dict[str, Any], survey_data: SurveyData
) -> None:
    other = copy.deepcopy(summary)
    other["domains"]["kesehatan"]["themes"]["citizen_need"].append(
        {
            "id": "kesehatan.citizen_need.0",
            "label": "Lainnya",
            "keywords": [],
            "is_other": True,
            "answer_count": 99,
            "respondent_count": 99,
            "quotes": [],
            "answer_ids": [7001, 7002],
        }
    )
    [message] = _compose(other, summary, survey_data=survey_data)
    assert "Lainnya" not in message


def test_other_zones_are_named_or_given_as_an_offset(
    summary: dict[str, Any], survey_data: SurveyData
) -> None:
    east = copy.deepcopy(summary)
    east["campaign"]["timezone"] = "Asia/Jayapura"
    [message] = _compose(east, survey_data=survey_data)
    assert "30 Nov 2026 09:00 WIT" in message
    east["campaign"]["timezone"] = "Australia/Darwin"
    [message] = _compose(east, survey_data=survey_data, language="en")
    assert "30 Nov 2026 09:30 GMT+09:30" in message
