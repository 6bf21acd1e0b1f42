"""Newsletter pages. Thin: read the form or the link, call one service or selector, render.

* ``signup``: GET the form (a cached public page, its CSRF token filled in
  per visitor); POST records the signup and answers the same page whatever
  the address's state, so the answer tells nobody who is subscribed.
* ``confirm``: GET shows a button and changes nothing (mail scanners follow
  links); only the POST confirms.
* ``unsubscribe``: the RFC 8058 one-click address. A POST unsubscribes at
  once, with no cookie and no redirect; CSRF does not apply (the signed link
  is the authority, and a mail client's POST carries no token). A GET shows
  a button and changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from minipack.newsletter import CONFIRM_DAYS, CURRENT_CONSENT
from minipack_web.caching import PAGE_TIMEOUT, cache_public_page
from minipack_web.newsletter import selectors, services
from minipack_web.newsletter.forms import SignupForm
from minipack_web.newsletter.tokens import TokenError
from minipack_web.ratelimit import rate_limit, request_client_ip

logger = logging.getLogger(__name__)

BUSY_RETRY_S = 5


@dataclass(frozen=True)
class LinkPage:
    """The ``page`` of a confirm or unsubscribe page: its canonical address is the signup page, so the head's
    canonical and OpenGraph URLs never repeat the visitor's signed link (and one error page is one body)."""

    canonical_url: str = "/newsletter/"


LINK_PAGE = LinkPage()


def _signup_page(request: HttpRequest, form: SignupForm | None, *, status: int = 200) -> HttpResponse:
    context = {"form": form, "consent": CURRENT_CONSENT, "form_id": "page"}
    return render(request, "newsletter/signup.html", context, status=status)


@cache_public_page(PAGE_TIMEOUT)
# Fails closed: each signup mails a third party, and this per-address limit is the only brake on one client
# mailing many addresses (the database throttles repeats per address, not per sender). Reads fail open.
@rate_limit("newsletter", methods={"POST"}, fail_open=False)
@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _signup_page(request, None)
    form = SignupForm(request.POST)
    if not form.is_valid():
        return _signup_page(request, form, status=400)
    data = form.cleaned_data
    try:
        services.subscription_request(
            email=data["email"],
            client_ip=request_client_ip(request),
            form=data["form_id"],
            consent_version=data["consent_version"],
        )
    except services.SignupError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.reason)
        return _signup_page(request, form, status=400)
    except OperationalError:
        # The database waited out its busy timeout, or the disk is full: nothing was written (one transaction).
        logger.exception("newsletter signup not stored: database unavailable")
        response = render(request, "newsletter/busy.html", status=503)
        response["Retry-After"] = str(BUSY_RETRY_S)
        return response
    return render(request, "newsletter/check_inbox.html", {"days": CONFIRM_DAYS})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        try:
            services.subscription_confirm(token=token)
        except TokenError as exc:
            state = selectors.EXPIRED if exc.expired else selectors.INVALID
            return _link_error(request, state, purpose="confirm")
        return render(request, "newsletter/confirmed.html", {"page": LINK_PAGE})
    state = selectors.confirm_link_state(token)
    if state in (selectors.EXPIRED, selectors.INVALID):
        return _link_error(request, state, purpose="confirm")
    return render(request, "newsletter/confirm.html", {"done": state == selectors.DONE, "page": LINK_PAGE})


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        # Any POST to a valid link unsubscribes: RFC 8058 mail clients send "List-Unsubscribe=One-Click", our
        # own button sends the same, and nothing else can know the signed link.
        try:
            services.subscription_unsubscribe(token=token)
        except TokenError:
            return _link_error(request, selectors.INVALID, purpose="unsubscribe")
        return render(request, "newsletter/unsubscribed.html", {"page": LINK_PAGE})
    if not selectors.unsubscribe_link_valid(token):
        return _link_error(request, selectors.INVALID, purpose="unsubscribe")
    return render(request, "newsletter/unsubscribe.html", {"page": LINK_PAGE})


def _link_error(request: HttpRequest, state: str, *, purpose: str) -> HttpResponse:
    # One page for a forged link and for one we no longer hold: the answer reveals nothing about an address.
    context = {"expired": state == selectors.EXPIRED, "purpose": purpose, "days": CONFIRM_DAYS, "page": LINK_PAGE}
    return render(request, "newsletter/link_error.html", context, status=400)
