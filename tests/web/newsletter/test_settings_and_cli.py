"""Mail settings from the environment, and the `minipack` commands of the newsletter."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from minipack_web.cli import build_parser
from minipack_web.settings.email import CONSOLE_BACKEND, SMTP_BACKEND, mail_settings, positive_number
from minipack_web.settings.env import Env


def test_an_smtp_url_names_host_port_login_and_tls() -> None:
    mail = mail_settings(Env({"EMAIL_URL": "smtp://news%40m.example:p%3Ass@mail.example:587?tls=1"}))

    assert (mail.backend, mail.host, mail.port) == (SMTP_BACKEND, "mail.example", 587)
    assert (mail.user, mail.password, mail.use_tls, mail.use_ssl) == ("news@m.example", "p:ss", True, False)


def test_smtps_is_tls_from_the_first_byte_on_465() -> None:
    mail = mail_settings(Env({"EMAIL_URL": "smtps://u:p@mail.example"}))

    assert (mail.port, mail.use_ssl, mail.use_tls) == (465, True, False)


def test_other_backends_by_url() -> None:
    assert mail_settings(Env({"EMAIL_URL": "console://"})).backend == CONSOLE_BACKEND
    assert mail_settings(Env({"EMAIL_URL": "locmem://"})).backend.endswith("locmem.EmailBackend")
    file = mail_settings(Env({"EMAIL_URL": "file:///var/mail/minipack"}))
    assert (file.backend.endswith("filebased.EmailBackend"), file.file_path) == (True, "/var/mail/minipack")


def test_host_variables_when_there_is_no_url() -> None:
    mail = mail_settings(Env({"EMAIL_HOST": "mail.example", "EMAIL_PORT": "2525", "EMAIL_USE_TLS": "yes"}))

    assert (mail.configured, mail.backend, mail.host, mail.port, mail.use_tls) == (
        True,
        SMTP_BACKEND,
        "mail.example",
        2525,
        True,
    )
    unset = mail_settings(Env({}), default_backend=CONSOLE_BACKEND)
    assert (unset.configured, unset.backend) == (False, CONSOLE_BACKEND)


@pytest.mark.parametrize(
    ("environ", "complaint"),
    [
        ({"EMAIL_URL": "smtp://u:secret@mail.example:99999"}, "port"),
        ({"EMAIL_URL": "imap://mail.example"}, "use smtp://"),
        ({"EMAIL_URL": "smtps://mail.example?tls=1"}, "TLS already"),
        ({"EMAIL_URL": "file://relative/dir"}, "absolute directory"),
        ({"EMAIL_HOST": "mail.example", "EMAIL_PORT": "smtp"}, "EMAIL_PORT"),
        ({"EMAIL_HOST": "mail.example", "EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}, "choose one"),
    ],
)
def test_unreadable_mail_settings_stop_start_up_naming_the_variable(environ: dict[str, str], complaint: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=complaint) as caught:
        mail_settings(Env(environ))
    assert "secret" not in str(caught.value)  # passwords never reach the logs


def test_rates_and_timeouts_must_be_positive_numbers() -> None:
    assert positive_number(Env({"R": "0.5"}), "R", 10) == 0.5
    assert positive_number(Env({}), "R", 10) == 10
    for bad in ("0", "-1", "fast", "nan", "inf"):
        with pytest.raises(ImproperlyConfigured, match="R="):
            positive_number(Env({"R": bad}), "R", 10)


def test_development_sends_to_smtp_when_told_to_and_prints_mail_otherwise(tmp_path: Path) -> None:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_", "DATABASE_URL"))}

    def backend(**environ: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", "import minipack_web.settings.dev as s; print(s.EMAIL_BACKEND, s.EMAIL_TIMEOUT)"],
            env={**keep, "MINIPACK_VAR_DIR": str(tmp_path), **environ},
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert backend() == f"{CONSOLE_BACKEND} 10.0"
    assert backend(EMAIL_URL="smtp://127.0.0.1:2525", EMAIL_TIMEOUT="3") == f"{SMTP_BACKEND} 3.0"


def test_the_command_line_refuses_a_rate_that_is_not_a_positive_number(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    assert parser.parse_args(["send-digest", "--rate", "2.5"]).rate == 2.5
    for bad in ("0", "-3", "lots"):
        with pytest.raises(SystemExit) as caught:
            parser.parse_args(["send-digest", "--rate", bad])
        assert caught.value.code == 2
    assert "mails per second" in capsys.readouterr().err
    assert parser.parse_args(["import-subscribers", "list.csv", "--dry-run"]).dry_run is True
