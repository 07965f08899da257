"""Credentials are masked in every message and log line."""

from __future__ import annotations

import logging

import pytest

from shared.redact import MaskCredentials, display_url, mask_credentials

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "postgresql+psycopg://rembuk:pa%40ss@db:5432/r",
            "postgresql+psycopg://rembuk:***@db:5432/r",
        ),
        (
            f"POST https://api.telegram.org/bot{TOKEN}/getMe",
            "https://api.telegram.org/bot123456789:***/getMe",
        ),
        ("sqlite:///rembuk.db", "sqlite:///rembuk.db"),
        ("jam 10:30 di balai desa", "jam 10:30 di balai desa"),
    ],
)
def test_mask_credentials(text: str, shown: str) -> None:
    assert shown in mask_credentials(text)


def test_display_url_hides_only_the_password() -> None:
    assert display_url("postgresql+psycopg://u:secret@h/d") == "postgresql+psycopg://u:***@h/d"


def test_log_lines_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("rembuk.test_redact")
    caplog.handler.addFilter(MaskCredentials())
    logger.warning("connecting to %s with %s", "postgresql+psycopg://u:secret@h/d", TOKEN)
    assert "secret" not in caplog.text and TOKEN not in caplog.text
    assert "u:***@h/d" in caplog.text
