"""SP4N-LAPOR! complaints for the demo: a synthetic "Laporan Ringkas" export, written the
way citizens write to LAPOR! (a title, then a letter, sometimes with a greeting, a name, a
NIK or an address that the PII scrubber removes), imported the way `rembuk import FILE
--format lapor` imports one.

`lapor_export_csv` is pure (seeded, dated from `now`); `import_lapor_export` reads the
file, checks it and writes its reports in one transaction.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from processor.importer import RowError, read_table
from processor.lapor import LaporImport, import_reports, parse_reports
from shared.db import session_scope
from shared.lapor_data import load_lapor_mapping
from shared.models import Campaign
from shared.survey_data import SurveyData

HEADINGS = (
    "Tracking ID",
    "Tanggal Laporan Masuk",
    "Kategori",
    "Judul Laporan",
    "Isi Laporan Awal",
    "Isi Laporan Akhir",
    "Tipe Laporan (Anonim/Rahasia)",
    "Instansi Terdisposisi",
    "Status",
    "Kecamatan",
    "Kelurahan",
)


@dataclass(frozen=True)
class Complaint:
    category: str
    agency: str
    title: str
    body: str
    places: tuple[tuple[str, str], ...]  # (kecamatan, kelurahan) from wilayah.yaml
    copies: int = 2  # how many citizens report the same thing in their own letter


# Each complaint is reported by `copies` citizens (same problem, another opening and
# place), so the analysis finds themes with "N pengaduan".
COMPLAINTS = (
    Complaint(
        "Kesehatan",
        "Dinas Kesehatan Kabupaten Tanjung Jabung Barat",
        "Obat di puskesmas selalu kosong",
        "Setiap kali berobat ke puskesmas obat yang diresepkan dokter selalu kosong dan kami "
        "disuruh membeli sendiri di apotek luar. Harganya mahal, kami warga kurang mampu tidak "
        "sanggup. Mohon stok obat di puskesmas dicukupkan.",
        (("Merlung", "Merlung"), ("Tungkal Ulu", "Pelabuhan Dagang"), ("Betara", "Makmur Jaya")),
        copies=3,
    ),
    Complaint(
        "Kesehatan",
        "RSUD KH Daud Arif",
        "Antrean poli RSUD sangat lama",
        "Kami datang jam enam pagi untuk mengambil nomor antrean poli penyakit dalam, baru "
        "dipanggil jam dua siang. Tidak ada informasi berapa lama lagi menunggu dan ruang "
        "tunggu penuh sampai pasien duduk di lantai. Mohon dibuat antrean online.",
        (("Tungkal Ilir", "Tungkal II"), ("Bram Itam", "Bram Itam Kanan")),
        copies=3,
    ),
    Complaint(
        "Jaminan Kesehatan",
        "BPJS Kesehatan Cabang Jambi",
        "Kartu BPJS tidak aktif padahal iuran sudah dibayar",
        "Kartu BPJS Kesehatan keluarga kami dinyatakan tidak aktif waktu berobat, padahal "
        "iuran sudah dibayar setiap bulan. Akhirnya kami harus bayar umum di rumah sakit. "
        "Sudah datang ke kantor BPJS tapi disuruh bolak-balik.",
        (("Pengabuan", "Teluk Nilau"),),
    ),
    Complaint(
        "Infrastruktur",
        "Dinas Pekerjaan Umum dan Penataan Ruang",
        "Jalan poros desa rusak parah",
        "Jalan poros desa rusak parah dan berlubang sepanjang kurang lebih tiga kilometer. "
        "Kalau hujan tidak bisa dilewati motor, anak sekolah sering jatuh dan hasil kebun "
        "tidak bisa diangkut. Sudah bertahun-tahun diusulkan di musrenbang tapi belum "
        "diperbaiki. Mohon segera diperbaiki.",
        (
            ("Merlung", "Lubuk Terentang"),
            ("Batang Asam", "Dusun Kebun"),
            ("Renah Mendaluh", "Lubuk Kambing"),
        ),
        copies=4,
    ),
    Complaint(
        "Pekerjaan Umum dan Penataan Ruang",
        "Dinas PUPR",
        "Drainase tersumbat, rumah warga kebanjiran",
        "Parit di sepanjang jalan tersumbat sampah dan lumpur. Setiap hujan deras air meluap "
        "masuk ke rumah warga setinggi lutut. Kami minta parit dinormalisasi dan dibuat "
        "gorong-gorong yang lebih besar.",
        (("Tungkal Ilir", "Tungkal IV Kota"), ("Seberang Kota", "Tungkal V")),
        copies=3,
    ),
    Complaint(
        "Infrastruktur",
        "PDAM Tirta Pengabuan",
        "Air PDAM mati berhari-hari",
        "Air PDAM di lingkungan kami sudah lima hari tidak mengalir, kalau mengalir pun "
        "keruh dan berbau. Tagihan tetap datang penuh. Kami terpaksa membeli air galon "
        "untuk masak dan mandi.",
        (("Tungkal Ilir", "Patunas"),),
    ),
    Complaint(
        "Administrasi Kependudukan",
        "Dinas Kependudukan dan Pencatatan Sipil",
        "KTP elektronik tidak kunjung jadi",
        "Saya sudah merekam KTP elektronik sejak enam bulan lalu tetapi sampai sekarang "
        "belum jadi, setiap ditanya jawabannya blangko habis. Padahal KTP diperlukan untuk "
        "melamar kerja dan mengurus bantuan. Mohon kejelasannya.",
        (("Senyerang", "Senyerang"), ("Kuala Betara", "Kuala Indah"), ("Tebing Tinggi", "")),
        copies=3,
    ),
    Complaint(
        "Perizinan",
        "DPMPTSP Kabupaten Tanjung Jabung Barat",
        "Izin usaha lewat OSS tidak diproses",
        "Permohonan izin usaha warung makan kami lewat OSS sudah dua bulan tidak ada kabar. "
        "Waktu datang ke kantor disuruh menunggu tanpa kepastian dan diminta berkas yang "
        "tidak ada di persyaratan.",
        (("Tungkal Ilir", "Sriwijaya"),),
    ),
    Complaint(
        "Pendidikan",
        "Dinas Pendidikan dan Kebudayaan",
        "Pungutan di sekolah negeri",
        "Sekolah anak kami memungut uang pembangunan dan uang seragam yang jumlahnya besar, "
        "katanya wajib. Bukankah sekolah negeri gratis? Orang tua yang tidak bayar anaknya "
        "ditegur di depan kelas.",
        (("Pengabuan", "Teluk Nilau"), ("Betara", "")),
    ),
    Complaint(
        "Pendidikan",
        "Dinas Pendidikan",
        "Gedung sekolah rusak dan bocor",
        "Atap ruang kelas SD kami bocor dan plafonnya sudah jebol. Kalau hujan murid "
        "dipulangkan atau belajar berdesakan di satu ruangan. Mohon ada rehab gedung sekolah.",
        (("Muara Papalik", ""),),
    ),
    Complaint(
        "Bantuan Sosial",
        "Dinas Sosial",
        "Bansos PKH tidak cair",
        "Sudah tiga bulan bantuan PKH keluarga kami tidak cair padahal terdaftar di DTKS. "
        "Sudah lapor ke desa dan pendamping tapi tidak ada jawaban. Sementara tetangga yang "
        "mampu malah dapat bantuan. Mohon data penerima diperiksa ulang.",
        (("Tungkal Ilir", "Tungkal II"), ("Kuala Betara", ""), ("Bram Itam", "")),
        copies=3,
    ),
    Complaint(
        "Lingkungan Hidup",
        "Dinas Lingkungan Hidup",
        "Sampah menumpuk tidak diangkut",
        "Tempat pembuangan sampah sementara di dekat pasar sudah penuh dan meluber ke jalan, "
        "truk sampah sudah dua minggu tidak datang. Baunya menyengat dan banyak lalat. "
        "Mohon jadwal pengangkutan sampah diperbaiki.",
        (("Tungkal Ilir", "Tungkal III"), ("Tungkal Ilir", "Tungkal Harapan")),
        copies=2,
    ),
)

# Openings and closings citizens put around their letter: greetings, names, NIKs, addresses
# (the names and numbers are made up; the PII scrubber removes them before anyone reads).
OPENINGS = (
    "",
    "",
    "Assalamualaikum Bapak/Ibu. ",
    "Selamat siang, saya warga {kecamatan}. ",
    "Yth. Bapak Bupati. Saya Budi Santoso, NIK 1506034507800001, ingin melaporkan. ",
    "Nama saya Siti Aminah, tinggal di Jl. Pelabuhan No. 12 RT 03, {kecamatan}. ",
    "Dengan hormat, saya Ahmad Fauzi warga {kecamatan}, HP 081234567890. ",
)
CLOSINGS = (
    "",
    " Terima kasih.",
    " Atas perhatiannya saya ucapkan terima kasih.",
    " Mohon ditindaklanjuti, terima kasih.",
)
STATUSES = ("Selesai", "Diproses", "Diproses", "Belum Diverifikasi", "Ditutup")
# The report type by row number: most are public; a few are Rahasia or Anonim.
REPORT_TYPES = {3: "Rahasia", 12: "Rahasia", 25: "Rahasia", 7: "Anonim", 19: "Anonim"}


def _row(
    number: int, complaint: Complaint, copy: int, rng: random.Random, now: datetime
) -> list[str]:
    """One report: the complaint in the words of its `copy`-th writer."""
    kecamatan, kelurahan = complaint.places[copy % len(complaint.places)]
    opening = rng.choice(OPENINGS).format(kecamatan=kecamatan)
    report_type = REPORT_TYPES.get(number, "")
    if report_type == "Anonim":
        opening = ""  # an anonymous writer does not give a name
    initial = f"{opening}{complaint.body}{rng.choice(CLOSINGS)}"
    # The operator sometimes tidies a report once it is verified ("Isi Laporan Akhir").
    final = complaint.body if opening and rng.random() < 0.3 else ""
    reported = now - timedelta(days=rng.randrange(10, 360))
    return [
        f"{5127001 + number}",
        reported.strftime("%Y-%m-%d"),
        complaint.category,
        complaint.title,
        initial,
        final,
        report_type,
        complaint.agency,
        rng.choice(STATUSES),
        f"Kecamatan {kecamatan}",
        kelurahan,
    ]


def lapor_export_csv(*, now: datetime, seed: int = 11) -> str:
    """A "Laporan Ringkas" export of the regency's LAPOR! reports of the past year."""
    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADINGS)
    number = 0
    for complaint in COMPLAINTS:
        for copy in range(complaint.copies):
            writer.writerow(_row(number, complaint, copy, rng, now))
            number += 1
    return buffer.getvalue()


def import_lapor_export(
    *,
    engine: Engine,
    campaign: Campaign,
    survey_data: SurveyData,
    path: Path,
    pseudonym_key: str,
    now: datetime,
) -> tuple[LaporImport, list[RowError]]:
    """Import `path` into the campaign as `rembuk import PATH --format lapor` does."""
    mapping = load_lapor_mapping(domains=survey_data.domains)
    reports, errors = parse_reports(read_table(path), mapping=mapping)
    with session_scope(engine) as session:
        result = import_reports(
            session=session,
            campaign=campaign,
            file=path.name,
            reports=reports,
            pseudonym_key=pseudonym_key,
            now=now,
        )
    return result, errors
