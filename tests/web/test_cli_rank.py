"""`minipack rank` and `minipack guide`, on a parser of their own (cli.py wires them separately)."""

from __future__ import annotations

import argparse
import json

import pytest

from minipack.errors import MinipackError
from minipack_web.commands.rank import add_parsers


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="minipack")
    add_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    try:
        code: int = args.func(args)
    except MinipackError as exc:  # as cli.main does
        print(f"minipack: {exc}")
        code = 1
    out, err = capsys.readouterr()
    return code, out, err


def test_rank_prints_points_reasons_counterfactuals_and_pareto_marks(capsys) -> None:
    code, out, _ = run(capsys, "rank", "--budget-max", "100")

    assert code == 0
    assert out.startswith("Top 4 for you (budget up to $100); 4 bag(s) pass, 19 do not")
    assert " 1. Fjällräven Kånken Mini (fjallraven-kanken-mini)" in out and "points *" in out
    assert "(no published weight: counted as the worst)" in out
    assert "Coach Jordyn Backpack (coach-jordyn-backpack): over budget: $295 > $100" in out
    assert "unknown price in USD (only a price in EUR is published)" in out
    assert "+$95 of budget (up to $195) adds the Marc Jacobs The Backpack Mini" in out


def test_rank_json_with_features_and_items(capsys) -> None:
    code, out, _ = run(
        capsys, "rank", "--must", "water_resistant", "--items", "ipad-mini-6,glasses-case-hard", "--json"
    )

    assert code == 0
    document = json.loads(out)
    assert [b["slug"] for b in document["ranked"]][0] == "fjallraven-kanken-mini"
    assert all(len(b["contributions"]) == 4 for b in document["ranked"])
    reasons = {e["slug"]: e["reasons"] for e in document["not_for_you"]}
    assert reasons["coach-jordyn-backpack"] == ["lacks “Water-resistant”"]
    assert any(c["constraint"] == "feature:water_resistant" for c in document["counterfactuals"])


def test_rank_with_airlines_uses_the_airline_rules(capsys) -> None:
    code, out, _ = run(capsys, "rank", "--airline", "NK,FR", "--json")

    assert code == 0
    reasons = {e["slug"]: e["reasons"] for e in json.loads(out)["not_for_you"]}
    assert reasons["zara-mini-city-backpack"] == ["unknown exterior"]


def test_bad_input_is_refused_with_a_message(capsys) -> None:
    assert run(capsys, "rank", "--must", "jetpack")[0] == 1
    assert run(capsys, "rank", "--budget-max", "$1,00")[0] == 1
    code, out, _ = run(capsys, "guide", "best-jetpacks")
    assert code == 1 and "best-under-100" in out


def test_refusals_name_the_option_as_the_api_names_its_parameter(capsys) -> None:
    # One parser (minipack.preferences) for the CLI and GET /api/rank, so one message for one mistake.
    code, out, _ = run(capsys, "rank", "--max-weight-g", "light")
    assert code == 1 and out.startswith("minipack: max_weight_g: 'light' is not a whole number of grams")
    code, out, _ = run(capsys, "rank", "--must", "water_resistant", "--must", "jetpack")
    assert code == 1 and out.startswith("minipack: must: unknown feature(s) ['jetpack']")
    code, out, _ = run(capsys, "rank", "--w-price", "-1")
    assert code == 1 and out.startswith("minipack: w_price: the price weight must be a number >= 0")


def test_weights_from_the_command_line_change_the_order(capsys) -> None:
    _, default, _ = run(capsys, "rank", "--json")
    _, cheap, _ = run(capsys, "rank", "--json", "--w-price", "10", "--w-capacity", "0")
    assert json.loads(cheap)["weights"] == {"price": 10.0, "capacity": 0.0, "weight": 0.5, "organisation": 0.5}
    assert json.loads(default)["weights"]["price"] == 1.0
    assert [b["slug"] for b in json.loads(cheap)["ranked"]] != [b["slug"] for b in json.loads(default)["ranked"]]


def test_guide_prints_title_intro_and_our_notes(capsys) -> None:
    code, out, _ = run(capsys, "guide", "best-under-100")

    assert code == 0
    assert out.startswith("Best mini backpacks under $100\n")
    assert "our note: The one to beat" in out
    code, out, _ = run(capsys, "guide", "best-for-an-ipad-mini", "--json")
    document = json.loads(out)
    assert document["title"] == "Best mini backpacks for an iPad mini" and document["ranked"][0]["note"]
