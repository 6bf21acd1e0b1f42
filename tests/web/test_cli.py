"""The `minipack` command as an editor runs it: the foundation issue's acceptance checks."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from minipack_web.catalog.models import Product
from minipack_web.cli import main

ARTICLE = Path(__file__).resolve().parents[1] / "core/extract/fixtures/launch-article.txt"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_article_json_gives_the_ten_table_rows_and_two_impossible_capacities(capsys) -> None:
    code, out, _ = run(capsys, "import-article", str(ARTICLE), "--json")

    assert code == 0
    document = json.loads(out)
    table = [p for p in document["products"] if p["in_table"]]
    assert len(table) == 10
    herschel = next(p for p in table if p["model"] == "Nova Mini")
    assert herschel["exterior_mm"] == [203, 254, 127]
    assert herschel["dims_as_published"] == "8 x 10 x 5"
    assert herschel["capacity_ml"] == 7000
    assert herschel["price"] == {"amount_minor": 4999, "currency": "USD"}
    flagged = sorted(
        p["brand"] for p in document["products"] for f in p["findings"] if f["code"] == "capacity_exceeds_box"
    )
    assert flagged == ["Herschel Supply Co.", "LOUIS VUITTON"]


def test_import_article_refuses_a_missing_file_with_its_name(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "import-article", str(tmp_path / "nope.txt"))

    assert code == 1
    assert "nope.txt" in err


def test_check_lists_the_conflicting_herschel_claims(capsys) -> None:
    code, out, _ = run(capsys, "check")

    assert code == 0
    herschel = out.split("herschel-supply-co-nova-mini", 1)[1].split("\n\n", 1)[0]
    assert "conflicting_claims (exterior)" in herschel
    assert "8 L x 10 H x 5 D in" in herschel and "11 H x 8 W x 4.75 D in" in herschel
    assert "conflicting_claims (capacity)" in herschel
    assert "7 L" in herschel and "9 L" in herschel


@pytest.mark.django_db
def test_a_bad_1000_row_file_is_refused_whole_and_the_clean_one_imports_once(
    capsys, catalog_file: Callable[..., Path], table_counts: Callable[[], dict[str, int]]
) -> None:
    bad = catalog_file(1000, bad={734: ("price", "$2,49O"), 901: ("exterior", "10 x 13 in")}, name="bad.csv")
    before = table_counts()

    code, _, err = run(capsys, "import-catalog", str(bad))

    assert code == 1
    assert "line 735, column 'price': '$2,49O'" in err
    assert "line 902, column 'exterior': '10 x 13 in'" in err
    assert table_counts() == before

    clean = catalog_file(1000, name="clean.csv")
    code, out, _ = run(capsys, "import-catalog", str(clean))
    assert code == 0
    assert "1000 created, 0 updated, 0 unchanged" in out
    assert Product.objects.count() == 1000

    code, out, _ = run(capsys, "import-catalog", str(clean))
    assert code == 0
    assert "0 created, 0 updated, 1000 unchanged" in out


@pytest.mark.django_db
def test_export_then_dry_run_import_changes_nothing(capsys, tmp_path: Path) -> None:
    assert run(capsys, "load-bundled")[0] == 0
    target = tmp_path / "export.csv"

    assert run(capsys, "export-catalog", "--format", "csv", "--output", str(target))[0] == 0
    code, out, _ = run(capsys, "import-catalog", str(target), "--dry-run")

    assert code == 0
    assert " 0 created, 0 updated" in out
