"""The request log and production's JSON logs: what an operator reads when something goes wrong."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from minipack_web.catalog.services import catalog_load_bundled
from minipack_web.monitoring.logs import TOKEN_PATH_PREFIXES, RequestLog, loggable_path

from ..production import ROOT, prod_environ
from ..wsgi_calls import keep_test_connection, wsgi_get  # noqa: F401 - a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("keep_test_connection")]


def request_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [
        {k: getattr(r, k) for k in ("method", "path", "status", "duration_ms", "cache")}
        for r in caplog.records
        if r.name == "minipack.request"
    ]


def test_each_request_is_logged_once_with_its_status_duration_and_cache_state(caplog: pytest.LogCaptureFixture) -> None:
    catalog_load_bundled()
    caplog.set_level(logging.INFO, logger="minipack.request")

    wsgi_get("/faq/")
    wsgi_get("/faq/")  # answered by the page cache's front door: Django never sees it
    wsgi_get("/no-such-page/?q=private+words")

    lines = request_lines(caplog)
    assert [(x["method"], x["path"], x["status"], x["cache"]) for x in lines] == [
        ("GET", "/faq/", 200, "miss"),
        ("GET", "/faq/", 200, "hit"),
        ("GET", "/no-such-page/", 404, None),  # the query string is not logged: it holds what people typed
    ]
    assert all(isinstance(x["duration_ms"], float) and x["duration_ms"] >= 0 for x in lines)


def test_a_sampled_log_keeps_the_first_hit_then_one_in_n_and_every_other_request(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def site(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        cache = environ["PATH_INFO"].strip("/")  # "/hit/" is answered from the cache, "/miss/" rendered
        start_response("200 OK", [("Content-Type", "text/html"), ("X-Cache", cache)])
        return [b"page"]

    app = RequestLog(site, hit_sample=3)
    caplog.set_level(logging.INFO, logger="minipack.request")
    for path in ["/hit/"] * 4 + ["/miss/"] + ["/hit/"] * 3 + ["/other/"]:
        body = app({"REQUEST_METHOD": "GET", "PATH_INFO": path}, lambda status, headers, exc_info=None: None)
        body.close()  # type: ignore[attr-defined]

    logged = [(r.path, r.cache, getattr(r, "sample", None)) for r in caplog.records if r.name == "minipack.request"]
    # Hits 1, 4 and 7 stand for three each; the rendered page and the other answer are each logged.
    assert logged == [
        ("/hit/", "hit", 3),
        ("/hit/", "hit", 3),
        ("/miss/", "miss", None),
        ("/hit/", "hit", 3),
        ("/other/", "other", None),
    ]
    with pytest.raises(ValueError, match="hit_sample=0"):
        RequestLog(site, hit_sample=0)


def test_production_samples_hits_unless_told_otherwise(tmp_path: Path) -> None:
    def sample(**env: str) -> subprocess.CompletedProcess[str]:
        script = (
            "import django\ndjango.setup()\nfrom django.conf import settings\nprint(settings.MINIPACK_LOG_HIT_SAMPLE)"
        )
        return subprocess.run(
            [sys.executable, "-c", script], env=prod_environ(tmp_path) | env, cwd=ROOT, capture_output=True, text=True
        )

    assert sample().stdout.strip() == "100"
    assert sample(MINIPACK_LOG_HIT_SAMPLE="1").stdout.strip() == "1"
    refused = sample(MINIPACK_LOG_HIT_SAMPLE="0")
    assert refused.returncode != 0
    assert "MINIPACK_LOG_HIT_SAMPLE='0' is not a whole number of at least 1" in refused.stderr


def test_a_link_with_a_token_is_logged_without_the_token(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="minipack.request")

    wsgi_get("/newsletter/unsubscribe/c2VjcmV0LXN1YnNjcmliZXI:1vXyZ:abc/")

    assert [x["path"] for x in request_lines(caplog)] == ["/newsletter/unsubscribe/<token>/"]


def test_every_route_that_carries_a_token_has_its_token_kept_out_of_the_log() -> None:
    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> list[str]:
        found = []
        for entry in patterns:
            if isinstance(entry, URLResolver):
                found += walk(entry.url_patterns, prefix + str(entry.pattern))
            elif "token" in entry.pattern.converters:  # type: ignore[attr-defined]
                found.append("/" + prefix + str(entry.pattern))
        return found

    with_tokens = walk(get_resolver().url_patterns, "")

    assert with_tokens, "the newsletter and comment links carry tokens"
    for route in with_tokens:
        sample = route.replace("<str:token>", "SECRET-TOKEN")
        assert "SECRET" not in loggable_path(sample), f"{route}: add its prefix to TOKEN_PATH_PREFIXES"
    assert len(TOKEN_PATH_PREFIXES) == len(with_tokens)  # no prefix left over from a route that is gone


# A production process: migrate its own SQLite file, then serve three requests through wsgi.application,
# one of them a view that fails. Static files from the app folders: this test is about logs, not collectstatic.
PROD_SCRIPT = textwrap.dedent(
    """
    import sys
    from django.core.management import call_command
    import django
    django.setup()
    from django.test.utils import override_settings
    call_command("migrate", verbosity=0)
    import minipack_web.guides.views as views
    def broken(**kwargs):
        raise RuntimeError("boom in the FAQ")
    views.faq_page = broken
    from django.test import RequestFactory
    plain = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(STORAGES=plain):
        from minipack_web.wsgi import application
        for path, host in (
            ("/healthz", "minipack.example"),
            ("/no-such-page/", "minipack.example"),
            ("/faq/", "minipack.example"),
            ("/newsletter/unsubscribe/c2VjcmV0:1vXyZ:abc/", "minipack.example"),
            ("/healthz", "evil.example"),
        ):
            environ = RequestFactory().get(path, HTTP_X_FORWARDED_PROTO="https", HTTP_HOST=host).environ
            body = application(environ, lambda status, headers, exc_info=None: None)
            sys.stdout.buffer.write(b"".join(body) + b"\\n=====\\n")
            body.close()
    """
)


def test_production_logs_one_json_object_per_line_with_errors_and_their_traceback(tmp_path: Path) -> None:
    (tmp_path / "static").mkdir()  # where collectstatic would have written (WhiteNoise warns when it is missing)
    done = subprocess.run(
        [sys.executable, "-c", PROD_SCRIPT], env=prod_environ(tmp_path), cwd=ROOT, capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]

    lines = [json.loads(line) for line in done.stderr.decode().splitlines()]  # every line is one JSON object
    requests = [x for x in lines if x["logger"] == "minipack.request"]
    assert [(x["method"], x["path"], x["status"]) for x in requests] == [
        ("GET", "/healthz", 200),
        ("GET", "/no-such-page/", 404),
        ("GET", "/faq/", 500),
        ("GET", "/newsletter/unsubscribe/<token>/", 400),
        ("GET", "/healthz", 400),  # a foreign Host: one line, without Django's traceback for it
    ]
    assert not [x for x in lines if x["logger"] == "django.security.DisallowedHost"]
    assert "c2VjcmV0" not in done.stderr.decode()  # nor in Django's own "Bad Request: <path>" line
    assert all({"time", "level", "duration_ms"} <= x.keys() for x in requests)
    (error,) = [x for x in lines if x["logger"] == "django.request" and x["level"] == "ERROR"]
    assert "Traceback" in error["exc_info"] and "RuntimeError: boom in the FAQ" in error["exc_info"]
    assert "request" not in error  # the request object's repr (with its query string) stays out

    error_page = done.stdout.decode().split("\n=====\n")[2]
    assert "Something went wrong on our side" in error_page
    assert "boom" not in error_page and "Traceback" not in error_page
