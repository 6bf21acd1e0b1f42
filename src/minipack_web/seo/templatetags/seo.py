"""Head tags every page shares: ``{% capture %}`` and ``{% seo_head %}`` (canonical, robots, feed, OpenGraph)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import Node, NodeList, Parser, Token
from django.urls import reverse
from django.utils.safestring import mark_safe

from minipack_web.seo.meta import page_meta
from minipack_web.seo.origin import absolute_url

register = template.Library()

SITE_NAME = "Minipack"


class CaptureNode(Node):
    def __init__(self, nodelist: NodeList, name: str) -> None:
        self.nodelist = nodelist  # named so, the {% block %}s inside stay visible to {% extends %}
        self.name = name

    def render(self, context: template.Context) -> str:
        # Template output, escaped already where it needed to be: marked safe so it is not escaped twice.
        context[self.name] = mark_safe(self.nodelist.render(context).strip())  # noqa: S308
        return ""


@register.tag
def capture(parser: Parser, token: Token) -> CaptureNode:
    """``{% capture as name %}…{% endcapture %}``: render once, print as ``{{ name }}`` in several places.

    base.html prints a page's title and description in <title>, the meta
    description and the OpenGraph tags, but a ``{% block %}`` may appear only
    once in a template. Capturing the block keeps one block per value, so
    pages go on overriding ``title`` and ``description`` as they always did.
    """
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("usage: {% capture as name %}…{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])


@register.inclusion_tag("seo/head.html", takes_context=True)
def seo_head(context: template.Context, *, title: str, description: str) -> dict[str, Any]:
    """Canonical link, robots, the guides feed and OpenGraph tags for the page being rendered."""
    return {
        "title": title,
        "description": description,
        "meta": page_meta(request=context.get("request"), page=context.get("page")),
        "feed_url": absolute_url(reverse("seo:guides_feed")),
        "site_name": SITE_NAME,
    }
