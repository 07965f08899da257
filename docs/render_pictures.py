"""Dev-time only: render the demo's digest message and one page of its draft to PNG for
the README. Needs Pillow (from matplotlib), LibreOffice and poppler-utils (pdftoppm):
    apt-get install libreoffice-writer-nogui poppler-utils
    make demo && .venv/bin/python docs/render_pictures.py
Never imported by the application."""

from __future__ import annotations

import html
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "out"
DOCS = ROOT / "docs"
FONTS = Path("/usr/share/fonts/truetype/dejavu")


def _segments(text: str) -> list[list[tuple[str, bool]]]:
    """Each line of a Telegram HTML text as (text, bold) pieces."""
    lines: list[list[tuple[str, bool]]] = []
    for raw in text.split("\n"):
        segments, is_bold = [], False
        for piece in re.split(r"(</?b>)", raw):
            if piece in ("<b>", "</b>"):
                is_bold = piece == "<b>"
            elif piece:
                segments.append((html.unescape(piece), is_bold))
        lines.append(segments)
    return lines


def _wrap(
    lines: list[list[tuple[str, bool]]], fonts: dict[bool, ImageFont.FreeTypeFont], limit: int
) -> list[list[tuple[str, bool]]]:
    """The lines wrapped between words to `limit` pixels."""
    wrapped: list[list[tuple[str, bool]]] = []
    for segments in lines:
        current: list[tuple[str, bool]] = []
        used = 0.0
        for content, is_bold in segments:
            font = fonts[is_bold]
            for word in re.split(r"(\s+)", content):
                size = font.getlength(word)
                if used + size > limit and word.strip():
                    wrapped.append(current)
                    current, used = [], 0.0
                    word = word.lstrip()
                    size = font.getlength(word)
                current.append((word, is_bold))
                used += size
        wrapped.append(current)
    return wrapped


def render_digest(source: Path, target: Path, width: int = 560) -> None:
    """The Telegram HTML message (only <b> is used) as a chat bubble."""
    regular = ImageFont.truetype(str(FONTS / "DejaVuSans.ttf"), 15)
    bold = ImageFont.truetype(str(FONTS / "DejaVuSans-Bold.ttf"), 15)
    parts = source.read_text(encoding="utf-8").split("\n\n---\n\n")
    wrapped = _wrap(_segments(parts[0]), {False: regular, True: bold}, width - 40)
    line_height = 22
    height = len(wrapped) * line_height + 60
    image = Image.new("RGB", (width + 40, height + 40), "#dfe9f3")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((20, 20, width + 20, height + 20), radius=14, fill="white")
    y = 40
    for segments in wrapped:
        x = 40.0
        for content, is_bold in segments:
            font = bold if is_bold else regular
            draw.text((x, y), content, font=font, fill="#1b1f23")
            x += font.getlength(content)
        y += line_height

    image.save(target, optimize=True)


def render_page(docx: Path, target: Path, page: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "pdf", "--outdir", tmp, str(docx)],
            check=True,
            capture_output=True,
        )
        pdf = Path(tmp) / (docx.stem + ".pdf")
        prefix = Path(tmp) / "page"
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "70",
                "-png",
                "-f",
                str(page),
                "-l",
                str(page),
                str(pdf),
                str(prefix),
            ],
            check=True,
        )
        produced = sorted(Path(tmp).glob("page*.png"))[0]
        Image.open(produced).convert("RGB").save(target, optimize=True)


if __name__ == "__main__":
    page = int(sys.argv[1]) if len(sys.argv) > 1 else 17  # the first domain chapter
    DOCS.mkdir(exist_ok=True)
    render_digest(OUT / "ringkasan-id.html", DOCS / "digest-message.png")
    render_page(OUT / "draf-master-plan-demo-id.docx", DOCS / "draft-page.png", page)
    print(DOCS / "digest-message.png", DOCS / "draft-page.png")
