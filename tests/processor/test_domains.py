"""Domain assignment for free text: the respondent's choice wins, the rest is inferred."""

from __future__ import annotations

import pandas as pd
import pytest

from processor.pipeline import add_text_streams, assign_domains, split_content
from processor.vocabulary import UNMAPPED, _phrase_stream
from tests.processor.frames import answers_frame

# Everyday complaints as citizens write them (slang, typos, no punctuation), per domain.
COMPLAINTS = [
    ("pekerjaan_umum", "Tolong perbaiki jalan poros desa, tiap musim hujan becek dan licin"),
    ("pekerjaan_umum", "jalan di depan rumah sy bolong2 gede, kalo hujan jd kolam"),
    ("pekerjaan_umum", "Lampu penerangan di gang kami sudah mati 3 bulan"),
    ("pekerjaan_umum", "air pdam sering mati dan keruh"),
    ("pekerjaan_umum", "selokan mampet jadi air meluber ke jalan"),
    ("pekerjaan_umum", "jalan depan masjid rusak"),  # "jalan … rusak", two words apart
    ("kesehatan", "pelayanan di puskesmas lambat, antri dari pagi baru dipanggil siang"),
    ("kesehatan", "obat di apotek puskesmas sering kosong, disuruh beli di luar"),
    ("kesehatan", "pake BPJS kesehatan dipersulit di rumah sakit"),
    ("kesehatan", "posyandu di desa tidak aktif, balita tidak ditimbang"),
    ("adminduk_perizinan", "ngurus KTP lama bgt, blangko habis terus"),
    ("adminduk_perizinan", "bikin akta kelahiran anak harus bolak balik ke disdukcapil"),
    ("adminduk_perizinan", "data di kartu keluarga tidak sesuai dengan ktp"),
    ("sosial", "bansos tidak tepat sasaran, yang mampu malah dapat"),
    ("sosial", "nama saya hilang dari DTKS jadi tidak dapat bantuan lagi"),
    ("sosial", "BPNT telat cair sudah 3 bulan"),
    ("lingkungan_hidup", "sampah numpuk di pinggir jalan, baunya nyengat"),
    ("lingkungan_hidup", "tiap hujan deras kampung kami kebanjiran"),
    ("lingkungan_hidup", "limbah pabrik tahu dibuang ke sungai"),
    ("pendidikan", "sekolah anak sy atapnya bocor, kelas rusak"),
    ("pendidikan", "guru honorer gajinya kecil dan telat"),
    ("pendidikan", "pungutan uang komite di sekolah memberatkan orang tua"),
    ("energi", "listrik sering padam, alat elektronik rusak"),
    ("energi", "elpiji 3 kg susah dicari, harganya naik"),
    ("perhubungan", "angkot jarang lewat, ongkos mahal"),
    ("perhubungan", "rambu lalu lintas di simpang banyak yang hilang"),
    ("pekerjaan_usaha", "UMKM butuh bantuan modal dan pelatihan pemasaran"),
    ("pekerjaan_usaha", "susah cari kerja, lowongan sedikit"),
    ("kominfo", "sinyal hp susah, internet lemot di desa"),
    ("kominfo", "banyak hoaks di grup WA warga"),
    ("trantibum", "sering terjadi pencurian motor di malam hari"),
    ("trantibum", "pemadam kebakaran datangnya lama"),
    ("perumahan", "rumah sy tidak layak huni, minta bantuan bedah rumah"),
    ("perbankan_keuangan", "warga terjerat rentenir dan pinjol"),
    ("perbankan_keuangan", "susah dapat KUR karena tidak punya agunan"),
    ("sumber_daya_alam", "pupuk subsidi langka pas musim tanam"),
    ("sumber_daya_alam", "ternak sapi kena penyakit, tidak ada dokter hewan"),
    ("pariwisata", "desa wisata kurang promosi"),
    ("strategis_lainnya", "ada pungli di kantor desa waktu urus surat"),
    ("strategis_lainnya", "perangkat desa minta uang rokok tiap urus surat"),
]
VAGUE = [
    "pokoknya pelayanannya harus lebih baik lagi",
    "mohon diperhatikan pak",
    "tidak tahu",
    "semoga ke depan lebih maju",
    "butuh perhatian lebih",
    "asdfgh",
    "sudah tiga kali lapor tidak ada tanggapan",  # "kali" = times, not the river
    "berkali kali minta tolong",
]


def _assign(tools, survey_data, frame: pd.DataFrame) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    texts, _ = split_content(frame, plan_years=[2027])
    texts = add_text_streams(texts, tools.text)
    return assign_domains(
        texts,
        tools.domains,
        known_domains=list(survey_data.domains.by_code),
        threshold=0.35,
    )


def test_complaints_get_the_right_domain(tools, survey_data) -> None:  # type: ignore[no-untyped-def]
    frame = answers_frame([{"question_id": "need", "text": t} for _, t in COMPLAINTS])
    result = _assign(tools, survey_data, frame)
    expected = [domain for domain, _ in COMPLAINTS]
    right = sum(a == e for a, e in zip(result["domain"], expected, strict=True))
    wrong = [
        (e, a, t)
        for a, e, (_, t) in zip(result["domain"], expected, COMPLAINTS, strict=True)
        if a not in (e, UNMAPPED)
    ]
    # Nearly all right; a miss should be "unmapped" rather than a wrong domain.
    assert right >= 0.9 * len(COMPLAINTS), result.assign(expected=expected)
    assert len(wrong) <= 1, wrong
    assert set(result["domain_source"]) <= {"assigned", "unmapped"}
    assert result.loc[result["domain_source"] == "assigned", "domain_confidence"].min() >= 0.35


def test_vague_answers_stay_unmapped(tools, survey_data) -> None:  # type: ignore[no-untyped-def]
    frame = answers_frame([{"question_id": "need", "text": t, "domain": "lainnya"} for t in VAGUE])
    result = _assign(tools, survey_data, frame)
    assert list(result["domain"]) == [UNMAPPED] * len(VAGUE)
    assert list(result["domain_source"]) == ["unmapped"] * len(VAGUE)


def test_respondents_choice_is_kept_and_units_share_a_domain(tools, survey_data) -> None:  # type: ignore[no-untyped-def]
    frame = answers_frame(
        [
            # The respondent chose kesehatan for a text that reads like roads: kept.
            {"question_id": "need", "text": "jalan rusak", "domain": "kesehatan"},
            # One "lainnya" block: the short reason is read with its need.
            {"question_id": "need", "text": "blangko KTP habis", "domain": "lainnya", "unit": "u"},
            {"question_id": "reason", "text": "karena jauh", "domain": "lainnya", "unit": "u"},
            # An imported row with no domain at all, and an unknown code.
            {"question_id": "need", "text": "sampah menumpuk di TPS", "domain": None},
            {"question_id": "need", "text": "listrik sering padam", "domain": "hapus"},
        ]
    )
    before = frame.copy(deep=True)
    result = _assign(tools, survey_data, frame)
    pd.testing.assert_frame_equal(frame, before)  # input untouched
    assert list(result["domain"]) == [
        "kesehatan",
        "adminduk_perizinan",
        "adminduk_perizinan",
        "lingkungan_hidup",
        "energi",
    ]
    assert list(result["domain_source"]) == ["respondent"] + ["assigned"] * 4
    assert pd.isna(result["domain_confidence"].iloc[0])


@pytest.mark.parametrize("threshold", [0.0, 0.99])
def test_threshold_decides_between_guess_and_unmapped(tools, survey_data, threshold) -> None:  # type: ignore[no-untyped-def]
    texts, _ = split_content(
        answers_frame([{"question_id": "need", "text": "puskesmas jauh, ktp lama"}]),
        plan_years=[2027],
    )
    texts = add_text_streams(texts, tools.text)
    result = assign_domains(texts, tools.domains, known_domains=["kesehatan"], threshold=threshold)
    assert (result["domain"].iloc[0] == UNMAPPED) == (threshold == 0.99)


def test_each_keyword_belongs_to_one_domain(tools, survey_data) -> None:  # type: ignore[no-untyped-def]
    """domains.yaml: a keyword is in one domain only, also as normalised and stemmed
    ("pemukiman kumuh" is "permukiman kumuh"), and keeps a content word after slang and
    stop words (the double-letter rule once read "sppt" as "seperti")."""
    owners: dict[tuple[str, str] | None, set[str]] = {}
    for domain in survey_data.domains.domains:
        for keyword in domain.keywords:
            assert tools.text.content_tokens(keyword), (domain.code, keyword)
            owners.setdefault(_phrase_stream(keyword, tools.text), set()).add(domain.code)
    shared = {found: codes for found, codes in owners.items() if len(codes) > 1}
    assert not shared


def test_a_gapped_phrase_stays_within_one_answer() -> None:
    from processor.vocabulary import _PhraseCandidates

    candidates = _PhraseCandidates(["jalan rusak"], gap=2)
    assert "jalan rusak" in candidates("jalan depan masjid rusak")
    assert "jalan rusak" not in candidates("jalan depan masjid besar rusak")  # 3 between
    assert "jalan rusak" not in candidates("jalan licin . rusak")  # another answer
    assert "jalan rusak" not in _PhraseCandidates(["jalan rusak"])("jalan depan rusak")


# A letter about social aid that quotes a NIK and KK and talks about the identity card
# in passing (issue 11): its subject is the aid.
AID_LETTER = """Bantuan PKH kami dihentikan tanpa pemberitahuan
Yth. Bapak/Ibu Kepala Dinas Sosial
Saya Sumarni, NIK 3310045607820003, No. KK 3310041203090017, warga RT 02/RW 05 Desa Sukamulya.
Sejak bulan Juni bantuan PKH untuk keluarga kami tidak masuk lagi ke rekening KKS, padahal \
kami masih keluarga miskin dan anak saya dua masih sekolah. Kata pendamping data kami tidak \
padan dengan data kependudukan, jadi saya sudah ke Disdukcapil memperbarui KTP elektronik \
dan kartu keluarga, semuanya sudah benar. Tetapi sampai sekarang bantuan belum cair juga.
Mohon ditindaklanjuti, terima kasih."""


def test_a_long_aid_complaint_quoting_a_nik_stays_social_aid(tools, survey_data) -> None:  # type: ignore[no-untyped-def]
    result = _assign(
        tools, survey_data, answers_frame([{"question_id": "need", "text": AID_LETTER}])
    )
    assert result["domain"].tolist() == ["sosial"]
    # Its identity and its KTP/KK errand alone would say administrasi kependudukan.
    errand = AID_LETTER.split("\n", 3)[3].split("Tetapi")[0].split("jadi ")[1]
    alone = _assign(tools, survey_data, answers_frame([{"question_id": "need", "text": errand}]))
    assert alone["domain"].tolist() == ["adminduk_perizinan"]
