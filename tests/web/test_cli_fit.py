"""The fit commands of `minipack`: fit, fit --jsonl and fits-in-catalog, as a shopper or a script runs them."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from minipack.catalog import bundled_catalog
from minipack.fit import Placement, validate_placements
from minipack.fit.interior import bag_space
from minipack.fit.items import resolve_items
from minipack_web.cli import main

KANKEN = "fjallraven-kanken-mini"
KIT = "iphone-15,water-bottle-500ml,bifold-wallet"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_fit_prints_the_verdict_the_placements_and_the_smallest_bags(capsys) -> None:
    code, out, _ = run(capsys, "fit", "--bag", KANKEN, "--items", KIT)

    assert code == 0
    assert "Fjällräven Kånken Mini (fjallraven-kanken-mini)" in out
    assert "FITS: Everything fits" in out or "TIGHT: " in out
    table = out.split("at x, y, z (mm)", 1)[1]
    for name in ("iphone-15", "water-bottle-500ml", "bifold-wallet"):
        assert name in table
    assert "Smallest bags in the catalog that take this kit:" in out


def test_fit_json_is_one_document_whose_placements_validate(capsys) -> None:
    code, out, _ = run(capsys, "fit", "--bag", KANKEN, "--items", KIT, "--json")

    assert code == 0
    document = json.loads(out)
    assert document["bag"]["slug"] == KANKEN
    assert document["fits"] is True and document["proof"] is None and document["remove_to_fit"] is None
    items = resolve_items(KIT.split(","))
    placements = [Placement(p["name"], tuple(p["position_mm"]), tuple(p["size_mm"])) for p in document["placements"]]
    assert validate_placements(tuple(document["bag"]["interior_mm"]), items, placements) == []
    smallest = document["smallest_bags"]
    assert 1 <= len(smallest) <= 3
    volumes = [a * b * c for a, b, c in (bag["interior_mm"] for bag in smallest)]
    assert volumes == sorted(volumes)


def test_a_kit_that_does_not_fit_says_why_and_what_to_leave_out(capsys) -> None:
    code, out, _ = run(
        capsys,
        "fit",
        "--bag",
        "louis-vuitton-mini-palm-springs-backpack",
        "--items",
        "iphone-15,umbrella-compact-automatic",
    )

    assert code == 0
    assert "DOES NOT FIT: " in out
    assert "proof: item too big" in out
    assert "leave out to fit: umbrella-compact-automatic" in out


def test_fit_accepts_custom_items_with_a_decimal_comma(capsys) -> None:
    code, out, _ = run(capsys, "fit", "--bag", KANKEN, "--items", "iphone-15,pouch:soft 0,5L", "--json")

    assert code == 0
    names = [item["name"] for item in json.loads(out)["items"]]
    assert names == ["iphone-15", "pouch"]


def test_fit_svg_writes_a_parseable_picture(capsys, tmp_path: Path) -> None:
    picture = tmp_path / "kit.svg"

    code, _, err = run(capsys, "fit", "--bag", KANKEN, "--items", KIT, "--svg", str(picture))

    assert code == 0
    assert str(picture) in err
    root = ET.parse(picture).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "Kånken" in (root.findtext("{http://www.w3.org/2000/svg}title") or "")


def test_an_unknown_bag_is_refused_naming_it_and_its_close_matches(capsys) -> None:
    code, out, err = run(capsys, "fit", "--bag", "fjallraven-kanken-mni", "--items", KIT)

    assert code == 1 and out == ""
    assert '"fjallraven-kanken-mni"' in err and '"fjallraven-kanken-mini"' in err


def test_an_unknown_item_is_refused_naming_it_and_its_close_matches(capsys) -> None:
    code, out, err = run(capsys, "fit", "--bag", KANKEN, "--items", "iphone-51,bifold-wallet")

    assert code == 1 and out == ""
    assert "'iphone-51'" in err and "'iphone-15'" in err


def test_a_bag_without_a_published_size_is_refused(capsys) -> None:
    code, _, err = run(capsys, "fit", "--bag", "zara-mini-city-backpack", "--items", KIT)

    assert code == 1
    assert "no published size" in err


def test_fit_without_bag_or_items_is_a_command_line_mistake(capsys) -> None:
    code, _, err = run(capsys, "fit", "--items", KIT)

    assert code == 2
    assert "--bag" in err


def test_fits_in_catalog_lists_every_bag_smallest_first_and_those_without_a_size(capsys) -> None:
    code, out, _ = run(capsys, "fits-in-catalog", "--items", KIT)

    assert code == 0
    catalog = bundled_catalog()
    sized = {p.slug: bag_space(p) for p in catalog}
    unsized = sorted(slug for slug, space in sized.items() if space is None)
    rows = [line.split() for line in out.splitlines() if line.startswith("  ") and "verdict" not in line]
    slugs = [row[-1] for row in rows]
    assert sorted(slugs) == sorted(p.slug for p in catalog)
    assert sorted(row[-1] for row in rows if " ".join(row[:3]) == "no size published") == unsized
    listed = [sized[slug] for slug in slugs if sized[slug] is not None]
    volumes = [s.interior_mm[0] * s.interior_mm[1] * s.interior_mm[2] for s in listed if s is not None]
    assert volumes == sorted(volumes)


def test_fits_in_catalog_json_says_how_each_verdict_was_reached(capsys) -> None:
    code, out, _ = run(capsys, "fits-in-catalog", "--items", KIT, "--json")

    assert code == 0
    document = json.loads(out)
    assert [item["name"] for item in document["items"]] == KIT.split(",")
    assert document["bags"] and document["no_size_published"]
    for bag in document["bags"]:
        assert bag["verdict"] in ("fits", "tight", "does_not_fit", "undecided")
        assert bag["decided_by"] in ("prepass", "dominance", "engine", "skipped")
        assert bag["reason"]
    assert any(bag["verdict"] in ("fits", "tight") for bag in document["bags"])


def test_fit_jsonl_answers_standard_input_line_by_line(capsys, monkeypatch) -> None:
    requests = [
        {"id": "a", "bag": {"slug": KANKEN}, "items": [{"name": "phone", "dims_mm": [147, 71, 8]}]},
        {"id": "b", "bag": {"interior_mm": [100, 60, 5]}, "items": [{"name": "phone", "dims_mm": [147, 71, 8]}]},
    ]
    lines = [json.dumps(requests[0]), "", "{broken", json.dumps(requests[1])]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))

    code, out, err = run(capsys, "fit", "--jsonl")

    assert code == 0  # error lines are answers, not a failed batch
    answers = [json.loads(line) for line in out.splitlines()]
    assert [a["id"] for a in answers] == ["a", None, "b"]
    assert answers[0]["fits"] is True and answers[2]["verdict"] == "does_not_fit"
    assert "not valid JSON" in answers[1]["error"]
    assert err.strip() == "3 requests, 1 fit, 1 do not fit, 1 errors"


def test_fit_jsonl_takes_no_other_options(capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    code, _, err = run(capsys, "fit", "--jsonl", "--bag", KANKEN)

    assert code == 2
    assert "--jsonl" in err
