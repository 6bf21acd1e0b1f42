"""The weekly digest's content: what is new since the last issue, decided from plain data, and its text.

This module is responsible for the rules of an issue, kept apart from the
database so they can be read and tested on their own:

* *new bags*: bags the previous issue's snapshot did not list (for the very
  first issue, which has no snapshot, bags added since the window start);
* *price changes*: bags whose shown price (amount or currency) differs from
  the previous snapshot, each price with the date its source gives, so a
  reader can see how fresh both figures are. The first issue has none:
  there is nothing to compare with;
* *new guides*: guides the previous snapshot did not list, or whose words
  were rewritten since (``written`` changed); for the first issue, guides
  written in or after the window's month;
* *from the comments*: at most ``MAX_COMMENTS`` approved comments, one per
  page, the longest first (substance over "great bag!"), cut at a word.

``build_issue`` returns ``None`` when nothing is new: an empty issue is not
sent. ``issue_text`` writes the plain-text body; the HTML body is a template
in the web layer fed the same ``Issue``. ``Issue.as_json`` and
``issue_from_json`` store an issue so a resumed send renders the same mail.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from minipack.units import Money, format_price

__all__ = [
    "MAX_COMMENTS",
    "BagState",
    "CommentNote",
    "GuideState",
    "Issue",
    "PriceChange",
    "Snapshot",
    "build_issue",
    "excerpt",
    "iso_week",
    "issue_from_json",
    "issue_subject",
    "issue_text",
    "notable_comments",
]

MAX_COMMENTS = 3
EXCERPT_CHARS = 280


@dataclass(frozen=True)
class BagState:
    """A bag as a page shows it at one moment: name, address, shown price and that price's date as stated."""

    slug: str
    name: str
    path: str
    price_minor: int | None
    currency: str
    price_date: str
    added: str  # ISO date the bag entered the catalog

    @property
    def price(self) -> str:
        """'$80', or '' when no source gives a price."""
        if self.price_minor is None or not self.currency:
            return ""
        return format_price(Money(self.price_minor, self.currency))


@dataclass(frozen=True)
class GuideState:
    slug: str
    title: str
    path: str
    written: str  # as the guides file states it: '2025-06'


@dataclass(frozen=True)
class CommentNote:
    """An approved comment, as the digest quotes it."""

    author: str
    body: str
    on_title: str  # the bag or guide it was written on
    path: str
    created: str  # ISO date and time


@dataclass(frozen=True)
class Snapshot:
    """What the site showed when an issue was built; the next issue compares against it."""

    bags: Mapping[str, BagState]
    guides: Mapping[str, GuideState]

    def as_json(self) -> dict[str, Any]:
        return {
            "bags": {slug: asdict(bag) for slug, bag in sorted(self.bags.items())},
            "guides": {slug: asdict(guide) for slug, guide in sorted(self.guides.items())},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Snapshot:
        return cls(
            bags={slug: BagState(**bag) for slug, bag in data.get("bags", {}).items()},
            guides={slug: GuideState(**guide) for slug, guide in data.get("guides", {}).items()},
        )


@dataclass(frozen=True)
class PriceChange:
    bag: BagState  # now
    old_price: str  # '' when the bag had no price before
    old_date: str

    @property
    def new_price(self) -> str:
        return self.bag.price


@dataclass(frozen=True)
class Issue:
    number: int
    week: str  # ISO week, '2026-W48'
    new_bags: tuple[BagState, ...]
    price_changes: tuple[PriceChange, ...]
    new_guides: tuple[GuideState, ...]
    rewritten_guides: tuple[GuideState, ...]
    comments: tuple[CommentNote, ...]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def issue_from_json(data: Mapping[str, Any]) -> Issue:
    return Issue(
        number=data["number"],
        week=data["week"],
        new_bags=tuple(BagState(**b) for b in data["new_bags"]),
        price_changes=tuple(
            PriceChange(bag=BagState(**c["bag"]), old_price=c["old_price"], old_date=c["old_date"])
            for c in data["price_changes"]
        ),
        new_guides=tuple(GuideState(**g) for g in data["new_guides"]),
        rewritten_guides=tuple(GuideState(**g) for g in data["rewritten_guides"]),
        comments=tuple(CommentNote(**c) for c in data["comments"]),
    )


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _written_month(written: str) -> tuple[int, int] | None:
    parts = written.split("-")
    try:
        return int(parts[0]), int(parts[1]) if len(parts) > 1 else 1
    except ValueError:
        return None


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The text with whitespace collapsed, cut at the last word that fits, with '…' when cut."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:") + "…"


def notable_comments(comments: Sequence[CommentNote], limit: int = MAX_COMMENTS) -> tuple[CommentNote, ...]:
    """At most ``limit`` comments, one per page, longest first (then oldest), each body cut to an excerpt."""
    chosen: list[CommentNote] = []
    pages: set[str] = set()
    for note in sorted(comments, key=lambda c: (-len(" ".join(c.body.split())), c.created, c.path)):
        if note.path in pages or not note.body.strip():
            continue
        pages.add(note.path)
        chosen.append(
            CommentNote(
                author=note.author,
                body=excerpt(note.body),
                on_title=note.on_title,
                path=note.path,
                created=note.created,
            )
        )
        if len(chosen) == limit:
            break
    return tuple(chosen)


def build_issue(
    *,
    number: int,
    today: date,
    current: Snapshot,
    previous: Snapshot | None,
    window_start: date,
    comments: Sequence[CommentNote] = (),
) -> Issue | None:
    """The issue numbered ``number`` for the week of ``today``, or None when nothing is new.

    ``previous`` is the last issue's snapshot (None before the first issue;
    then ``window_start`` bounds what counts as new). ``comments`` are the
    approved comments written since the previous issue; the notable ones are
    chosen here.
    """
    bags = sorted(current.bags.values(), key=lambda b: (b.name.casefold(), b.slug))
    if previous is None:
        new_bags = tuple(b for b in bags if b.added >= window_start.isoformat())
        changes: tuple[PriceChange, ...] = ()
        start = (window_start.year, window_start.month)
        new_guides = tuple(g for g in current.guides.values() if (_written_month(g.written) or (0, 0)) >= start)
        rewritten: tuple[GuideState, ...] = ()
    else:
        new_bags = tuple(b for b in bags if b.slug not in previous.bags)
        changes = tuple(
            PriceChange(bag=b, old_price=old.price, old_date=old.price_date)
            for b in bags
            if (old := previous.bags.get(b.slug)) is not None
            and b.price
            and (b.price_minor, b.currency) != (old.price_minor, old.currency)
        )
        new_guides = tuple(g for g in current.guides.values() if g.slug not in previous.guides)
        rewritten = tuple(
            g
            for g in current.guides.values()
            if g.slug in previous.guides and g.written != previous.guides[g.slug].written
        )
    notes = notable_comments(comments)
    if not (new_bags or changes or new_guides or rewritten or notes):
        return None
    return Issue(
        number=number,
        week=iso_week(today),
        new_bags=new_bags,
        price_changes=changes,
        new_guides=new_guides,
        rewritten_guides=rewritten,
        comments=notes,
    )


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def issue_subject(issue: Issue) -> str:
    """'Minipack weekly #3: 2 new bags, 1 price change' (only what the issue has)."""
    parts = []
    if issue.new_bags:
        parts.append(_count(len(issue.new_bags), "new bag", "new bags"))
    if issue.price_changes:
        parts.append(_count(len(issue.price_changes), "price change", "price changes"))
    guides = len(issue.new_guides) + len(issue.rewritten_guides)
    if guides:
        parts.append(_count(guides, "new guide", "new guides"))
    if issue.comments:
        parts.append(_count(len(issue.comments), "reader comment", "reader comments"))
    return f"Minipack weekly #{issue.number}: " + ", ".join(parts)


def _dated(price: str, when: str) -> str:
    if not price:
        return "no price"
    return f"{price} (dated {when})" if when and when != "undated" else f"{price} (undated)"


def issue_text(issue: Issue, *, site_url: str, unsubscribe_url: str) -> str:
    """The plain-text body of ``issue`` for one reader; ``unsubscribe_url`` is theirs."""
    lines = [f"Minipack weekly, issue {issue.number} ({issue.week})", ""]
    if issue.new_bags:
        lines += ["NEW BAGS", ""]
        for bag in issue.new_bags:
            lines.append(f"* {bag.name}: {_dated(bag.price, bag.price_date)}")
            lines.append(f"  {site_url}{bag.path}")
        lines.append("")
    if issue.price_changes:
        lines += ["PRICE CHANGES", ""]
        for change in issue.price_changes:
            before = _dated(change.old_price, change.old_date)
            lines.append(f"* {change.bag.name}: {before} -> {_dated(change.new_price, change.bag.price_date)}")
            lines.append(f"  {site_url}{change.bag.path}")
        lines.append("")
    if issue.new_guides or issue.rewritten_guides:
        lines += ["NEW GUIDES", ""]
        for guide in issue.new_guides:
            lines.append(f"* {guide.title}")
            lines.append(f"  {site_url}{guide.path}")
        for guide in issue.rewritten_guides:
            lines.append(f"* {guide.title} (rewritten {guide.written})")
            lines.append(f"  {site_url}{guide.path}")
        lines.append("")
    if issue.comments:
        lines += ["FROM THE COMMENTS", ""]
        for note in issue.comments:
            lines.append(f"* {note.author} on {note.on_title}:")
            lines.append(f"  “{note.body}”")
            lines.append(f"  {site_url}{note.path}")
        lines.append("")
    lines += [
        "-- ",
        f"You receive this because you subscribed at {site_url}/ and confirmed.",
        f"Unsubscribe with one click: {unsubscribe_url}",
        "",
    ]
    return "\n".join(lines)
