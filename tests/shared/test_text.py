"""Indonesian normalisation, slang, stop words, stemming and PII scrubbing."""

from __future__ import annotations

import random

import pytest

from shared.text import TextTools, scrub_pii


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
    # A letter typed twice inside a word, when that makes a known word; real doubles stay.
    assert text_tools.tokens("daan yaang tiidak") == ["dan", "yang", "tidak"]
    assert text_tools.tokens("maaf saat taat cobaan") == ["maaf", "saat", "taat", "cobaan"]
    assert text_tools.tokens("sppt pbb pppk kk") == ["sppt", "pbb", "pppk", "kk"]  # acronyms
    assert text_tools.tokens("UU ruu oss yaa") == ["uu", "ruu", "oss", "ya"]
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


_PREFIXES = ("", "di", "ke", "se", "ber", "be", "mem", "men", "meng", "meny", "menge", "pem",
             "pen", "peng", "peny", "per", "ter", "diper", "memper", "keber", "pel", "bel",
             "kau", "ku", "terper", "dipe")  # fmt: skip
_SUFFIXES = ("", "i", "an", "kan", "nya", "lah", "kah", "pun", "ku", "mu", "tah", "kannya",
             "annya", "inya", "kanlah", "nyalah", "isasi", "isme", "is")  # fmt: skip


def _word_forms(count: int) -> list[str]:
    """Words Sastrawi does not know as they are: dictionary roots with prefixes, suffixes and
    infixes stacked at random (a nasal prefix sometimes absorbing the root's first letter),
    and typos (a letter dropped, doubled or changed) and random letter strings; fixed seed."""
    rng = random.Random(20261127)
    tools = TextTools.from_data_dir()
    dictionary = sorted(tools._stemmer.dictionary.words)
    found: set[str] = set()
    while len(found) < count:
        word = rng.choice(dictionary)
        roll = rng.random()
        if roll < 0.1:
            word = "".join(rng.choice("aaeiioubdgkmnprstl") for _ in range(rng.randint(4, 10)))
        elif roll < 0.4 and len(word) > 3:
            i = rng.randrange(len(word))
            word = rng.choice(
                [
                    word[:i] + word[i + 1 :],
                    word[:i] + word[i] + word[i:],
                    word[:i] + "a" + word[i + 1 :],
                ]
            )
        else:
            prefix = rng.choice(_PREFIXES)
            if prefix.endswith(("m", "n", "ng", "ny")) and rng.random() < 0.5:
                word = word[1:]
            elif rng.random() < 0.05 and word[0] not in "aiueo":
                word = word[0] + rng.choice(("el", "em", "er", "in")) + word[1:]
            word = prefix + word + rng.choice(_SUFFIXES)
        if word.isalpha() and not tools._stemmer.dictionary.contains(word):
            found.add(word)
    return sorted(found)


def test_root_check_never_hides_a_word_that_sastrawi_stems() -> None:
    from shared.text import may_have_root

    tools = TextTools.from_data_dir()
    dictionary = tools._stemmer.dictionary.words
    words = _word_forms(4_000)
    stemmed = [w for w in words if tools._stemmer.stem_word(w) != w]
    assert len(stemmed) > 1_000  # the sample does exercise the affix rules
    assert [w for w in stemmed if not may_have_root(w, dictionary)] == []
    for affixed in ("memperbaiki", "pelayanan", "kaubawa", "gerigi", "kinerja", "menulis", "minu"):
        assert may_have_root(affixed, dictionary), affixed
    # ... and it does rule out most words that are not affixed forms (typos, mostly).
    unchanged = [w for w in words if w not in set(stemmed)]
    assert sum(not may_have_root(w, dictionary) for w in unchanged) > len(unchanged) // 3


def test_words_without_a_root_are_not_sent_to_the_stemmer() -> None:
    from shared.text import may_have_root

    tools = TextTools.from_data_dir()
    dictionary = tools._stemmer.dictionary.words
    words = [w for w in _word_forms(3_000) if not may_have_root(w, dictionary)]
    assert len(words) > 300
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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pak Budi tidak pernah datang", "Pak [NAMA] tidak pernah datang"),
        ("pelayanan bu Siti Aminah ramah", "pelayanan bu [NAMA] ramah"),
        ("Pak Kades Sutrisno minta uang", "Pak Kades [NAMA] minta uang"),
        ("dr. Andi jarang datang", "dr. [NAMA] jarang datang"),
        ("Mas Joko Dan Mbak Sri", "Mas [NAMA] Dan Mbak [NAMA]"),
        ("hub Pak Agus 081234567890", "hub Pak [NAMA] [TELEPON]"),
        ("Pak RT Budi tidak ada", "Pak RT [NAMA] tidak ada"),
        ("Pak H. Ahmad", "Pak H. [NAMA]"),
        ("Ibu Hj. Siti Aminah", "Ibu Hj. [NAMA]"),
        ("Pak Ustadz Abdul Somad", "Pak Ustadz [NAMA]"),
        ("Pak Kepala Desa Budi Santoso", "Pak Kepala Desa [NAMA]"),
        ("Pak Ketua BPD Ahmad", "Pak Ketua BPD [NAMA]"),
        ("Pak Kades Budi Dan Pak Sekdes Joko", "Pak Kades [NAMA] Dan Pak Sekdes [NAMA]"),
        ("Saya lapor ke Pak Budi. Lampu mati", "Saya lapor ke Pak [NAMA]. Lampu mati"),
        ("PAK BUDI TIDAK DATANG", "PAK [NAMA] TIDAK DATANG"),
        ("Pak Ma'ruf baik", "Pak [NAMA] baik"),
        ("Buk Siti ramah", "Buk [NAMA] ramah"),
        ("Yth.Bpk. Budi", "Yth.Bpk. [NAMA]"),
        ("Pak Tolong Bu Siti dipindah", "Pak Tolong Bu [NAMA] dipindah"),
    ],
)
def test_names_after_a_form_of_address_are_scrubbed(text: str, expected: str) -> None:
    assert scrub_pii(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Ibu Hamil perlu ambulans",  # a group of people, not a name
        "Tolong Pak Bupati perhatikan jalan",
        "sampah di depan rumah Pak RT",
        "pak kades minta uang",  # lowercase: not taken for a name
        "Bapak Ibu sekalian",
        "Ibu-ibu PKK aktif",
        "Terima kasih Pak. Jalan rusak parah",  # a sentence ends after "Pak"
        "pindah ke Ibu Kota",
        "Pak Kepala Desa tidak ada",
        "Pak Tolong Jalan Diperbaiki",
        "Pak Kades Tidak Pernah Datang",  # Title Case content is not a name
        "Mohon Bapak Bupati Segera Memperbaiki Jalan",
        "Bapak/Ibu Dinas Sosial",
        "PAK KADES TIDAK PERNAH DATANG",
    ],
)
def test_roles_and_groups_are_not_names(text: str) -> None:
    assert scrub_pii(text) == text


def test_names_never_reach_the_tokens(text_tools: TextTools) -> None:
    # Tokens become theme keywords, which reports show.
    assert "sutrisno" not in text_tools.tokens("Pak Sutrisno tidak datang")
    assert "datang" in text_tools.tokens("Pak Sutrisno tidak datang")


def test_pii_never_reaches_the_tokens(text_tools: TextTools) -> None:
    tokens = text_tools.tokens("hub 081234567890 atau budi@mail.com @budi NIK 3201012345678901")
    assert tokens == ["hub", "atau", "nik"]


# --- long texts: the main point of a letter (issue 11) -----------------------------------
LETTER = """Air PDAM mati sudah seminggu
Kepada Yth. Bapak Direktur PDAM
Nama: Rahmawati
NIK: 3310045607820003
Alamat: Jl. Kenanga No. 12, Kelurahan Sukamulya
Dengan hormat,
Sejak Senin lalu air PDAM di rumah kami tidak mengalir sama sekali. Tagihan tetap datang \
seperti biasa dan kami harus membeli air galon untuk mandi dan memasak.
Saya sudah menelepon kantor cabang dua kali.
Mohon segera ditindaklanjuti, terima kasih.
Hormat saya, Rahmawati"""


def test_a_letter_is_read_for_its_point_not_its_frame(text_tools: TextTools) -> None:
    point = text_tools.main_point(LETTER)
    assert point.split("\n") == [
        "Air PDAM mati sudah seminggu",
        "Sejak Senin lalu air PDAM di rumah kami tidak mengalir sama sekali.",
        "Tagihan tetap datang seperti biasa dan kami harus membeli air galon untuk mandi "
        "dan memasak.",
    ]
    assert text_tools.headline(LETTER) == "Air PDAM mati sudah seminggu"
    assert text_tools.tidy_label(LETTER) == "Air PDAM mati sudah seminggu"
    # The streams the analysis works on are those of the point.
    streams = text_tools.analyse([LETTER])[LETTER]
    assert "rahmawati" not in streams.words and "kenanga" not in streams.words
    assert "pdam" in streams.stems.split()


@pytest.mark.parametrize(
    "text",
    [
        "jalan desa rusak parah, mohon diperbaiki. terima kasih pak",
        "Saya warga RT 3. Lampu jalan mati.",  # short: as written
        "Pak, bansos tepat sasaran!!",
    ],
)
def test_short_answers_are_read_whole(text_tools: TextTools, text: str) -> None:
    assert text_tools.main_point(text) == text
    assert text_tools.headline(text) == text


def test_a_sentence_that_mentions_nik_is_not_a_self_introduction(text_tools: TextTools) -> None:
    letter = (
        "Yth. Admin\nSaya Budi, NIK 3310045607820003, warga RT 01/RW 02 Desa Mekar.\n"
        "NIK saya sudah terdaftar di DTKS tetapi bantuan BPNT tidak pernah cair sejak Maret. "
        "Mohon dicek, terima kasih."
    )
    assert text_tools.main_point(letter).startswith("NIK saya sudah terdaftar di DTKS")


def test_a_sentence_with_an_rt_and_a_problem_is_the_point(text_tools: TextTools) -> None:
    letter = (
        "Dengan hormat,\nSaya warga RT 03 RW 02 Kelurahan Mekar.\n"
        "Kami warga RT 05 sudah tiga bulan tidak mendapat air bersih dari PDAM, "
        "padahal tagihan tetap datang. Mohon ditindaklanjuti, terima kasih."
    )
    assert text_tools.main_point(letter).startswith("Kami warga RT 05 sudah tiga bulan")
