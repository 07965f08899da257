"""Benchmark of the analysis at 10k, 100k and 1M answers, or 10M (a script, not a test).

    .venv/bin/python bench/processor_scale.py [--sizes 10000,100000,1000000] [--runs 3]
        [--keep DIR] [--floor] [--aggregate] [--digest-runs 1] [--memory-limit-mb 8192]
    .venv/bin/python bench/processor_scale.py --sizes 100000,10000000 --runs 1 --keep DIR

For each size it generates a synthetic consultation from a phrase bank covering every
domain (fixed seed; slang, typos, repeated letters, phone numbers) and loads it into a
SQLite file, a chunk of runs at a time (not timed; with --keep an existing database of
that size is reused). The analysis (`run_analysis`: database read to summary.json written;
then analysis.xlsx, timed apart as xlsx_seconds) runs `--runs` times, each in a fresh
single-threaded process (OMP/OPENBLAS/MKL_NUM_THREADS=1) under an address-space cap, and
the median wall time is reported with the peak RSS of the largest run.

At 100k, plain TF-IDF + KMeans over the raw texts is timed the same way, twice per run:
single-threaded (the same thread budget as the analysis: the `speedup` to compare) and
with two threads (for information), interleaved with the analysis runs so that a busy
spell on the machine hits every side alike; medians reported. Imports are outside the
timed part on both sides. Then `rembuk digest --no-deliver` (analysis, draft, both files)
is timed end to end on a copy of the database (digest_seconds). With --floor, the front
half of the analysis alone (read, normalise, TF-IDF; see floor_child) is timed too; with
--aggregate, the database's GROUP BY of distinct texts (aggregate_child). Sizes above 100k
get the time ratio to 100k (linear growth: the sizes' ratio). One JSON object per line.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = 20261127
BASELINE_N = 100_000

# domain: (needs, reasons, obstacles, strategies, staff rows (need, obstacle, realisation,
# strategy, indicator))
BANK: dict[str, tuple[list[str], list[str], list[str], list[str], list[tuple[str, ...]]]] = {
    "pendidikan": (
        [
            "gedung sekolah diperbaiki",
            "tambah guru di sekolah dasar",
            "beasiswa untuk anak miskin",
            "buku pelajaran cukup",
            "sekolah dekat dengan rumah",
            "biaya sekolah gratis",
        ],
        [
            "anak belajar di kelas bocor",
            "satu guru mengajar dua kelas",
            "banyak anak putus sekolah",
        ],
        [
            "atap kelas bocor tidak diperbaiki",
            "guru honorer gajinya kecil",
            "zonasi ppdb tidak adil",
            "pungutan uang komite memberatkan",
        ],
        ["angkat guru pppk", "rehab ruang kelas", "bantuan seragam dan buku"],
        [
            (
                "pemerataan guru",
                "formasi terbatas",
                "rasio guru 1:30",
                "rekrut pppk",
                "rasio guru murid",
            )
        ],
    ),
    "kesehatan": (
        [
            "puskesmas buka sampai sore",
            "dokter selalu ada di puskesmas",
            "obat tersedia lengkap",
            "ambulans desa",
            "posyandu aktif setiap bulan",
            "bpjs kesehatan dipermudah",
        ],
        ["kalau sakit malam tidak ada dokter", "obat sering habis", "antre dari subuh"],
        [
            "antre lama di puskesmas",
            "obat kosong disuruh beli di luar",
            "dokter jarang datang",
            "bpjs ditolak rumah sakit",
        ],
        ["tambah dokter dan bidan", "puskesmas buka 24 jam", "sistem antrean online"],
        [
            (
                "layanan puskesmas 24 jam",
                "kekurangan dokter",
                "8 dari 20 puskesmas 24 jam",
                "rekrut dokter",
                "persentase puskesmas 24 jam",
            )
        ],
    ),
    "pekerjaan_umum": (
        [
            "jalan desa diaspal",
            "lampu jalan dipasang",
            "air bersih mengalir setiap hari",
            "drainase diperbaiki",
            "jembatan diperbaiki",
            "jalan berlubang ditambal",
        ],
        ["jalan rusak kalau hujan becek", "malam hari gelap rawan", "air pdam sering mati"],
        [
            "jalan rusak tidak diperbaiki bertahun-tahun",
            "lampu jalan mati berbulan-bulan",
            "selokan mampet tidak dibersihkan",
            "air pdam keruh",
        ],
        ["aspal jalan desa", "pasang lampu jalan tenaga surya", "normalisasi drainase"],
        [
            (
                "jalan desa mantap",
                "anggaran terbatas",
                "45% jalan desa diaspal",
                "usulkan dak jalan",
                "persentase jalan mantap",
            )
        ],
    ),
    "perumahan": (
        ["bantuan bedah rumah", "rumah layak huni untuk warga miskin", "penataan kawasan kumuh"],
        ["rumah reyot atap bocor", "tinggal numpang di rumah saudara"],
        ["bantuan rumah tidak tepat sasaran", "syarat bantuan rumah rumit"],
        ["data rumah tidak layak huni diperbarui", "program bsps diperluas"],
        [
            (
                "rehab rtlh",
                "data tidak akurat",
                "300 rumah direhab",
                "verifikasi data rtlh",
                "jumlah rtlh direhab",
            )
        ],
    ),
    "trantibum": (
        ["pos ronda diaktifkan", "lampu dan cctv di jalan sepi", "pemadam kebakaran cepat datang"],
        ["sering pencurian motor", "banyak anak muda mabuk", "rumah terbakar habis"],
        ["begal di jalan sepi", "damkar datang terlambat", "balap liar tiap malam"],
        ["patroli polisi rutin", "pos damkar di kecamatan"],
        [
            (
                "respons kebakaran cepat",
                "pos damkar jauh",
                "waktu tanggap 30 menit",
                "bangun pos damkar",
                "waktu tanggap kebakaran",
            )
        ],
    ),
    "sosial": (
        [
            "bansos tepat sasaran",
            "data penerima bansos diperbarui",
            "bantuan untuk lansia",
            "pendampingan disabilitas",
        ],
        ["yang mampu malah dapat bansos", "lansia hidup sendiri"],
        ["nama hilang dari dtks", "pkh tidak cair", "bpnt telat berbulan-bulan"],
        ["verifikasi ulang dtks", "libatkan rt dalam pendataan"],
        [
            (
                "bansos tepat sasaran",
                "data dtks tidak valid",
                "dtks diperbarui 2 kali setahun",
                "musyawarah desa pendataan",
                "persentase bansos tepat sasaran",
            )
        ],
    ),
    "pekerjaan_usaha": (
        [
            "lapangan kerja untuk anak muda",
            "bantuan modal umkm",
            "pelatihan kerja blk",
            "pasar tradisional diperbaiki",
        ],
        ["banyak pengangguran", "umkm susah pemasaran"],
        ["modal usaha susah didapat", "los pasar bocor dan becek", "lowongan kerja sedikit"],
        ["pelatihan umkm digital", "bursa kerja rutin"],
        [
            (
                "umkm naik kelas",
                "pendampingan kurang",
                "200 umkm dilatih",
                "pelatihan pemasaran",
                "jumlah umkm dilatih",
            )
        ],
    ),
    "kominfo": (
        [
            "sinyal internet di desa",
            "wifi gratis di balai desa",
            "informasi program pemerintah jelas",
        ],
        ["susah sinyal untuk sekolah online", "banyak hoaks"],
        ["blank spot di dusun", "website pemda jarang diperbarui", "pengaduan tidak dibalas"],
        ["bangun bts", "kanal pengaduan satu pintu"],
        [
            (
                "desa terjangkau internet",
                "bts dibangun pusat",
                "70% desa ada sinyal",
                "usulkan bts bakti",
                "persentase desa ada sinyal",
            )
        ],
    ),
    "lingkungan_hidup": (
        ["sampah diangkut rutin", "tps dekat permukiman", "banjir ditangani", "sungai bersih"],
        ["sampah menumpuk bau", "setiap hujan kebanjiran"],
        [
            "truk sampah jarang datang",
            "warga buang sampah ke sungai",
            "limbah pabrik mencemari sungai",
        ],
        ["bank sampah di setiap desa", "normalisasi sungai"],
        [
            (
                "sampah terkelola",
                "armada kurang",
                "60% sampah terangkut",
                "tambah armada",
                "persentase sampah terkelola",
            )
        ],
    ),
    "energi": (
        ["listrik tidak sering padam", "listrik masuk desa", "gas elpiji mudah didapat"],
        ["alat elektronik rusak karena listrik padam", "gas melon langka"],
        ["listrik padam tiap hujan", "gas 3 kg mahal di pengecer", "bbm di spbu habis"],
        ["perbaiki jaringan pln", "pangkalan gas di desa"],
        [
            (
                "desa berlistrik",
                "jaringan pln belum sampai",
                "95% desa berlistrik",
                "plts komunal",
                "rasio elektrifikasi",
            )
        ],
    ),
    "perbankan_keuangan": (
        ["atm dekat desa", "kur mudah didapat", "bayar pbb online"],
        ["harus ke kota untuk ambil uang", "terjerat rentenir"],
        ["syarat kur banyak agunan", "pinjol ilegal merajalela", "sppt pbb tidak sampai"],
        ["agen bank di desa", "literasi keuangan"],
        [
            (
                "akses keuangan desa",
                "agen bank sedikit",
                "50 agen bank",
                "kerja sama bank daerah",
                "jumlah agen bank",
            )
        ],
    ),
    "perhubungan": (
        ["angkutan umum ke kecamatan", "jadwal kapal teratur", "rambu lalu lintas dipasang"],
        ["ongkos ojek mahal", "kapal tidak menentu"],
        ["angkot jarang lewat", "parkir liar bikin macet", "terminal sepi tidak terurus"],
        ["subsidi angkutan desa", "tertibkan parkir liar"],
        [
            (
                "angkutan perdesaan",
                "trayek tidak diminati",
                "5 trayek desa",
                "subsidi trayek",
                "jumlah trayek desa",
            )
        ],
    ),
    "sumber_daya_alam": (
        [
            "pupuk subsidi tersedia",
            "irigasi sawah diperbaiki",
            "harga gabah stabil",
            "bantuan alat tangkap nelayan",
        ],
        ["pupuk langka saat musim tanam", "gagal panen karena kekeringan"],
        ["pupuk subsidi langka", "saluran irigasi rusak", "penyuluh pertanian jarang datang"],
        ["tambah kios pupuk", "rehab jaringan irigasi"],
        [
            (
                "produktivitas padi",
                "irigasi rusak",
                "5,2 ton per hektare",
                "rehab irigasi",
                "ton gabah per hektare",
            )
        ],
    ),
    "pariwisata": (
        ["objek wisata dikelola baik", "promosi desa wisata", "toilet di tempat wisata"],
        ["wisata sepi pengunjung", "fasilitas wisata rusak"],
        ["jalan ke objek wisata rusak", "tidak ada promosi wisata"],
        ["festival budaya tahunan", "pelatihan pokdarwis"],
        [
            (
                "kunjungan wisata naik",
                "promosi kurang",
                "50 ribu wisatawan",
                "promosi digital",
                "jumlah wisatawan",
            )
        ],
    ),
    "adminduk_perizinan": (
        [
            "ktp cepat jadi",
            "akta kelahiran gratis dan cepat",
            "pelayanan kk di kecamatan",
            "izin usaha dipermudah",
        ],
        ["harus bolak-balik ke dukcapil", "blangko ktp habis"],
        ["urus ktp lama berbulan-bulan", "blangko ktp kosong", "izin usaha berbelit"],
        ["layanan adminduk keliling", "pelayanan online dukcapil"],
        [
            (
                "dokumen kependudukan cepat",
                "blangko terbatas",
                "ktp jadi 3 hari",
                "jemput bola adminduk",
                "hari penyelesaian ktp",
            )
        ],
    ),
    "strategis_lainnya": (
        ["pelayanan kantor desa ramah", "dana desa transparan", "tidak ada pungli"],
        ["perangkat desa minta uang rokok", "warga tidak tahu penggunaan dana desa"],
        [
            "pungli di kantor desa",
            "pegawai sering tidak di tempat",
            "usulan musrenbang tidak direalisasikan",
        ],
        ["papan informasi apbdes", "sanksi pegawai bolos"],
        [
            (
                "pelayanan desa prima",
                "sdm aparatur kurang",
                "indeks kepuasan 75",
                "bimtek perangkat desa",
                "indeks kepuasan masyarakat",
            )
        ],
    ),
}
PLACES = ["", "", "", " di desa kami", " di rt 03", " di dusun 2", " di kecamatan", " di kampung"]
INTENSIFIERS = ["", "", "", " sekali", " banget", " bangettt", " tolong", " pak"]
SLANG = {
    "tidak": ["gak", "ga", "tdk", "nggak"],
    "yang": ["yg"],
    "dengan": ["dgn"],
    "karena": ["krn", "karna"],
    "sudah": ["udah", "sdh"],
    "jalan": ["jln", "jl"],
    "rumah": ["rmh"],
    "sekolah": ["sklh"],
    "puskesmas": ["pkm", "puskes"],
}


def noisy(text: str, rng: random.Random) -> str:
    words = text.split()
    for i, word in enumerate(words):
        if word in SLANG and rng.random() < 0.4:
            words[i] = rng.choice(SLANG[word])
        elif len(word) > 4 and rng.random() < 0.03:  # a typo: drop or double a letter
            j = rng.randrange(1, len(word) - 1)
            words[i] = (
                word[:j] + word[j + 1 :] if rng.random() < 0.5 else word[:j] + word[j] + word[j:]
            )
    text = " ".join(words)
    if rng.random() < 0.3:
        text = text.capitalize()
    if rng.random() < 0.002:
        text += f", hubungi 08{rng.randrange(10**9, 10**10)}"
    return text + rng.choice(PLACES) + rng.choice(INTENSIFIERS)


RESPONDENT_COLUMNS = (
    "id", "pseudonym", "role", "language", "opted_out", "erased", "created_at",
    "broadcasts_off",
)  # fmt: skip
RUN_COLUMNS = (
    "id", "respondent_id", "campaign_id", "instrument", "questionnaire_id",
    "questionnaire_version", "status", "current_step", "editing", "source", "started_at",
    "updated_at", "submitted_at",
)  # fmt: skip
ANSWER_COLUMNS = (
    "id", "run_id", "question_id", "block", "item", "domain", "value_text", "value_number",
    "value_choice", "questionnaire_version", "created_at", "updated_at",
)  # fmt: skip
STAFF_QUESTIONS = ("need", "obstacle", "realisation", "strategy", "target_indicator")
CHUNK_RUNS = 20_000  # runs generated and inserted at a time (memory stays flat at 10M)


def _run_rows(run_id: int, rng: random.Random, stamp: str) -> tuple[tuple, tuple, list[tuple]]:
    """One respondent, their submitted run and its answers (ids from run_id * 64)."""
    codes = list(BANK)
    staff = rng.random() < 0.08
    respondent = (run_id, f"r-{run_id:020d}", "staff" if staff else "citizen", "id", 0, 0, stamp, 0)
    run = (
        run_id, run_id, 1, "internal" if staff else "external",
        "fgd-internal" if staff else "fgd-external", 1, "submitted", "done", 0,
        rng.choice([None, "balai-desa", "kecamatan", "pasar"]), stamp, stamp, stamp,
    )  # fmt: skip
    answers: list[tuple] = []

    def add(question: str, block: int, item: int, domain: str, text=None, number=None):
        answer_id = run_id * 64 + len(answers)
        answers.append(
            (answer_id, run_id, question, block, item, domain, text, number, None, 1, stamp, stamp)
        )

    for block in range(1 + (rng.random() < 0.3)):
        code = rng.choice(codes)
        needs, reasons, obstacles, strategies, rows = BANK[code]
        # Some citizens pick "lainnya": the processor must find the domain itself.
        stored = "lainnya" if rng.random() < 0.05 else code
        add("domain", block, 0, stored)
        if staff:
            row = rng.choice(rows)
            for question, text in zip(STAFF_QUESTIONS, row, strict=True):
                add(question, block, 0, stored, text=noisy(text, rng))
            for year in range(1, 6):
                add(f"target_y{year}", block, 0, stored, number=float(40 + 10 * year))
            continue
        for item in range(1 + (rng.random() < 0.4)):
            add("need", block, item, stored, text=noisy(rng.choice(needs), rng))
            add("reason", block, item, stored, text=noisy(rng.choice(reasons), rng))
            add("more_needs", block, item, stored)
        add("obstacle", block, 0, stored, text=noisy(rng.choice(obstacles), rng))
        if rng.random() < 0.7:
            add("strategy", block, 0, stored, text=noisy(rng.choice(strategies), rng))
        add("more_domains", block, 0, stored)
    return respondent, run, answers


def _insert(connection, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:  # type: ignore[no-untyped-def]
    marks = ", ".join("?" for _ in columns)
    connection.exec_driver_sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def generate(n: int, database_url: str) -> None:
    """Insert about n content answers (plus navigation and targets) of one campaign into a
    SQLite database, a chunk of runs at a time through the driver's executemany."""
    from shared.settings import load_settings
    from shared.startup import prepare_database
    from shared.survey_data import load_survey_data

    rng = random.Random(SEED)
    now = datetime(2026, 11, 27, tzinfo=UTC)
    stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLAlchemy stores a DateTime in SQLite
    settings = load_settings(DATABASE_URL=database_url)
    engine = prepare_database(settings=settings, survey_data=load_survey_data(), now=now)
    content = 0
    run_id = 0
    with engine.begin() as connection:
        connection.exec_driver_sql("PRAGMA synchronous=OFF")
        while content < n:
            respondents, runs, answers = [], [], []
            for _ in range(CHUNK_RUNS):
                run_id += 1
                respondent, run, rows = _run_rows(run_id, rng, stamp)
                respondents.append(respondent)
                runs.append(run)
                answers.extend(rows)
                content += sum(row[6] is not None for row in rows)
                if content >= n:
                    break
            _insert(connection, "respondent", RESPONDENT_COLUMNS, respondents)
            _insert(connection, "survey_run", RUN_COLUMNS, runs)
            _insert(connection, "answer", ANSWER_COLUMNS, answers)
    engine.dispose()


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def analyse_child(database_url: str, out_dir: str) -> None:
    """Runs in a fresh process, so its peak RSS is the analysis alone.

    `seconds` is run_analysis from the database read to summary.json written; the
    XLSX report is written afterwards and timed on its own (xlsx_seconds).
    """
    # run_analysis imports these lazily; imported here so that, as for the baseline's
    # sklearn, module loading is not timed.
    import sqlmodel  # noqa: F401

    import processor.load  # noqa: F401
    import shared.crud  # noqa: F401
    from processor.analysis import run_analysis
    from processor.render import write_analysis_xlsx
    from shared import db
    from shared.survey_data import load_survey_data

    survey_data = load_survey_data()
    engine = db.make_engine(database_url)
    started, cpu = time.perf_counter(), time.process_time()
    result = run_analysis(
        engine=engine,
        campaign_code="umum",
        out_dir=Path(out_dir),
        now=datetime(2026, 11, 27, tzinfo=UTC),
        survey_data=survey_data,
        write_xlsx=False,
    )
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    peak = peak_rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    write_analysis_xlsx(result.analysis, result.summary, result.xlsx_path)
    xlsx_seconds, xlsx_cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    themes = result.analysis.themes.table
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "cpu_seconds": round(cpu_seconds, 2),
                "peak_rss_mb": peak,
                "xlsx_seconds": round(xlsx_seconds, 2),
                "xlsx_cpu_seconds": round(xlsx_cpu_seconds, 2),
                "peak_rss_with_xlsx_mb": peak_rss_mb(),
                "answers": result.summary["counts"]["answers"],
                "distinct_texts": int(result.analysis.texts["text"].nunique()),
                "themes": int((~themes["is_other"]).sum()),
            }
        )
    )


def baseline_child(database_url: str, clusters: int) -> None:
    """Plain TF-IDF + KMeans over the raw texts, read from the same database.

    `TfidfVectorizer()` and `KMeans` with sklearn's defaults (k-means++ init, n_init
    "auto", i.e. one run for k-means++; sklearn's threads) but a fixed random_state, so
    every run does the same work. It is asked for as many clusters as the analysis found
    themes, so both give the same granularity; timed from the database read to the
    fitted model, like ours.
    """
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sqlalchemy import create_engine, text

    started, cpu = time.perf_counter(), time.process_time()
    engine = create_engine(database_url)
    with engine.connect() as connection:
        texts = [
            row[0]
            for row in connection.execute(
                text("SELECT value_text FROM answer WHERE value_text IS NOT NULL ORDER BY id")
            )
        ]
    matrix = TfidfVectorizer().fit_transform(texts)
    model = KMeans(n_clusters=clusters, random_state=0).fit(matrix)
    print(
        json.dumps(
            {
                "seconds": round(time.perf_counter() - started, 2),
                "cpu_seconds": round(time.process_time() - cpu, 2),  # all threads
                "n": len(texts),
                "iterations": int(model.n_iter_),
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )


def floor_child(database_url: str) -> None:
    """The front half that any analysis meeting the issue must do, and nothing more: read
    the answers (processor.load), normalise each distinct text (slang, stop words, PII,
    Sastrawi stems; no spelling corrections) and TF-IDF on the stems. No domains, themes,
    dimensions, gaps or summary. Data files are loaded before the clock starts."""
    import pandas as pd
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sqlmodel import Session

    from processor.load import load_campaign_frames
    from shared import crud, db
    from shared.text import TextTools

    tools = TextTools.from_data_dir()
    engine = db.make_engine(database_url)
    started = time.perf_counter()
    with Session(engine) as session:
        campaign = crud.get_campaign(session=session, code="umum")
        assert campaign is not None
        frames = load_campaign_frames(connection=session.connection(), campaign=campaign)
    read = time.perf_counter()
    _, distinct = pd.factorize(frames.answers["text"].dropna())
    streams = tools.analyse(distinct)
    normalised = time.perf_counter()
    TfidfVectorizer(analyzer=str.split).fit_transform([streams[t].stems for t in distinct])
    done = time.perf_counter()
    print(
        json.dumps(
            {
                "seconds": round(done - started, 2),
                "read_seconds": round(read - started, 2),
                "normalise_seconds": round(normalised - read, 2),
                "tfidf_seconds": round(done - normalised, 2),
            }
        )
    )


def aggregate_child(database_url: str) -> None:
    """What aggregating in the database costs (a floor for the 10M design, see
    bench/RESULTS.md): one GROUP BY over the campaign's content answers giving each distinct
    (question, domain, text) with its answers and distinct respondents, read in chunks;
    then the distinct texts normalised once each (as the analysis does)."""
    from sqlalchemy import text

    from shared import db
    from shared.text import TextTools

    tools = TextTools.from_data_dir()
    engine = db.make_engine(database_url)
    started = time.perf_counter()
    rows = answers = 0
    distinct: set[str] = set()
    with engine.connect() as connection:
        result = connection.execution_options(stream_results=True).execute(
            text(
                "SELECT a.question_id, a.domain, a.value_text, count(*), "
                "count(DISTINCT r.respondent_id) "
                "FROM answer a JOIN survey_run r ON r.id = a.run_id "
                "WHERE r.campaign_id = 1 AND r.status = 'submitted' "
                "AND a.value_text IS NOT NULL "
                "GROUP BY a.question_id, a.domain, a.value_text"
            )
        )
        for chunk in result.partitions(50_000):
            rows += len(chunk)
            answers += sum(row[3] for row in chunk)
            distinct.update(row[2] for row in chunk)
    grouped = time.perf_counter()
    tools.analyse(sorted(distinct))
    done = time.perf_counter()
    print(
        json.dumps(
            {
                "seconds": round(done - started, 2),
                "group_by_seconds": round(grouped - started, 2),
                "normalise_seconds": round(done - grouped, 2),
                "distinct_rows": rows,
                "distinct_texts": len(distinct),
                "answers": answers,
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )


SINGLE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
TWO_THREADS = {"OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"}


def _limit_memory(megabytes: int):  # type: ignore[no-untyped-def]
    def limit() -> None:  # in the child, before it starts: past the limit it fails alone
        size = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))

    return limit


def child(args: list[str], *, threads: dict[str, str] | None = None, memory_mb: int = 0) -> dict:
    """Run this script's --child in a fresh process; its last JSON line. `threads` sets
    the thread variables of the child's environment; `memory_mb` caps its address space
    (a run past the cap reports "failed" instead of taking the shared machine's memory)."""
    import os

    env = {**os.environ, **(threads or {})}
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, __file__, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        preexec_fn=_limit_memory(memory_mb) if memory_mb else None,  # noqa: PLW1509
    )
    if completed.returncode != 0:
        last = (completed.stderr.strip().splitlines() or ["?"])[-1]
        return {
            "failed": last[:200],
            "seconds_until_failure": round(time.perf_counter() - started, 1),
        }
    return json.loads(completed.stdout.strip().splitlines()[-1])


def digest_run(database_url: str, out_dir: Path) -> dict:
    """`rembuk digest --no-deliver` end to end in a fresh process (start-up, analysis,
    draft, both files): wall seconds and the child's peak RSS. The database is a copy, so
    nothing the digest stores changes the analysis runs."""
    import os

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).parent / "rembuk"), "digest", "--no-deliver", "--campaign",
         "umum", "--out", str(out_dir)],
        check=True,
        capture_output=True,
        env={**os.environ, "DATABASE_URL": database_url, **SINGLE_THREAD},
        cwd=out_dir.parent,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    peak = after.ru_maxrss / 1024  # the largest child so far: the digest outgrows the others
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_rss_mb": round(peak, 1),
    }


def median(values: list[float]) -> float:
    return round(statistics.median(values), 2)


def _baseline_line(threads: int, runs: list[dict], ours: float, clusters: int) -> dict:
    seconds = median([run["seconds"] for run in runs])
    return {
        "baseline_n": BASELINE_N,
        "baseline_threads": threads,
        "rembuk_threads": 1,
        "baseline_seconds": seconds,
        "baseline_cpu_seconds": median([run["cpu_seconds"] for run in runs]),
        "seconds": ours,
        "speedup": round(seconds / ours, 1),
        "baseline_clusters": clusters,
        "baseline_iterations": [run["iterations"] for run in runs],
        "baseline_peak_rss_mb": max(run["peak_rss_mb"] for run in runs),
        "baseline_runs": [run["seconds"] for run in runs],
    }


def _measured(n: int, ours: list[dict]) -> dict:
    done = [run for run in ours if "failed" not in run]
    if not done:
        return {"n": n, **ours[0]}
    measured = dict(done[0])
    measured.update(
        seconds=median([run["seconds"] for run in done]),
        peak_rss_mb=max(run["peak_rss_mb"] for run in done),
        cpu_seconds=median([run["cpu_seconds"] for run in done]),
        xlsx_seconds=median([run["xlsx_seconds"] for run in done]),
        xlsx_cpu_seconds=median([run["xlsx_cpu_seconds"] for run in done]),
        peak_rss_with_xlsx_mb=max(run["peak_rss_with_xlsx_mb"] for run in done),
        runs=[run["seconds"] for run in done],
    )
    return {"n": n, **measured}


def _emit(line: dict) -> None:
    print(json.dumps(line), flush=True)


def measure_size(n: int, url: str, work: Path, args: argparse.Namespace) -> dict:
    """The analysis at one size (and, at 100k, the baselines, floor and digest)."""
    ours: list[dict] = []
    theirs: dict[int, list[dict]] = {1: [], 2: []}
    floors: list[dict] = []
    analyse = ["--child", "analyse", url, str(work / f"out_{n}")]
    for _ in range(args.runs):
        ours.append(child(analyse, threads=SINGLE_THREAD, memory_mb=args.memory_limit_mb))
        if n == BASELINE_N:  # k: the themes the analysis found (the same every run)
            clusters = max(2, ours[0]["themes"])
            baseline = ["--child", "baseline", url, str(clusters)]
            theirs[1].append(child(baseline, threads=SINGLE_THREAD))
            theirs[2].append(child(baseline, threads=TWO_THREADS))
            if args.floor:
                floors.append(child(["--child", "floor", url], threads=SINGLE_THREAD))
    measured = _measured(n, ours)
    _emit(measured)
    if theirs[1]:
        for threads in (1, 2):
            _emit(_baseline_line(threads, theirs[threads], measured["seconds"], clusters))
    if floors:
        _emit(_floor_line(floors, median([run["seconds"] for run in theirs[1]])))
    if n == BASELINE_N and args.digest_runs:
        _emit(_digest_line(work, n, args.digest_runs))
    if args.aggregate:
        runs = [child(["--child", "aggregate", url]) for _ in range(args.runs)]
        _emit({"aggregate_n": n, **runs[0], "runs": [run["seconds"] for run in runs]})
    return measured


def _floor_line(floors: list[dict], baseline_seconds: float) -> dict:
    floor = {
        key: median([run[key] for run in floors])
        for key in ("seconds", "read_seconds", "normalise_seconds", "tfidf_seconds")
    }
    return {
        "floor_n": BASELINE_N,
        "floor_seconds": floor.pop("seconds"),
        **floor,
        "five_times_budget_seconds": round(baseline_seconds / 5, 2),
        "floor_runs": [run["seconds"] for run in floors],
    }


def _digest_line(work: Path, n: int, runs: int) -> dict:
    import shutil

    source = work / f"bench_{n}.db"
    results = []
    for run in range(runs):
        copy = work / f"digest_{n}.db"
        shutil.copyfile(source, copy)
        out = work / f"digest_out_{n}_{run}"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        results.append(digest_run(f"sqlite:///{copy}", out))
        copy.unlink()
    return {
        "digest_n": n,
        "digest_seconds": median([r["seconds"] for r in results]),
        "digest_cpu_seconds": median([r["cpu_seconds"] for r in results]),
        "digest_peak_rss_mb": max(r["peak_rss_mb"] for r in results),
        "digest_runs": [r["seconds"] for r in results],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=3, help="fresh-process runs per side")
    parser.add_argument("--keep", help="keep the databases and outputs in this directory")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="at 100k, also time the front half alone (read, normalise, TF-IDF): the least "
        "an analysis meeting the issue must do",
    )
    parser.add_argument(
        "--digest-runs", type=int, default=1, help="runs of the 100k digest (0: none)"
    )
    parser.add_argument(
        "--aggregate",
        action="store_true",
        help="also time the database's GROUP BY of distinct texts at each size",
    )
    parser.add_argument(
        "--memory-limit-mb",
        type=int,
        default=8192,
        help="address-space cap of each analysis process (0: none)",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child)
        return
    sizes = [int(size) for size in args.sizes.split(",")]
    if args.floor and BASELINE_N not in sizes:
        parser.error(f"--floor is measured at {BASELINE_N}: include it in --sizes")
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="rembuk-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    seconds: dict[int, float] = {}
    for n in sizes:
        database = work / f"bench_{n}.db"
        if not (args.keep and database.exists()):  # --keep reuses a database made before
            database.unlink(missing_ok=True)
            child(["--child", "generate", str(n), f"sqlite:///{database}"])
        measured = measure_size(n, f"sqlite:///{database}", work, args)
        if "failed" not in measured:
            seconds[n] = measured["seconds"]
    for n in sizes:
        if n > BASELINE_N and n in seconds and BASELINE_N in seconds:
            ratio = seconds[n] / seconds[BASELINE_N]
            _emit(
                {
                    "ratio_from_n": BASELINE_N,
                    "ratio_to_n": n,
                    "time_ratio": round(ratio, 1),
                    "linear_ratio": n // BASELINE_N,
                }
            )


def run_child(spec: list[str]) -> None:
    if spec[0] == "analyse":
        analyse_child(spec[1], spec[2])
    elif spec[0] == "baseline":
        baseline_child(spec[1], int(spec[2]))
    elif spec[0] == "floor":
        floor_child(spec[1])
    elif spec[0] == "aggregate":
        aggregate_child(spec[1])
    else:
        generate(int(spec[1]), spec[2])
        print("{}")


if __name__ == "__main__":
    main()
