"""The comment settings: numbers and proxy lists from the environment, refused at start-up when they are wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from minipack_web.settings.env import Env

ROOT = Path(__file__).resolve().parents[3]


def test_the_defaults_are_the_documented_limits() -> None:
    assert settings.MINIPACK_COMMENT_FLOOD_SECONDS == 15
    assert settings.MINIPACK_COMMENT_FORM_MIN_SECONDS == 3
    assert settings.MINIPACK_COMMENT_FORM_MAX_SECONDS == 2 * 60 * 60
    assert settings.MINIPACK_COMMENT_HOURLY_LIMIT == 20


def test_a_whole_number_is_read_and_anything_else_is_refused_by_name() -> None:
    env = Env({"N": "0", "BAD": "1.5", "NEG": "-1", "WORD": "ten"})
    assert env.integer("N", 15) == 0
    assert env.integer("UNSET", 15) == 15
    for name in ("BAD", "NEG", "WORD"):
        with pytest.raises(ImproperlyConfigured, match=name):
            env.integer(name, 15)


def _settings_start(**env: str) -> subprocess.CompletedProcess[str]:
    code = "import django; django.setup(); from django.conf import settings; print(settings.MINIPACK_TRUSTED_PROXIES)"
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "minipack_web.settings.test", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_bad_trusted_proxy_stops_start_up_naming_it() -> None:
    done = _settings_start(MINIPACK_TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/33")
    assert done.returncode != 0
    assert "MINIPACK_TRUSTED_PROXIES" in done.stderr and "10.0.0.0/33" in done.stderr


def test_trusted_proxies_are_read_as_a_list() -> None:
    done = _settings_start(MINIPACK_TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['127.0.0.1', '10.0.0.0/8']"
