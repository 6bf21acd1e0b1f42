"""Reader participation: comments on bags and guides (docs/decisions/0009-comments.md).

The page cache is told about comment writes here rather than by the
caching app's every-save listener (``caching.apps.PAGE_APPS``), because most
comment writes change no page: a new comment awaiting moderation is shown
nowhere public, and bumping the page generation for each would let anyone
empty the whole page cache with one POST.
"""

from __future__ import annotations

import functools
import math
import time
from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save

from minipack.moderation import Status
from minipack_web.caching import invalidate_pages
from minipack_web.caching.pages import register_fresh_value


def _comment_saved(sender: Any, instance: Any, created: bool, using: str | None = None, **kwargs: Any) -> None:
    # A new comment no page shows changes no page; any other save (an editor's approval, edit or
    # un-approval in the admin) may, and is rare enough to always count.
    if created and instance.status != Status.APPROVED:
        return
    invalidate_pages(using=using)


# Responses within one tick share a stamp: signing costs ~60 µs, a fifth of a cached hit's time at the
# front door, and a form that looks up to 0.1 s older than it is changes no decision (the minimum is seconds).
_STAMP_TICK_S = 0.1


def _form_token(target_value: str) -> str:
    # The form's signed "made at" time, made for each response: a page stays cached for up to an hour,
    # and a time stamped when it was rendered would make the too-fast and too-old checks meaningless.
    return _stamp(target_value, math.floor(time.time() / _STAMP_TICK_S))


@functools.lru_cache(maxsize=256)
def _stamp(target_value: str, tick: int) -> str:
    from minipack_web.community.forms import form_token
    from minipack_web.community.selectors import Target

    target = Target.parse(target_value)
    return form_token(target, now=tick * _STAMP_TICK_S) if target is not None else ""


def _comment_deleted(sender: Any, instance: Any, using: str | None = None, **kwargs: Any) -> None:
    # Only approved comments are printed, so deleting any other (a page of spam) changes no page.
    if instance.status == Status.APPROVED:
        invalidate_pages(using=using)


class CommunityConfig(AppConfig):
    name = "minipack_web.community"
    label = "community"
    verbose_name = "Community"

    def ready(self) -> None:
        from minipack_web.community.models import Comment

        post_save.connect(_comment_saved, sender=Comment, dispatch_uid="minipack-pages-community-comment-save")
        post_delete.connect(_comment_deleted, sender=Comment, dispatch_uid="minipack-pages-community-comment-delete")
        register_fresh_value("comment-form", _form_token)
