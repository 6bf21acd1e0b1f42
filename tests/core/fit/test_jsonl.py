"""The JSON Lines batch protocol: every bad request gets an error line naming its field, and the batch goes on."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from minipack.fit import Item, Placement, validate_placements
from minipack.fit.jsonl import MAX_LINE_BYTES, BatchSummary, read_lines, run_jsonl

PHONE = {"name": "phone", "dims_mm": [147, 71, 8]}
GOOD = {"id": "good", "bag": {"interior_mm": [200, 280, 100]}, "items": [PHONE]}


def batch(*lines: str) -> tuple[list[dict[str, Any]], BatchSummary]:
    out = io.StringIO()
    summary = run_jsonl(lines, out)
    return [json.loads(line) for line in out.getvalue().splitlines()], summary


def request(**changes: Any) -> str:
    return json.dumps({**GOOD, "id": "bad", **changes})


def item(**changes: Any) -> dict[str, Any]:
    return {**PHONE, **changes}


def with_dims(*dims: Any) -> str:
    return request(items=[PHONE, PHONE, item(dims_mm=list(dims))])


# Each bad line, and what its error must say (field path first). Raw text is used
# where json.dumps cannot write the mistake (NaN, a key twice, a broken line).
BAD = [
    pytest.param("{not json", None, "line: not valid JSON", id="invalid-json"),
    pytest.param('{"id": "bad", "bag": ', None, "line: not valid JSON", id="truncated"),
    pytest.param("[1, 2, 3]", None, "request: must be a JSON object, got a list", id="not-an-object"),
    pytest.param('"text"', None, "request: must be a JSON object", id="a-string"),
    pytest.param(json.dumps({"id": "bad", "items": [PHONE]}), "bad", "bag: missing", id="no-bag"),
    pytest.param(json.dumps({"id": "bad", "bag": GOOD["bag"]}), "bad", "items: missing", id="no-items"),
    pytest.param(request(bag={}), "bad", "bag.interior_mm: missing", id="empty-bag"),
    pytest.param(request(bag=[200, 280, 100]), "bad", "bag: must be an object", id="bag-not-object"),
    pytest.param(request(items=[{"dims_mm": [1, 2, 3]}]), "bad", "items[0].name: missing", id="no-name"),
    pytest.param(request(items=[{"name": "x"}]), "bad", "items[0].dims_mm: missing", id="no-dims"),
    pytest.param(request(items=[item(name=7)]), "bad", "items[0].name: must be text, got 7", id="name-number"),
    pytest.param(request(items=[item(name="  ")]), "bad", "items[0].name: is empty", id="name-blank"),
    pytest.param(request(items=[item(name="a\u0000b")]), "bad", "items[0].name: has control", id="name-control"),
    pytest.param(
        with_dims(147, -5, 8),
        "bad",
        "items[2].dims_mm[1]: must be a positive whole number of mm, got -5",
        id="negative",
    ),
    pytest.param(
        with_dims(0, 71, 8), "bad", "items[2].dims_mm[0]: must be a positive whole number of mm, got 0", id="zero"
    ),
    pytest.param(
        with_dims(147, 71, 7.5),
        "bad",
        "items[2].dims_mm[2]: must be a positive whole number of mm, got 7.5",
        id="fraction",
    ),
    pytest.param(
        with_dims(147, "71", 8),
        "bad",
        'items[2].dims_mm[1]: must be a positive whole number of mm, got the text "71"',
        id="string",
    ),
    pytest.param(
        with_dims(True, 71, 8),
        "bad",
        "items[2].dims_mm[0]: must be a positive whole number of mm, got true",
        id="boolean",
    ),
    pytest.param(
        with_dims(None, 71, 8), "bad", "items[2].dims_mm[0]: must be a positive whole number of mm, got null", id="null"
    ),
    pytest.param(
        with_dims([1], 71, 8),
        "bad",
        "items[2].dims_mm[0]: must be a positive whole number of mm, got a list",
        id="nested-list",
    ),
    pytest.param(
        with_dims(147, 71, 8).replace("[147, 71, 8]}]", "[147, NaN, 8]}]"),
        "bad",
        "items[2].dims_mm[1]: must be a positive whole number of mm, got NaN",
        id="nan",
    ),
    pytest.param(
        with_dims(147, 71, 8).replace("[147, 71, 8]}]", "[Infinity, 71, 8]}]"),
        "bad",
        "items[2].dims_mm[0]: must be a positive whole number of mm, got Infinity",
        id="infinity",
    ),
    pytest.param(
        with_dims(147, 71, 8).replace("[147, 71, 8]}]", "[147, 71, -Infinity]}]"),
        "bad",
        "items[2].dims_mm[2]: must be a positive whole number of mm, got -Infinity",
        id="minus-infinity",
    ),
    pytest.param(
        with_dims(147, 71, 8).replace("[147, 71, 8]}]", "[1e999, 71, 8]}]"),
        "bad",
        "items[2].dims_mm[0]: must be at most 5000 mm, got 1e999",
        id="overflowing-float",
    ),
    pytest.param(
        with_dims(147, 71, 5001), "bad", "items[2].dims_mm[2]: must be at most 5000 mm, got 5001", id="too-long"
    ),
    pytest.param(with_dims(147, 71), "bad", "items[2].dims_mm: must list 3 sizes in mm, got 2", id="two-dims"),
    pytest.param(with_dims(147, 71, 8, 1), "bad", "items[2].dims_mm: must list 3 sizes in mm, got 4", id="four-dims"),
    pytest.param(
        request(items=[item(dims_mm="147x71x8")]), "bad", "items[0].dims_mm: must be a list of 3", id="dims-text"
    ),
    pytest.param(request(items=[PHONE] * 51), "bad", "items: at most 50 items per request, got 51", id="too-many"),
    pytest.param(request(items=[]), "bad", "items: is empty", id="no-items-listed"),
    pytest.param(request(items={"name": "phone"}), "bad", "items: must be a list", id="items-object"),
    pytest.param(request(items=["phone"]), "bad", 'items[0]: must be an object, got the text "phone"', id="item-text"),
    pytest.param(request(colour="red"), "bad", 'request: unknown key "colour"', id="unknown-key"),
    pytest.param(
        request(bag={"interior_mm": [200, 280, 100], "depth": 3}),
        "bad",
        'bag: unknown key "depth"',
        id="unknown-bag-key",
    ),
    pytest.param(request(items=[item(colour="red")]), "bad", 'items[0]: unknown key "colour"', id="unknown-item-key"),
    pytest.param(
        request().replace('"id": "bad"', '"id": "bad", "bag": 1'),
        "bad",
        'request: the key "bag" is given twice',
        id="key-twice",
    ),
    pytest.param(
        request(items=[item(shape="sphere")]), "bad", 'items[0].shape: must be "box" or "cylinder"', id="shape"
    ),
    pytest.param(
        request(items=[item(shape="cylinder", dims_mm=[65, 70, 205])]),
        "bad",
        "items[0].dims_mm: a cylinder is [diameter, diameter, length]",
        id="cylinder-diameters",
    ),
    pytest.param(request(items=[item(rigid="yes")]), "bad", "items[0].rigid: must be true or false", id="rigid-text"),
    pytest.param(
        request(items=[item(volume_ml=300)]), "bad", "items[0].volume_ml: only a soft item", id="rigid-volume"
    ),
    pytest.param(
        request(items=[item(rigid=False, volume_ml=-1)]),
        "bad",
        "items[0].volume_ml: must be a positive whole number of ml, got -1",
        id="negative-volume",
    ),
    pytest.param(
        request(bag={"interior_mm": [200, 280, 100], "usable_ml": 6000}),
        "bad",
        "bag.usable_ml: 6000 ml is more than the interior box holds (5600 ml)",
        id="usable-over-box",
    ),
    pytest.param(
        request(bag={"interior_mm": [200, 280, 100], "usable_ml": 1.5}),
        "bad",
        "bag.usable_ml: must be a whole number (0 or more) of ml, got 1.5",
        id="usable-fraction",
    ),
    pytest.param(
        request(bag={"interior_mm": [200, -280, 100]}),
        "bad",
        "bag.interior_mm[1]: must be a positive",
        id="bag-negative",
    ),
    pytest.param(request(bag={"interior_mm": [5000, 5000, 5000]}), "bad", "bag.interior_mm: holds", id="bag-huge"),
    pytest.param(
        request(bag={"slug": "fjallraven-kanken-mini", "interior_mm": [1, 2, 3]}),
        "bad",
        "bag: give either slug or interior_mm",
        id="slug-and-interior",
    ),
    pytest.param(
        request(bag={"slug": "fjallraven-kanken-mni"}),
        "bad",
        'bag.slug: no bag "fjallraven-kanken-mni" in the bundled catalog; did you mean "fjallraven-kanken-mini"?',
        id="unknown-slug",
    ),
    pytest.param(request(bag={"slug": "zara-mini-city-backpack"}), "bad", "bag.slug: the bag", id="slug-without-size"),
    pytest.param(request(bag={"slug": 3}), "bad", "bag.slug: must be text, got 3", id="slug-number"),
    pytest.param(request(id=[1]), None, "id: must be text, a whole number or null", id="id-list"),
    pytest.param(request(id=True), None, "id: must be text, a whole number or null, got true", id="id-boolean"),
    pytest.param(request(id="x" * 201), None, "id: longer than 200 characters", id="id-too-long"),
    pytest.param("x" * (MAX_LINE_BYTES + 1), None, "line: longer than 1,048,576 bytes", id="line-over-1-MiB"),
    pytest.param(
        json.dumps(GOOD) + " " * (MAX_LINE_BYTES - len(json.dumps(GOOD))),
        None,
        None,  # exactly 1 MiB: the limit itself is allowed
        id="exactly-1-MiB",
    ),
    pytest.param(
        request(pad="\u00e9" * (MAX_LINE_BYTES // 2 + 1)),
        None,
        "line: longer than 1,048,576 bytes",  # fewer characters than that, but more bytes in UTF-8
        id="over-1-MiB-in-UTF-8",
    ),
    pytest.param('{"id": "bad", "bag": "\udc80"}', None, "line: not valid UTF-8", id="undecodable-bytes"),
]


@pytest.mark.parametrize(("line", "echoed_id", "message"), BAD)
def test_a_bad_request_gets_an_error_line_naming_the_field_and_the_batch_goes_on(
    line: str, echoed_id: str | None, message: str | None
) -> None:
    answers, summary = batch(line, json.dumps(GOOD))

    assert len(answers) == 2
    if message is None:  # the control case: accepted
        assert "error" not in answers[0]
        return
    assert answers[0] == {"id": echoed_id, "error": answers[0]["error"]}
    assert message in answers[0]["error"]
    assert answers[1]["id"] == "good" and answers[1]["fits"] is True
    assert summary == BatchSummary(requests=2, fit=1, not_fit=0, undecided=0, errors=1)


def test_every_problem_of_a_request_is_listed_not_just_the_first() -> None:
    line = request(bag={"interior_mm": [200, 0, 100]}, items=[item(dims_mm=[147, -5, 8]), item(rigid=1)])

    (answer, _), _ = batch(line, json.dumps(GOOD))

    assert answer["id"] == "bad"
    assert answer["error"].split("; ") == [
        "bag.interior_mm[1]: must be a positive whole number of mm, got 0",
        "items[0].dims_mm[1]: must be a positive whole number of mm, got -5",
        "items[1].rigid: must be true or false, got 1",
    ]


def test_answers_keep_the_order_of_the_requests_and_echo_their_ids() -> None:
    ids = ["first", 2, None, "fourth", 5]
    lines = []
    for n, request_id in enumerate(ids):
        big = n % 2 == 0
        bag = [200, 280, 100] if big else [100, 60, 5]
        lines.append(json.dumps({"id": request_id, "bag": {"interior_mm": bag}, "items": [PHONE]}))
    lines.insert(2, "not json at all")

    answers, summary = batch(*lines)

    assert [a["id"] for a in answers] == ["first", 2, None, None, "fourth", 5]
    assert [a.get("fits") for a in answers] == [True, False, None, True, False, True]
    assert str(summary) == "6 requests, 3 fit, 2 do not fit, 1 errors"


def test_a_fitting_answer_has_the_documented_fields_and_a_placement_that_validates() -> None:
    kit = [
        PHONE,
        {"name": "bottle", "dims_mm": [65, 65, 205], "shape": "cylinder"},
        {"name": "wallet", "dims_mm": [110, 90, 20]},
        {"name": "scarf", "dims_mm": [100, 100, 50], "rigid": False, "volume_ml": 500},
    ]
    line = json.dumps({"id": 17, "bag": {"interior_mm": [200, 280, 100], "usable_ml": 4000}, "items": kit})

    (answer,), _ = batch(line)

    assert list(answer) == ["id", "fits", "verdict", "placements", "reason", "proof"]
    assert answer["id"] == 17 and answer["fits"] is True and answer["verdict"] in ("fits", "tight")
    assert answer["proof"] is None
    rigid = [Item(k["name"], tuple(k["dims_mm"]), k.get("shape", "box")) for k in kit if k.get("rigid", True)]
    placements = [Placement(p["name"], tuple(p["position_mm"]), tuple(p["size_mm"])) for p in answer["placements"]]
    assert [p.name for p in placements] == ["phone", "bottle", "wallet"]  # rigid items, in request order
    assert validate_placements((200, 280, 100), rigid, placements) == []


def test_a_kit_that_does_not_fit_comes_with_a_proof() -> None:
    line = json.dumps({"id": "tiny", "bag": {"interior_mm": [100, 60, 5]}, "items": [PHONE]})

    (answer,), summary = batch(line)

    assert answer["fits"] is False and answer["verdict"] == "does_not_fit" and answer["placements"] == []
    assert answer["proof"]["kind"] == "item_too_big" and answer["proof"]["items"] == ["phone"]
    assert set(answer["proof"]) == {"kind", "message", "items", "method"}
    assert summary.not_fit == 1


def test_a_catalog_bag_is_named_by_slug_and_its_interior_comes_from_the_bag_interior_rule() -> None:
    line = json.dumps({"id": "k", "bag": {"slug": "fjallraven-kanken-mini"}, "items": [PHONE]})

    (answer,), _ = batch(line)

    assert answer["fits"] is True
    assert "fjallraven-kanken-mini" in answer["reason"]


def test_blank_lines_are_skipped_and_not_counted() -> None:
    answers, summary = batch("", "   ", json.dumps(GOOD) + "\r\n", "\n", "\t")

    assert [a["id"] for a in answers] == ["good"]
    assert summary.requests == 1


def test_a_byte_order_mark_before_the_first_request_is_ignored() -> None:
    answers, _ = batch("\ufeff" + json.dumps(GOOD))

    assert answers[0]["id"] == "good" and "error" not in answers[0]


def test_whole_numbers_written_with_a_point_are_accepted() -> None:
    answers, _ = batch(request(items=[item(dims_mm=[147.0, 71, 8e0])]))

    assert answers[0]["fits"] is True


def test_the_output_is_the_same_every_run() -> None:
    lines = [json.dumps(GOOD), request(items=[item(dims_mm=[1, 2])]), json.dumps({**GOOD, "id": 2})]

    first, _ = batch(*lines)
    second, _ = batch(*lines)

    assert first == second


def test_answers_are_streamed_one_line_per_request_as_they_are_read() -> None:
    written: list[str] = []

    class Out(io.StringIO):
        def write(self, text: str) -> int:
            written.append(text)
            return len(text)

    def lines():  # type: ignore[no-untyped-def]
        yield json.dumps(GOOD)
        assert len(written) == 1  # the first answer is out before the second request is read
        yield "nope"

    run_jsonl(lines(), Out())

    assert len(written) == 2 and all(text.endswith("\n") and text.count("\n") == 1 for text in written)


def test_read_lines_cuts_a_giant_line_without_reading_it_whole() -> None:
    giant = "x" * (3 * MAX_LINE_BYTES)
    stream = io.StringIO(f"{json.dumps(GOOD)}\n{giant}\n{json.dumps(GOOD)}\n")

    lines = list(read_lines(stream))

    assert len(lines) == 3
    assert len(lines[1]) == MAX_LINE_BYTES + 1  # cut: enough to know it is too long, no more
    answers, _ = batch(*lines)
    assert [a.get("id") for a in answers] == ["good", None, "good"]
    assert "longer than" in answers[1]["error"]
