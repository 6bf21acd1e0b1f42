"""``{% comments_for kind slug %}``: a page's comments and the form to add one, in one line of its template.

A tag rather than a context variable so that the bag and guide views, owned
by their apps, need not know comments exist: each page's template names its
target and the tag reads ``selectors.comment_section`` for it. The page stays
cacheable: the form's CSRF token is a slot the page cache fills per visitor
(``{% csrf_field %}``), and a new approved comment starts a new page generation.
"""

from __future__ import annotations

from typing import Any

from django import template

from minipack_web.community.forms import CommentForm
from minipack_web.community.selectors import Target, comment_section

register = template.Library()


@register.inclusion_tag("community/_section.html", takes_context=True)
def comments_for(context: template.Context, kind: str, slug: str) -> dict[str, Any]:
    target = Target(kind, slug)
    return {
        # {% csrf_field %} needs the request to mark the page as holding a token slot.
        "request": context.get("request"),
        "section": comment_section(target=target),
        "form": CommentForm(),
    }
