"""Settings: production refuses unsafe values; replicas and database URLs are read the way hosts hand them out."""

from __future__ import annotations

import multiprocessing
import stat
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from hiremebahamas.config import ClamdAddress, Settings, generate_secret, installation_secret, normalise_database_url

PG_URL = "postgresql://app:pw@db.internal:5432/hiremebahamas"


def production(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "production",
        "secret_key": generate_secret(),
        "jwt_secret_key": generate_secret(),
        "database_url": PG_URL,
        "database_read_replicas": [],
        **overrides,
    }
    return Settings(_env_file=None, **values)


def refusal(**overrides: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        production(**overrides)
    return str(caught.value)


def test_production_accepts_a_proper_configuration() -> None:
    settings = production()
    assert settings.sqlalchemy_url == "postgresql+asyncpg://app:pw@db.internal:5432/hiremebahamas"
    assert settings.cookies_secure


@pytest.mark.parametrize("name", ["secret_key", "jwt_secret_key"])
@pytest.mark.parametrize("value", ["", "dev-insecure-secret-key-change-me-0000000000"])
def test_production_refuses_a_missing_or_placeholder_secret(name: str, value: str) -> None:
    message = refusal(**{name: value})
    assert f"{name.upper()} must be set to a random value of at least 32 characters" in message


def test_production_never_writes_a_secret_of_its_own(tmp_path: Path) -> None:
    refusal(secret_key="", var_dir=tmp_path)
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("name", ["secret_key", "jwt_secret_key"])
def test_production_refuses_a_short_secret(name: str) -> None:
    message = refusal(**{name: "x" * 31})
    assert f"{name.upper()} must be set to a random value" in message


def test_production_refuses_equal_signing_secrets() -> None:
    secret = generate_secret()
    assert "SECRET_KEY and JWT_SECRET_KEY must differ" in refusal(secret_key=secret, jwt_secret_key=secret)


@pytest.mark.parametrize("url", ["", "sqlite:///var/hiremebahamas.db", "sqlite+aiosqlite:///var/x.db"])
def test_production_refuses_a_missing_or_sqlite_database(url: str) -> None:
    assert "DATABASE_URL must point at PostgreSQL in production" in refusal(database_url=url)


def test_staging_is_held_to_the_production_rules() -> None:
    with pytest.raises(ValidationError, match="must point at PostgreSQL"):
        production(environment="staging", database_url="")


def test_every_problem_is_reported_at_once() -> None:
    message = refusal(secret_key="short", jwt_secret_key="short", database_url="")
    assert "SECRET_KEY must be set" in message
    assert "JWT_SECRET_KEY must be set" in message
    assert "must differ" in message
    assert "DATABASE_URL" in message


def test_development_runs_on_the_defaults() -> None:
    settings = Settings(_env_file=None, environment="development", database_read_replicas=[])
    assert settings.sqlalchemy_url.startswith("sqlite+aiosqlite:///")


def _clear_replica_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_READ_REPLICAS", raising=False)
    for number in range(1, 20):
        monkeypatch.delenv(f"DATABASE_READ_REPLICA_{number}", raising=False)


def test_read_replicas_are_gathered_in_numeric_order(monkeypatch: pytest.MonkeyPatch) -> None:
    _clear_replica_env(monkeypatch)
    # Set out of order, and past 9, so neither insertion nor string order can pass by accident.
    for number in (11, 2, 10, 1, 3, 4, 5, 6, 7, 8, 9):
        monkeypatch.setenv(f"DATABASE_READ_REPLICA_{number}", f"postgres://replica{number}/db")
    settings = Settings(_env_file=None, environment="test")
    assert settings.database_read_replicas == [f"postgres://replica{n}/db" for n in range(1, 12)]
    assert settings.read_replica_urls[0] == "postgresql+asyncpg://replica1/db"


def test_no_replica_variables_means_no_replicas(monkeypatch: pytest.MonkeyPatch) -> None:
    _clear_replica_env(monkeypatch)
    assert Settings(_env_file=None, environment="test").database_read_replicas == []


def test_read_replicas_are_read_from_the_env_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _clear_replica_env(monkeypatch)
    env_file = tmp_path / ".env"
    env_file.write_text("DATABASE_READ_REPLICA_1=postgres://file1/db\nDATABASE_READ_REPLICA_2=postgres://file2/db\n")
    monkeypatch.setenv("DATABASE_READ_REPLICA_1", "postgres://env1/db")  # the environment wins over the file
    settings = Settings(_env_file=env_file, environment="test")
    assert settings.database_read_replicas == ["postgres://env1/db", "postgres://file2/db"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@h:5432/d", "postgresql+asyncpg://u:p@h:5432/d"),
        ("postgresql://u:p@h/d?sslmode=require", "postgresql+asyncpg://u:p@h/d?sslmode=require"),
        ("postgresql+asyncpg://u@h/d", "postgresql+asyncpg://u@h/d"),
        ("sqlite:///var/app.db", "sqlite+aiosqlite:///var/app.db"),
        ("sqlite:////abs/app.db", "sqlite+aiosqlite:////abs/app.db"),
        ("sqlite+aiosqlite:///var/app.db", "sqlite+aiosqlite:///var/app.db"),
    ],
)
def test_normalise_database_url(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected


def development(var_dir: Path, **overrides: Any) -> Settings:
    return Settings(_env_file=None, environment="development", var_dir=var_dir, database_read_replicas=[], **overrides)


def test_development_secrets_are_random_per_installation_and_kept(tmp_path: Path) -> None:
    first = development(tmp_path / "one")
    again = development(tmp_path / "one")
    other = development(tmp_path / "two")
    assert len(first.secret_key) >= 32
    assert len(first.jwt_secret_key) >= 32
    assert first.secret_key != first.jwt_secret_key
    assert (again.secret_key, again.jwt_secret_key) == (first.secret_key, first.jwt_secret_key)
    assert other.secret_key != first.secret_key
    assert other.jwt_secret_key != first.jwt_secret_key
    stored = tmp_path / "one" / "secret_key"
    assert stored.read_text() == first.secret_key
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == ["jwt_secret_key", "secret_key"]


def test_processes_starting_together_agree_on_the_secret(tmp_path: Path) -> None:
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        keys = pool.map(installation_secret, [tmp_path / "secret_key"] * 8)
    assert len(set(keys)) == 1
    assert keys[0] == (tmp_path / "secret_key").read_text()


def test_set_secrets_win_and_old_placeholders_are_replaced(tmp_path: Path) -> None:
    chosen = generate_secret()
    assert development(tmp_path, secret_key=chosen).secret_key == chosen
    placeholder = "dev-insecure-jwt-secret-key-change-me-000000"
    assert development(tmp_path, jwt_secret_key=placeholder).jwt_secret_key != placeholder


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("tcp://127.0.0.1:3310", ClamdAddress(host="127.0.0.1", port=3310)),
        ("tcp://clamav:3310/", ClamdAddress(host="clamav", port=3310)),
        ("unix:///var/run/clamav/clamd.ctl", ClamdAddress(path="/var/run/clamav/clamd.ctl")),
    ],
)
def test_clamav_url_names_a_tcp_or_unix_socket(url: str, address: ClamdAddress) -> None:
    assert Settings(_env_file=None, clamav_url=url).clamav_address == address


@pytest.mark.parametrize(
    "url", ["http://clamav:3310", "tcp://clamav", "clamav:3310", "unix://relative/path", "tcp://clamav:3310/scan"]
)
def test_a_malformed_clamav_url_refuses_to_start(url: str) -> None:
    with pytest.raises(ValidationError, match="CLAMAV_URL must be"):
        Settings(_env_file=None, clamav_url=url)


def test_without_clamav_url_nothing_is_scanned() -> None:
    assert Settings(_env_file=None, clamav_url="").clamav_address is None
