"""``{% csrf_field %}`` and ``{% fresh_value %}``: per-visitor parts of a page that does not stop it being cached.

Django's ``{% csrf_token %}`` writes one visitor's token into the page, so a
page using it can never be shared (``pages._storable`` refuses it). This tag
writes a placeholder instead and marks the request; ``PageCacheMiddleware``
stores the page with the placeholder and, for every visitor, on a miss or a
hit, puts that visitor's own token in its place and sets their CSRF cookie.
The POST is checked by Django's CSRF middleware as usual.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from minipack_web.caching.pages import SLOT_MARK, csrf_placeholder, fresh_placeholder

register = template.Library()


@register.simple_tag(takes_context=True)
def csrf_field(context: dict[str, Any]) -> SafeString:
    request = context.get("request")
    if request is None:
        # Rendered outside a request (a mail, a test of the template alone): there is no visitor to fill in for.
        raise template.TemplateSyntaxError("{% csrf_field %} needs the request in the template context")
    request.META[SLOT_MARK] = True
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_placeholder())


@register.simple_tag(takes_context=True)
def fresh_value(context: dict[str, Any], name: str, arg: str = "") -> str:
    """A value made for each response by the maker registered as ``name`` (``pages.register_fresh_value``)."""
    request = context.get("request")
    if request is None:
        raise template.TemplateSyntaxError("{% fresh_value %} needs the request in the template context")
    request.META[SLOT_MARK] = True
    return fresh_placeholder(name, str(arg))
