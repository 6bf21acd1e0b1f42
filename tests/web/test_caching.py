"""The public page cache: repeat visits are served from it, and an edit anywhere shows on the next request.

Most tests run inside the usual rolled-back transaction, where Django never
commits and so never runs on-commit callbacks; an edit is made inside
``django_capture_on_commit_callbacks(execute=True)`` to run them as a commit would.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from django.core import signals
from django.core.cache import BaseCache
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import RequestContext, Template
from django.test import Client, RequestFactory
from django.urls import path
from django.views.decorators.csrf import csrf_protect
from selectolax.lexbor import LexborHTMLParser

from minipack_web.caching import cache_public_page, clear_local_pages
from minipack_web.caching.pages import register_fresh_value
from minipack_web.catalog.models import Product
from minipack_web.catalog.services import catalog_import, catalog_load_bundled

from .factories import as_records, make_product

ROOT = Path(__file__).resolve().parents[2]
KANKEN = "/bags/fjallraven-kanken-mini/"


@pytest.fixture
def bundled(db: None) -> None:
    catalog_load_bundled()


# What is made anew for every response even from the cache: each visitor's CSRF token, a form's "made at" stamp.
PER_RESPONSE = re.compile(r'(name="(?:csrfmiddlewaretoken|issued)" value=")[^"]*"')


def page(client: Client, url: str) -> tuple[str, str | None]:
    """The page (its per-response values blanked, so two responses compare equal) and its X-Cache header."""
    response = client.get(url)
    assert response.status_code == 200, url
    return PER_RESPONSE.sub(r'\1"', response.content.decode()), response.headers.get("X-Cache")


# --------------------------------------------------------------------------- hits


def test_a_second_visit_is_served_from_the_cache_without_touching_the_database(
    client: Client, bundled: None, django_assert_num_queries: Any
) -> None:
    for url in (
        "/",
        KANKEN,
        "/table/",
        "/compare/?bags=fjallraven-kanken-mini,aotian-mini-backpack",
        "/search/?q=kanken",
        "/faq/",
    ):
        first, state = page(client, url)
        assert state == "miss", url
        with django_assert_num_queries(0):
            again, state = page(client, url)
        assert (again, state) == (first, "hit"), url


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """Let the real WSGI handler run a request without closing the test's database connection (the test client
    does the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_the_wsgi_front_serves_a_stored_page_with_every_header_django_sent(
    bundled: None, keep_test_connection: None, django_assert_num_queries: Any
) -> None:
    from minipack_web.wsgi import application  # wraps the Django application in PageCacheFront

    def call(url: str) -> tuple[str, dict[str, str], bytes]:
        environ = RequestFactory().get(url).environ
        answer: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            answer.update(status=status, headers=dict(headers))

        body = b"".join(application(environ, start_response))
        return answer["status"], answer["headers"], body

    status, headers, body = call("/table/")
    assert (status, headers["X-Cache"]) == ("200 OK", "miss")
    with django_assert_num_queries(0):
        again_status, again_headers, again_body = call("/table/")
    assert (again_status, again_headers.pop("X-Cache")) == ("200 OK", "hit")
    assert PER_RESPONSE.sub("", again_body.decode()) == PER_RESPONSE.sub("", body.decode())
    headers.pop("X-Cache")
    # The footer's signup form gives each visitor their own CSRF cookie; every other header is Django's.
    assert "csrftoken=" in again_headers.pop("Set-Cookie", "") and "csrftoken=" in headers.pop("Set-Cookie", "")
    assert again_headers == headers
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"


def test_query_string_variants_are_separate_pages_and_parameter_order_does_not_matter(
    client: Client, bundled: None
) -> None:
    inches, _ = page(client, "/table/?units=in&sort=price")
    centimetres, state = page(client, "/table/?units=cm&sort=price")
    assert state == "miss" and centimetres != inches
    assert "cm" in centimetres
    assert page(client, "/table/?sort=price&units=in") == (inches, "hit")
    assert page(client, "/table/?units=cm&sort=price") == (centimetres, "hit")


def test_an_editor_with_a_session_never_gets_the_visitors_copy(admin_client: Client, client: Client) -> None:
    page(client, "/faq/")
    assert page(client, "/faq/")[1] == "hit"
    assert page(admin_client, "/faq/")[1] is None


# --------------------------------------------------------------------------- edits


def form_data(html: str, form_id: str) -> dict[str, Any]:
    """What a browser would submit from the form, unchanged: every input, select and textarea."""
    form = LexborHTMLParser(html).css_first(f"form#{form_id}")
    assert form is not None, form_id
    data: dict[str, Any] = {}
    for node in form.css("input, select, textarea"):
        attrs = node.attributes
        name, kind = attrs.get("name"), attrs.get("type", "text")
        if not name or kind in ("submit", "button", "file", "image") or "disabled" in attrs:
            continue
        if kind in ("checkbox", "radio"):
            if "checked" in attrs:
                data.setdefault(name, []).append(attrs.get("value") or "on")
        elif node.tag == "select":
            chosen = [o.attributes.get("value") or "" for o in node.css("option") if "selected" in o.attributes]
            if chosen:
                data[name] = chosen if "multiple" in attrs else chosen[0]
        elif node.tag == "textarea":
            data[name] = node.text()
        else:
            data[name] = attrs.get("value") or ""
    return data


def test_an_editor_s_rename_in_the_admin_shows_at_once_on_the_bag_page_the_table_and_the_home_page(
    admin_client: Client,
    client: Client,
    bundled: None,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    product = Product.objects.get(slug="fjallraven-kanken-mini")
    pages = ("/", KANKEN, "/table/")
    for url in pages:
        page(client, url)
        assert page(client, url)[1] == "hit"
        assert "Kånken Mini Classic Relaunch" not in page(client, url)[0]

    change_url = f"/admin/catalog/product/{product.pk}/change/"
    data = form_data(admin_client.get(change_url).content.decode(), "product_form")
    data |= {"model": "Kånken Mini Classic Relaunch", "_save": "Save"}
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(change_url, data)
    assert response.status_code == 302, response.context and response.context["errors"]

    for url in pages:
        html, state = page(client, url)
        assert state == "miss", url
        assert "Kånken Mini Classic Relaunch" in html, url


def test_a_deleted_bag_leaves_the_cached_table_and_its_page(
    client: Client, bundled: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    for url in ("/table/", KANKEN):
        page(client, url)
    assert page(client, "/table/")[1] == "hit" and KANKEN in page(client, "/table/")[0]

    with django_capture_on_commit_callbacks(execute=True):
        Product.objects.get(slug="fjallraven-kanken-mini").delete()  # a model signal, no service involved

    html, state = page(client, "/table/")
    assert state == "miss" and KANKEN not in html
    assert client.get(KANKEN).status_code == 404


def test_a_catalog_import_shows_on_the_next_request_and_a_dry_run_changes_nothing(
    client: Client, db: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    records = as_records(make_product("herschel-nova-mini", brand="Herschel", model="Nova Mini"))
    before, _ = page(client, "/table/")
    assert "Nova Mini" not in before

    with django_capture_on_commit_callbacks(execute=True):
        catalog_import(records=records, dry_run=True)
    assert page(client, "/table/") == (before, "hit")

    with django_capture_on_commit_callbacks(execute=True):
        catalog_import(records=records)
    html, state = page(client, "/table/")
    assert state == "miss" and "Nova Mini" in html


@pytest.fixture
def shared_file_cache(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """The page cache in a directory, as in production: shared with any process pointed at it."""
    location = tmp_path / "cache"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(location)}
    }
    clear_local_pages()
    yield location
    clear_local_pages()


def _database_url() -> str:
    """The test database, for another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host, port = db["HOST"] or "localhost", db["PORT"] or 5432
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}:{port}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_an_import_run_by_another_process_shows_here_on_the_next_request(
    client: Client, shared_file_cache: Path, catalog_file: Callable[..., Path]
) -> None:
    catalog_load_bundled()  # committed, so the other process sees it
    page(client, "/table/")
    before, state = page(client, "/table/")
    assert state == "hit" and "Mini 1" not in before

    # The operator's command line, as in production: its own process, its own Django, the same database and cache.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env |= {"DATABASE_URL": _database_url(), "MINIPACK_CACHE_URL": shared_file_cache.as_uri()}
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "import_catalog", str(catalog_file(1))],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr

    html, state = page(client, "/table/")
    assert state == "miss"
    assert "Mini 1" in html


# --------------------------------------------------------------------------- what is never shared

CALLS: Counter[str] = Counter()


@cache_public_page(60)
def plain(request: HttpRequest) -> HttpResponse:
    CALLS["plain"] += 1
    return HttpResponse(f"rendered {CALLS['plain']} times")


@cache_public_page(60)
def sets_a_cookie(request: HttpRequest) -> HttpResponse:
    CALLS["cookie"] += 1
    response = HttpResponse("hello")
    response.set_cookie("seen", str(CALLS["cookie"]))
    return response


@cache_public_page(60)
def has_a_form(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f'<form method="post"><input name="csrfmiddlewaretoken" value="{get_token(request)}"></form>')


@cache_public_page(60)
def has_a_cacheable_form(request: HttpRequest) -> HttpResponse:
    CALLS["slot"] += 1
    template = Template('{% load page_cache %}<form method="post">{% csrf_field %}<button>Go</button></form>')
    return HttpResponse(template.render(RequestContext(request)))


@cache_public_page(60)
def has_a_fresh_value(request: HttpRequest) -> HttpResponse:
    CALLS["fresh"] += 1
    template = Template('{% load page_cache %}<input name="stamp" value="{% fresh_value "test-stamp" "a:b" %}">')
    return HttpResponse(template.render(RequestContext(request)))


@cache_public_page(60)
def has_both_slots(request: HttpRequest) -> HttpResponse:
    template = Template(
        '{% load page_cache %}<form method="post">{% csrf_field %}'
        '<input name="stamp" value="{% fresh_value "test-stamp" "a:b" %}"></form>'
    )
    response = HttpResponse(template.render(RequestContext(request)))
    response["Cache-Control"] = "max-age=60"  # replaced by "private" once filled, wherever it stood
    return response


@csrf_protect
def accept_post(request: HttpRequest) -> HttpResponse:
    return HttpResponse("accepted")


@cache_public_page(60)
def reads_the_session(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"visits: {request.session.get('visits', 0)}")


urlpatterns = [
    path("plain/", plain),
    path("cookie/", sets_a_cookie),
    path("form/", has_a_form),
    path("slot/", has_a_cacheable_form),
    path("post/", accept_post),
    path("fresh/", has_a_fresh_value),
    path("both/", has_both_slots),
    path("session/", reads_the_session),
]


@pytest.fixture
def rule_views(settings: Any, db: None) -> None:
    # db: the generation pages are filed under lives in the database (decision 0012).
    settings.ROOT_URLCONF = __name__
    CALLS.clear()


def test_a_page_that_sets_a_cookie_is_rendered_for_every_visitor(client: Client, rule_views: None) -> None:
    first, second = client.get("/cookie/"), Client().get("/cookie/")
    assert (first.cookies["seen"].value, second.cookies["seen"].value) == ("1", "2")
    assert second.headers.get("X-Cache") is None


def test_two_visitors_of_a_page_with_a_form_get_their_own_csrf_tokens(rule_views: None) -> None:
    first, second = Client().get("/form/"), Client().get("/form/")
    assert first.headers.get("X-Cache") is None and second.headers.get("X-Cache") is None
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
    assert first.content != second.content


def _token(html: bytes) -> str:
    field = LexborHTMLParser(html.decode()).css_first('input[name="csrfmiddlewaretoken"]')
    assert field is not None
    return str(field.attributes["value"])


def test_a_form_page_with_a_csrf_field_is_cached_yet_each_visitor_posts_with_their_own_token(
    rule_views: None,
) -> None:
    from minipack_web.caching.pages import csrf_placeholder

    alice, bob = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first, second = alice.get("/slot/"), bob.get("/slot/")

    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit")
    assert CALLS["slot"] == 1  # rendered once, shared
    assert csrf_placeholder() not in (first.content + second.content).decode()
    assert first.headers["Cache-Control"] == "private"
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
    assert alice.post("/post/", {"csrfmiddlewaretoken": _token(first.content)}).status_code == 200
    assert bob.post("/post/", {"csrfmiddlewaretoken": _token(second.content)}).status_code == 200
    # Each token only works with its own visitor's cookie, and a post without one is refused.
    assert bob.post("/post/", {"csrfmiddlewaretoken": "x" * 64}).status_code == 403
    assert (
        Client(enforce_csrf_checks=True).post("/post/", {"csrfmiddlewaretoken": _token(first.content)}).status_code
        == 403
    )


def test_a_returning_visitor_keeps_their_csrf_cookie_on_a_cached_form_page(rule_views: None) -> None:
    visitor = Client(enforce_csrf_checks=True)
    Client().get("/slot/")  # someone else fills the cache
    first = visitor.get("/slot/")
    cookie = first.cookies["csrftoken"].value
    again = visitor.get("/slot/")

    assert again.headers["X-Cache"] == "hit"
    # Their cookie is kept (Django re-sends the same value to renew its expiry), not replaced.
    assert again.cookies["csrftoken"].value == visitor.cookies["csrftoken"].value == cookie
    assert visitor.post("/post/", {"csrfmiddlewaretoken": _token(again.content)}).status_code == 200


def test_the_wsgi_front_hands_a_form_page_to_django_so_its_token_is_filled(
    rule_views: None, keep_test_connection: None
) -> None:
    from minipack_web.caching.pages import csrf_placeholder
    from minipack_web.wsgi import application

    def call() -> tuple[dict[str, str], bytes]:
        answer: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            answer.update(headers=headers)

        body = b"".join(application(RequestFactory().get("/slot/").environ, start_response))
        return dict(answer["headers"]), body

    call()
    headers, body = call()
    assert headers["X-Cache"] == "hit" and CALLS["slot"] == 1
    assert csrf_placeholder().encode() not in body
    cookie = SimpleCookie(headers["Set-Cookie"])["csrftoken"].value
    # The token and cookie the front handed out are accepted by Django's CSRF check.
    visitor = Client(enforce_csrf_checks=True)
    visitor.cookies["csrftoken"] = cookie
    assert visitor.post("/post/", {"csrfmiddlewaretoken": _token(body)}).status_code == 200


def _front_get(url: str, cookie: str = "") -> tuple[str, list[tuple[str, str]], bytes]:
    from minipack_web.wsgi import application

    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answer.update(status=status, headers=headers)

    environ = RequestFactory().get(url, **({"HTTP_COOKIE": cookie} if cookie else {})).environ
    body = b"".join(application(environ, start_response))
    return answer["status"], answer["headers"], body


def _without_visitor_values(body: bytes) -> bytes:
    return re.sub(rb'value="[^"]*"', b'value="?"', body)


STRICT_COOKIE = {
    "CSRF_COOKIE_SECURE": True,
    "CSRF_COOKIE_HTTPONLY": True,
    "CSRF_COOKIE_SAMESITE": "Strict",
    "CSRF_COOKIE_PATH": "/shop",
    "CSRF_COOKIE_AGE": 3600,
}


@pytest.mark.parametrize("cookie_settings", [{}, STRICT_COOKIE], ids=["default cookie", "strict cookie"])
@pytest.mark.parametrize("cookie", ["", "csrftoken=" + "a" * 32, "csrftoken=not-a-token"])
def test_the_wsgi_front_answers_a_page_with_slots_as_the_middleware_does(
    rule_views: None, keep_test_connection: None, cookie: str, cookie_settings: dict[str, Any], settings: Any
) -> None:
    """The front fills a hit without building a response; the visitor must not tell the two apart."""
    for name, value in cookie_settings.items():
        setattr(settings, name, value)
    register_fresh_value("test-stamp", lambda arg: f"made for {arg}")
    visitor = Client()
    if cookie:
        visitor.cookies.load(cookie)
    assert Client().get("/both/").headers["X-Cache"] == "miss"
    by_middleware = visitor.get("/both/")
    status, headers, body = _front_get("/both/", cookie)

    assert by_middleware.headers["X-Cache"] == "hit"
    assert status == f"{by_middleware.status_code} {by_middleware.reason_phrase}"
    set_cookies = [value for name, value in headers if name == "Set-Cookie"]
    assert {name: value for name, value in headers if name != "Set-Cookie"} == dict(by_middleware.headers)
    assert len(headers) == len(by_middleware.headers) + len(set_cookies)  # no header sent twice
    assert headers_cache_control(headers) == "private" and int(dict(headers)["Content-Length"]) == len(body)
    assert _without_visitor_values(body) == _without_visitor_values(by_middleware.content)
    assert b'value="made for a:b"' in body

    # The same cookie, attribute for attribute (the expiry may fall a second apart).
    assert len(set_cookies) == 1
    sent = SimpleCookie(set_cookies[0])[settings.CSRF_COOKIE_NAME]
    expected = by_middleware.cookies[settings.CSRF_COOKIE_NAME]
    for attribute in ("max-age", "path", "domain", "secure", "httponly", "samesite"):
        assert str(sent[attribute]) == str(expected[attribute]), attribute
    if cookie == "csrftoken=" + "a" * 32:  # a returning visitor keeps their secret
        assert sent.value == expected.value == "a" * 32
    else:  # none, or one Django would refuse: a new secret, as Django would make
        assert len(sent.value) == 32 and sent.value not in cookie
    # And the token in the page goes with that cookie.
    poster = Client(enforce_csrf_checks=True)
    poster.cookies[settings.CSRF_COOKIE_NAME] = sent.value
    assert poster.post("/post/", {"csrfmiddlewaretoken": _token(body)}).status_code == 200


def headers_cache_control(headers: list[tuple[str, str]]) -> str:
    (value,) = [value for name, value in headers if name.lower() == "cache-control"]
    return value


def test_a_fresh_value_is_made_for_every_response_of_a_cached_page(rule_views: None) -> None:
    made: list[str] = []
    register_fresh_value("test-stamp", lambda arg: made.append(arg) or f"<{len(made)}>")
    first, second = Client().get("/fresh/"), Client().get("/fresh/")

    assert (first.headers["X-Cache"], second.headers["X-Cache"], CALLS["fresh"]) == ("miss", "hit", 1)
    assert made == ["a:b", "a:b"]
    # Escaped: a value lands in an attribute.
    assert b'value="&lt;1&gt;"' in first.content and b'value="&lt;2&gt;"' in second.content


def test_a_page_that_reads_the_session_is_not_shared(client: Client, rule_views: None) -> None:
    client.get("/session/")
    assert client.get("/session/").headers.get("X-Cache") is None


def test_a_plain_page_is_rendered_once(client: Client, rule_views: None) -> None:
    assert client.get("/plain/").content == Client().get("/plain/").content == b"rendered 1 times"
    assert client.post("/plain/").content == b"rendered 2 times"  # writes are never answered from the cache


class UnreachableCache(BaseCache):
    """A cache server that is down: every call fails."""

    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("cache down")

    add = set = get

    def clear(self) -> None:
        pass


def test_with_the_cache_down_pages_are_still_served(client: Client, rule_views: None, settings: Any) -> None:
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.UnreachableCache"}}
    assert client.get("/plain/").content == b"rendered 1 times"
    assert client.get("/plain/").content == b"rendered 2 times"


def test_manage_py_check_refuses_the_page_cache_anywhere_but_first(settings: Any) -> None:
    from minipack_web.caching.apps import MIDDLEWARE_PATH, check_middleware

    assert check_middleware(None) == []
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE_PATH] + [MIDDLEWARE_PATH]
    assert [e.id for e in check_middleware(None)] == ["caching.E001"]


def test_after_a_restore_the_operator_can_drop_every_cached_page(client: Client, db: None) -> None:
    page(client, "/faq/")
    assert page(client, "/faq/")[1] == "hit"
    call_command("invalidate_pages", stdout=io.StringIO())
    assert page(client, "/faq/")[1] == "miss"


def test_the_cache_is_chosen_from_the_environment_and_a_typo_is_refused(tmp_path: Path) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from minipack_web.settings.base import cache_settings

    default = cache_settings(None, default_dir=tmp_path / "cache")["default"]
    assert default["BACKEND"].endswith("FileBasedCache") and default["LOCATION"] == str(tmp_path / "cache")
    assert cache_settings("file:///srv/minipack/cache", default_dir=tmp_path)["default"]["LOCATION"] == (
        "/srv/minipack/cache"
    )
    assert cache_settings("db://page_cache", default_dir=tmp_path)["default"]["LOCATION"] == "page_cache"
    assert cache_settings("dummy://", default_dir=tmp_path)["default"]["BACKEND"].endswith("DummyCache")
    # Several servers: django-redis, which treats a Redis outage as a miss (the built-in backend answers 500).
    redis = cache_settings("redis://:s3cret@10.0.0.5:6379/0", default_dir=tmp_path)["default"]
    assert redis["BACKEND"] == "django_redis.cache.RedisCache" and redis["OPTIONS"]["IGNORE_EXCEPTIONS"] is True
    assert redis["OPTIONS"]["SOCKET_TIMEOUT"] <= 0.5
    with pytest.raises(ImproperlyConfigured, match="MINIPACK_CACHE_URL") as refused:
        cache_settings("reddis://:s3cret@10.0.0.5:6379/0", default_dir=tmp_path)
    assert "s3cret" not in str(refused.value)
