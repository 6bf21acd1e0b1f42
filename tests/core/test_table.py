"""minipack.table: unknown values fail a filter on their field and sort last in both directions."""

from __future__ import annotations

import pytest

from minipack.table import SORTS, TableEntry, TableFilters, filter_entries, sort_entries


def entry(slug: str, price: int | None, weight: int | None = None) -> TableEntry:
    return TableEntry(slug, slug.upper(), "b", "backpack", price, None, None, weight, "Nylon", frozenset({"key_fob"}))


BAGS = [entry("c", 300, 200), entry("a", None, 100), entry("b", 100), entry("d", 100, 150)]


def test_unknown_last_ascending_and_descending() -> None:
    assert [e.slug for e in sort_entries(BAGS, "price")] == ["b", "d", "c", "a"]
    assert [e.slug for e in sort_entries(BAGS, "-price")] == ["c", "b", "d", "a"]
    assert [e.slug for e in sort_entries(BAGS, "-weight")] == ["c", "d", "a", "b"]


def test_an_unknown_value_fails_a_filter_on_its_field_only() -> None:
    assert [e.slug for e in filter_entries(BAGS, TableFilters(price_max_minor=200))] == ["b", "d"]
    assert len(filter_entries(BAGS, TableFilters(material="NYL", features=frozenset({"key_fob"})))) == 4
    assert filter_entries(BAGS, TableFilters(features=frozenset({"key_fob", "usb_port"}))) == []


def test_every_sort_is_known_and_others_refused() -> None:
    for sort in SORTS:
        assert len(sort_entries(BAGS, sort)) == 4
    with pytest.raises(ValueError):
        sort_entries(BAGS, "colour")
