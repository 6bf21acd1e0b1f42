"""Security headers on every route; HTTPS, the Host header, cookies, error pages, request limits (RELIABILITY A).

Production's own values (read from ``settings/prod.py`` in a child process) are laid over the test
settings, and each request comes as through our TLS proxy. Every route the URL resolver knows must
have a sample below, so a new page cannot ship without being checked here; its pages are checked as
Django renders them and again as the page cache's WSGI front serves them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from selectolax.lexbor import LexborHTMLParser

from minipack.photos import prepare_photo
from minipack_web.catalog.models import Product
from minipack_web.catalog.services import bag_photo_create, catalog_load_bundled
from minipack_web.community.models import Comment
from minipack_web.community.views import posted_url
from minipack_web.newsletter.tokens import confirm_token, unsubscribe_token

from .community.conftest import BAG as COMMENTED
from .community.conftest import approved_comment, form_data
from .factories import image_bytes
from .production import prod_settings
from .wsgi_calls import keep_test_connection, wsgi_get  # noqa: F401 - a fixture

SECURITY_SETTINGS = [
    "MIDDLEWARE",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "CONTENT_SECURITY_POLICY",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_SAMESITE",
]
BAG = "fjallraven-kanken-mini"
OTHER_BAG = "herschel-supply-co-nova-mini"
# As our TLS proxy forwards a request it received over HTTPS.
VIA_PROXY = {"HTTP_X_FORWARDED_PROTO": "https"}

# Every route the resolver knows -> the addresses that exercise it (the admin is Django's, sampled as one).
# ``{photo}``, ``{reply}`` and ``{posted}`` are filled with rows the fixture makes.
SAMPLES: dict[str, list[str]] = {
    "": ["/"],
    "guides/<slug:slug>/": ["/guides/best-under-100/"],
    "search/": ["/search/?q=kanken", "/search/?q=%3Cscript%3Ealert(1)%3C/script%3E"],
    "search/suggest": ["/search/suggest?q=kan"],
    "faq/": ["/faq/"],
    "for-you/": ["/for-you/", "/for-you/?budget_max=200&must=adjustable_straps", "/for-you/?budget_max=lots"],
    "bags/<slug:slug>/": [f"/bags/{BAG}/", "/bags/no-such-bag/"],
    "table/": ["/table/", "/table/?sort=-capacity&units=cm", "/table/?sort=password", "/table/?format=csv"],
    "compare/": [f"/compare/?bags={BAG},{OTHER_BAG}", "/compare/?bags=one"],
    "fit/": ["/fit/", "/fit/?kit=tablet-day&item=kindle-paperwhite-11", "/fit/?kit=nonsense"],
    "media/bag-photos/<str:name>": ["{photo}", "/media/bag-photos/missing-320.webp"],
    "healthz": ["/healthz"],
    "robots.txt": ["/robots.txt"],
    "sitemap.xml": ["/sitemap.xml"],
    "feeds/guides.atom": ["/feeds/guides.atom"],
    "newsletter/": ["/newsletter/"],
    "newsletter/confirm/<str:token>/": ["{confirm}", "/newsletter/confirm/tampered/"],
    "newsletter/unsubscribe/<str:token>/": ["{unsubscribe}", "/newsletter/unsubscribe/tampered/"],
    "comments/": ["/comments/"],  # POST only: a GET is answered 405
    "comments/<int:comment_id>/reply/": ["{reply}"],
    "comments/posted/<str:token>/": ["{posted}"],
    "api/": ["/api/"],
    "api/docs": ["/api/docs"],
    "api/openapi.json": ["/api/openapi.json"],
    "api/bags": ["/api/bags?sort=-price", "/api/bags?sort=password"],
    "api/bags/<slug>": [f"/api/bags/{BAG}"],
    "api/compare": [f"/api/compare?bags={BAG},{OTHER_BAG}"],
    "api/fit": ["/api/fit"],  # POST only
    "api/rank": ["/api/rank"],
    "api/airline-check": ["/api/airline-check?bag=30x20x10cm"],
    "api/search": ["/api/search?q=kanken"],
    "api/items": ["/api/items"],
    "admin/": ["/admin/login/", "/admin/"],
}
# Not a route: what an unknown address gets.
NOT_FOUND = ["/no-such-page/", "/bags/"]


def routes() -> set[str]:
    """Every route in the URL configuration, as its pattern from the root ('bags/<slug:slug>/')."""

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> Iterator[str]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin":  # Django's own dozens of admin routes: sampled as one
                    yield prefix + str(entry.pattern)
                else:
                    yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            else:
                yield prefix + str(entry.pattern)

    return set(walk(get_resolver().url_patterns, ""))


def test_every_route_has_a_sample_address_in_this_file() -> None:
    known = routes()

    assert sorted(known - SAMPLES.keys()) == [], "new routes: add sample addresses to SAMPLES"
    assert sorted(SAMPLES.keys() - known) == [], "routes that no longer exist: remove them from SAMPLES"


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    values = prod_settings(tmp_path_factory.mktemp("prod"), SECURITY_SETTINGS)
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


@pytest.fixture
def prod_like(settings: Any, production: dict[str, Any]) -> None:
    """The test settings with production's security settings laid over them."""
    for name, value in production.items():
        setattr(settings, name, value)


@pytest.fixture
def sample_urls(db: None, settings: Any, tmp_path: Path) -> list[str]:
    """Every sample address, with real rows behind the ones that need them."""
    catalog_load_bundled()
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = bag_photo_create(
        product=Product.objects.get(slug=BAG),
        photo=prepare_photo(image_bytes(size=(1600, 1200)), file_name="kanken.jpg"),
        alt="The Kånken Mini, front view",
    )
    comment = approved_comment(COMMENTED)
    filled = {
        "photo": f"/media/bag-photos/{photo.variants[0]['name']}",
        "reply": f"/comments/{comment.pk}/reply/",
        "posted": posted_url(comment.pk),
        "confirm": f"/newsletter/confirm/{confirm_token('no-such-consent')}/",
        "unsubscribe": f"/newsletter/unsubscribe/{unsubscribe_token('no-such-subscriber')}/",
    }
    urls = [u.format(**filled) if u.startswith("{") else u for us in SAMPLES.values() for u in us]
    return [*urls, *NOT_FOUND]


def header_problems(url: str, headers: Any) -> list[str]:
    """What is missing or weak in one response's headers; [] when all is well."""
    problems = []

    def get(name: str) -> str:
        return headers.get(name) or ""

    csp = {d.split()[0]: d.split()[1:] for d in (p.strip() for p in get("Content-Security-Policy").split(";")) if d}
    if csp.get("frame-ancestors") != ["'none'"] or csp.get("default-src") != ["'none'"]:
        problems.append(f"{url}: CSP {get('Content-Security-Policy')!r}")
    if {"'unsafe-inline'", "'unsafe-eval'"} & set(csp.get("script-src", ["missing"]) + csp.get("style-src", [])):
        problems.append(f"{url}: CSP allows inline or eval: {get('Content-Security-Policy')!r}")
    hsts = get("Strict-Transport-Security")
    max_age = re.search(r"max-age=(\d+)", hsts)
    if not max_age or int(max_age[1]) < 31_536_000 or "includeSubDomains" not in hsts or "preload" not in hsts:
        problems.append(f"{url}: HSTS {hsts!r}")
    expected = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    problems += [f"{url}: {name} {get(name)!r}" for name, value in expected.items() if get(name) != value]
    if get("Content-Type").startswith("text/") and "charset=utf-8" not in get("Content-Type"):
        problems.append(f"{url}: Content-Type {get('Content-Type')!r} names no charset")
    if "Server" in headers or "X-Powered-By" in headers:
        problems.append(f"{url}: names its software")
    return problems


def html_problems(url: str, body: bytes) -> list[str]:
    tree = LexborHTMLParser(body.decode())
    problems = []
    for script in tree.css("script"):
        kind, src = script.attributes.get("type") or "", script.attributes.get("src") or ""
        if src and (src.startswith(("http:", "https:", "//")) and "integrity" not in script.attributes):
            problems.append(f"{url}: external script without integrity: {src}")
        if not src and kind not in ("application/ld+json", "application/json"):
            problems.append(f"{url}: inline script (blocked by our CSP)")
    if tree.css_first("[style]") is not None or tree.css_first("style") is not None:
        problems.append(f"{url}: inline style (blocked by our CSP)")
    handlers = [a for node in tree.css("*") for a in node.attributes if a.lower().startswith("on")]
    if handlers:
        problems.append(f"{url}: inline event handlers {handlers} (blocked by our CSP)")
    return problems


def cookie_problems(url: str, set_cookies: list[str]) -> list[str]:
    problems = []
    for line in set_cookies:
        for name, morsel in SimpleCookie(line).items():
            if not morsel["secure"] or morsel["samesite"] not in ("Lax", "Strict"):
                problems.append(f"{url}: cookie {name} without Secure and SameSite: {line}")
            if name == "sessionid" and not morsel["httponly"]:
                problems.append(f"{url}: session cookie readable by scripts: {line}")
            if name not in ("csrftoken", "sessionid"):
                problems.append(f"{url}: unexpected cookie {name}")
    return problems


def test_every_route_answers_with_the_security_headers_rendered_and_from_the_cache(
    client: Client, prod_like: None, sample_urls: list[str]
) -> None:
    problems, cached = [], []
    for url in sample_urls:
        response = client.get(url, secure=True)
        assert response.status_code < 500, f"{url}: {response.status_code}"
        problems += header_problems(url, response.headers)
        problems += cookie_problems(url, [c.output(header="") for c in response.cookies.values()])
        if response["Content-Type"].startswith("text/html") and not response.streaming:
            problems += html_problems(url, response.content)
        if response.get("X-Cache") == "miss":
            cached.append(url)
            again = client.get(url, secure=True)
            assert again.get("X-Cache") == "hit", url
            problems += header_problems(f"{url} (cache hit)", again.headers)

    assert problems == []
    # The pages the cache keeps are among those checked: the home page, a bag, the table, the FAQ…
    assert {"/", f"/bags/{BAG}/", "/table/", "/faq/", "/search/?q=kanken"} <= set(cached)


@pytest.mark.usefixtures("keep_test_connection")
def test_pages_served_by_the_cache_s_wsgi_front_carry_the_same_headers(prod_like: None, sample_urls: list[str]) -> None:
    problems, hits = [], 0
    for url in sample_urls:
        first = wsgi_get(url, **VIA_PROXY)
        if first.header("X-Cache") != "miss":
            continue
        again = wsgi_get(url, **VIA_PROXY)
        assert again.header("X-Cache") == "hit", url
        hits += 1
        problems += header_problems(f"{url} (front)", dict(again.headers))
        problems += cookie_problems(url, [value for name, value in again.headers if name == "Set-Cookie"])
        assert {k: v for k, v in again.headers if k not in ("X-Cache", "Set-Cookie")} == {
            k: v for k, v in first.headers if k not in ("X-Cache", "Set-Cookie")
        }, url

    assert problems == []
    assert hits >= 10


def test_the_error_page_is_generic_and_keeps_the_headers(prod_like: None, db: None, monkeypatch: Any) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("boom: SELECT secret FROM settings")

    monkeypatch.setattr("minipack_web.guides.views.faq_page", broken)
    response = Client(raise_request_exception=False).get("/faq/", secure=True)

    assert response.status_code == 500
    assert header_problems("/faq/ (500)", response.headers) == []
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    for leak in ("boom", "SELECT", "Traceback", "RuntimeError", "SECRET_KEY", "faq_page"):
        assert leak not in html


def test_an_unknown_address_gets_a_404_page_with_search_and_ways_on(client: Client, db: None) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    tree = LexborHTMLParser(response.content.decode())
    assert tree.css_first("h1").text() == "We have no page at this address"
    assert tree.css_first('main form[action="/search/"] input[name="q"]') is not None
    assert {a.attributes["href"] for a in tree.css("main a")} >= {"/", "/table/", "/fit/", "/faq/"}
    assert "Set-Cookie" not in response.headers  # no form that needs a CSRF cookie on a 404


def test_plain_http_is_redirected_to_https_on_the_same_host_except_the_health_check(
    client: Client, prod_like: None, db: None
) -> None:
    response = client.get("/table/?units=cm")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/table/?units=cm"
    assert client.get("/healthz").status_code == 200  # a load balancer probing over HTTP
    assert client.get("/table/", headers={"X-Forwarded-Proto": "https"}).status_code == 200


@pytest.mark.usefixtures("keep_test_connection")
def test_a_forged_host_gets_400_even_for_a_page_in_the_cache(prod_like: None, db: None) -> None:
    catalog_load_bundled()
    assert wsgi_get("/faq/", **VIA_PROXY).header("X-Cache") == "miss"
    assert wsgi_get("/faq/", **VIA_PROXY).header("X-Cache") == "hit"

    forged = wsgi_get("/faq/", HTTP_HOST="evil.example", **VIA_PROXY)
    assert forged.status == 400
    assert forged.header("X-Cache") is None and b"evil.example" not in forged.body
    assert Client().get("/faq/", secure=True, headers={"Host": "evil.example"}).status_code == 400


def test_an_editor_s_cookies_are_secure_and_the_session_is_out_of_reach_of_scripts(
    client: Client, prod_like: None, django_user_model: Any
) -> None:
    django_user_model.objects.create_superuser("editor", "editor@example.com", "a long editor password")
    login_page = client.get("/admin/login/", secure=True)
    token = LexborHTMLParser(login_page.content.decode()).css_first("input[name=csrfmiddlewaretoken]")

    response = client.post(
        "/admin/login/",
        {"username": "editor", "password": "a long editor password", "csrfmiddlewaretoken": token.attributes["value"]},
        secure=True,
        headers={"Referer": "https://testserver/admin/login/"},
    )

    assert response.status_code == 302
    set_cookies = [c.output(header="") for c in response.cookies.values()]
    assert any("sessionid=" in line for line in set_cookies)
    assert cookie_problems("/admin/login/", set_cookies) == []


def test_an_oversized_form_and_one_with_too_many_fields_are_refused_before_parsing(client: Client, db: None) -> None:
    huge = client.post("/comments/", {**form_data(COMMENTED), "body": "x" * (3 * 1024 * 1024)})
    many = client.post("/comments/", {**form_data(COMMENTED), **{f"f{i}": "1" for i in range(1100)}})

    assert (huge.status_code, many.status_code) == (400, 400)
    # Django's own 400, before the view: the comment view would have answered with the form and its errors.
    assert b"<form" not in huge.content and b"<form" not in many.content
    assert Comment.objects.count() == 0
