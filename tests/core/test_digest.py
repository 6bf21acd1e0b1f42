"""The weekly digest's rules: what counts as new since the last issue, which comments are notable, and the text."""

from __future__ import annotations

from datetime import date

from minipack.digest import (
    BagState,
    CommentNote,
    GuideState,
    Snapshot,
    build_issue,
    excerpt,
    issue_from_json,
    issue_subject,
    issue_text,
    notable_comments,
)

TODAY = date(2026, 11, 25)  # ISO week 2026-W48
WINDOW = date(2026, 11, 18)


def bag(slug: str, price: int | None = 8000, *, added: str = "2025-01-01", date_: str = "2025-01-10") -> BagState:
    return BagState(
        slug=slug,
        name=slug.replace("-", " ").title(),
        path=f"/bags/{slug}/",
        price_minor=price,
        currency="USD" if price is not None else "",
        price_date=date_ if price is not None else "",
        added=added,
    )


def guide(slug: str, written: str = "2025-01") -> GuideState:
    return GuideState(slug=slug, title=slug.replace("-", " ").capitalize(), path=f"/guides/{slug}/", written=written)


def snap(*items: BagState | GuideState) -> Snapshot:
    return Snapshot(
        bags={i.slug: i for i in items if isinstance(i, BagState)},
        guides={i.slug: i for i in items if isinstance(i, GuideState)},
    )


def note(body: str, path: str = "/bags/a/", created: str = "2026-11-20T10:00:00+00:00") -> CommentNote:
    return CommentNote(author="Ann", body=body, on_title="A", path=path, created=created)


def test_bags_not_in_the_last_snapshot_are_new() -> None:
    previous = snap(bag("kanken"), guide("best"))
    current = snap(bag("kanken"), bag("nova"), guide("best"))

    issue = build_issue(number=2, today=TODAY, current=current, previous=previous, window_start=WINDOW)

    assert issue is not None
    assert [b.slug for b in issue.new_bags] == ["nova"]
    assert issue.week == "2026-W48"


def test_a_changed_shown_price_is_a_price_change_with_both_dates() -> None:
    previous = snap(bag("kanken", 8000, date_="2025-01-10"), bag("nova", 5000))
    current = snap(bag("kanken", 7000, date_="2026-11-20"), bag("nova", 5000))

    issue = build_issue(number=2, today=TODAY, current=current, previous=previous, window_start=WINDOW)

    assert issue is not None
    [change] = issue.price_changes
    assert (change.bag.slug, change.old_price, change.old_date) == ("kanken", "$80", "2025-01-10")
    assert (change.new_price, change.bag.price_date) == ("$70", "2026-11-20")
    text = issue_text(issue, site_url="https://m.example", unsubscribe_url="https://m.example/u/x/")
    assert "$80 (dated 2025-01-10) -> $70 (dated 2026-11-20)" in text


def test_a_price_that_disappeared_is_not_news_and_a_new_one_is() -> None:
    previous = snap(bag("kanken", 8000), bag("nova", None))
    current = snap(bag("kanken", None), bag("nova", 5000))

    issue = build_issue(number=2, today=TODAY, current=current, previous=previous, window_start=WINDOW)

    assert issue is not None
    assert [(c.bag.slug, c.old_price) for c in issue.price_changes] == [("nova", "")]


def test_new_and_rewritten_guides() -> None:
    previous = snap(guide("best", "2025-01"), guide("old", "2025-01"))
    current = snap(guide("best", "2026-11"), guide("old", "2025-01"), guide("ipad"))

    issue = build_issue(number=2, today=TODAY, current=current, previous=previous, window_start=WINDOW)

    assert issue is not None
    assert [g.slug for g in issue.new_guides] == ["ipad"]
    assert [g.slug for g in issue.rewritten_guides] == ["best"]


def test_the_first_issue_counts_the_window_and_has_no_price_changes() -> None:
    current = snap(
        bag("old", added="2026-01-01"), bag("fresh", added="2026-11-20"), guide("g1", "2026-11"), guide("g0")
    )

    issue = build_issue(number=1, today=TODAY, current=current, previous=None, window_start=WINDOW)

    assert issue is not None
    assert [b.slug for b in issue.new_bags] == ["fresh"]
    assert issue.price_changes == ()
    assert [g.slug for g in issue.new_guides] == ["g1"]


def test_nothing_new_builds_no_issue() -> None:
    same = snap(bag("kanken"), guide("best"))

    assert build_issue(number=2, today=TODAY, current=same, previous=same, window_start=WINDOW) is None


def test_notable_comments_are_few_one_per_page_longest_first_and_cut_at_a_word() -> None:
    long = "This bag held my tablet, a book and lunch. " * 20
    notes = [
        note("Great bag!", path="/bags/a/"),
        note(long, path="/bags/a/"),
        note("Straps dig in after an hour of walking.", path="/bags/b/"),
        note("   ", path="/bags/c/"),
        note("Fits a Kindle.", path="/bags/d/"),
        note("Zip broke after a month.", path="/bags/e/"),
    ]

    chosen = notable_comments(notes)

    assert [c.path for c in chosen] == ["/bags/a/", "/bags/b/", "/bags/e/"]
    assert chosen[0].body.endswith("…") and len(chosen[0].body) <= 280
    assert not chosen[0].body[:-1].endswith(" ")
    assert excerpt("a  b\n c") == "a b c"


def test_comments_alone_make_an_issue() -> None:
    same = snap(bag("kanken"))

    issue = build_issue(
        number=3, today=TODAY, current=same, previous=same, window_start=WINDOW, comments=[note("Useful detail.")]
    )

    assert issue is not None and len(issue.comments) == 1
    assert issue_subject(issue) == "Minipack weekly #3: 1 reader comment"


def test_an_issue_survives_storage_and_its_text_names_the_readers_own_unsubscribe_link() -> None:
    previous = snap(bag("kanken", 8000), guide("best"))
    current = snap(bag("kanken", 7000), bag("nova"), guide("best"), guide("ipad"))
    issue = build_issue(
        number=4, today=TODAY, current=current, previous=previous, window_start=WINDOW, comments=[note("Roomy.")]
    )
    assert issue is not None

    assert issue_from_json(issue.as_json()) == issue
    assert Snapshot.from_json(current.as_json()) == current
    assert issue_subject(issue) == "Minipack weekly #4: 1 new bag, 1 price change, 1 new guide, 1 reader comment"
    text = issue_text(
        issue, site_url="https://m.example", unsubscribe_url="https://m.example/newsletter/unsubscribe/t/"
    )
    assert "NEW BAGS" in text and "https://m.example/bags/nova/" in text
    assert "Unsubscribe with one click: https://m.example/newsletter/unsubscribe/t/" in text
