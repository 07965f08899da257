"""All configuration in one pydantic-settings class, read from the environment and `.env`."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

# An invitation link stays usable at most this long (a year covers any consultation).
INVITE_MAX_DAYS = 366


def zoneinfo_area_name(name: str) -> bool:
    """An Area/Location name of the tz database ("Asia/Jakarta"), not a legacy alias."""
    area = name.split("/", 1)[0]
    return "/" in name and area in {
        "Africa",
        "America",
        "Antarctica",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }


class SettingsError(Exception):
    """A setting has a bad value; the message names the environment variable."""


class Settings(BaseSettings):
    """Rembuk's settings. Build one in `main`, never at import time."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    database_url: str = Field("sqlite:///rembuk.db", alias="DATABASE_URL")
    telegram_bot_token: str | None = Field(None, alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str = Field(
        "https://api.telegram.org/bot", alias="TELEGRAM_API_BASE_URL"
    )
    telegram_api_base_file_url: str = Field(
        "https://api.telegram.org/file/bot", alias="TELEGRAM_API_BASE_FILE_URL"
    )
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(frozenset(), alias="REMBUK_ADMIN_IDS")
    timezone: str = Field("Asia/Jakarta", alias="REMBUK_TIMEZONE")
    language: Literal["id", "en"] = Field("id", alias="REMBUK_LANGUAGE")
    paper: Literal["a4", "f4"] = Field("a4", alias="REMBUK_PAPER")  # the draft's page size
    # Key for the respondents' pseudonyms. When unset, a random key is generated once and
    # kept in the database, so pseudonyms stay stable for that database.
    pseudonym_key: str | None = Field(None, alias="REMBUK_PSEUDONYM_KEY")
    free_text_max_length: int = Field(2000, alias="REMBUK_FREE_TEXT_MAX_LENGTH", ge=10)
    # `rembuk import` refuses, before reading it, a file larger than this once uncompressed
    # (an xlsx is a zip: a few MB can expand to GB) or with more data rows than this.
    import_max_bytes: int = Field(200_000_000, alias="REMBUK_IMPORT_MAX_BYTES", ge=1)
    import_max_rows: int = Field(1_000_000, alias="REMBUK_IMPORT_MAX_ROWS", ge=1)

    # Telegram bot ---------------------------------------------------------------------------
    # The bot's @username without the "@", for the links the CLI prints (`rembuk invite`);
    # the running bot asks Telegram (getMe) instead.
    bot_username: str | None = Field(None, alias="REMBUK_BOT_USERNAME", pattern=r"^\w{3,64}$")
    # Webhook mode (`rembuk bot --webhook`): the public HTTPS URL Telegram posts to, the local
    # address the reverse proxy forwards to, and the secret Telegram sends in every request.
    webhook_url: str | None = Field(None, alias="REMBUK_WEBHOOK_URL")
    webhook_listen: str = Field("127.0.0.1", alias="REMBUK_WEBHOOK_LISTEN")
    webhook_port: int = Field(8443, alias="REMBUK_WEBHOOK_PORT", ge=1, le=65535)
    webhook_secret: str | None = Field(
        None, alias="REMBUK_WEBHOOK_SECRET", pattern=r"^[A-Za-z0-9_-]{1,256}$"
    )
    reminder_after_hours: float = Field(24.0, alias="REMBUK_REMINDER_AFTER_HOURS", gt=0)
    expiry_after_days: float = Field(7.0, alias="REMBUK_EXPIRY_AFTER_DAYS", gt=0)
    invite_valid_days: float = Field(
        7.0, alias="REMBUK_INVITE_VALID_DAYS", gt=0, le=INVITE_MAX_DAYS
    )
    # Per-user flood throttle: at most this many updates in the window; the rest are dropped
    # after one polite note.
    throttle_max_updates: int = Field(20, alias="REMBUK_THROTTLE_MAX_UPDATES", ge=1)
    throttle_window_seconds: float = Field(10.0, alias="REMBUK_THROTTLE_WINDOW_SECONDS", gt=0)
    # Overall sending limit of the AIORateLimiter (Telegram allows about 30 messages/s);
    # 0 switches the overall limit off, e.g. for a local Bot API server or the benchmark.
    telegram_rate_limit: float = Field(30.0, alias="REMBUK_TELEGRAM_RATE_LIMIT", ge=0)
    # How often the bot looks for runs to remind or expire.
    housekeeping_interval_seconds: float = Field(
        300.0, alias="REMBUK_HOUSEKEEPING_INTERVAL_SECONDS", gt=0
    )
    # Digest schedule (crontab, in each campaign's time zone) and where reports are written.
    digest_cron: str = Field("0 7 * * 1", alias="REMBUK_DIGEST_CRON")
    output_dir: str = Field("out", alias="REMBUK_OUTPUT_DIR", min_length=1)

    @field_validator("digest_cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        from shared.crontab import cron_trigger

        try:
            cron_trigger(value, "UTC")
        except ValueError as exc:
            raise ValueError(
                f"not a crontab expression ({exc}); e.g. '0 7 * * 1' is Monday 07:00"
            ) from exc
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            try:
                return frozenset(int(part) for part in parts)
            except ValueError as exc:
                raise ValueError(
                    "must be comma-separated numeric Telegram user ids, e.g. 12345,67890"
                ) from exc
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            if value != "UTC" and not zoneinfo_area_name(value):
                raise ValueError(value)
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}, e.g. Asia/Jakarta") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        scheme = value.split("://", 1)[0].lower() if "://" in value else ""
        if scheme.startswith("postgres") and scheme != "postgresql+psycopg":
            # postgresql:// alone means psycopg2 to SQLAlchemy, which Rembuk does not install.
            raise ValueError(
                "name the psycopg driver, e.g. postgresql+psycopg://rembuk@localhost:5432/rembuk"
            )
        if scheme not in ("sqlite", "postgresql+psycopg"):
            raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
        try:
            make_url(value)
        except (ArgumentError, ValueError):
            # Never quote the value: it may hold the password.
            raise ValueError("is not a valid database URL") from None
        return value


def load_settings(**overrides: Any) -> Settings:
    """Build the settings, turning a validation error into one naming the variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            field = error["loc"][0] if error["loc"] else "?"
            info = Settings.model_fields.get(str(field))
            name = info.alias if info and info.alias else str(field).upper()
            message = error["msg"].removeprefix("Value error, ")
            lines.append(f"{name}: {message}")
        raise SettingsError("Invalid setting " + "; ".join(lines)) from exc
