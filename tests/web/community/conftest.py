"""Fixtures for the comment tests: a bag to comment on, and a helper that posts the form as a browser would."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client, TestCase
from django.utils import timezone

from minipack.moderation import Status
from minipack_web.catalog.models import Product
from minipack_web.catalog.services import catalog_import
from minipack_web.community.forms import form_token
from minipack_web.community.models import Comment
from minipack_web.community.selectors import Target

from ..factories import as_records, make_product

BAG_SLUG = "fjallraven-kanken-mini"
BAG_URL = f"/bags/{BAG_SLUG}/"
BAG = Target("bag", BAG_SLUG)
GUIDE_SLUG = "best-under-100"
GUIDE = Target("guide", GUIDE_SLUG)
POST_URL = "/comments/"

_addresses = itertools.count(1)


@pytest.fixture
def bag(db: None) -> str:
    """One bag in the catalog; its slug."""
    catalog_import(records=as_records(make_product(BAG_SLUG)))
    return BAG_SLUG


def fresh_ip() -> str:
    """A client address no other post in this test run has used, so flood limits never link two tests' posts."""
    n = next(_addresses)
    return f"198.18.{n // 250}.{n % 250 + 1}"


def form_data(on: Target = BAG, *, age_s: float = 60, **fields: Any) -> dict[str, Any]:
    """A complete, valid comment form for ``target``, made ``age_s`` seconds ago; ``fields`` override any field."""
    data: dict[str, Any] = {
        "name": "Ann",
        "email": f"reader{next(_addresses)}@example.com",
        "body": "Fits my tablet and a water bottle.",
        "target": on.value,
        "issued": form_token(on, now=time.time() - age_s),
        "website": "",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


PostComment = Callable[..., HttpResponse]


@pytest.fixture
def post_comment(client: Client) -> PostComment:
    """POST the comment form (see ``form_data``) from a fresh client IP unless ``ip`` is given."""

    def post(on: Target = BAG, *, ip: str | None = None, via: Client | None = None, **fields: Any) -> HttpResponse:
        return (via or client).post(POST_URL, form_data(on, **fields), REMOTE_ADDR=ip or fresh_ip())

    return post


def approved_comment(target: Target = BAG, **fields: Any) -> Comment:
    """A comment stored (approved unless ``status`` says otherwise) straight through the model, as committed."""
    values: dict[str, Any] = {
        "name": "Bea",
        "email": f"bea{next(_addresses)}@example.com",
        "body": "Approved and shown.",
        "status": Status.APPROVED,
        "created_at": timezone.now() - timedelta(days=1),  # long before: no flood window reaches it
        "ip_hash": "0" * 64,
        "fingerprint": f"{next(_addresses):064d}",
    }
    values.update(fields)
    if target.kind == "bag":
        values["product"] = Product.objects.get(slug=target.slug)
    else:
        values["guide_slug"] = target.slug
    # As a commit would: the page cache hears of the new comment (tests never commit).
    with TestCase.captureOnCommitCallbacks(execute=True):
        return Comment.objects.create(**values)
