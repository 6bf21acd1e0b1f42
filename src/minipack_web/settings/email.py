"""Outgoing mail from the environment: ``EMAIL_URL``, or ``EMAIL_HOST`` and its companions, plus the newsletter's knobs.

``EMAIL_URL`` names everything at once:

* ``smtp://user:password@host:587?tls=1`` SMTP, with STARTTLS when ``tls`` is on;
* ``smtps://user:password@host:465`` SMTP over TLS from the first byte;
* ``console://`` print each mail on standard output (development);
* ``file:///absolute/dir`` write each mail to a file in that directory;
* ``locmem://`` keep mails in ``django.core.mail.outbox`` (tests).

Without it, ``EMAIL_HOST`` (with ``EMAIL_PORT``, ``EMAIL_HOST_USER``,
``EMAIL_HOST_PASSWORD``, ``EMAIL_USE_TLS``, ``EMAIL_USE_SSL``) selects SMTP;
with neither, the caller's default applies (development prints mail, other
environments use SMTP on localhost:25, Django's default, a local MTA). SMTP
always goes through ``minipack_web.newsletter.mail.SMTPBackend``, which hands
a message over in two steps (docs/decisions/0010-newsletter.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

from minipack_web.settings.env import Env

SMTP_BACKEND = "minipack_web.newsletter.mail.SMTPBackend"
CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"
_BACKENDS = {
    "console": CONSOLE_BACKEND,
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class MailSettings:
    configured: bool  # EMAIL_URL or EMAIL_HOST was given
    backend: str
    host: str = "localhost"
    port: int = 25
    user: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False
    file_path: str = ""


def _port(name: str, raw: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a port number (1-65535).")
    return int(raw)


def mail_settings(env: Env, *, default_backend: str = SMTP_BACKEND) -> MailSettings:
    """How mail leaves this deployment; ``ImproperlyConfigured`` naming the variable that cannot be read."""
    url = env.optional("EMAIL_URL")
    if url is not None:
        return _from_url(url)
    host = env.optional("EMAIL_HOST")
    if host is None:
        return MailSettings(configured=False, backend=default_backend)
    use_tls, use_ssl = env.boolean("EMAIL_USE_TLS"), env.boolean("EMAIL_USE_SSL")
    if use_tls and use_ssl:
        raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are both on: choose one.")
    return MailSettings(
        configured=True,
        backend=SMTP_BACKEND,
        host=host,
        port=_port("EMAIL_PORT", env.optional("EMAIL_PORT") or ("465" if use_ssl else "25")),
        user=env.string("EMAIL_HOST_USER"),
        password=env.string("EMAIL_HOST_PASSWORD"),
        use_tls=use_tls,
        use_ssl=use_ssl,
    )


def _from_url(url: str) -> MailSettings:
    parts = urlsplit(url)
    if parts.scheme in _BACKENDS:
        if parts.scheme == "file":
            if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
                raise ImproperlyConfigured(f"EMAIL_URL={url!r}: a file backend needs an absolute directory.")
            return MailSettings(configured=True, backend=_BACKENDS["file"], file_path=unquote(parts.path))
        return MailSettings(configured=True, backend=_BACKENDS[parts.scheme])
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ImproperlyConfigured(
            f"EMAIL_URL={_redacted(url)!r}: use smtp://user:password@host:port[?tls=1], smtps://…, "
            "console://, file:///dir or locmem://."
        )
    query = parse_qs(parts.query)
    use_tls = query.get("tls", [""])[-1].lower() in _TRUE
    use_ssl = parts.scheme == "smtps"
    if use_tls and use_ssl:
        raise ImproperlyConfigured("EMAIL_URL: smtps:// is TLS already; drop ?tls=1.")
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(f"EMAIL_URL={_redacted(url)!r}: the port is not a number (1-65535).") from None
    return MailSettings(
        configured=True,
        backend=SMTP_BACKEND,
        host=parts.hostname,
        port=port or (465 if use_ssl else 25),
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=use_tls,
        use_ssl=use_ssl,
    )


def _redacted(url: str) -> str:
    """The URL without its password, for error messages (they end up in logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def positive_number(env: Env, name: str, default: float) -> float:
    """A number above zero ('10', '0.5'); ``default`` when unset."""
    raw = env.optional(name)
    if raw is None:
        return float(default)
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number above zero.")
    return value


def default_file_path(var_dir: Path) -> str:
    return str(var_dir / "mail")
