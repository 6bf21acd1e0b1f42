"""`minipack airline-check`, run through a parser built with the command's own ``add_parser``."""

from __future__ import annotations

import argparse
import json

import pytest

from minipack_web.commands.airline import add_parser


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="minipack")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["airline-check", *argv])
    code: int = args.func(args)
    out, err = capsys.readouterr()
    return code, out, err


def by_code(document: list[dict[str, object]]) -> dict[tuple[object, object], dict[str, object]]:
    return {(row["iata"], row["kind"]): row for row in document}


def test_acceptance_45_36_25_cm_exceeds_ryanair_and_frontier_personal_items(capsys) -> None:
    code, out, _ = run(capsys, "--dims", "45 x 36 x 25 cm", "--airline", "FR", "--airline", "F9", "--json")

    assert code == 0
    rows = by_code(json.loads(out))
    for iata, checked_on in (("FR", "2025-12-14"), ("F9", "2025-12-15")):
        row = rows[(iata, "personal")]
        assert row["verdict"] == "exceeds"
        assert str(row["source_url"]).startswith("https://") and row["checked_on"] == checked_on
    assert rows[("F9", "personal")]["margins_mm"] == [7, -4, -47]
    assert len(rows) == 4  # both kinds of both airlines


def test_acceptance_40_30_15_cm_meets_lufthansas_personal_item(capsys) -> None:
    code, out, _ = run(capsys, "--dims", "40 x 30 x 15 cm", "--airline", "LH", "--kind", "personal", "--json")

    assert code == 0
    (row,) = json.loads(out)
    assert row["verdict"] in ("within", "borderline")
    assert row["published"] == "40 x 30 x 15 cm" and row["margins_mm"] == [0, 0, 0]
    assert row["checked_on"] == "2025-12-14" and "carry-fit" in row["source_url"]


def test_json_rows_have_the_promised_keys(capsys) -> None:
    code, out, _ = run(capsys, "--dims", "20 x 29 x 13 cm", "--json")

    assert code == 0
    document = json.loads(out)
    assert len(document) == 40
    for row in document:
        assert {"airline", "iata", "kind", "verdict", "margins_mm", "source_url", "checked_on"} <= row.keys()
        assert row["kind"] in ("personal", "carry_on")
        assert row["verdict"] in ("within", "borderline", "exceeds", "no_published_size")
    delta = by_code(document)[("DL", "personal")]
    assert delta["verdict"] == "no_published_size" and delta["margins_mm"] is None and delta["published"] is None


def test_text_output_is_a_table_with_sources(capsys) -> None:
    code, out, _ = run(capsys, "--dims", "45 x 36 x 25 cm", "--airline", "fr,lh", "--kind", "personal")

    assert code == 0
    assert "Ryanair" in out and "Lufthansa" in out and "exceeds" in out
    assert "40 x 30 x 20 cm" in out and "-50, -60, -50" in out
    assert "2025-12-14" in out and "Sources (confirm with the airline" in out
    assert "FR: https://" in out


def test_a_catalog_bag_uses_its_chosen_exterior(capsys) -> None:
    code, out, _ = run(capsys, "--bag", "fjallraven-kanken-mini", "--airline", "FR", "--kind", "personal", "--json")

    assert code == 0
    (row,) = json.loads(out)
    assert row["bag_mm"] == [290, 200, 130] and row["verdict"] == "within" and row["compressed_mm"] == 0


def test_squeeze_compresses_only_fabric_bags(capsys) -> None:
    _, out, _ = run(
        capsys, "--bag", "fjallraven-kanken-mini", "--airline", "LH", "--kind", "personal", "--squeeze", "--json"
    )
    assert json.loads(out)[0]["compressed_mm"] == 19
    _, out, _ = run(
        capsys, "--bag", "coach-jordyn-backpack", "--airline", "LH", "--kind", "personal", "--squeeze", "--json"
    )
    assert json.loads(out)[0]["compressed_mm"] == 0


def test_an_unknown_slug_exits_1_with_close_matches(capsys) -> None:
    code, out, err = run(capsys, "--bag", "kanken")

    assert code == 1 and out == ""
    assert "no bag 'kanken'" in err and "fjallraven-kanken-mini" in err


def test_a_bag_without_a_size_exits_1(capsys) -> None:
    code, _, err = run(capsys, "--bag", "carhartt-classic-mini-backpack")

    assert code == 1 and "no published size" in err


def test_an_unknown_airline_exits_1_naming_the_known_codes(capsys) -> None:
    code, _, err = run(capsys, "--dims", "40 x 30 x 15 cm", "--airline", "ZZ")

    assert code == 1 and "ZZ" in err and "known IATA codes" in err


def test_an_unreadable_size_exits_1(capsys) -> None:
    code, _, err = run(capsys, "--dims", "forty by thirty")

    assert code == 1 and "cannot read dimensions" in err


def test_bag_and_dims_are_exclusive_and_one_is_required(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        run(capsys, "--bag", "x", "--dims", "1 x 1 x 1 cm")
    assert info.value.code == 2
    with pytest.raises(SystemExit):
        run(capsys)


def test_a_packed_kit_checks_a_fabric_bag_at_its_as_packed_depth(capsys) -> None:
    code, out, _ = run(capsys, "--bag", "fjallraven-kanken-mini", "--airline", "LH", "--kind", "personal", "--json")
    empty = json.loads(out)[0]
    code, out, _ = run(
        capsys, "--bag", "fjallraven-kanken-mini", "--items", "iphone-15,bifold-wallet", "--airline", "LH", "--json"
    )

    assert code == 0
    packed = next(row for row in json.loads(out) if row["kind"] == "personal")
    assert packed["compressed_mm"] is not None
    assert packed["margins_mm"][2] > empty["margins_mm"][2]  # a thin kit lets the bag's depth shrink


def test_items_without_a_bag_are_refused(capsys) -> None:
    code, _, err = run(capsys, "--dims", "40 x 30 x 15 cm", "--items", "iphone-15")

    assert code == 1
    assert "--items needs --bag" in err
