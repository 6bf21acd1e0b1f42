"""The moderation decision: blocked words make spam; hold words, two links or a first comment hold; else approved."""

from __future__ import annotations

import pytest

from minipack.moderation import (
    HOLD_AT_LINKS,
    Action,
    Decision,
    Status,
    WordRule,
    decide,
    form_age_problem,
    matching_words,
    normalise_word,
)

RULES = (WordRule("viagra", Action.SPAM), WordRule("casino.example", Action.SPAM), WordRule("coupon", Action.HOLD))


def verdict(
    body: str = "Lovely bag.", *, name: str = "Ann", email: str = "ann@example.com", known: bool = True
) -> Decision:
    return decide(name=name, email=email, body=body, rules=RULES, author_has_approved_comment=known)


def test_a_known_author_with_a_plain_comment_is_approved_at_once() -> None:
    assert verdict() == Decision(Status.APPROVED, ())


def test_the_first_comment_from_an_address_is_held() -> None:
    assert verdict(known=False) == Decision(Status.PENDING, ("first comment from this address",))


def test_two_links_hold_a_comment_even_from_a_known_author_and_one_link_does_not() -> None:
    assert HOLD_AT_LINKS == 2
    assert verdict("See https://a.example and https://b.example") == Decision(Status.PENDING, ("2 links",))
    assert verdict("See https://a.example") == Decision(Status.APPROVED, ())


def test_javascript_and_data_addresses_are_not_links_so_they_do_not_count() -> None:
    assert verdict("javascript:alert(1) data:text/html,x").status is Status.APPROVED


def test_a_blocked_word_anywhere_makes_spam_even_from_a_known_author() -> None:
    assert verdict("Cheap VIAGRA here") == Decision(Status.SPAM, ("blocked word “viagra”",))
    assert verdict(name="Vi\u200bagra seller").status is Status.SPAM
    assert verdict(email="x@casino.example").status is Status.SPAM


def test_spam_wins_over_every_reason_to_hold() -> None:
    decision = verdict("viagra https://a.example https://b.example coupon", known=False)
    assert decision == Decision(Status.SPAM, ("blocked word “viagra”",))


def test_a_hold_word_holds_and_every_reason_is_listed() -> None:
    decision = verdict("Coupon at https://a.example and https://b.example", known=False)
    assert decision == Decision(Status.PENDING, ("hold word “coupon”", "2 links", "first comment from this address"))


def test_words_match_whole_words_only_unless_they_start_or_end_with_punctuation() -> None:
    assert matching_words(["classic bag"], ["ass"]) == ()
    assert matching_words(["a classy ass"], ["ass"]) == ("ass",)
    assert matching_words(["visit spam.ru now"], [".ru"]) == (".ru",)
    assert matching_words(["cheap\n\n   pills"], ["cheap pills"]) == ("cheap pills",)


def test_a_listed_word_is_stored_folded_and_an_empty_one_is_refused() -> None:
    assert normalise_word("  Cheap   PÍLLS ") == "cheap pills"
    with pytest.raises(ValueError, match="visible character"):
        normalise_word(" \u200b ")


@pytest.mark.parametrize(
    ("age", "problem"),
    [(-1, "too quickly"), (2.9, "too quickly"), (3, None), (7200, None), (7200.5, "more than 2 hours old")],
)
def test_a_form_is_refused_when_sent_too_soon_or_too_late(age: float, problem: str | None) -> None:
    found = form_age_problem(age, minimum_s=3, maximum_s=7200)
    assert (found is None) if problem is None else (found is not None and problem in found)
