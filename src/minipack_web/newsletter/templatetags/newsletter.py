"""``{% newsletter_signup "footer" %}``: the signup form, with the consent text its records will name."""

from __future__ import annotations

from typing import Any

from django import template

from minipack.newsletter import CURRENT_CONSENT

register = template.Library()


@register.inclusion_tag("newsletter/_signup_form.html", takes_context=True)
def newsletter_signup(context: template.Context, form_id: str) -> dict[str, Any]:
    # The request goes along: {% csrf_field %} inside the form needs it.
    return {"request": context.get("request"), "form_id": form_id, "consent": CURRENT_CONSENT, "form": None}
