"""The editors' moderation queue: comments by status and page, with why each was held; the word lists.

Editors approve, mark as spam or delete comments one by one (the change
form) or in bulk (the list's actions). Bulk status changes go through
``services.comments_set_status``, which invalidates the cached pages a bulk
update would otherwise leave stale; single saves and deletes do so through
the model signals wired in ``apps.py``. Comments are only ever created by
readers, never here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from minipack.moderation import Status, normalise_word
from minipack_web.community import services
from minipack_web.community.models import Comment, ModerationWord


class TargetKindFilter(admin.SimpleListFilter):
    title = "page"
    parameter_name = "on"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("bag", "Bag pages"), ("guide", "Guides")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Comment]) -> QuerySet[Comment]:
        if self.value() == "bag":
            return queryset.filter(product__isnull=False)
        if self.value() == "guide":
            return queryset.filter(product__isnull=True)
        return queryset


def _set_status(request: HttpRequest, queryset: QuerySet[Comment], status: Status, done: str) -> None:
    changed = services.comments_set_status(ids=list(queryset.values_list("pk", flat=True)), status=status)
    messages.success(request, f"{changed} comment{'s' if changed != 1 else ''} {done}.")


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["excerpt", "name", "on_page", "status", "reasons", "created_at"]
    list_filter = ["status", TargetKindFilter, "guide_slug", ("product", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "email", "body", "product__slug", "guide_slug"]
    date_hierarchy = "created_at"
    list_select_related = ["product"]
    ordering = ["-created_at"]
    actions = ["approve", "mark_spam", "hold", "delete_selected"]
    fields = ["status", "name", "body", "email", "on_page", "parent", "held_reasons", "created_at", "ip_hash"]
    readonly_fields = ["email", "on_page", "parent", "held_reasons", "created_at", "ip_hash"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Comment")
    def excerpt(self, obj: Comment) -> str:
        return str(obj).split(": ", 1)[1]

    @admin.display(description="On")
    def on_page(self, obj: Comment) -> str:
        return obj.target_label + (" (reply)" if obj.parent_id else "")

    @admin.display(description="Held because")
    def reasons(self, obj: Comment) -> str:
        return "; ".join(obj.held_reasons.splitlines())

    @admin.action(description="Approve the selected comments", permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        _set_status(request, queryset, Status.APPROVED, "approved")

    @admin.action(description="Mark the selected comments as spam", permissions=["change"])
    def mark_spam(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        _set_status(request, queryset, Status.SPAM, "marked as spam")

    @admin.action(description="Hold the selected comments for moderation", permissions=["change"])
    def hold(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        _set_status(request, queryset, Status.PENDING, "held for moderation")


class ModerationWordForm(forms.ModelForm):
    class Meta:
        model = ModerationWord
        fields = ["word", "action", "note"]

    def clean_word(self) -> str:
        try:
            word = normalise_word(self.cleaned_data["word"])
        except ValueError as exc:
            raise forms.ValidationError(f"{exc}.") from None
        if ModerationWord.objects.filter(word=word).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(f"“{word}” is already listed.")
        return word


@admin.register(ModerationWord)
class ModerationWordAdmin(admin.ModelAdmin):
    form = ModerationWordForm
    list_display = ["word", "action", "note", "created_at"]
    list_filter = ["action"]
    search_fields = ["word", "note"]
