"""Reads for comments: a page's comment threads, the counts on guide cards, one author's own comment.

Public reads go through ``Comment.objects.shown()``: approved comments, and
approved replies under a shown comment. Nothing else is ever printed on a
public page; the one exception, ``posted_comment``, is the author's own
comment behind a signed link only they were given.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db.models import Count
from django.urls import reverse
from django.utils import dateformat

from minipack.comment_text import Paragraph, layout
from minipack.guides import load_guides
from minipack.moderation import Status
from minipack_web.catalog.models import Product
from minipack_web.community.models import Comment, CommentQuerySet

BAG = "bag"
GUIDE = "guide"
KINDS = (BAG, GUIDE)


@dataclass(frozen=True)
class Target:
    """What a comment is about, as the form names it: ``bag:<slug>`` or ``guide:<slug>``."""

    kind: str
    slug: str

    @property
    def value(self) -> str:
        return f"{self.kind}:{self.slug}"

    @classmethod
    def parse(cls, value: str) -> Target | None:
        kind, _, slug = value.partition(":")
        return cls(kind, slug) if kind in KINDS and slug else None


@dataclass(frozen=True)
class TargetPage:
    """A target that exists: where its page is and what to call it."""

    target: Target
    title: str  # 'the Fjällräven Kånken Mini', '“Top 10 mini backpack purses”'
    url: str
    product_id: int | None  # None for a guide


def target_page(target: Target) -> TargetPage | None:
    """The page ``target`` names, or ``None`` when there is no such bag or guide."""
    if target.kind == BAG:
        product = Product.objects.select_related("brand").filter(slug=target.slug).first()
        if product is None:
            return None
        return TargetPage(target, f"the {product.name}", reverse("catalog:bag", args=[product.slug]), product.pk)
    guide = next((g for g in load_guides() if g.slug == target.slug), None)
    if guide is None:
        return None
    # Imported here: the guides selectors import this module for their cards' comment counts.
    from minipack_web.guides.selectors import guide_url

    return TargetPage(target, f"“{guide.title}”", guide_url(guide.slug), None)


def comments_on(target: Target) -> CommentQuerySet:
    query = Comment.objects.on_bag(target.slug) if target.kind == BAG else Comment.objects.on_guide(target.slug)
    return query.shown()


@dataclass(frozen=True)
class CommentView:
    id: int
    anchor: str  # the element id, 'comment-12'
    name: str
    date_iso: str
    date: str  # '25 November 2026'
    paragraphs: tuple[Paragraph, ...]  # the body, cut by minipack.comment_text.layout; templates escape each piece
    reply_url: str  # '' for a reply: replies go one level deep
    replies: tuple[CommentView, ...] = ()


def comment_view(comment: Comment, *, replies: tuple[CommentView, ...] = ()) -> CommentView:
    return CommentView(
        id=comment.pk,
        anchor=f"comment-{comment.pk}",
        name=comment.name,
        date_iso=comment.created_at.date().isoformat(),
        date=dateformat.format(comment.created_at, "j F Y"),
        paragraphs=layout(comment.body),
        reply_url="" if comment.parent_id else reverse("community:reply", args=[comment.pk]),
        replies=replies,
    )


@dataclass(frozen=True)
class CommentSection:
    target: Target
    count: int  # every comment shown, replies included
    threads: tuple[CommentView, ...]  # oldest first, each with its replies oldest first


def comment_section(*, target: Target) -> CommentSection:
    """A page's shown comments as threads, in one query."""
    rows = list(comments_on(target).only("id", "parent_id", "name", "body", "created_at"))
    replies: defaultdict[int, list[Comment]] = defaultdict(list)
    for row in rows:
        if row.parent_id is not None:
            replies[row.parent_id].append(row)
    threads = tuple(
        comment_view(row, replies=tuple(comment_view(r) for r in replies[row.pk]))
        for row in rows
        if row.parent_id is None
    )
    return CommentSection(target=target, count=len(rows), threads=threads)


def comment_counts(*, kind: str, slugs: Iterable[str]) -> dict[str, int]:
    """Shown comments per bag or guide slug, for cards; a slug with none is absent (read with ``.get(slug, 0)``)."""
    wanted = list(slugs)
    query = Comment.objects.shown()
    if kind == BAG:
        rows = query.filter(product__slug__in=wanted).values_list("product__slug")
    else:
        rows = query.filter(product__isnull=True, guide_slug__in=wanted).values_list("guide_slug")
    return dict(rows.annotate(n=Count("id")))


@dataclass(frozen=True)
class ReplyTo:
    """A comment open for replies, with the page it is on."""

    comment: CommentView
    page: TargetPage


def reply_to(*, comment_id: int) -> ReplyTo | None:
    """A shown, top-level comment and its page; ``None`` for any other id (replies go one level deep)."""
    comment = Comment.objects.shown().filter(pk=comment_id, parent__isnull=True).select_related("product").first()
    if comment is None:
        return None
    kind, slug = (BAG, comment.product.slug) if comment.product is not None else (GUIDE, comment.guide_slug)
    page = target_page(Target(kind, slug))
    return ReplyTo(comment_view(comment), page) if page is not None else None


@dataclass(frozen=True)
class PostedComment:
    """The author's own comment, as only they see it: with its status, whatever it is."""

    comment: CommentView
    page: TargetPage | None
    published: bool  # False while it awaits moderation (and, not to coach spammers, when it was marked spam)


def posted_comment(*, comment_id: int) -> PostedComment | None:
    comment = Comment.objects.select_related("product").filter(pk=comment_id).first()
    if comment is None:
        return None
    kind, slug = (BAG, comment.product.slug) if comment.product is not None else (GUIDE, comment.guide_slug)
    shown = comment.status == Status.APPROVED and (
        comment.parent_id is None or Comment.objects.filter(pk=comment.parent_id, status=Status.APPROVED).exists()
    )
    # No reply link: the author's view of their own comment is not a place to start a thread.
    view = replace(comment_view(comment), reply_url="")
    return PostedComment(view, target_page(Target(kind, slug)), published=shown)
