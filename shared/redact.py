"""Credentials never reach a message or a log line: the database URL's password and the
Telegram bot token are masked wherever text is shown."""

from __future__ import annotations

import logging
import re

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

MASK = "***"
# user:password@ in any URL (SQLAlchemy's own rendering masks it the same way).
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^:/@\s]*):[^@\s]*@", re.IGNORECASE)
# password=… in a URL's query string (libpq and psycopg read it there too).
_QUERY_PASSWORD = re.compile(r"(?P<key>[?&]password=)[^&\s]*", re.IGNORECASE)
# A Bot API token: the bot's numeric id, a colon, and 35 characters of secret.
_BOT_TOKEN = re.compile(r"(?<!\d)(?P<bot>\d{5,15}):[A-Za-z0-9_-]{30,}")


def mask_credentials(text: str) -> str:
    """`text` with URL passwords and bot tokens replaced by ***."""
    text = _URL_PASSWORD.sub(rf"\g<head>:{MASK}@", text)
    text = _QUERY_PASSWORD.sub(rf"\g<key>{MASK}", text)
    return _BOT_TOKEN.sub(rf"\g<bot>:{MASK}", text)


def display_url(database_url: str) -> str:
    """A database URL fit to print: its password masked."""
    try:
        return mask_credentials(make_url(database_url).render_as_string(hide_password=True))
    except (ArgumentError, ValueError):  # not parseable: mask what looks like a password anyway
        return mask_credentials(database_url)


class MaskCredentials(logging.Filter):
    """A handler filter: every record is formatted, then masked, before it is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken log call: let logging report it as it always does
            return True
        masked = mask_credentials(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
