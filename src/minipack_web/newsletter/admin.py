"""The newsletter in the editor admin: read-only views, plus two actions on subscribers: export and erase.

Subscribers are never added or edited here: each comes from the signup
form or an import, with its consent record. Nor deleted: a plain delete
would forget the address without suppressing it, so the next import could
bring it back; "Erase" deletes everything and keeps only the suppression hash.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from minipack_web.admin_read_only import ReadOnlyMixin
from minipack_web.newsletter import selectors, services
from minipack_web.newsletter.models import (
    ConsentRecord,
    ConsentText,
    DigestIssue,
    OutboxMail,
    Subscriber,
    Suppression,
)


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Subscribers, consent and sent mail are records: changed only by the newsletter's own flows."""


class ConsentInline(admin.TabularInline):
    model = ConsentRecord
    fields = ["created_at", "form", "text", "ip_hash", "confirmed_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Subscriber)
class SubscriberAdmin(ReadOnlyAdmin):
    list_display = ["email", "status", "created_at", "confirmed_at", "unsubscribed_at"]
    list_filter = ["status"]
    search_fields = ["email"]
    fields = ["email", "status", "created_at", "confirmed_at", "unsubscribed_at", "last_mail_at"]
    readonly_fields = fields
    inlines = [ConsentInline]
    actions = ["export_json", "erase"]

    @admin.action(description="Export everything we hold on the selected subscribers (JSON)")
    def export_json(self, request: HttpRequest, queryset: QuerySet[Subscriber]) -> HttpResponse:
        document = {
            "exported_at": timezone.now().isoformat(),
            "subscribers": [selectors.subscriber_export(s) for s in queryset.order_by("email")],
        }
        response = HttpResponse(
            json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
        )
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="minipack-subscribers-{stamp}.json"'
        return response

    @admin.action(description="Erase the selected subscribers (keeps only the suppression hash)")
    def erase(self, request: HttpRequest, queryset: QuerySet[Subscriber]) -> HttpResponse | None:
        if request.POST.get("confirmed") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": "Erase subscribers?",
                "subscribers": queryset.order_by("email"),
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/newsletter/erase_confirmation.html", context)
        count = 0
        for subscriber in queryset:
            services.subscriber_erase(subscriber=subscriber)
            count += 1
        self.message_user(
            request, f"Erased {count} subscriber(s); their addresses stay suppressed, as hashes.", messages.SUCCESS
        )
        return None


@admin.register(Suppression)
class SuppressionAdmin(ReadOnlyAdmin):
    list_display = ["email_hash", "reason", "created_at"]
    list_filter = ["reason"]
    search_fields = ["email_hash"]


@admin.register(ConsentText)
class ConsentTextAdmin(ReadOnlyAdmin):
    list_display = ["version", "text", "first_used_at"]


@admin.register(OutboxMail)
class OutboxMailAdmin(ReadOnlyAdmin):
    list_display = ["kind", "subscriber", "status", "attempts", "created_at", "sent_at", "next_attempt_at"]
    list_filter = ["status", "kind"]
    # The bodies hold the reader's signed links; editors need the status, not the links.
    exclude = ["body_text", "body_html", "headers"]


@admin.register(DigestIssue)
class DigestIssueAdmin(ReadOnlyAdmin):
    list_display = ["number", "week", "subject", "created_at", "deliveries"]
    exclude = ["snapshot"]

    @admin.display(description="deliveries")
    def deliveries(self, obj: DigestIssue) -> str:
        return ", ".join(f"{n} {status}" for status, n in selectors.issue_totals(obj).items()) or "none"
