"""Comment pages. Thin: read the form, call ``services.comment_post``, answer with a redirect or the form again.

A post that is stored redirects (303) to its page when it is published, or
to the author's own view of it (a signed link) while it awaits moderation.
A post that is refused gets the form back, with the writer's text and a
fresh form token, and the status that says why: 400 bad input, 409 a
duplicate, 429 too many, 503 the database busy or down. Never a 500 for bad input,
and never a half-written comment: the service writes in one transaction.
"""

from __future__ import annotations

import logging

from django.core import signing
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from minipack.moderation import Status
from minipack_web.caching import PAGE_TIMEOUT, cache_public_page
from minipack_web.community import selectors, services
from minipack_web.community.forms import HONEYPOT, CommentForm
from minipack_web.community.selectors import Target
from minipack_web.ratelimit import request_client_ip

logger = logging.getLogger(__name__)

POSTED_SALT = "minipack.community.posted"
# How long the author's link to their own pending comment works.
POSTED_MAX_AGE_S = 7 * 24 * 60 * 60
BUSY_RETRY_S = 5
NOT_SAVED = "We could not save your comment just now. Your text is kept below: please send it again shortly."


def posted_url(comment_id: int) -> str:
    return reverse("community:posted", args=[signing.dumps(comment_id, salt=POSTED_SALT)])


@require_POST
def post(request: HttpRequest) -> HttpResponse:
    if request.POST.get(HONEYPOT):
        # The same page a person would see, so a script learns nothing; nothing is stored.
        return render(request, "community/thanks.html")
    form = CommentForm(request.POST)
    try:
        valid = form.is_valid()  # asks the database which page the comment is for
    except OperationalError:
        logger.exception("comment not checked: database unavailable")
        return _form_while_down(request, form)
    if not valid:
        return _form_again(request, form, status=400)
    data = form.cleaned_data
    assert form.page is not None  # clean_target set it, or the form would not be valid
    try:
        comment = services.comment_post(
            page=form.page,
            parent_id=data["parent"],
            name=data["name"],
            email=data["email"],
            body=data["body"],
            client_ip=request_client_ip(request),
        )
    except services.CommentRefused as refused:
        return _form_again(request, form, status=refused.status, message=refused.message, retry=refused.retry_after)
    except OperationalError:
        # SQLite waited its whole busy timeout for the write lock (a long import), or the disk is full:
        # nothing was written; say so and keep the text (RELIABILITY B.23, B.24).
        logger.exception("comment not stored: database unavailable")
        return _form_again(request, form, status=503, message=NOT_SAVED, retry=BUSY_RETRY_S)
    if comment.status == Status.APPROVED:
        return HttpResponseRedirect(f"{form.page.url}#comment-{comment.pk}", status=303)
    return HttpResponseRedirect(posted_url(comment.pk), status=303)


def _form_again(
    request: HttpRequest, form: CommentForm, *, status: int, message: str = "", retry: int | None = None
) -> HttpResponse:
    page = form.page
    parent = None
    if page is not None and form.cleaned_data.get("parent"):
        parent = selectors.reply_to(comment_id=form.cleaned_data["parent"])
    response = render(
        request,
        "community/form_page.html",
        {
            "form": form,
            "message": message,
            "page": page,
            "parent": parent.comment if parent else None,
        },
        status=status,
    )
    if retry is not None:
        response["Retry-After"] = str(retry)
    response["X-Robots-Tag"] = "noindex"
    return response


def _form_while_down(request: HttpRequest, form: CommentForm) -> HttpResponse:
    """The form again, text kept, when the database cannot even be read (PostgreSQL restarting).

    Nothing is looked up: the page and the comment replied to are named only
    by what the form sent, so sending it again once the database is back
    posts the same comment to the same place.
    """
    target = Target.parse(request.POST.get("target", ""))
    parent = request.POST.get("parent", "")
    response = render(
        request,
        "community/form_page.html",
        {
            "form": form,
            "message": NOT_SAVED,
            "page": None,
            "target": target.value if target else "",
            "parent_id": parent if parent.isdigit() else "",
        },
        status=503,
    )
    response["Retry-After"] = str(BUSY_RETRY_S)
    response["X-Robots-Tag"] = "noindex"
    return response


@cache_public_page(PAGE_TIMEOUT)
@require_safe
def reply(request: HttpRequest, comment_id: int) -> HttpResponse:
    """The form to answer one comment: a page of its own, so replying needs no script."""
    found = selectors.reply_to(comment_id=comment_id)
    if found is None:
        raise Http404("No comment open for replies here.")
    response = render(
        request,
        "community/form_page.html",
        {"form": CommentForm(), "page": found.page, "parent": found.comment},
    )
    # The reply form is a page of its own for people without script; search engines have the comment on its page.
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_safe
def posted(request: HttpRequest, token: str) -> HttpResponse:
    """The author's own comment, whatever its status: the only place a comment awaiting moderation is shown."""
    try:
        comment_id = signing.loads(token, salt=POSTED_SALT, max_age=POSTED_MAX_AGE_S)
    except signing.BadSignature:  # also SignatureExpired
        comment_id = None
    found = selectors.posted_comment(comment_id=comment_id) if isinstance(comment_id, int) else None
    response = render(request, "community/posted.html", {"found": found}, status=200 if found else 404)
    response["X-Robots-Tag"] = "noindex"  # one author's page: never in a search engine
    return response
