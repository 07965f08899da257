"""A realistic sample consultation for the demo: a few hundred citizens and a few dozen staff
across several domains, Indonesian answers written the way people type on a phone (slang,
abbreviations, typos), and a few paper forms imported through the import of issue 4.

`sample_consultation` is pure (a seeded generator of plain records); `store_consultation`
writes them; `paper_forms_csv` gives the CSV a volunteer would type from paper forms.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from shared import crud
from shared.db import session_scope
from shared.models import (
    Answer,
    Campaign,
    Instrument,
    RespondentProfile,
    Role,
    RunStatus,
    SurveyRun,
    stored_id,
)
from shared.survey_data import SurveyData

# Answers given by pressing a button, stored as the choice (the domain has its own column).
CHOSEN = frozenset({"domain", "opd", "unit"})

# Per domain: needs (with reasons), obstacles, suggested strategies, and staff rows
# (need, obstacle, realisation, strategy, indicator, yearly targets from..to).
BANK: dict[str, dict[str, list]] = {
    "kesehatan": {
        "needs": [
            (
                "puskesmas buka sampai sore",
                "kami kerja di kebun dari pagi, pulang sore puskesmas sudah tutup",
            ),
            (
                "dokter tetap di pustu desa",
                "dokter cuma datang seminggu sekali, kalau anak demam harus ke kota",
            ),
            (
                "obat di puskesmas lengkap",
                "obat sering kosong jadi disuruh beli di apotek luar, mahal",
            ),
            ("ambulans desa siaga", "ibu hamil mau melahirkan susah cari kendaraan malam hari"),
            (
                "pendaftaran BPJS Kesehatan dipermudah",
                "kartu BPJS tidak aktif padahal sudah bayar iuran",
            ),
        ],
        "obstacles": [
            "antre lama di puskesmas dari subuh baru dipanggil siang",
            "jarak puskesmas jauh harus naik ojek mahal",
            "petugas kurang ramah dan jutek",
            "informasi jadwal dokter tidak jelas",
            "syarat rujukan berbelit harus bolak balik",
        ],
        "strategies": [
            "antrean online lewat WhatsApp",
            "tambah dokter dan bidan di desa",
            "puskesmas keliling ke dusun",
            "umumkan jadwal dokter di grup desa",
        ],
        "staff": [
            (
                "Layanan sore di puskesmas",
                "Kekurangan dokter dan perawat",
                "2 dari 9 puskesmas buka sore",
                "Rekrut tenaga kontrak dan atur shift sore",
                "Persentase puskesmas dengan layanan sore (%)",
                (25, 100),
            ),
            (
                "Ketersediaan obat esensial",
                "Pengadaan obat terlambat",
                "Ketersediaan obat 78%",
                "Perencanaan kebutuhan obat berbasis data e-logistik",
                "Ketersediaan obat esensial di puskesmas (%)",
                (80, 98),
            ),
            (
                "Antrean puskesmas lebih singkat",
                "Pendaftaran masih manual",
                "Nomor antrean kertas",
                "Pendaftaran online dan antrean elektronik",
                "Puskesmas dengan antrean online (unit)",
                (2, 9),
            ),
        ],
    },
    "pekerjaan_umum": {
        "needs": [
            (
                "jalan desa diaspal",
                "jalan rusak berlubang kalau hujan jadi kubangan, motor sering jatuh",
            ),
            ("lampu jalan di jalan poros", "malam gelap gulita rawan begal dan kecelakaan"),
            ("drainase diperbaiki", "tiap hujan deras air masuk rumah karena selokan tersumbat"),
            ("air bersih PDAM sampai dusun", "sumur kering waktu kemarau harus beli air galon"),
            ("jembatan gantung diganti", "jembatan kayu sudah lapuk, anak sekolah takut lewat"),
        ],
        "obstacles": [
            "sudah lapor berkali kali tidak ada tanggapan",
            "perbaikan jalan asal jadi, baru setahun rusak lagi",
            "tidak jelas jalan ini tanggung jawab kabupaten atau provinsi",
            "usulan musrenbang tidak pernah masuk",
        ],
        "strategies": [
            "prioritaskan jalan poros desa",
            "libatkan warga mengawasi proyek",
            "buat kanal pengaduan jalan rusak dengan foto",
        ],
        "staff": [
            (
                "Peningkatan jalan poros desa",
                "Anggaran pemeliharaan kecil",
                "35 km jalan desa beraspal",
                "Prioritas jalan poros lewat musrenbang dan DAK",
                "Panjang jalan desa kondisi mantap (km)",
                (40, 72),
            ),
            (
                "Penerangan jalan umum",
                "Tagihan listrik PJU tinggi",
                "120 titik PJU",
                "PJU tenaga surya di jalan poros",
                "Titik PJU tenaga surya terpasang (titik)",
                (50, 400),
            ),
        ],
    },
    "adminduk_perizinan": {
        "needs": [
            (
                "KTP elektronik cepat jadi",
                "sudah rekam 3 bulan KTP belum jadi, padahal perlu untuk kerja",
            ),
            (
                "layanan dukcapil di kecamatan",
                "ke kantor dukcapil kabupaten jauh, sehari habis di jalan",
            ),
            ("akta kelahiran gratis dan cepat", "anak mau daftar sekolah perlu akta"),
            ("izin usaha online", "urus izin warung harus bolak balik ke kantor"),
        ],
        "obstacles": [
            "blanko KTP habis terus",
            "syarat berbelit harus ada surat pengantar RT RW desa camat",
            "ada calo minta uang pelicin",
            "server offline terus",
        ],
        "strategies": [
            "jemput bola perekaman ke desa",
            "layanan adminduk online",
            "papan informasi syarat yang jelas",
        ],
        "staff": [
            (
                "Pelayanan adminduk di kecamatan",
                "Jaringan internet kecamatan lemah",
                "4 kecamatan melayani KTP",
                "Layanan adminduk terintegrasi di semua kecamatan",
                "Kecamatan dengan layanan adminduk (unit)",
                (6, 13),
            ),
        ],
    },
    "pendidikan": {
        "needs": [
            ("ruang kelas diperbaiki", "atap sekolah bocor kalau hujan anak-anak pindah kelas"),
            ("guru cukup di sekolah desa", "satu guru mengajar dua kelas sekaligus"),
            ("bantuan seragam dan buku", "orang tua tidak mampu beli seragam tiap tahun"),
            ("PPDB zonasi adil", "anak kami tidak dapat sekolah negeri padahal dekat"),
        ],
        "obstacles": [
            "pungutan sekolah masih ada walau katanya gratis",
            "informasi PPDB telat diumumkan",
            "guru honorer sering tidak masuk karena gaji kecil",
        ],
        "strategies": [
            "tambah guru PPPK untuk sekolah desa",
            "transparansi dana BOS di papan sekolah",
        ],
        "staff": [
            (
                "Rehabilitasi ruang kelas",
                "Data kerusakan sekolah belum mutakhir",
                "60 ruang kelas rusak berat",
                "Pendataan Dapodik dan rehab bertahap",
                "Ruang kelas rusak berat yang direhab (%)",
                (20, 100),
            ),
        ],
    },
    "sosial": {
        "needs": [
            ("bansos tepat sasaran", "yang mampu dapat bantuan, yang miskin malah tidak"),
            ("pendaftaran PKH dipermudah", "sudah daftar DTKS dua kali belum masuk juga"),
            (
                "layanan untuk lansia dan disabilitas",
                "lansia susah antre ambil bantuan di kantor pos",
            ),
        ],
        "obstacles": [
            "data DTKS tidak diperbarui",
            "tidak ada informasi kapan bantuan cair",
            "pendamping PKH jarang datang",
        ],
        "strategies": [
            "musyawarah desa untuk verifikasi data",
            "antar bantuan ke rumah lansia",
        ],
        "staff": [],
    },
    "lingkungan_hidup": {
        "needs": [
            ("pengangkutan sampah rutin", "sampah menumpuk di pinggir jalan berhari-hari, bau"),
            (
                "tempat pembuangan sampah sementara",
                "warga buang sampah ke sungai karena tidak ada TPS",
            ),
            ("penanganan banjir", "tiap musim hujan kampung kami kebanjiran"),
        ],
        "obstacles": [
            "truk sampah jarang lewat",
            "warga masih buang sampah sembarangan",
            "laporan banjir tidak ditindaklanjuti",
        ],
        "strategies": ["bank sampah di tiap desa", "jadwal angkut sampah yang tetap"],
        "staff": [
            (
                "Pengangkutan sampah desa",
                "Armada truk sampah kurang",
                "Sampah terangkut 45%",
                "Tambah armada dan bank sampah desa",
                "Sampah terangkut (%)",
                (50, 85),
            ),
        ],
    },
}
# What people who name a need tend to name with it (need index: obstacle and suggestion
# indices in BANK): in a real consultation the obstacle and the suggestion of one block are
# about the block's need more often than chance, and the draft's links rest on that.
RELATED: dict[str, dict[int, tuple[tuple[int, ...], tuple[int, ...]]]] = {
    "kesehatan": {0: ((0, 3), (0, 3)), 1: ((1, 3), (1, 2)), 3: ((1,), ()), 4: ((4, 2), (0,))},
    "pekerjaan_umum": {
        0: ((1, 2), (0, 1)),
        1: ((0,), ()),
        2: ((3,), (1,)),
        3: ((3,), ()),
        4: ((2, 0), ()),
    },
    "adminduk_perizinan": {
        0: ((0, 3), (0,)),
        1: ((1,), (0,)),
        2: ((1, 2), (1, 2)),
        3: ((2, 3), ()),
    },
    "pendidikan": {0: ((0,), (1,)), 1: ((2,), (0,)), 2: ((0,), ()), 3: ((1,), ())},
    "sosial": {0: ((0,), (0,)), 1: ((2, 0), (0,)), 2: ((1,), (1,))},
    "lingkungan_hidup": {0: ((0,), (1,)), 1: ((1,), (0,)), 2: ((2,), ())},
}
RELATED_SHARE = 0.6  # how often a block's obstacle or suggestion is about its first need
DOMAIN_WEIGHTS = {
    "kesehatan": 30,
    "pekerjaan_umum": 28,
    "adminduk_perizinan": 16,
    "pendidikan": 12,
    "sosial": 8,
    "lingkungan_hidup": 6,
}
VENUES = ["pasar", "kantor_desa", "posyandu", "sekolah", "masjid", None]
SLANG = [
    ("tidak ", "gak "),
    ("tidak ", "ga "),
    ("tidak ", "tdk "),
    ("yang ", "yg "),
    ("dengan ", "dgn "),
    ("sudah ", "udah "),
    ("sudah ", "sdh "),
    ("karena ", "krn "),
    ("harus ", "hrs "),
    ("belum ", "blm "),
    ("sampai ", "sampe "),
    ("saja", "aja"),
    ("bulan", "bln"),
    ("kalau ", "kalo "),
    ("juga", "jg"),
    ("untuk ", "utk "),
    ("terus", "trs"),
    ("sekali", "bgt"),
]
OPENERS = ["", "", "", "tolong ", "mohon ", "pak, ", "min ", "kami butuh ", "harapan kami "]
CLOSERS = ["", "", "", " dong", " pak", " tolong diperhatikan", "!!", " bgt"]


def _typo(text: str, rng: random.Random) -> str:
    """One keyboard slip: swap two letters, drop one or double one."""
    positions = [i for i in range(1, len(text) - 1) if text[i].isalpha() and text[i + 1].isalpha()]
    if not positions:
        return text
    i = rng.choice(positions)
    kind = rng.random()
    if kind < 0.4:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind < 0.7:
        return text[:i] + text[i + 1 :]
    return text[:i] + text[i] + text[i:]


def casual(text: str, rng: random.Random, *, opener: bool = True) -> str:
    """Write a sentence the way it is typed on a phone: slang, typos, sometimes caps."""
    out = text
    for formal, slang in SLANG:
        if formal in out and rng.random() < 0.5:
            out = out.replace(formal, slang, 1)
    if rng.random() < 0.3:
        out = _typo(out, rng)
    if opener:
        out = rng.choice(OPENERS) + out
    out = out + rng.choice(CLOSERS)
    if rng.random() < 0.15:
        out = out.capitalize()
    elif rng.random() < 0.05:
        out = out.upper()
    return out.strip()


# Per staff row (by its indicator): the responsible agency, the indicator's unit, the
# baseline as the realisation states it (None: the officers had no figure), and the
# indicative budget of the first plan year in Rp (None: not yet known). Officers of the same
# row differ a little, and some leave the budget out, as officers do.
STAFF_META: dict[str, tuple[str, str, float | None, int | None]] = {
    "Persentase puskesmas dengan layanan sore (%)": ("dinkes", "persen", 22, 850_000_000),
    "Ketersediaan obat esensial di puskesmas (%)": ("dinkes", "persen", 78, 2_400_000_000),
    "Puskesmas dengan antrean online (unit)": ("dinkes", "unit", 0, 350_000_000),
    "Panjang jalan desa kondisi mantap (km)": ("dpupr", "km", 35, 12_000_000_000),
    "Titik PJU tenaga surya terpasang (titik)": ("dishub", "unit", None, 3_000_000_000),
    "Kecamatan dengan layanan adminduk (unit)": ("disdukcapil", "unit", 4, 600_000_000),
    "Ruang kelas rusak berat yang direhab (%)": ("disdikbud", "persen", 10, 7_500_000_000),
    "Sampah terangkut (%)": ("dlh", "persen", 45, 1_800_000_000),
}
WHOLE_UNITS = frozenset({"unit", "orang", "desa", "dokumen", "sekolah", "kk"})
BUDGET_SKIPPED = 0.3  # share of officers who leave the indicative budget out
BASELINE_SKIPPED = 0.15  # share of officers who give no baseline although one exists
BUDGET_GROWTH = 0.05  # a year's budget over the year before


# (question_id, block, item, domain, text, value) of one sample answer
SampleAnswer = tuple[str, int, int, str, str | None, float | None]


@dataclass(frozen=True)
class SampleRun:
    """One questionnaire: answers as (question_id, block, item, domain, text, number)."""

    person: int
    role: Role
    instrument: Instrument
    source: str | None
    day: int  # days before `now` it was submitted
    answers: tuple[SampleAnswer, ...]


@dataclass(frozen=True)
class SampleConsultation:
    runs: tuple[SampleRun, ...]
    in_progress: tuple[SampleRun, ...] = field(default=())


def _pick(choices: Sequence[str], related: Sequence[int], rng: random.Random) -> str:
    """One of `choices`: often one related to the block's need, otherwise any."""
    if related and rng.random() < RELATED_SHARE:
        return choices[rng.choice(related)]
    return rng.choice(choices)


def _citizen(person: int, rng: random.Random, days: int) -> SampleRun:
    codes = list(DOMAIN_WEIGHTS)
    weights = [DOMAIN_WEIGHTS[c] for c in codes]
    chosen: list[str] = []
    for _ in range(1 if rng.random() < 0.75 else 2):
        code = rng.choices(codes, weights)[0]
        if code not in chosen:
            chosen.append(code)
    answers: list[SampleAnswer] = []
    for block, code in enumerate(chosen):
        bank = BANK[code]
        answers.append(("domain", block, 0, code, None, None))
        picked = rng.sample(range(len(bank["needs"])), 2 if rng.random() < 0.3 else 1)
        needs = [bank["needs"][i] for i in picked]
        related_obstacles, related_strategies = RELATED[code].get(picked[0], ((), ()))
        for item, (need, reason) in enumerate(needs):
            answers.append(("need", block, item, code, casual(need, rng), None))
            answers.append(("reason", block, item, code, casual(reason, rng, opener=False), None))
        answers.append(
            (
                "obstacle",
                block,
                0,
                code,
                casual(_pick(bank["obstacles"], related_obstacles, rng), rng, opener=False),
                None,
            )
        )
        if rng.random() < 0.6:
            answers.append(
                (
                    "strategy",
                    block,
                    0,
                    code,
                    casual(_pick(bank["strategies"], related_strategies, rng), rng),
                    None,
                )
            )
    return SampleRun(
        person,
        Role.citizen,
        Instrument.external,
        rng.choice(VENUES),
        rng.randrange(days),
        tuple(answers),
    )


def _staff(
    person: int,
    code: str,
    rows: Sequence[tuple],
    years: Sequence[int],
    rng: random.Random,
    days: int,
) -> SampleRun:
    answers: list[SampleAnswer] = [("domain", 0, 0, code, None, None)]
    for item, (need, obstacle, realisation, strategy, indicator, (start, end)) in enumerate(rows):
        agency, unit, baseline, budget = STAFF_META[indicator]
        answers += [
            ("need", 0, item, code, need, None),
            ("obstacle", 0, item, code, obstacle, None),
            ("realisation", 0, item, code, realisation, None),
            ("strategy", 0, item, code, strategy, None),
            # Chosen with a button: the code, as the bot stores a choice.
            ("opd", 0, item, code, agency, None),
            ("target_indicator", 0, item, code, indicator, None),
            ("unit", 0, item, code, unit, None),
        ]
        if baseline is not None and rng.random() >= BASELINE_SKIPPED:
            answers.append(("baseline", 0, item, code, None, float(baseline)))
            answers.append(("baseline_year", 0, item, code, None, float(years[0] - 2)))
        step = (end - start) / max(1, len(years) - 1)
        for index, _year in enumerate(years, start=1):
            value = start + step * (index - 1) + rng.choice([0, 0, 1]) * step * 0.1
            value = float(round(value)) if unit in WHOLE_UNITS else round(value, 1)
            if unit == "persen":  # over 100 % is a slip (the draft flags it); the sample has none
                value = min(value, 100.0)
            answers.append((f"target_y{index}", 0, item, code, None, value))
        if budget is not None and rng.random() >= BUDGET_SKIPPED:
            # Officers' estimates differ by up to a tenth, rounded to 50 million.
            first = budget * rng.uniform(0.9, 1.1)
            for index, _year in enumerate(years, start=1):
                amount = first * (1 + BUDGET_GROWTH) ** (index - 1)
                amount = float(round(amount / 50_000_000) * 50_000_000)
                answers.append((f"budget_y{index}", 0, item, code, None, amount))
    return SampleRun(
        person, Role.staff, Instrument.internal, None, rng.randrange(days), tuple(answers)
    )


# Where the demo citizens live: most near the regency seat (Tungkal Ilir), few upriver, and
# nobody from Muara Papalik, so the digest has a kecamatan to send posters to.
DEMO_KECAMATAN = {
    "tungkal_ilir": 45,
    "betara": 12,
    "pengabuan": 10,
    "bram_itam": 8,
    "seberang_kota": 6,
    "senyerang": 6,
    "kuala_betara": 4,
    "tungkal_ulu": 4,
    "merlung": 3,
    "batang_asam": 1.5,
    "tebing_tinggi": 1,
    "renah_mendaluh": 0.5,
}
DEMO_DESA = {
    "tungkal_ilir": ("tungkal_i", "tungkal_ii", "tungkal_iii", "patunas", "sriwijaya"),
    "betara": ("makmur_jaya", "terjun_gajah"),
    "pengabuan": ("teluk_nilau", "parit_pudin"),
    "bram_itam": ("bram_itam_kanan", "pembengis"),
}
DEMO_AGES = {"under_25": 15, "25_39": 42, "40_59": 38, "60_plus": 5}  # few older people
DEMO_SEX = {"female": 58, "male": 42}
DEMO_DISABILITY = {"yes": 3, "no": 85, "prefer_not": 12}


def demo_profile(person: int, seed: int = 2027) -> dict[str, str | None]:
    """A demo citizen's profile: uneven on purpose, some questions skipped. Its own random
    stream per person, so the answers of the sample do not change with it."""
    rng = random.Random(seed * 100_003 + person)

    def pick(weights: Mapping[str, float], skipped: float) -> str | None:
        if rng.random() < skipped:
            return None
        return rng.choices(list(weights), list(weights.values()))[0]

    kecamatan = pick(DEMO_KECAMATAN, 0.15)
    villages = DEMO_DESA.get(kecamatan or "", ())
    desa = rng.choice(villages) if villages and rng.random() < 0.6 else None
    return {
        "kecamatan": kecamatan,
        "desa": desa,
        "age_band": pick(DEMO_AGES, 0.1),
        "sex": pick(DEMO_SEX, 0.08),
        "disability": pick(DEMO_DISABILITY, 0.12),
    }


def sample_consultation(
    *,
    citizens: int = 320,
    staff_per_row: int = 3,
    years: Sequence[int],
    seed: int = 2027,
    days: int = 21,
) -> SampleConsultation:
    """The sample as plain records: deterministic for a seed, no I/O."""
    rng = random.Random(seed)
    runs = [_citizen(i, rng, days) for i in range(citizens)]
    person = citizens
    for code, bank in BANK.items():
        for row in bank["staff"]:
            for _ in range(staff_per_row):  # several officers of the agency fill the same row
                runs.append(_staff(person, code, [row], years, rng, days))
                person += 1
    in_progress = tuple(_citizen(person + i, rng, 2) for i in range(12))
    return SampleConsultation(runs=tuple(runs), in_progress=in_progress)


def store_consultation(
    *,
    engine: Engine,
    campaign: Campaign,
    sample: SampleConsultation,
    pseudonym_key: str,
    now: datetime,
    max_day: int | None = None,
    min_day: int | None = None,
) -> int:
    """Write the runs submitted between `max_day` and `min_day` days before now (all by
    default) as respondents, submitted runs and answers; returns the answers written."""
    written = 0
    with session_scope(engine) as session:
        for number, run in enumerate((*sample.runs, *sample.in_progress)):
            in_progress = number >= len(sample.runs)
            if not in_progress and (
                (max_day is not None and run.day > max_day)
                or (min_day is not None and run.day < min_day)
            ):
                continue
            if in_progress and min_day not in (None, 0):
                continue
            name = f"demo-{run.role.value}-{run.person}"
            person = crud.get_or_create_respondent(
                session=session,
                pseudonym_key=pseudonym_key,
                now=now,
                local_name=name,
                role=run.role,
            )
            if run.role is Role.staff:
                person.campaign_id = campaign.id
            person.consent_at = now - timedelta(days=run.day)
            person.consent_version = "demo"
            submitted = now - timedelta(days=run.day, hours=run.person % 9)
            questionnaire = (
                campaign.external_questionnaire_version
                if run.instrument is Instrument.external
                else campaign.internal_questionnaire_version
            )
            survey = SurveyRun(
                respondent_id=stored_id(person),
                campaign_id=stored_id(campaign),
                instrument=run.instrument,
                questionnaire_id=(
                    campaign.external_questionnaire_id
                    if run.instrument is Instrument.external
                    else campaign.internal_questionnaire_id
                ),
                questionnaire_version=questionnaire,
                status=RunStatus.in_progress if in_progress else RunStatus.submitted,
                current_step="need@0.0" if in_progress else "done",
                source=run.source,
                receipt_code=None if in_progress else f"D{number:05d}",
                started_at=submitted - timedelta(minutes=12),
                updated_at=submitted,
                submitted_at=None if in_progress else submitted,
            )
            session.add(survey)
            session.flush()
            if run.role is Role.citizen and session.get(RespondentProfile, person.id) is None:
                profile = demo_profile(run.person)
                session.add(
                    RespondentProfile(
                        respondent_id=stored_id(person),
                        run_id=stored_id(survey),
                        updated_at=submitted,
                        **profile,
                    )
                )
            answers = run.answers[:3] if in_progress else run.answers
            for question_id, block, item, domain, text, value in answers:
                session.add(
                    Answer(
                        run_id=stored_id(survey),
                        question_id=question_id,
                        block=block,
                        item=item,
                        domain=domain,
                        value_text=text if question_id not in CHOSEN else None,
                        value_choice=(
                            domain
                            if question_id == "domain"
                            else text
                            if question_id in CHOSEN
                            else None
                        ),
                        value_number=value,
                        questionnaire_version=questionnaire,
                        created_at=submitted,
                        updated_at=submitted,
                    )
                )
                written += 1
    return written


def paper_forms_csv(*, seed: int = 7) -> str:
    """A few external FGD paper forms typed in by a volunteer; some without a domain
    (the analysis assigns one), one row with nothing but a name (reported as bad)."""
    rng = random.Random(seed)
    rows = [
        (
            "Bu Siti (posyandu Sungai Saren)",
            "Kesehatan",
            "bidan desa tinggal di desa",
            "melahirkan malam hari tidak ada bidan",
            "bidan tinggal di kota",
            "rumah dinas bidan",
        ),
        (
            "Pak Rahman",
            "",
            "jalan ke kebun sawit diperbaiki",
            "hasil panen susah diangkut",
            "jalan tanah becek kalau hujan",
            "gotong royong dan bantuan alat berat",
        ),
        (
            "Ibu Yanti",
            "",
            "KTP dan KK bisa diurus di kantor camat",
            "dukcapil jauh",
            "antrian panjang",
            "layanan keliling",
        ),
        (
            "Warga RT 04",
            "Lingkungan Hidup",
            "truk sampah masuk gang",
            "sampah dibakar asapnya ganggu",
            "gang sempit",
            "gerobak sampah motor",
        ),
        (
            "Pak Darto",
            "",
            "puskesmas buka sore",
            "kerja sampai sore",
            "antre lama",
            "pendaftaran lewat hp",
        ),
        (
            "Nelayan Kuala Tungkal",
            "",
            "lampu penerangan di dermaga",
            "gelap kalau pulang melaut",
            "belum ada listrik di dermaga",
            "lampu tenaga surya",
        ),
        ("(tanpa isi)", "", "", "", "", ""),
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["responden", "bidang", "kebutuhan", "alasan", "hambatan", "strategi"])
    for name, domain, need, reason, obstacle, strategy in rows:
        if name == "(tanpa isi)":
            writer.writerow([name, "", "", "", "", ""])
            continue
        writer.writerow([name, domain, casual(need, rng, opener=False), reason, obstacle, strategy])
    return buffer.getvalue()


# --- SKM (issue 14): two service units rated at their counters -------------------------------
# Per unit: the respondents and, per element, the weights of the scores 1-4 (a unit's
# profile: Dukcapil is slow and its complaints desk barely works; the RSUD is good but dear).
SKM_UNITS: dict[str, tuple[int, dict[str, tuple[int, int, int, int]]]] = {
    "dukcapil": (
        46,
        {
            "persyaratan": (1, 3, 10, 4),
            "prosedur": (1, 5, 9, 3),
            "waktu": (4, 9, 6, 1),
            "biaya": (0, 1, 4, 13),
            "produk": (1, 3, 11, 3),
            "kompetensi": (0, 2, 11, 5),
            "perilaku": (0, 2, 9, 7),
            "pengaduan": (3, 7, 7, 1),
            "sarana": (2, 6, 8, 2),
        },
    ),
    "rsud": (
        38,
        {
            "persyaratan": (0, 1, 9, 8),
            "prosedur": (0, 2, 9, 7),
            "waktu": (1, 4, 9, 4),
            "biaya": (1, 5, 8, 4),
            "produk": (0, 1, 10, 7),
            "kompetensi": (0, 0, 8, 10),
            "perilaku": (0, 1, 8, 9),
            "pengaduan": (1, 3, 9, 5),
            "sarana": (0, 2, 10, 6),
        },
    ),
}
SKM_SUGGESTIONS = {
    "dukcapil": (
        "antrean online supaya tidak menunggu seharian",
        "tambah petugas perekaman KTP-el",
        "kotak pengaduan tidak pernah dibalas",
    ),
    "rsud": (
        "ruang tunggu poli lebih banyak kursi",
        "informasi tarif dipasang di loket",
    ),
}


def store_skm(
    *,
    engine: Engine,
    campaign: Campaign,
    survey_data: SurveyData,
    pseudonym_key: str,
    now: datetime,
    seed: int = 14,
) -> int:
    """Submitted SKM runs of two service units, as the bot stores them (the unit's domain
    answered, nine scores, sometimes a suggestion); returns the runs written."""
    rng = random.Random(seed)
    questionnaire = survey_data.questionnaire("skm")
    units = survey_data.service_units
    assert units is not None
    written = 0
    with session_scope(engine) as session:
        for code, (respondents, weights) in SKM_UNITS.items():
            domain = units.by_code[code].domain
            for number in range(respondents):
                person = crud.get_or_create_respondent(
                    session=session,
                    pseudonym_key=pseudonym_key,
                    now=now,
                    local_name=f"demo-skm-{code}-{number}",
                )
                person.consent_at = now - timedelta(days=20)
                person.consent_version = "demo"
                submitted = now - timedelta(days=rng.randrange(1, 20), minutes=rng.randrange(600))
                run = SurveyRun(
                    respondent_id=stored_id(person),
                    campaign_id=stored_id(campaign),
                    instrument=Instrument.skm,
                    questionnaire_id=questionnaire.id,
                    questionnaire_version=questionnaire.version,
                    status=RunStatus.submitted,
                    current_step="done",
                    source="skm",
                    service_unit=code,
                    receipt_code=f"S{code[:3].upper()}{number:04d}",
                    started_at=submitted - timedelta(seconds=50),
                    updated_at=submitted,
                    submitted_at=submitted,
                )
                session.add(run)
                session.flush()
                values: list[tuple[str, str | None, str | None]] = [("domain", domain, None)]
                values += [
                    (element, rng.choices("1234", odds)[0], None)
                    for element, odds in weights.items()
                ]
                if rng.random() < 0.3:
                    values.append(("saran", None, rng.choice(SKM_SUGGESTIONS[code])))
                for question_id, choice, text in values:
                    session.add(
                        Answer(
                            run_id=stored_id(run),
                            question_id=question_id,
                            domain=domain,
                            value_choice=choice,
                            value_text=text,
                            questionnaire_version=questionnaire.version,
                            created_at=submitted,
                            updated_at=submitted,
                        )
                    )
                written += 1
    return written
