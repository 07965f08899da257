"""Themes per (domain, kind), obstacle dimensions and the gap matrix, on tiny frames."""

from __future__ import annotations

import pandas as pd
import pytest

from processor.analysis import analyse
from processor.pipeline import Parameters
from tests.processor.frames import answers_frame

CAMPAIGN = {"code": "uji", "name": "Uji", "plan_years": [2027, 2028, 2029], "timezone": "UTC"}
ROADS = [
    "jalan desa diaspal",
    "Jalan desa diaspal!!",
    "jln desa diaspal",
    "jalan desa perlu diaspal",
    "aspal jalan desa kami",
    "jalan desa di aspal ulang",
]
LIGHTS = [
    "lampu jalan dipasang",
    "pasang lampu jalan",
    "lampu jalan di gang dipasang",
    "tolong pasang lampu jalan",
]
WATER = ["air bersih mengalir", "air bersih mengalir setiap hari", "air bersih lancar mengalir"]
ODD = ["tempat parkir motor"]


def _needs(texts: list[str], domain: str = "pekerjaan_umum") -> list[dict]:
    return [{"question_id": "need", "text": t, "domain": domain} for t in texts]


DEFAULTS = Parameters()


def _run(tools, survey_data, frame, params=DEFAULTS):  # type: ignore[no-untyped-def]
    runs = pd.DataFrame(columns=["run_id", "respondent", "status", "source", "instrument"])
    return analyse(
        campaign=CAMPAIGN,
        runs=runs,
        answers=frame,
        survey_data=survey_data,
        tools=tools,
        params=params,
    )


def _groups(analysis) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    texts = analysis.texts
    return {t: set(g["text"]) for t, g in texts.groupby("theme_id")}


def test_obvious_groups_are_found(tools, survey_data) -> None:  # type: ignore[no-untyped-def]
    analysis = _run(tools, survey_data, answers_frame(_needs(ROADS + LIGHTS + WATER + ODD)))
    groups = _groups(analysis)
    assert sorted(groups.values(), key=len, reverse=True) == [
        set(ROADS),
        set(LIGHTS),
        set(WATER),
        set(ODD),
    ]
    table = analysis.themes.table.set_index("theme_id")
    # Numbered by size; the lone answer is left over in "lainnya" (number 0), listed last.
    assert list(table.index) == [
        "pekerjaan_umum.citizen_need.1",
        "pekerjaan_umum.citizen_need.2",
        "pekerjaan_umum.citizen_need.3",
        "pekerjaan_umum.citizen_need.0",
    ]
    roads = table.loc["pekerjaan_umum.citizen_need.1"]
    assert groups["pekerjaan_umum.citizen_need.1"] == set(ROADS)
    assert roads["answer_count"] == 6 and roads["respondent_count"] == 6
    # The quotes start with the most representative answer; the label is the tidiest
    # answer of the most representative ones ("!!" is untidy).
    assert roads["quotes"][0] == "Jalan desa diaspal!!"
    assert roads["label"] == roads["representative"] == "jalan desa diaspal"
    assert len(roads["quotes"]) == 3 and len(set(roads["quotes"])) == 3
    # Keywords are shown as the answers' most frequent form of each stem ("diaspal" 4x,
    # "aspal" 2x), never as a bare stem.
    assert {"jalan", "diaspal", "desa"} <= set(" ".join(roads["keywords"]).split())
    other = table.loc["pekerjaan_umum.citizen_need.0"]
    assert bool(other["is_other"]) and other["label"] == "Lainnya"
    assert other["quotes"] == ODD


def test_same_normalised_text_is_merged_first(tools, survey_data) -> None:  # type: ignore[no-untyped-def]
    frame = answers_frame(_needs(["Jalan RUSAK!!", "jalan rusak", "jln rusakkk", "Jalannya rusak"]))
    analysis = _run(tools, survey_data, frame)
    assert analysis.texts["key_index"].nunique() == 1
    assert analysis.texts["theme_id"].nunique() == 1
    theme = analysis.themes.table.iloc[0]
    # The first quote is the most frequent way of writing it (ties: alphabetical); the
    # label the tidiest ("!!", capitals, "jln", "rusakkk" are not), then alphabetical.
    assert theme["quotes"][0] == "Jalan RUSAK!!" and theme["answer_count"] == 4
    assert theme["label"] == "Jalannya rusak"


def test_same_input_same_themes_in_any_order(tools, survey_data) -> None:  # type: ignore[no-untyped-def]
    rows = _needs(ROADS + LIGHTS + WATER + ODD) + _needs(LIGHTS[:2] + WATER, "kesehatan")
    first = _run(tools, survey_data, answers_frame(rows))
    shuffled_rows = [rows[i] for i in (list(range(len(rows)))[::-1])]
    again = _run(tools, survey_data, answers_frame(shuffled_rows))

    def by_text(a):  # type: ignore[no-untyped-def]
        keys = a.texts["text"] + "|" + a.texts["domain"]
        return dict(zip(keys, a.texts["theme_id"], strict=True))

    assert by_text(first) == by_text(again)
    columns = ["theme_id", "label", "keywords", "answer_count", "quotes"]
    pd.testing.assert_frame_equal(first.themes.table[columns], again.themes.table[columns])


def test_inputs_are_not_mutated(tools, survey_data) -> None:  # type: ignore[no-untyped-def]
    frame = answers_frame(_needs(ROADS + LIGHTS))
    before = frame.copy(deep=True)
    _run(tools, survey_data, frame)
    pd.testing.assert_frame_equal(frame, before)


def test_long_tail_joins_the_nearest_theme_or_lainnya(tools, survey_data) -> None:  # type: ignore[no-untyped-def]
    # Only the two most frequent distinct texts are clustered exactly.
    texts = (
        ["jalan desa diaspal"] * 3
        + ["lampu jalan dipasang"] * 2
        + [
            "jalan desa perlu diaspal",  # tail: near the roads
            "lampu jalan di gang dipasang",  # tail: near the lights
            "tempat parkir motor",  # tail: near nothing
        ]
    )
    analysis = _run(
        tools,
        survey_data,
        answers_frame(_needs(texts)),
        Parameters(theme_cap=2, min_citizen_theme_answers=1),
    )
    theme_of = dict(zip(analysis.texts["text"], analysis.texts["theme_id"], strict=False))
    assert theme_of["jalan desa perlu diaspal"] == theme_of["jalan desa diaspal"]
    assert theme_of["lampu jalan di gang dipasang"] == theme_of["lampu jalan dipasang"]
    assert theme_of["tempat parkir motor"].endswith(".0")


def test_obstacles_are_tagged_with_dimensions(tools, survey_data) -> None:  # type: ignore[no-untyped-def]
    frame = answers_frame(
        [
            {
                "question_id": "obstacle",
                "text": "laporan kami tidak ditanggapi, sudah berbulan-bulan",
                "domain": "pekerjaan_umum",
            },
            {
                "question_id": "obstacle",
                "text": "syaratnya berbelit, harus bolak-balik",
                "domain": "adminduk_perizinan",
            },
            {
                "question_id": "obstacle",
                "text": "puskesmas jauh dan ongkos mahal",
                "domain": "kesehatan",
            },
            {
                "question_id": "obstacle",
                "text": "anggaran terbatas dan kekurangan dokter",
                "domain": "kesehatan",
                "instrument": "internal",
            },
            {
                "question_id": "obstacle",
                "text": "data penerima tidak akurat, sistem sering error",
                "domain": "sosial",
                "instrument": "internal",
            },
            {"question_id": "need", "text": "laporan tidak ditanggapi", "domain": "sosial"},
            {
                "question_id": "obstacle",
                "text": "tidak jelas jalan ini tanggung jawab kabupaten atau provinsi",
                "domain": "pekerjaan_umum",
            },
            {
                "question_id": "obstacle",
                "text": "usulan musrenbang gak pernah masuk",
                "domain": "pekerjaan_umum",
            },
            {
                "question_id": "obstacle",
                "text": "jalan provinsi rusak parah",
                "domain": "pekerjaan_umum",
            },
            {
                "question_id": "obstacle",
                "text": "usulan musrenbang sudah diterima tapi anggaran kurang",
                "domain": "pekerjaan_umum",
            },
        ]
    )
    analysis = _run(tools, survey_data, frame)
    tags = analysis.answer_dimensions().groupby("answer_id")["dimension"].apply(set).to_dict()
    assert "kurang_koordinasi" in tags["a7"]  # whose road it is: levels of government
    assert "kurang_mendengar" in tags["a8"]  # proposals that never get in
    # ordinary complaints about such roads and proposals are neither
    assert not {"kurang_koordinasi", "kurang_mendengar"} & tags.get("a9", set())
    assert not {"kurang_koordinasi", "kurang_mendengar"} & tags.get("a10", set())
    assert "kurang_responsif" in tags["a1"]
    assert "birokratis" in tags["a2"]
    assert "kurang_aksesibel" in tags["a3"]
    assert {"anggaran", "sdm"} <= tags["a4"]
    assert "data_ti" in tags["a5"]
    assert "a6" not in tags  # needs are not obstacles


def test_gap_matrix_pairs_needs_with_staff_rows(tools, survey_data) -> None:  # type: ignore[no-untyped-def]
    staff = [
        {"question_id": "need", "text": "pengaspalan jalan desa"},
        {"question_id": "obstacle", "text": "anggaran terbatas"},
        {"question_id": "realisation", "text": "40% jalan desa sudah diaspal"},
        {"question_id": "strategy", "text": "usulkan DAK untuk aspal jalan desa"},
        {"question_id": "target_indicator", "text": "persentase jalan desa mantap"},
        {"question_id": "target_y1", "number": 50},
        {"question_id": "target_y2", "number": 60},
        {"question_id": "target_y9", "number": 99},  # beyond the plan: ignored
    ]
    rows = _needs(ROADS + LIGHTS) + [
        dict(
            r,
            instrument="internal",
            domain="pekerjaan_umum",
            unit="9.0",
            row_id="9.0.0",
            respondent="staf",
        )
        for r in staff
    ]
    analysis = _run(tools, survey_data, answers_frame(rows))
    links = analysis.gap_links
    assert list(links["theme_id"]) == ["pekerjaan_umum.citizen_need.1"]
    assert list(links["row_id"]) == ["9.0.0"]
    row = analysis.staff_rows.set_index("row_id").loc["9.0.0"]
    assert row["targets"] == {"2027": 50.0, "2028": 60.0}
    assert row["realisation"] == "40% jalan desa sudah diaspal"
    assert len(row["answer_ids"]) == 7


def test_a_theme_quotes_only_its_own_kind(tools, survey_data) -> None:  # type: ignore[no-untyped-def]
    """A citizen's need and a staff realisation can normalise to the same words; each
    theme must still quote what was written for it, never the other kind's text."""
    citizen = ["mohon puskesmas buka sampai sore pak"] * 2
    staff = ["2 dari 9 puskesmas buka sore"] * 5  # more frequent than the citizens' text
    frame = answers_frame(
        _needs(citizen, "kesehatan")
        + [
            {
                "question_id": "realisation",
                "text": t,
                "domain": "kesehatan",
                "instrument": "internal",
            }
            for t in staff
        ]
    )
    analysis = _run(tools, survey_data, frame)
    themes = analysis.themes.table.set_index("theme_id")
    need = themes.loc["kesehatan.citizen_need.1"]
    assert need["quotes"] == ["mohon puskesmas buka sampai sore pak"]
    # the label loses the plea and the closing "pak"; the representative answer does not
    assert need["label"] == "puskesmas buka sampai sore"
    assert need["representative"] == "mohon puskesmas buka sampai sore pak"
    realisation = themes.loc["kesehatan.staff_realisation.1"]
    assert realisation["quotes"] == ["2 dari 9 puskesmas buka sore"]


# --- gap matching on realistic cases ------------------------------------------------------
CITIZEN_NEEDS = {
    "kesehatan": {
        "obat": [
            "obat di puskesmas lengkap",
            "obat di puskesmas lengkap bgt",
            "stok obat di puskesmas lengkap",
            "obat puskesmas jangan kosong",
        ],
        "sore": [
            "puskesmas buka sampai sore",
            "mohon puskesmas buka sampai sore pak",
            "puskesmas buka sore hari",
        ],
        "ambulans": ["ambulans desa siaga", "Mohon ambulans desa siaga", "ambulans siaga di desa"],
        "bpjs": [
            "pendaftaran BPJS Kesehatan dipermudah",
            "pendaftaran BPJS dipermudah",
            "daftar BPJS Kesehatan dipermudah dong",
        ],
    },
    "pekerjaan_umum": {
        "aspal": ["jalan desa diaspal", "jalan desa diaspal pak", "aspal jalan desa"],
        "drainase": ["drainase diperbaiki", "drainase diperbaiki!!", "perbaiki drainase"],
        "jembatan": ["jembatan gantung diganti", "jembatan gantung diganti pak"],
        "lampu": ["lampu jalan mati", "lampu jalan mati pak", "lampu jalan di gang mati"],
    },
}
# need, obstacle, realisation, strategy, indicator (as staff write them)
STAFF_ROWS = {
    "kesehatan": [
        (
            "Ketersediaan obat esensial",
            "Pengadaan obat terlambat",
            "Ketersediaan obat 78%",
            "Perencanaan kebutuhan obat berbasis data e-logistik",
            "Ketersediaan obat esensial di puskesmas (%)",
        ),
        (
            "Layanan sore di puskesmas",
            "Kekurangan dokter dan perawat",
            "2 dari 9 puskesmas buka sore",
            "Rekrut tenaga kontrak dan atur shift sore",
            "Persentase puskesmas dengan layanan sore (%)",
        ),
        (
            "Antrean puskesmas lebih singkat",
            "Pendaftaran masih manual",
            "Nomor antrean kertas",
            "Pendaftaran online dan antrean elektronik",
            "Puskesmas dengan antrean online (unit)",
        ),
    ],
    "pekerjaan_umum": [
        (
            "Peningkatan jalan poros desa",
            "Anggaran pemeliharaan kecil",
            "35 km jalan desa beraspal",
            "Prioritas jalan poros lewat musrenbang dan DAK",
            "Panjang jalan desa kondisi mantap (km)",
        ),
        (
            "Penerangan jalan umum",
            "Tagihan listrik PJU tinggi",
            "120 titik PJU",
            "PJU tenaga surya di jalan poros",
            "Titik PJU tenaga surya terpasang (titik)",
        ),
    ],
}
# Which staff row (by its position) addresses which need; every other pair must not match.
ADDRESSES: dict[tuple[str, str], set[int] | None] = {
    ("kesehatan", "obat"): {0},  # "obat", not the "puskesmas" every answer mentions
    ("kesehatan", "sore"): {1},
    ("kesehatan", "ambulans"): set(),
    # BPJS registration is not the puskesmas queue, though both say "pendaftaran": a
    # lexical match cannot tell, so this pair may go either way (it scores 0.2).
    ("kesehatan", "bpjs"): None,
    ("pekerjaan_umum", "aspal"): {0},
    ("pekerjaan_umum", "drainase"): set(),
    ("pekerjaan_umum", "jembatan"): set(),
    # Citizens say "lampu jalan", staff say "PJU" (slang.yaml reads it as lampu jalan).
    ("pekerjaan_umum", "lampu"): {1},
}


def _gap_frame() -> pd.DataFrame:
    rows: list[dict] = []
    for domain, themes in CITIZEN_NEEDS.items():
        for texts in themes.values():
            rows += _needs(texts, domain)
    questions = ("need", "obstacle", "realisation", "strategy", "target_indicator")
    for domain, staff in STAFF_ROWS.items():
        for n, fields in enumerate(staff):
            unit = f"{domain}.{n}"
            rows += [
                {
                    "question_id": question,
                    "text": text,
                    "domain": domain,
                    "instrument": "internal",
                    "unit": unit,
                    "row_id": f"{unit}.0",
                    "respondent": f"staf-{domain}",
                }
                for question, text in zip(questions, fields, strict=True)
            ]
    return answers_frame(rows)


def test_gap_matching_on_realistic_rows(tools, survey_data) -> None:  # type: ignore[no-untyped-def]
    analysis = _run(tools, survey_data, _gap_frame())
    theme_of = dict(zip(analysis.texts["text"], analysis.texts["theme_id"], strict=False))
    links = analysis.gap_links
    linked = set(zip(links["theme_id"], links["row_id"], strict=True))
    for (domain, need), rows in ADDRESSES.items():
        themes = {theme_of[t] for t in CITIZEN_NEEDS[domain][need]}
        assert len(themes) == 1, (need, themes)
        theme = themes.pop()
        found = {int(r.split(".")[1]) for t, r in linked if t == theme}
        assert rows is None or found == rows, (need, found)


def test_gap_similarity_is_the_best_field(tools, survey_data) -> None:  # type: ignore[no-untyped-def]
    analysis = _run(tools, survey_data, _gap_frame())
    links = analysis.gap_links.set_index("row_id")
    sore = links.loc["kesehatan.1.0"]
    # "2 dari 9 puskesmas buka sore" says almost what the citizens say.
    assert sore["field"] == "realisation" and sore["similarity"] > 0.8
    obat = links.loc["kesehatan.0.0"]
    assert obat["field"] in {"need", "realisation"} and obat["similarity"] >= 0.25
    assert set(analysis.gap_links["field"]) <= {"need", "strategy", "realisation"}


# --- labels --------------------------------------------------------------------------------
def test_label_is_the_tidiest_of_the_most_representative_answers(tools, survey_data) -> None:  # type: ignore[no-untyped-def]
    needs = (
        ["mohon puskesmas buka sampai sore pak"] * 5
        + ["PUSKEMSAS BUKA SAMPAI SORE BGT"] * 2
        + ["puskesmas buka sampai sore"]
        + ["obat di pskesmas lengkap"] * 4  # a typo is untidy too
        + ["obat di puskesmas lengkap dong"] * 3
        + ["obat di puskesmas lengkap"]
    )
    analysis = _run(tools, survey_data, answers_frame(_needs(needs, "kesehatan")))
    table = analysis.themes.table.set_index("theme_id")
    theme_of = dict(zip(analysis.texts["text"], analysis.texts["theme_id"], strict=False))
    sore = table.loc[theme_of["puskesmas buka sampai sore"]]
    obat = table.loc[theme_of["obat di puskesmas lengkap"]]
    assert theme_of["obat di pskesmas lengkap"] == theme_of["obat di puskesmas lengkap"]
    assert sore["label"] == sore["representative"] == "puskesmas buka sampai sore"
    assert obat["label"] == "obat di puskesmas lengkap"
    # Quotes are unchanged: the most representative answer, most often written, first.
    assert sore["quotes"][0] == "mohon puskesmas buka sampai sore pak"


def test_label_noise_counts_filler_slang_typos_and_shouting(tools) -> None:  # type: ignore[no-untyped-def]
    noise = tools.text.label_noise
    assert noise("puskesmas buka sampai sore") == 0
    assert noise("Pendaftaran BPJS Kesehatan dipermudah") == 0  # an acronym is no shouting
    assert noise("mohon puskesmas buka sampai sore pak") == 2  # filler words
    assert noise("harapan kami jembatan gantung diganti") == 1  # a filler phrase counts once
    assert noise("jln rusakkk") == 2  # slang, squeezed letters
    assert noise("drainase diperbaiki!!") == 1
    assert noise("LAYANAN UTK LANSIA DAN DISABILITAS DONG") == 3  # capitals, utk, dong
    assert noise("obat di pskesmas lengkap", typos=1) == 1


@pytest.mark.parametrize(
    ("answer", "label"),
    [
        ("pak, layanan untuk lansia dan disabilitas", "layanan untuk lansia dan disabilitas"),
        ("Tempat pembuangan sampah sementara!!", "Tempat pembuangan sampah sementara"),
        ("Pak, air bersih pdam sampe dusun tolong diperhatikan", "air bersih pdam sampe dusun"),
        ("harapan kami ambulans desa siaga", "ambulans desa siaga"),
        ("Bansos tepat sasaran, Bu!!", "Bansos tepat sasaran"),
        ("tolong, pak, jalan diperbaiki ya", "jalan diperbaiki"),
        # content that merely starts or ends like a form of address stays
        ("ibu hamil butuh posyandu", "ibu hamil butuh posyandu"),
        ("ibu kota kecamatan dekat", "ibu kota kecamatan dekat"),
        ("posyandu untuk ibu", "posyandu untuk ibu"),
        ("bapak-bapak ronda malam", "bapak-bapak ronda malam"),
        ("cukup satu loket saja", "cukup satu loket saja"),  # "saja" carries meaning
        ("Sampah terangkut (%)", "Sampah terangkut (%)"),
        # the middle is never changed, and an answer that is all filler stays whole
        ("jalan, mohon, diperbaiki", "jalan, mohon, diperbaiki"),
        ("tolong pak!!", "tolong pak!!"),
        # marks attached to the kept words stay; "ya/tidak", "harap-harap" are one expression
        ("air bersih (PDAM) ya", "air bersih (PDAM)"),
        ("bansos tepat sasaran 100% ya", "bansos tepat sasaran 100%"),
        ('mohon "bedah rumah" dipercepat', '"bedah rumah" dipercepat'),
        ("ya/tidak", "ya/tidak"),
        ("harap-harap cemas", "harap-harap cemas"),
    ],
)
def test_a_label_loses_pleas_and_address_at_its_edges_only(tools, answer: str, label: str) -> None:  # type: ignore[no-untyped-def]
    assert tools.text.tidy_label(answer) == label


def test_filler_is_data(survey_data) -> None:  # type: ignore[no-untyped-def]
    from processor.analysis import Tools
    from processor.themes import choose_label
    from shared.text import TextTools

    plain = TextTools.from_data_dir()
    assert plain.label_noise("jalan desa diaspal segera") == 0
    custom = TextTools(slang={}, stopwords=[], filler=["segera", "kami minta"])
    assert custom.label_noise("kami minta jalan desa diaspal segera") == 2
    candidates = [[("jalan desa diaspal segera", 5)], [("jalan desa diaspal", 1)]]
    assert choose_label(candidates, plain.label_noise) == "jalan desa diaspal segera"
    assert choose_label(candidates, custom.label_noise) == "jalan desa diaspal"
    assert Tools.build(survey_data, custom).text is custom


def test_choose_label_skips_texts_that_cannot_win() -> None:
    import random

    from processor.themes import choose_label

    def brute_force(candidates, noise, typos):  # the definition, every text scored
        scored = [
            (noise(text) + typos.get(text, 0), rank, -count, text)
            for rank, variants in enumerate(candidates)
            for text, count in variants
        ]
        return min(scored)[3] if scored else ""

    rng = random.Random(7)
    for _ in range(500):
        words = [f"t{i}" for i in range(rng.randint(0, 12))]
        noise_of = {w: rng.choice([0, 0, 1, 2, 3]) for w in words}
        typos = {w: rng.randint(1, 2) for w in words if rng.random() < 0.2}
        candidates = [
            [(w, rng.randint(1, 5)) for w in rng.sample(words, rng.randint(0, len(words)))]
            for _ in range(rng.randint(0, 3))
        ]
        assert choose_label(candidates, noise_of.__getitem__, typos) == brute_force(
            candidates, noise_of.__getitem__, typos
        )
    # A tidy first text ends the scoring: the rest could not beat it.
    scored: list[str] = []
    assert choose_label([[("a", 5), ("b", 3)], [("c", 9)]], lambda t: scored.append(t) or 0) == "a"
    assert scored == ["a"]


def test_l2_gives_sklearn_normalize_bit_for_bit() -> None:
    import numpy as np
    from scipy import sparse
    from sklearn.preprocessing import normalize

    from processor.themes import l2

    rng = np.random.default_rng(1)
    for dtype in (np.float32, np.float64, np.int64):
        for trial in range(50):
            n, m = int(rng.integers(1, 40)), int(rng.integers(1, 200))
            matrix = sparse.random(n, m, density=0.2, format="csr", random_state=trial)
            matrix = (matrix * float(rng.uniform(0.01, 1000))).astype(dtype)
            before = matrix.copy()
            expected, got = normalize(matrix, norm="l2", axis=1), l2(matrix)
            assert got.dtype == expected.dtype and got.shape == expected.shape
            assert np.array_equal(got.indptr, expected.indptr)
            assert np.array_equal(got.indices, expected.indices)
            assert np.array_equal(got.data, expected.data)  # the same bits
            assert (matrix != before).nnz == 0  # the input is left alone
    assert l2(sparse.csr_matrix((0, 3))).shape == (0, 3)


# Integrity and absent officers are additions to the guide's seven dimensions: citizens name
# them often, and they must not swallow ordinary talk about fees or visits.
ADDITIONS = [
    ("bikin akta kelahiran dimintai uang rokok sama oknum", {"integritas"}),
    ("urus sertifikat harus lewat calo, kalau tidak dipersulit", {"integritas"}),
    ("masih ada pungli di jembatan timbang", {"integritas"}),
    ("bantuan BLT dipotong perangkat desa", {"integritas"}),
    ("bidan desa tidak ada di tempat kalau malam", {"petugas_tidak_hadir"}),
    ("penyuluh pertanian jarang turun ke lapangan", {"petugas_tidak_hadir"}),
    ("kantor desa sering tutup jam 11 pegawainya pulang cepat", {"petugas_tidak_hadir"}),
    ("biaya sekolah gratis sudah bagus", set()),
    ("biaya pembuatan KTP tidak dipungut, jam buka jelas", set()),
    ("bantuan datang tepat waktu, petugas ramah", set()),
    ("posyandu rutin tiap bulan, kader selalu hadir", set()),
    ("hujan jarang turun, sawah kering dan harga pupuk tidak pernah turun", set()),
    ("mahasiswa KKN membantu, tapi imbalan kader posyandu kecil", set()),
    ("puskesmas jauh dan ongkos ojek mahal", {"kurang_aksesibel"}),
]


@pytest.mark.parametrize(("text", "expected"), ADDITIONS)
def test_integrity_and_absent_officers_are_tagged_and_nothing_else(
    tools, survey_data, text: str, expected: set[str]
) -> None:  # type: ignore[no-untyped-def]
    frame = answers_frame([{"question_id": "obstacle", "text": text, "domain": "sosial"}])
    analysis = _run(tools, survey_data, frame)
    tags = set(analysis.dimension_tags["dimension"])
    additions = {"integritas", "petugas_tidak_hadir"}
    assert tags & additions == expected & additions
    assert expected <= tags


def test_the_additions_are_marked_as_such(survey_data) -> None:  # type: ignore[no-untyped-def]
    groups = {d.code: d.group for d in survey_data.dimensions.dimensions}
    assert groups["integritas"] == groups["petugas_tidak_hadir"] == "addition"


@pytest.mark.parametrize(
    ("label", "representative", "words", "formal"),
    [
        (
            "PPDB zonasi adil bgt",
            "PPDB zonasi adil bgt",
            "ppdb zonasi adil banget",
            "PPDB zonasi adil",
        ),
        (
            "usulan musrenbang gak pernah masuk",
            "usulan musrenbang gak pernah masuk!!",
            "usulan musrenbang tidak pernah masuk",
            "Usulan musrenbang tidak pernah masuk",
        ),
        (
            "Puskesmaas keliling ke dusun",
            "Puskesmaas keliling ke dusun",
            "puskesmas keliling ke dusun",
            "Puskesmas keliling ke dusun",
        ),
        (
            "antrean online lewat WhatsApp",
            "antrean online lewat WhatsApp",
            "antrean online lewat whatsap",
            "Antrean online lewat WhatsApp",
        ),
        (
            "Panjang jalan mantap (km)",
            "Panjang jalan mantap (km)",
            "panjang jalan mantap kamu",
            "Panjang jalan mantap (km)",
        ),
        (
            "perbaikan jalan asal jadi, baru setahun rusak lagi",
            "perbaikan jalan asal jadi, baru setahun rusak lagi",
            "perbaikan jalan asal jadi baru setahun rusak lagi",
            "Perbaikan jalan asal jadi, baru setahun rusak lagi",
        ),
    ],
)
def test_formal_labels_expand_slang_fix_typos_and_keep_acronyms(
    label, representative, words, formal
) -> None:  # type: ignore[no-untyped-def]
    from processor.themes import formal_label

    assert formal_label(label, representative, words) == formal


def test_every_theme_has_a_formal_label_and_keeps_its_verbatim_one(tools, survey_data) -> None:  # type: ignore[no-untyped-def]
    frame = answers_frame(_needs(["jalan desa gak diaspal bgt"] * 3, "pekerjaan_umum"))
    table = _run(tools, survey_data, frame).themes.table
    theme = table.loc[~table["is_other"]].iloc[0]
    assert theme["label"] == "jalan desa gak diaspal bgt"
    assert theme["label_formal"] == "Jalan desa tidak diaspal"


def test_themes_that_differ_by_typos_or_word_order_merge_with_their_counts(
    tools, survey_data
) -> None:  # type: ignore[no-untyped-def]
    texts = (
        ["puskesmas keliling ke dusun"] * 5
        + ["puskesmas keliing ke dusun"] * 2
        + ["jalan desa rusak parah"] * 3
        + ["rusak parah jalan desa"] * 2
    )
    groups = _groups(_run(tools, survey_data, answers_frame(_needs(texts, "kesehatan"))))
    by_text = {text: theme for theme, members in groups.items() for text in members}
    assert by_text["puskesmas keliing ke dusun"] == by_text["puskesmas keliling ke dusun"]
    assert by_text["rusak parah jalan desa"] == by_text["jalan desa rusak parah"]
    assert not by_text["puskesmas keliling ke dusun"].endswith(".0")


def test_merge_near_duplicates_keeps_the_larger_theme_and_adopts_loose_texts() -> None:
    import numpy as np

    from processor.themes import merge_near_duplicates

    labels = np.array([0, 1, 0, -1, 2, -1])
    stems = ["pusling dusun", "pusling dusn", "pusling dusun", "pusling dusun", "obat habis", "air"]
    assert merge_near_duplicates(labels, stems, cutoff=90).tolist() == [0, 0, 0, 0, 2, -1]
    # one word apart is another need, not a typo
    different = merge_near_duplicates(
        np.array([0, 1]), ["obat habis puskesmas", "obat mahal puskesmas"]
    )
    assert different.tolist() == [0, 1]


# --- long citizen writing (issue 11) ------------------------------------------------------
DRAINS = [
    "saluran air tersumbat",
    "saluran air tersumbat, jalan banjir",
    "saluran air tersumbat sampah",
    "saluran air mampet dan meluap",
]
DRAIN_LETTER = """Saluran air di gang kami tersumbat
Assalamualaikum wr. wb. Yth. Bapak/Ibu Dinas PUPR
Saya Hartono, NIK 3310045607820003, warga RT 04/RW 02 Kelurahan Sukamulya.
Selokan di sepanjang gang kami sudah berbulan-bulan tersumbat sampah dan lumpur, setiap \
hujan air meluap ke jalan dan masuk ke rumah warga.
Sebelumnya kami sudah menyampaikan ke kelurahan tetapi belum ada tanggapan.
Demikian pengaduan saya, atas perhatian Bapak/Ibu saya ucapkan terima kasih.
Wassalamualaikum."""


def test_a_long_letter_joins_the_theme_of_its_point(tools, survey_data) -> None:  # type: ignore[no-untyped-def]
    analysis = _run(tools, survey_data, answers_frame(_needs(DRAINS + [DRAIN_LETTER] + LIGHTS)))
    groups = _groups(analysis)
    drains = next(g for g in groups.values() if DRAIN_LETTER in g)
    assert drains == set(DRAINS) | {DRAIN_LETTER}
    # Its greetings, identity and closing plea are not what it is about.
    text = tools.text
    point = text.main_point(DRAIN_LETTER)
    assert "Hartono" not in point and "terima kasih" not in point and "Yth" not in point
    assert point.startswith("Saluran air di gang kami tersumbat\nSelokan di sepanjang gang")


def test_letters_saying_the_same_make_a_theme_labelled_by_a_headline(tools, survey_data) -> None:  # type: ignore[no-untyped-def]
    letters = [
        DRAIN_LETTER,
        "Dengan hormat,\nSaya warga Desa Mekarsari RT 01 RW 03, NIK 3310045607820099.\n"
        "Selokan di depan rumah kami tersumbat sampah sehingga setiap hujan deras air "
        "meluap ke jalan dan masuk rumah. Mohon segera dibersihkan. Terima kasih.",
    ]
    analysis = _run(tools, survey_data, answers_frame(_needs(letters + ROADS)))
    theme = analysis.texts.set_index("text").loc[letters, "theme_id"]
    assert theme.nunique() == 1 and not theme.iloc[0].endswith(".0")
    row = analysis.themes.table.set_index("theme_id").loc[theme.iloc[0]]
    assert row["label"] in {
        "Saluran air di gang kami tersumbat",
        "Selokan di depan rumah kami tersumbat sampah sehingga setiap hujan deras air "
        "meluap ke jalan dan masuk rumah",
    }
    assert row["quotes"][0] in {scrub(t) for t in letters}  # quotes stay whole


def scrub(text: str) -> str:
    from shared.text import scrub_pii

    return scrub_pii(text)


def test_keywords_show_the_answers_word_never_a_bare_stem(tools, survey_data) -> None:  # type: ignore[no-untyped-def]
    flood = [
        "penanganan banjir di kampung",
        "penanganan banjir lebih cepat",
        "penanganan banjir tiap musim hujan",
    ]
    lamps = [
        "lampu penerangan jalan mati",
        "lampu penerangan gang gelap",
        "tambah lampu penerangan",
    ]
    analysis = _run(tools, survey_data, answers_frame(_needs(flood + lamps)))
    words = set(" ".join(k for ks in analysis.themes.table["keywords"] for k in ks).split())
    assert {"penanganan", "penerangan"} <= words
    assert not {"tangan", "terang"} & words


def test_keywords_take_the_form_the_themes_own_answers_use(tools, survey_data) -> None:  # type: ignore[no-untyped-def]
    # "ada" is the commonest form of the stem "ada" overall; in the procurement theme
    # people wrote "pengadaan".
    supply = ["pengadaan obat terlambat", "pengadaan obat selalu terlambat"]
    other = ["obat ada tapi mahal", "kadang ada kadang kosong", "ada antrean panjang"]
    analysis = _run(tools, survey_data, answers_frame(_needs(supply + other, "kesehatan")))
    theme_id = analysis.texts.set_index("text").loc[supply[0], "theme_id"]
    keywords = analysis.themes.table.set_index("theme_id").loc[theme_id, "keywords"]
    assert "pengadaan" in " ".join(keywords).split()
    assert "ada" not in " ".join(keywords).split()
