"""Indonesian normalisation, slang, stop words, stemming and PII scrubbing."""

from __future__ import annotations

import random

import pytest

from shared.text import PII_PLACEHOLDERS, TextTools, scrub_pii


@pytest.fixture(scope="module")
def text_tools() -> TextTools:
    return TextTools.from_data_dir()


def test_lowercase_unicode_and_punctuation(text_tools: TextTools) -> None:
    # Full-width letters and a ligature normalise (NFKC) to plain ones.
    assert text_tools.tokens("ＪＡＬＡＮ Rusak!!! ﬁx") == ["jalan", "rusak", "fix"]


def test_slang_and_abbreviations(text_tools: TextTools) -> None:
    assert text_tools.tokens("gak ada dokter yg jaga krn sy dtg malam") == [
        "tidak",
        "ada",
        "dokter",
        "yang",
        "jaga",
        "karena",
        "saya",
        "dtg",
        "malam",
    ]
    assert text_tools.tokens("nggak tdk ga") == ["tidak", "tidak", "tidak"]
    # A slang entry may expand to two words.
    assert text_tools.tokens("gaada obat") == ["tidak", "ada", "obat"]


def test_repeated_letters_are_squeezed(text_tools: TextTools) -> None:
    assert text_tools.tokens("bangettt lamaaaa sampahhh") == ["banget", "lama", "sampah"]
    # A real double letter survives: "maaf" is a word, "maf" is not.
    assert text_tools.tokens("maaaaf") == ["maaf"]
    # Reduplication written with a 2: "bolong2" is "bolong-bolong", i.e. berlubang.
    assert text_tools.tokens("jalan bolong2") == ["jalan", "berlubang"]


def test_stop_words_but_not_negation(text_tools: TextTools) -> None:
    assert text_tools.normalise("Mohon maaf pak, jalan di desa kami tidak pernah diperbaiki") == (
        "jalan desa tidak pernah diperbaiki"
    )
    # Stop phrases go as a whole, bare numbers go, words with digits stay.
    assert text_tools.normalise("terima kasih, sinyal 4g hilang sejak 2024") == ("sinyal 4g hilang")


def test_stemming_is_cached_per_distinct_token(text_tools: TextTools) -> None:
    assert text_tools.stem_text("jalannya berlubang, pelayanan diperbaiki") == (
        "jalan lubang layan baik"
    )
    fresh = TextTools.from_data_dir()
    calls: list[str] = []
    original = fresh._stemmer.stem_word
    fresh._stemmer.stem_word = lambda word: calls.append(word) or original(word)
    for _ in range(3):
        fresh.stem_text("perbaikan perbaikan pemadaman")
    assert sorted(calls) == ["pemadaman", "perbaikan"]


def _unaffixed_words(count: int) -> list[str]:
    """Typo-like words (a dictionary word with one letter dropped, doubled or changed) and
    random letter strings, fixed seed, that none of Sastrawi's affixes could start or end."""
    from shared.text import _MAY_HAVE_AFFIX

    rng = random.Random(20261127)
    dictionary = sorted(TextTools.from_data_dir()._stemmer.dictionary.words)
    found: set[str] = set()
    while len(found) < count:
        word = rng.choice(dictionary)
        if rng.random() < 0.2:
            word = "".join(rng.choice("aaeiioubdgkmnprstl") for _ in range(rng.randint(4, 10)))
        elif len(word) > 3:
            i = rng.randrange(len(word))
            word = rng.choice(
                [
                    word[:i] + word[i + 1 :],
                    word[:i] + word[i] + word[i:],
                    word[:i] + "a" + word[i + 1 :],
                ]
            )
        if word.isalpha() and not _MAY_HAVE_AFFIX.search(word):
            found.add(word)
    return sorted(found)


def test_affix_pattern_covers_every_sastrawi_rule() -> None:
    # Sastrawi changes a word only through these visitors (Sastrawi.Stemmer.Context): a
    # word the pattern rules out is left alone by every one of them, so it stems to itself.
    from Sastrawi.Stemmer.Context.Visitor.VisitorProvider import VisitorProvider

    from shared.text import _MAY_HAVE_AFFIX

    provider = VisitorProvider()
    for word in _unaffixed_words(20_000):
        for visitor in provider.get_suffix_visitors():
            assert visitor.remove(word) == word, (word, type(visitor).__name__)
        for visitor in provider.get_prefix_visitors():
            if hasattr(visitor, "disambiguators"):
                for rule in visitor.disambiguators:
                    assert rule.disambiguate(word) is None, (word, type(rule).__name__)
            else:
                assert visitor.remove(word) == word, (word, type(visitor).__name__)
    for affixed in (
        "dijalan",
        "kerumah",
        "sekolah",
        "berlubang",
        "memperbaiki",
        "pelayanan",
        "terlambat",
        "kumakan",
        "kaubawa",
        "gerigi",
        "telunjuk",
        "kinerja",
        "jalanan",
        "perbaiki",
        "rumahnya",
        "bukumu",
        "sepatuku",
        "apakah",
        "dialah",
        "apatah",
        "itupun",
        "normalis",
        "modernisme",
        "kanan",
    ):
        assert _MAY_HAVE_AFFIX.search(affixed), affixed


def test_unaffixed_words_are_not_sent_to_the_stemmer() -> None:
    tools = TextTools.from_data_dir()
    words = _unaffixed_words(1_500)
    # The claim behind the shortcut, on Sastrawi itself.
    assert [w for w in words if tools._stemmer.stem_word(w) != w] == []
    calls: list[str] = []
    original = tools._stemmer.stem_word
    tools._stemmer.stem_word = lambda word: calls.append(word) or original(word)
    assert [tools.stem(w) for w in words] == words
    assert calls == []
    assert tools.stem("perbaikannya") == "baik" and calls == ["perbaikannya"]


def test_analyse_processes_each_distinct_text_once(text_tools: TextTools) -> None:
    result = text_tools.analyse(["Jalan rusak", "jalan RUSAK!!", "Jalan rusak"])
    assert set(result) == {"Jalan rusak", "jalan RUSAK!!"}
    assert result["Jalan rusak"].stems == result["jalan RUSAK!!"].stems == "jalan rusak"
    assert result["Jalan rusak"].words == "jalan rusak"


def test_rare_words_unstemmed_only_over_the_budget() -> None:
    tools = TextTools.from_data_dir()
    texts = ["pelayanan lambat", "pelayanan buruk", "perbaikannya kapan"]
    within = tools.analyse(texts, hapax_budget=10)
    assert within["perbaikannya kapan"].stems == "baik"
    over = TextTools.from_data_dir().analyse(texts, hapax_budget=0)
    # "perbaikannya" occurs in one text only: kept as written; "pelayanan" is stemmed.
    assert over["perbaikannya kapan"].stems == "perbaikannya"
    assert over["pelayanan lambat"].stems == "layan lambat"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NIK saya 3201012345678901 tolong dicek", "NIK saya [NIK] tolong dicek"),
        ("nik 3201 0123 4567 8901", "nik [NIK]"),
        ("hubungi 081234567890", "hubungi [TELEPON]"),
        ("WA 0812-3456-7890 ya", "WA [TELEPON] ya"),
        ("telp +62 812 3456 7890.", "telp [TELEPON]."),
        ("atau 6281234567890", "atau [TELEPON]"),
        ("kantor (0741) 123456", "kantor [TELEPON]"),
        ("email budi.santoso@gmail.com", "email [EMAIL]"),
        ("cek @budi_s atau t.me/budi_s", "cek [USERNAME] atau [USERNAME]"),
    ],
)
def test_pii_is_scrubbed(text: str, expected: str) -> None:
    assert scrub_pii(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "harga gas Rp 25.000 di pengecer",
        "sudah 3 tahun sejak 2021, RT 03 RW 05",
        "antre 120 orang, nomor 0812",  # too short for a phone number
        "target 2027 sebesar 80%",
    ],
)
def test_ordinary_numbers_are_not_pii(text: str) -> None:
    assert scrub_pii(text) == text


def test_pii_shortcut_skips_only_texts_no_pattern_can_change() -> None:
    # Texts with no "@", no "t.me/" and fewer than 7 digits are returned without running
    # the patterns: check that the patterns would have left them alone anyway.
    from shared.text import _may_hold_pii, _scrub_pii

    rng = random.Random(3)
    pieces = ["0", "8", "62", "+62", "021", "(0741)", "(02)", " ", "-", ".", "12", "345", "x"]
    skipped = 0
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 9)))
        if not _may_hold_pii(text):
            skipped += 1
            assert _scrub_pii(text, PII_PLACEHOLDERS) == text, text
        assert scrub_pii(text) == _scrub_pii(text, PII_PLACEHOLDERS)
    assert skipped > 1000
    assert scrub_pii("(02) 555-12") == "[TELEPON]"  # 7 digits: still scrubbed


def test_pii_never_reaches_the_tokens(text_tools: TextTools) -> None:
    tokens = text_tools.tokens("hub 081234567890 atau budi@mail.com @budi NIK 3201012345678901")
    assert tokens == ["hub", "atau", "nik"]
