"""Comment text: which names and bodies are refused, how a body is stored, which addresses become links."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minipack.comment_text import Segment, find_links, fingerprint, fold, layout, normalise_body, text_problem


def links(text: str) -> list[str]:
    return [text[a:b] for a, b in find_links(text)]


# --------------------------------------------------------------------------- refused text


@pytest.mark.parametrize(
    ("text", "multiline", "reason"),
    [
        ("Ann\x00", False, "NUL"),
        ("Great bag\x00", True, "NUL"),
        ("Ann\nSmith", False, "one line"),
        ("bell\x07", True, "control character (U+0007)"),
        ("escape \x1b[31m red", True, "U+001B"),
        ("next line \x85", False, "one line"),
        ("c1 \x9b", True, "U+009B"),
    ],
)
def test_control_characters_and_line_breaks_in_a_name_are_refused_with_the_reason(
    text: str, multiline: bool, reason: str
) -> None:
    problem = text_problem(text, multiline=multiline)
    assert problem is not None and reason in problem


@pytest.mark.parametrize("text", ["Ann", "Zoë O'Brien", "tab\tseparated", "日本語", "<script>alert(1)</script>"])
def test_ordinary_names_pass(text: str) -> None:
    assert text_problem(text, multiline=False) is None


def test_a_body_may_have_line_breaks_of_any_kind() -> None:
    assert text_problem("one\r\ntwo\rthree\nfour", multiline=True) is None


# --------------------------------------------------------------------------- the stored form


def test_a_body_is_stored_with_unix_line_ends_no_trailing_spaces_and_at_most_one_blank_line() -> None:
    assert normalise_body("  Hi  \r\n\r\n\r\n\r\nsecond\r\nthird \u2028fourth  ") == "Hi\n\nsecond\nthird\nfourth"


def test_folding_sees_through_case_accents_full_width_and_zero_width_characters() -> None:
    assert fold("ＶＩＡＧＲＡ") == fold("Viágra") == fold("vi\u200bagra") == "viagra"


def test_bodies_that_differ_only_in_case_and_spacing_share_a_fingerprint() -> None:
    assert fingerprint("Great  bag!\n\nLove it") == fingerprint("great bag! love it")
    assert fingerprint("Great bag") != fingerprint("Great bags")


# --------------------------------------------------------------------------- links


def test_http_and_https_addresses_are_links_without_the_sentence_punctuation_after_them() -> None:
    text = "See https://shop.example/kanken. Or (http://a.example/x_(y)), HTTPS://B.example/?q=1&r=2!"
    assert links(text) == ["https://shop.example/kanken", "http://a.example/x_(y)", "HTTPS://B.example/?q=1&r=2"]


@pytest.mark.parametrize(
    "text",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "JaVaScRiPt:alert(document.cookie)",
        "ftp://files.example/x",
        "www.example.com",
        "xhttp://glued.example",
        "http://",
        "http://trusted.example@evil.example/",
        "http://user:pass@host.example/",
        "http://host.example:99999/",
        "http://bad_host!.example/",
    ],
)
def test_nothing_but_a_plain_http_or_https_address_becomes_a_link(text: str) -> None:
    assert links(text) == []


def test_an_address_stops_at_quotes_and_angle_brackets() -> None:
    assert links('http://a.example/"onmouseover="alert(1)') == ["http://a.example/"]
    assert links("http://a.example/<script>") == ["http://a.example/"]
    assert links("http://a.example/'x") == ["http://a.example/"]


def test_ipv6_and_international_hosts_are_links() -> None:
    assert links("http://[2001:db8::1]:8080/x and https://bücher.example/") == [
        "http://[2001:db8::1]:8080/x",
        "https://bücher.example/",
    ]


# --------------------------------------------------------------------------- layout


def test_layout_keeps_paragraphs_and_line_breaks_and_marks_the_links() -> None:
    body = "First line\nsee https://a.example/x.\n\nSecond paragraph"
    assert layout(body) == (
        (
            (Segment("First line"),),
            (Segment("see "), Segment("https://a.example/x", href="https://a.example/x"), Segment(".")),
        ),
        ((Segment("Second paragraph"),),),
    )


def test_a_link_written_in_capitals_gets_a_lower_case_scheme() -> None:
    ((line,),) = layout("HTTPS://A.example/")
    assert line == (Segment("HTTPS://A.example/", href="https://A.example/"),)


def test_an_empty_body_has_no_paragraphs() -> None:
    assert layout("  \n \n") == ()


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_every_character_of_a_body_survives_layout_as_text(body: str) -> None:
    """Whatever the body, layout only splits it: joining the segments back gives the stored body exactly."""
    text = normalise_body(body)
    rebuilt = "\n\n".join("\n".join("".join(s.text for s in line) for line in p) for p in layout(body))
    assert rebuilt == text
    for paragraph in layout(body):
        for line in paragraph:
            for segment in line:
                assert not segment.href or segment.href.lower().startswith(("http://", "https://"))
