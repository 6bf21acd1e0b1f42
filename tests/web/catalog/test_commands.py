"""Management commands: the same core and services as the CLI, with errors as a CommandError listing every problem."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from minipack.catalog import read_catalog_file
from minipack_web.catalog.models import Product
from minipack_web.catalog.services import catalog_import

from ..factories import ARTICLE, as_records, make_product

pytestmark = pytest.mark.django_db

MANAGE_PY = Path(__file__).resolve().parents[3] / "manage.py"


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_import_catalog_imports_a_file_and_reports_counts(catalog_file: Callable[..., Path]) -> None:
    path = catalog_file(50)

    output = run("import_catalog", str(path))

    assert "50 created, 0 updated, 0 unchanged" in output
    assert Product.objects.count() == 50
    assert "0 created, 0 updated, 50 unchanged" in run("import_catalog", str(path))


def test_import_catalog_dry_run_writes_nothing(
    catalog_file: Callable[..., Path], table_counts: Callable[[], dict[str, int]]
) -> None:
    before = table_counts()

    output = run("import_catalog", str(catalog_file(50)), "--dry-run")

    assert "50 created" in output
    assert "Dry run: nothing was written." in output
    assert table_counts() == before


def test_import_catalog_refuses_a_bad_file_listing_every_bad_row(
    catalog_file: Callable[..., Path], table_counts: Callable[[], dict[str, int]]
) -> None:
    path = catalog_file(1000, bad={734: ("price", "$2,49O"), 901: ("exterior", "10 x 13 in")})
    before = table_counts()

    with pytest.raises(CommandError) as caught:
        run("import_catalog", str(path))

    message = str(caught.value)
    assert "2 problem(s), nothing imported" in message
    for line, column, raw in ((735, "price", "$2,49O"), (902, "exterior", "10 x 13 in")):
        assert f"line {line}, column {column!r}: {raw!r}" in message
    assert "the letter 'O' stands where a digit should" in message
    assert "expected 3 sides" in message
    assert table_counts() == before


def test_import_catalog_exits_non_zero_on_a_bad_file(catalog_file: Callable[..., Path], tmp_path: Path) -> None:
    path = catalog_file(5, bad={3: ("price", "$2,49O")})
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "minipack_web.settings.test", "MINIPACK_VAR_DIR": str(tmp_path)}

    # The file is refused before any database access, so this process needs no migrated database.
    done = subprocess.run(
        [sys.executable, str(MANAGE_PY), "import_catalog", str(path)], env=env, capture_output=True, text=True
    )

    assert done.returncode == 1
    assert "CommandError" in done.stderr and "$2,49O" in done.stderr


def test_import_catalog_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot read"):
        run("import_catalog", str(tmp_path / "missing.csv"))


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_an_export_re_imports_with_no_change(tmp_path: Path, fmt: str) -> None:
    catalog_import(
        records=as_records(
            make_product(claims={"exterior": "20 W x 29 H x 13 D cm", "features": ["front_pocket", "rain_flap"]}),
            make_product(claims={"exterior": "8 x 11 x 5 in", "price": "$70"}, source=ARTICLE),
            make_product("herschel-nova-mini", brand="Herschel", model="Nova Mini"),
        )
    )
    path = tmp_path / f"export.{fmt}"

    run("export_catalog", "--format", fmt, "--output", str(path))
    report = catalog_import(records=read_catalog_file(path))

    assert report.created == report.updated == 0
    assert report.unchanged == len(report.results) > 0


def test_export_catalog_writes_to_standard_output() -> None:
    catalog_import(records=as_records(make_product()))

    data = json.loads(run("export_catalog", "--format", "json"))

    assert [p["slug"] for p in data["products"]] == ["fjallraven-kanken-mini"]


def test_load_bundled_catalog_loads_then_reports_unchanged() -> None:
    first = run("load_bundled_catalog")
    second = run("load_bundled_catalog")

    assert Product.objects.exists()
    assert " 0 unchanged" in first
    assert "0 created, 0 updated" in second


def test_check_catalog_prints_findings_and_fails_only_when_asked() -> None:
    catalog_import(records=as_records(make_product(claims={"exterior": "12 x 9 x 4 in", "capacity": "9 L"})))

    output = run("check_catalog")

    assert "capacity_exceeds_box" in output
    assert "1 error" in output
    with pytest.raises(CommandError, match="1 finding"):
        run("check_catalog", "--fail-on", "error")


def test_check_catalog_refresh_stores_findings() -> None:
    catalog_import(records=as_records(make_product(claims={"exterior": "12 x 9 x 4 in", "capacity": "9 L"})))
    product = Product.objects.get()
    product.findings.all().delete()

    run("check_catalog", "--refresh")

    assert product.findings.filter(code="capacity_exceeds_box").exists()
