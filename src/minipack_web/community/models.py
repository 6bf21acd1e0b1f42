"""Readers' comments on a bag or a guide, and the words editors list for moderation.

A comment belongs to exactly one target: a ``Product`` (a bag page) or a
guide, named by its slug (guides live in a shipped file, not in a table). A
reply's parent is a top-level comment on the same target; that rule spans two
rows, so ``services.comment_post`` enforces it, and the rules a single row
must meet are database constraints here. The email is kept (normalised) to
recognise an author whose comment was approved, never shown; the client's IP
only as a keyed hash (``ip_hash``), enough to count a sender's comments and
no more.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from minipack.comment_text import BODY_MAX_CHARS, NAME_MAX_CHARS
from minipack.moderation import Action, Status
from minipack_web.catalog.models import Product

STATUS_CHOICES = [
    (Status.PENDING.value, "Awaiting moderation"),
    (Status.APPROVED.value, "Approved"),
    (Status.SPAM.value, "Spam"),
]
ACTION_CHOICES = [
    (Action.HOLD.value, "Hold for moderation"),
    (Action.SPAM.value, "Mark as spam"),
]


class CommentQuerySet(models.QuerySet["Comment"]):
    def shown(self) -> CommentQuerySet:
        """What a page shows: approved comments, and approved replies whose parent is shown too."""
        return self.filter(status=Status.APPROVED).filter(Q(parent__isnull=True) | Q(parent__status=Status.APPROVED))

    def on_bag(self, slug: str) -> CommentQuerySet:
        return self.filter(product__slug=slug)

    def on_guide(self, slug: str) -> CommentQuerySet:
        return self.filter(guide_slug=slug, product__isnull=True)


class Comment(models.Model):
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, null=True, blank=True, related_name="comments", editable=False
    )
    guide_slug = models.SlugField(max_length=80, blank=True, default="", editable=False)
    # Deleting a comment deletes its replies: they answer it and make no sense alone.
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies", editable=False
    )
    name = models.CharField(max_length=NAME_MAX_CHARS)
    email = models.EmailField(max_length=254, editable=False, help_text="Never shown on the site.")
    body = models.TextField(max_length=BODY_MAX_CHARS)
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=Status.PENDING.value)
    held_reasons = models.TextField(blank=True, editable=False, help_text="Why it was held or marked spam, one a line.")
    # Set by the server when the comment is stored (services.comment_post), never read from a form.
    created_at = models.DateTimeField(editable=False)
    ip_hash = models.CharField(max_length=64, editable=False)
    fingerprint = models.CharField(max_length=64, editable=False)  # comment_text.fingerprint(body) when posted

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(product__isnull=False, guide_slug="") | (Q(product__isnull=True) & ~Q(guide_slug="")),
                name="community_comment_one_target",
                violation_error_message="A comment is on exactly one bag or one guide.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]), name="community_comment_status_known"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="community_comment_name_not_empty"),
            models.CheckConstraint(condition=~Q(body=""), name="community_comment_body_not_empty"),
        ]
        indexes = [
            # A page's comments (bag or guide), and the per-page counts on guide cards.
            models.Index(fields=["product", "status", "created_at"], name="community_comment_bag_page"),
            models.Index(fields=["guide_slug", "status", "created_at"], name="community_comment_guide_page"),
            # The flood limits and duplicate check: one sender's recent comments.
            models.Index(fields=["ip_hash", "created_at"], name="community_comment_ip_recent"),
            models.Index(fields=["email", "created_at"], name="community_comment_email_recent"),
            # The editors' queue.
            models.Index(fields=["status", "created_at"], name="community_comment_queue"),
        ]

    def __str__(self) -> str:
        text = " ".join(self.body.split())
        return f"{self.name}: {text[:60]}{'…' if len(text) > 60 else ''}"

    @property
    def target_label(self) -> str:
        return f"bag {self.product.slug}" if self.product is not None else f"guide {self.guide_slug}"


class ModerationWord(models.Model):
    """A word or phrase editors list: a comment containing it is held for moderation, or marked as spam.

    Kept in the database rather than in settings so editors change the list
    in the admin, at once, without a deploy; stored folded
    (``moderation.normalise_word``), so 'Viagra' and 'VIAGRA' are one entry.
    """

    word = models.CharField(max_length=100, unique=True)
    action = models.CharField(max_length=10, choices=ACTION_CHOICES, default=Action.SPAM.value)
    note = models.CharField(max_length=200, blank=True, help_text="Why it is listed, for the next editor.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["word"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=[a.value for a in Action]), name="community_moderationword_action_known"
            ),
            models.CheckConstraint(condition=~Q(word=""), name="community_moderationword_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.word} ({self.get_action_display()})"
