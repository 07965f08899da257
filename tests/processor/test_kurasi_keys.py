"""The Kurasi sheet's kunci cells: a link key written from its themes' ready JSON is the
one written from scratch, also when a text of the link looks like a slot."""

from __future__ import annotations

from processor.curation import LinkKey, ThemeKey
from processor.curation_sheet import _SLOTS, _key_cell, _link_key_text, _sealed, _sealed_key


def _theme(label: str, theme_id: str) -> ThemeKey:
    return ThemeKey(
        domain="kesehatan",
        kind="citizen_need",
        label=label,
        keywords=("antri", "lama"),
        answer_ids=("a1", "a22", "a3"),
        theme_id=theme_id,
    )


def _link(relation: str, source: ThemeKey | str) -> LinkKey:
    return LinkKey(
        relation=relation,
        source=source,
        target=_theme("obat \ufffe habis", "kesehatan.citizen_need.2"),
        similarity=0.5,
        blocks=3,
        lift=1.25,
        p_value=None,
    )


def _ends(key: LinkKey) -> dict[str, str]:
    ends = {"target": _key_cell(key.target.to_json())}
    if isinstance(key.source, ThemeKey):
        ends["source"] = _key_cell(key.source.to_json())
    return ends


def test_link_keys_from_ready_theme_json_are_the_plain_ones() -> None:
    links = [
        _link("need-obstacle", _theme("antri \x07 lama", "kesehatan.citizen_obstacle.1")),
        _link("row-need", "s12"),
        _link(_SLOTS["target"], _theme(_SLOTS["source"], "kesehatan.citizen_obstacle.1")),
    ]
    for key in links:
        text = _link_key_text(key, _ends(key))
        assert text == _key_cell({"link": key.to_json()})
        assert _sealed(text) == _sealed_key("link", key.to_json())
