"""Writes the synthetic SP4N-LAPOR! exports the tests and the README use (run it again after
changing REPORTS): lapor-sample.xlsx with the 20 headings of a 2024 "Laporan Ringkas"
export, lapor-sample.csv with the same 12 reports under the snake_case and short headings
of other versions, and lapor-sample-newer.csv, a later export with 3 more reports.
Every report is made up; names, NIKs and addresses in them are not real."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent
HEADINGS = [
    "Tracking ID",
    "Tanggal Laporan Masuk",
    "Waktu Laporan Masuk",
    "Klasifikasi Laporan",
    "ID Kategori",
    "Kategori",
    "Judul Laporan",
    "Isi Laporan Awal",
    "Isi Laporan Akhir",
    "Tipe Laporan (Anonim/Rahasia)",
    "Sumber Laporan",
    "Instansi Induk",
    "ID Instansi Terdisposisi",
    "Instansi Terdisposisi",
    "Status Laporan",
    "Alasan Tunda/Arsip",
    "Provinsi",
    "Kota/Kabupaten",
    "Kecamatan",
    "Kelurahan",
]
SHORT = {
    "Tracking ID": "tracking_id",
    "Tanggal Laporan Masuk": "tanggal",
    "Kategori": "kategori",
    "Judul Laporan": "judul",
    "Isi Laporan Awal": "isi_laporan_awal",
    "Isi Laporan Akhir": "isi_laporan_akhir",
    "Tipe Laporan (Anonim/Rahasia)": "tipe_laporan",
    "Instansi Terdisposisi": "dinas_tujuan",
    "Status Laporan": "status",
    "Kecamatan": "kecamatan",
    "Kelurahan": "desa",
}
KAB = "Kab. Tanjung Jabung Barat"
# (id, date, category, title, initial text, final text, type, agency, status, kecamatan, desa)
REPORTS = [
    (
        "4521001",
        "2024-01-08",
        "Infrastruktur",
        "Jalan rusak parah di Desa Lubuk Kambing",
        "Saya Budi Santoso warga Desa Lubuk Kambing. Jalan poros desa rusak parah dan berlubang, "
        "kalau hujan tidak bisa dilewati motor. Anak sekolah sering jatuh. "
        "Mohon segera diperbaiki.",
        "",
        "",
        "Dinas Pekerjaan Umum dan Penataan Ruang",
        "Selesai",
        "Kecamatan Merlung",
        "Lubuk Kambing",
    ),
    (
        "4521002",
        "2024-01-15",
        "Sosial dan Kesejahteraan",
        "Bansos PKH tidak cair",
        "Nama: Siti Aminah, NIK 1506034507800001. Sudah tiga bulan bantuan PKH tidak cair padahal "
        "terdaftar di DTKS. Sudah lapor ke desa tapi tidak ada jawaban.",
        "Bantuan PKH pelapor tidak cair selama tiga bulan padahal terdaftar di DTKS.",
        "",
        "Dinas Sosial",
        "Diproses",
        "Tungkal Ilir",
        "Tungkal II",
    ),
    (
        "4521003",
        "2024-02-02",
        "Kesehatan",
        "Obat di puskesmas sering habis",
        "Setiap berobat ke puskesmas obat selalu habis dan disuruh beli di apotek luar. "
        "Kami warga kurang mampu tidak sanggup beli obat sendiri.",
        "",
        "Rahasia",
        "Dinas Kesehatan",
        "Selesai",
        "Merlung",
        "Merlung",
    ),
    (
        "4521004",
        "2024-02-10",
        "Kependudukan",
        "Blangko KTP elektronik habis",
        "Sudah rekam KTP elektronik sejak 6 bulan lalu tapi KTP belum jadi karena blangko habis. "
        "Saya butuh KTP untuk melamar kerja.",
        "",
        "Anonim",
        "Dinas Kependudukan dan Pencatatan Sipil",
        "Selesai",
        "Kec. Betara",
        "Pematang Lumut",
    ),
    (
        "4521005",
        "2024-02-21",
        "Infrastruktur",
        "Jalan berlubang di depan sekolah",
        "Jalan di depan SD negeri berlubang besar dan tergenang air, membahayakan murid.",
        "",
        "",
        "Dinas Pekerjaan Umum dan Penataan Ruang",
        "Diproses",
        "Betara",
        "Makmur Jaya",
    ),
    (
        "4521006",
        "2024-03-03",
        "Sosial dan Kesejahteraan",
        "BLT Dana Desa tidak tepat sasaran",
        "BLT dana desa diberikan kepada keluarga perangkat desa, sedangkan warga miskin tidak "
        "dapat. Mohon diperiksa.",
        "",
        "Anonim/Rahasia",
        "Dinas Sosial",
        "Diproses",
        "Tungkal Ilir",
        "Tungkal III",
    ),
    (
        "4521007",
        "2024-03-12",
        "Kesehatan",
        "Puskesmas tutup sebelum jam pelayanan selesai",
        "Puskesmas sudah tutup jam 11 siang padahal jadwal sampai jam 14. Pasien disuruh pulang.",
        "",
        "",
        "Puskesmas Merlung",
        "Selesai",
        "Merlung",
        "Merlung",
    ),
    (
        "4521008",
        "2024-03-25",
        "Energi dan Sumber Daya Mineral",
        "Listrik sering padam",
        "Listrik di dusun kami padam hampir setiap malam, kulkas dan pompa air rusak.",
        "",
        "",
        "PT PLN (Persero) UP3 Jambi",
        "Diproses",
        "Renah Mendaluh",
        "Lampisi",
    ),
    (
        "4521009",
        "2024-04-04",
        "Lingkungan Hidup dan Kehutanan",
        "Sampah menumpuk di pasar",
        "Sampah di pasar tidak diangkut sudah dua minggu, bau dan banyak lalat.",
        "",
        "",
        "Dinas Lingkungan Hidup",
        "Selesai",
        "Tungkal Ilir",
        "Tungkal IV Kota",
    ),
    (
        "4521010",
        "2024-04-18",
        "Topik Khusus",
        "Jalan desa rusak dan lampu jalan mati",
        "Jalan desa rusak berat sejak 2021 dan lampu jalan mati, gelap kalau malam. Saya tinggal "
        "di Jl. Merdeka No. 5 RT 03/RW 05, mohon perhatian.",
        "",
        "",
        "Pemerintah Kabupaten Tanjung Jabung Barat",
        "Diproses",
        "Betara",
        "Serdang Jaya",
    ),
    (
        "4521011",
        "2024-05-02",
        "Pendidikan dan Kebudayaan",
        "Pungutan uang seragam di SMP",
        "Sekolah memungut uang seragam Rp 750.000 per murid, orang tua keberatan.",
        "",
        "Rahasia",
        "Dinas Pendidikan dan Kebudayaan",
        "Diproses",
        "Merlung",
        "Merlung",
    ),
    (
        "4521012",
        "2024-05-20",
        "Kesehatan",
        "Bidan desa jarang ada di polindes",
        "Bidan desa jarang ada di polindes, ibu hamil harus ke puskesmas kecamatan.",
        "",
        "",
        "Dinas Kesehatan",
        "Selesai",
        "Renah Mendaluh",
        "Lampisi",
    ),
]
NEWER = [
    (
        "4521013",
        "2024-06-03",
        "Infrastruktur",
        "Jembatan gantung putus",
        "Jembatan gantung penghubung dusun putus, anak sekolah menyeberang sungai pakai perahu.",
        "",
        "",
        "Dinas Pekerjaan Umum dan Penataan Ruang",
        "Diproses",
        "Merlung",
        "Tanjung Paku",
    ),
    (
        "4521014",
        "2024-06-10",
        "Sosial dan Kesejahteraan",
        "Bantuan sembako tidak sampai",
        "Bantuan sembako untuk lansia tidak sampai ke penerima, sudah dua bulan.",
        "",
        "Anonim",
        "Dinas Sosial",
        "Diproses",
        "Betara",
        "Pematang Lumut",
    ),
    (
        "4521015",
        "2024-06-17",
        "Kesehatan",
        "Ambulans desa tidak bisa dipakai",
        "Ambulans desa rusak sehingga warga sakit dibawa pakai motor ke puskesmas.",
        "",
        "",
        "Dinas Kesehatan",
        "Diproses",
        "Tungkal Ilir",
        "Tungkal II",
    ),
]


def _full_row(report: tuple[str, ...]) -> list[str]:
    tracking, date, category, title, initial, final, kind, agency, status, kec, desa = report
    return [
        tracking,
        date,
        "08:15:00",
        "Pengaduan",
        "",
        category,
        title,
        initial,
        final,
        kind,
        "Website",
        "Pemerintah Kabupaten Tanjung Jabung Barat",
        "",
        agency,
        status,
        "",
        "Jambi",
        KAB,
        kec,
        desa,
    ]


def _short_rows(reports: list[tuple[str, ...]]) -> list[list[str]]:
    keep = [HEADINGS.index(h) for h in SHORT]
    return [[SHORT[h] for h in SHORT]] + [[_full_row(r)[i] for i in keep] for r in reports]


def main() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Laporan Ringkas"
    sheet.append(HEADINGS)
    for report in REPORTS:
        sheet.append(_full_row(report))
    book.save(HERE / "lapor-sample.xlsx")
    for name, reports in (
        ("lapor-sample.csv", REPORTS),
        ("lapor-sample-newer.csv", REPORTS + NEWER),
    ):
        with (HERE / name).open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(_short_rows(reports))


if __name__ == "__main__":
    main()
