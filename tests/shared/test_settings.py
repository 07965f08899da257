"""Settings come from the environment; a bad value names its variable."""

from __future__ import annotations

import pytest

from shared.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in (
        "DATABASE_URL",
        "REMBUK_ADMIN_IDS",
        "REMBUK_TIMEZONE",
        "REMBUK_LANGUAGE",
        "TELEGRAM_BOT_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)


def test_defaults() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite:///rembuk.db"
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert settings.telegram_api_base_file_url == "https://api.telegram.org/file/bot"
    assert settings.timezone == "Asia/Jakarta" and settings.language == "id"
    assert settings.admin_ids == frozenset() and settings.telegram_bot_token is None


def test_environment_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("REMBUK_ADMIN_IDS", " 12, 34 ,56")
    (tmp_path / ".env").write_text("REMBUK_LANGUAGE=en\nREMBUK_TIMEZONE=Asia/Makassar\n")
    settings = load_settings()
    assert settings.admin_ids == {12, 34, 56}
    assert settings.language == "en" and settings.timezone == "Asia/Makassar"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REMBUK_ADMIN_IDS", "12,abc"),
        ("REMBUK_TIMEZONE", "Mars/Olympus"),
        ("REMBUK_LANGUAGE", "fr"),
        ("DATABASE_URL", "mysql://x"),
        ("DATABASE_URL", "postgresql://rembuk:pw@localhost/rembuk"),
        ("DATABASE_URL", "postgresql+psycopg2://rembuk@localhost/rembuk"),
        ("DATABASE_URL", "postgresql+psycopg://rembuk:pw@localhost:port/rembuk"),
        ("REMBUK_INVITE_VALID_DAYS", "0"),
        ("REMBUK_INVITE_VALID_DAYS", "99999999"),
        ("REMBUK_DIGEST_CRON", "0 7 * *"),
        ("REMBUK_DIGEST_CRON", "0 7 * * 8"),
    ],
)
def test_a_bad_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert str(error.value).startswith(f"Invalid setting {name}:")
    assert "pw" not in str(error.value)  # a URL's password is never quoted back


def test_postgresql_without_the_driver_says_which_url_to_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1/rembuk")
    with pytest.raises(SettingsError, match=r"postgresql\+psycopg://"):
        load_settings()


@pytest.mark.parametrize("expression", ["0 7 * * 0", "0 7 * * 7", "30 6 * * 1-5", "0 7 * * mon"])
def test_digest_cron_takes_standard_crontab(monkeypatch: pytest.MonkeyPatch, expression) -> None:  # type: ignore[no-untyped-def]
    # 0 and 7 are both Sunday in crontab, as the scheduler reads them (shared.crontab).
    monkeypatch.setenv("REMBUK_DIGEST_CRON", expression)
    assert load_settings().digest_cron == expression
