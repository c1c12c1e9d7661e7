"""DATABASE_URL as platforms write it: both schemes, libpq query parameters, clear errors that never show the
password, and the parent's configuration reading it."""

from __future__ import annotations

import pytest

from azura_common.config import ConfigError
from azura_parent.config import ParentConfig
from azura_parent.store.url import is_database_url, parse_database_url

SECRET = "pa55-w0rd"


@pytest.mark.parametrize(
    ("url", "dsn", "shown"),
    [
        (  # Heroku Postgres
            f"postgres://u1:{SECRET}@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d8kq",
            f"postgresql://u1:{SECRET}@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d8kq",
            "postgresql://u1:***@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d8kq",
        ),
        (  # Fly Postgres / any managed PostgreSQL with TLS required
            f"postgresql://azura:{SECRET}@db.internal:5433/azura?sslmode=require",
            f"postgresql://azura:{SECRET}@db.internal:5433/azura?sslmode=require",
            "postgresql://azura:***@db.internal:5433/azura?sslmode=require",
        ),
        (  # Neon and others add libpq parameters asyncpg has no use for: dropped
            f"postgresql://a:{SECRET}@ep-x.aws.neon.tech/neondb?sslmode=verify-full&channel_binding=require",
            f"postgresql://a:{SECRET}@ep-x.aws.neon.tech/neondb?sslmode=verify-full",
            "postgresql://a:***@ep-x.aws.neon.tech/neondb?sslmode=verify-full",
        ),
        (  # a Unix socket directory, a password as a parameter, a schema of its own
            f"postgresql://azura@/azura?host=/run/postgresql&password={SECRET}&search_path=bot",
            f"postgresql://azura@/azura?host=%2Frun%2Fpostgresql&password={SECRET}&search_path=bot",
            "postgresql://azura@/azura?host=/run/postgresql&password=***&search_path=bot",
        ),
    ],
)
def test_urls_platforms_give_are_understood(url: str, dsn: str, shown: str) -> None:
    assert is_database_url(url)
    target = parse_database_url(url)
    assert target.dsn == dsn
    assert target.display == shown
    assert SECRET not in repr(target)
    assert target.connect_timeout_s == 10.0


def test_connect_timeout_is_taken_from_the_url() -> None:
    target = parse_database_url("postgres://u:p@h/d?connect_timeout=3")
    assert (target.connect_timeout_s, target.dsn) == (3.0, "postgresql://u:p@h/d")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (f"mysql://u:{SECRET}@h/d", "must be a postgres:// or postgresql:// URL (unset it to keep the SQLite file)"),
        (f"postgres://u:{SECRET}@h:99999/d", "has a port that is not a number from 1 to 65535: "
         "postgres://u:***@h:99999/d"),
        (f"postgres://u:{SECRET}@h:port/d", "has a port that is not a number from 1 to 65535: "
         "postgres://u:***@h:port/d"),
        (f"postgres://u:{SECRET}@[::1/d", "is not a valid URL: postgres://***"),
        (f"postgres://u:{SECRET}@h/d?sslmode=yes", "sslmode must be one of disable, allow, prefer, require, "
         "verify-ca, verify-full, not 'yes'"),
        (f"postgres://u:{SECRET}@h/d?connect_timeout=soon", "connect_timeout must be a positive number of seconds,"
         " not 'soon'"),
        (f"postgres://u:{SECRET}@h/d?schema=bot", "has a parameter this bot does not understand: 'schema'"),
        (f"postgres://u:{SECRET}@/d", "names no server (postgres://user:password@host:5432/dbname): "
         "postgres://u:***@/d"),
    ],
)  # fmt: skip
def test_bad_urls_say_what_is_wrong_without_the_password(url: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_database_url(url)
    assert str(caught.value).startswith(message)
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize("text", ["data/azura.sqlite3", ":memory:", "/var/lib/azura/db", "sqlite:///x.db", ""])
def test_paths_are_not_database_urls(text: str) -> None:
    assert not is_database_url(text)


BASE_ENV = {"AZURA_PARENT_TOKEN": "t", "AZURA_DB_PATH": "/tmp/x.sqlite3"}


def test_parent_config_reads_database_url_and_hides_it() -> None:
    url = f"postgres://azura:{SECRET}@db:5432/azura"
    config = ParentConfig.from_env({**BASE_ENV, "DATABASE_URL": url})
    assert config.database_url == url
    assert SECRET not in repr(config)
    assert ParentConfig.from_env(BASE_ENV).database_url is None
    assert ParentConfig.from_env({**BASE_ENV, "DATABASE_URL": "  "}).database_url is None


def test_a_bad_database_url_is_a_config_error_naming_the_variable() -> None:
    with pytest.raises(ConfigError) as caught:
        ParentConfig.from_env({**BASE_ENV, "DATABASE_URL": f"postgres://azura:{SECRET}@db:5432/azura?sslmode=on"})
    assert str(caught.value).startswith("DATABASE_URL sslmode must be one of disable, allow, prefer, require")
    assert SECRET not in str(caught.value)
