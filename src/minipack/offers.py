"""Where to buy: offers derived from the price claims a product already holds.

An offer is not a second price store. It is a price claim whose source is a
shop (``retailer``) or the maker (``manufacturer``) and has a URL a shopper
can follow: every offer therefore keeps the source, the date and the kind the
rest of the catalog keeps. Reviews and articles quote prices too, but they
are not places to buy, so they are left out here (they still count for the
price history and the chosen price).

The rules:

* one offer per page: a shop page read on several dates gives its newest
  price (the older ones are price history, shown on the price chart);
* the shop's name is the URL's host without 'www.' ('rei.com'); a source
  title is a page title, not a shop's name;
* a price is *stale* when it was seen more than ``STALE_AFTER_DAYS`` ago,
  counting from the first day the stated date allows ('2024-05' counts from
  1 May, '2024' from 1 January), or when its source is undated: then the page
  says the price may have changed. A date in the future is not stale;
* offers are grouped by currency, the preferred currency (the catalog's)
  first and the others alphabetically, because prices in two currencies
  cannot be ranked without exchange rates, which we do not hold; within a
  currency the cheapest comes first, ties by shop name. Nothing else (no
  payment, no partnership) moves an offer up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from minipack.records import Claim, ClaimKind, Product, SourceDate
from minipack.units import Money

STALE_AFTER_DAYS = 90
SELLER_KINDS = frozenset({ClaimKind.RETAILER, ClaimKind.MANUFACTURER})


@dataclass(frozen=True)
class Offer:
    """One place to buy the bag: who, at what price, seen when, from which source."""

    shop: str
    url: str
    price: Money
    seen: SourceDate
    kind: ClaimKind
    source_title: str
    age_days: int | None  # days since the earliest day ``seen`` allows; None when undated
    stale: bool


def shop_name(url: str) -> str:
    """The host a URL points at, lower-case, without a leading 'www.' ('https://www.REI.com/x' -> 'rei.com');
    '' when the URL has none."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:  # 'https://[bad' : no host to name, so no offer
        return ""
    return host.rstrip(".").removeprefix("www.")


def is_offer(claim: Claim) -> bool:
    """A price a shopper can act on: from a shop or the maker, with a link."""
    return (
        claim.field == "price"
        and claim.kind in SELLER_KINDS
        and bool(claim.source.url)
        and bool(shop_name(claim.source.url))
    )


def seen_on(when: SourceDate) -> date | None:
    """The first day a stated date allows ('2024-05' -> 1 May 2024); None when undated."""
    if when.key is None:
        return None
    year, month, day = when.key
    return date(year, month or 1, day or 1)


def offers(
    product: Product,
    *,
    today: date,
    preferred_currency: str | None = None,
    stale_after_days: int = STALE_AFTER_DAYS,
) -> tuple[Offer, ...]:
    """The product's offers, by the rules in the module docstring."""
    newest: dict[str, Claim] = {}
    for claim in product.claims_for("price"):
        if not is_offer(claim):
            continue
        url = claim.source.url
        held = newest.get(url)
        if held is None or _freshness(claim) > _freshness(held):
            newest[url] = claim
    found = [_offer(claim, today, stale_after_days) for claim in newest.values()]
    return tuple(sorted(found, key=lambda o: _order(o, preferred_currency)))


def _freshness(claim: Claim) -> tuple[tuple[int, int, int], int, int]:
    # Newest date first; on one date the maker's own page, then the lower price (a deterministic tie-break).
    return (claim.source.date.sort_key, -claim.kind.rank, -claim.value.amount_minor)


def age_in_days(when: SourceDate, today: date) -> int | None:
    """Days from the first day ``when`` allows to ``today`` (negative for a future date); None when undated."""
    seen = seen_on(when)
    return None if seen is None else (today - seen).days


def is_stale(when: SourceDate, today: date, stale_after_days: int = STALE_AFTER_DAYS) -> bool:
    """Whether a price seen ``when`` may have changed by ``today``: undated, or seen too long ago."""
    age = age_in_days(when, today)
    return age is None or age > stale_after_days


def _offer(claim: Claim, today: date, stale_after_days: int) -> Offer:
    age = age_in_days(claim.source.date, today)
    return Offer(
        shop=shop_name(claim.source.url),
        url=claim.source.url,
        price=claim.value,
        seen=claim.source.date,
        kind=claim.kind,
        source_title=claim.source.title,
        age_days=age,
        stale=is_stale(claim.source.date, today, stale_after_days),
    )


def _order(offer: Offer, preferred_currency: str | None) -> tuple[bool, str, int, str, str]:
    currency = offer.price.currency
    return (currency != preferred_currency, currency, offer.price.amount_minor, offer.shop, offer.url)
