"""Settings: the SQLite options that keep concurrent writes safe, the env helper, and production's fail-fast."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from minipack_web.settings.env import Env

# What `python -c 'import secrets; print(secrets.token_urlsafe(50))'` prints: the shape .env.example asks for.
STRONG_KEY = "q3Jt0n8WkX2vZpL5sYb7HcR1mFgD4eA9uTiOwNxVyKjMlQhPzS6BdCaEf_G-IrU0"
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite connection settings")


@sqlite_only
@pytest.mark.django_db
def test_an_app_connection_uses_wal_normal_sync_and_a_20s_busy_timeout() -> None:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 1  # NORMAL
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 20000
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1


@sqlite_only
def test_sqlite_transactions_take_the_write_lock_at_begin() -> None:
    # IMMEDIATE: a writer waits for the lock instead of failing with "database is locked" (RELIABILITY finding 1).
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert connection.settings_dict["TEST"]["NAME"] != ":memory:"


def test_the_test_settings_are_fast_and_isolated() -> None:
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
    assert settings.EMAIL_BACKEND.endswith("locmem.EmailBackend")


def test_database_url_selects_postgresql_with_health_checks() -> None:
    from minipack_web.settings.base import database_settings

    config = database_settings("postgres://u:p@db.example:5432/minipack", sqlite_path=Path("/unused"))

    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["CONN_MAX_AGE"], config["CONN_HEALTH_CHECKS"]) == ("minipack", 60, True)
    assert "OPTIONS" not in config or "transaction_mode" not in config["OPTIONS"]


def test_a_sqlite_database_url_still_gets_the_safe_options(tmp_path: Path) -> None:
    from minipack_web.settings.base import SQLITE_OPTIONS, database_settings

    config = database_settings(f"sqlite:///{tmp_path}/x.sqlite3", sqlite_path=Path("/unused"))

    assert config["OPTIONS"] == SQLITE_OPTIONS


def test_env_reads_typed_values() -> None:
    env = Env({"FLAG": "yes", "OFF": "0", "HOSTS": "a.example, b.example,,", "BLANK": "  "})

    assert env.boolean("FLAG") is True
    assert env.boolean("OFF") is False
    assert env.boolean("MISSING", default=True) is True
    assert env.strings("HOSTS") == ["a.example", "b.example"]
    assert env.optional("BLANK") is None
    with pytest.raises(ImproperlyConfigured, match="BLANK"):
        env.required("BLANK")
    with pytest.raises(ImproperlyConfigured, match="not a boolean"):
        Env({"FLAG": "maybe"}).boolean("FLAG")


def import_prod(tmp_path: Path, **environ: str) -> subprocess.CompletedProcess[str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-c", "import minipack_web.settings.prod"],
        env={**keep, "MINIPACK_VAR_DIR": str(tmp_path), **environ},
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize(
    ("environ", "missing"),
    [
        ({}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": STRONG_KEY}, "DJANGO_ALLOWED_HOSTS"),
        ({"DJANGO_SECRET_KEY": STRONG_KEY, "DJANGO_ALLOWED_HOSTS": " , "}, "DJANGO_ALLOWED_HOSTS"),
    ],
)
def test_production_settings_fail_fast_when_unconfigured(tmp_path: Path, environ: dict[str, str], missing: str) -> None:
    done = import_prod(tmp_path, **environ)

    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and missing in done.stderr


def test_production_settings_load_when_configured(tmp_path: Path) -> None:
    done = import_prod(tmp_path, DJANGO_SECRET_KEY=STRONG_KEY, DJANGO_ALLOWED_HOSTS="minipack.example")

    assert done.returncode == 0, done.stderr


def test_env_reads_a_site_origin() -> None:
    env = Env({"SITE": "https://minipack.example/", "PORT": "http://127.0.0.1:8000"})

    assert env.origin("SITE") == "https://minipack.example"
    assert env.origin("PORT") == "http://127.0.0.1:8000"
    assert env.origin("MISSING") == ""
    assert env.origin("MISSING", "http://localhost:8000") == "http://localhost:8000"
    for bad in (
        "minipack.example",
        "ftp://minipack.example",
        "https://minipack.example/shop",
        "https://m.example/?a=1",
    ):
        with pytest.raises(ImproperlyConfigured, match="not a site origin"):
            Env({"SITE": bad}).origin("SITE")


def prod_site_url(tmp_path: Path, **environ: str) -> subprocess.CompletedProcess[str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MINIPACK_SITE_URL"))}
    keep.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-c", "import minipack_web.settings.prod as s; print(s.MINIPACK_SITE_URL)"],
        env={**keep, "MINIPACK_VAR_DIR": str(tmp_path), "DJANGO_SECRET_KEY": STRONG_KEY, **environ},
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize(
    ("environ", "site_url"),
    [
        ({"DJANGO_ALLOWED_HOSTS": ".minipack.example,minipack.example"}, "https://minipack.example"),
        (
            {"DJANGO_ALLOWED_HOSTS": "minipack.example", "MINIPACK_SITE_URL": "https://www.minipack.example/"},
            "https://www.minipack.example",
        ),
    ],
)
def test_production_takes_the_site_url_or_the_first_single_allowed_host(
    tmp_path: Path, environ: dict[str, str], site_url: str
) -> None:
    done = prod_site_url(tmp_path, **environ)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == site_url


def test_production_refuses_to_guess_a_site_url_from_wildcard_hosts(tmp_path: Path) -> None:
    done = prod_site_url(tmp_path, DJANGO_ALLOWED_HOSTS="*")

    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and "MINIPACK_SITE_URL" in done.stderr


@pytest.mark.parametrize(
    "key",
    [
        "x" * 50,  # long, but five different characters at least
        "short-but-random-Qz8",
        "django-insecure-" + STRONG_KEY,  # what startproject writes
        "dev-only-insecure-key-do-not-use-in-production" + STRONG_KEY,  # dev.py's, lengthened
    ],
)
def test_production_refuses_a_weak_or_placeholder_secret_key_without_printing_it(tmp_path: Path, key: str) -> None:
    done = import_prod(tmp_path, DJANGO_SECRET_KEY=key, DJANGO_ALLOWED_HOSTS="minipack.example")

    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and "DJANGO_SECRET_KEY" in done.stderr
    assert key not in done.stderr


def test_production_refuses_a_weak_old_key_kept_for_rotation(tmp_path: Path) -> None:
    done = import_prod(
        tmp_path, DJANGO_SECRET_KEY=STRONG_KEY, DJANGO_SECRET_KEY_FALLBACKS="old", DJANGO_ALLOWED_HOSTS="m.example"
    )

    assert done.returncode != 0 and "DJANGO_SECRET_KEY_FALLBACKS" in done.stderr


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgres//minipack:hunter2@db/minipack", "is not a database URL"),
        ("postgres://minipack:hunter2@db:notaport/minipack", "is not a database URL"),
        ("mysql://minipack:hunter2@db/minipack", "is not supported"),
        ("postgres://minipack:hunter2@db", "names no database"),
        ("sqlite://", "names no database"),  # in memory: another empty database in every process
    ],
)
def test_production_refuses_a_malformed_database_url_without_printing_its_password(
    tmp_path: Path, url: str, says: str
) -> None:
    done = import_prod(tmp_path, DJANGO_SECRET_KEY=STRONG_KEY, DJANGO_ALLOWED_HOSTS="m.example", DATABASE_URL=url)

    assert done.returncode != 0
    assert "ImproperlyConfigured: DATABASE_URL" in done.stderr and says in done.stderr
    assert "hunter2" not in done.stderr


def prod_values(tmp_path: Path, *names: str, **environ: str) -> dict[str, object]:
    from .production import prod_settings

    return prod_settings(tmp_path, list(names), **environ)


def test_production_runs_on_sqlite_in_the_var_dir_unless_database_url_says_otherwise(tmp_path: Path) -> None:
    (databases,) = prod_values(tmp_path, "DATABASES").values()

    assert databases["default"]["ENGINE"] == "django.db.backends.sqlite3"  # type: ignore[index]
    assert databases["default"]["NAME"] == str(tmp_path / "db.sqlite3")  # type: ignore[index]


def test_production_is_https_only_unless_a_plain_http_trial_is_asked_for(tmp_path: Path) -> None:
    names = ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE")

    assert list(prod_values(tmp_path, *names).values()) == [True, 31_536_000, True, True]
    assert list(prod_values(tmp_path, *names, MINIPACK_PLAIN_HTTP="1").values()) == [False, 0, False, False]


def test_production_refuses_an_unknown_log_level(tmp_path: Path) -> None:
    done = import_prod(
        tmp_path, DJANGO_SECRET_KEY=STRONG_KEY, DJANGO_ALLOWED_HOSTS="m.example", MINIPACK_LOG_LEVEL="loud"
    )

    assert done.returncode != 0 and "MINIPACK_LOG_LEVEL" in done.stderr


def check_deploy(tmp_path: Path, **environ: str) -> subprocess.CompletedProcess[str]:
    from .production import ROOT, prod_environ

    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=prod_environ(tmp_path, **environ),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_the_deploy_check_passes_on_production_settings(tmp_path: Path) -> None:
    done = check_deploy(tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues (0 silenced)" in done.stdout


def test_the_deploy_check_fails_a_production_server_run_over_plain_http(tmp_path: Path) -> None:
    """The gate is real: with HTTPS off, Django's own deploy checks object."""
    done = check_deploy(tmp_path, MINIPACK_PLAIN_HTTP="1")

    assert done.returncode != 0
    assert {"security.W004", "security.W008", "security.W012", "security.W016"} <= set(
        re.findall(r"security\.W\d+", done.stdout + done.stderr)
    )


def test_gunicorn_s_configuration_reads_its_knobs_from_the_environment(tmp_path: Path) -> None:
    script = (
        "import json, minipack_web.gunicorn_conf as c; print(json.dumps([c.workers, c.threads, c.bind, c.timeout]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "MINIPACK_WORKERS": "3", "MINIPACK_THREADS": "8", "MINIPACK_BIND": "0.0.0.0:9000"},
        capture_output=True,
        text=True,
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [3, 8, ["0.0.0.0:9000"], 30]
