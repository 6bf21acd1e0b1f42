"""/feeds/guides.atom: one Atom entry per guide, updated when its words or its ranking can have changed."""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from minipack_web.guides.selectors import GuideSummary, guide_summaries
from minipack_web.seo.origin import absolute_url


class GuidesFeed(Feed):
    feed_type = Atom1Feed
    title = "Minipack guides"
    subtitle = "Mini backpack purses ranked on published, dated figures, with the points behind each place."
    author_name = "Minipack"
    language = "en"

    # Every link is absolute on MINIPACK_SITE_URL: Django would otherwise complete them from the request's Host.
    def link(self) -> str:
        return absolute_url("/")

    def feed_url(self) -> str:
        return absolute_url(reverse("seo:guides_feed"))

    def feed_guid(self) -> str:
        return self.feed_url()

    def items(self) -> list[GuideSummary]:
        return guide_summaries()

    def item_title(self, item: GuideSummary) -> str:
        return item.title  # plain text: the feed writer escapes it once

    def item_description(self, item: GuideSummary) -> str:
        # Atom's <summary type="html"> is read as HTML: our plain text goes in escaped, to be shown as written.
        return escape(item.summary)

    def item_link(self, item: GuideSummary) -> str:
        return absolute_url(item.url)

    def item_updateddate(self, item: GuideSummary) -> datetime:
        return item.updated
