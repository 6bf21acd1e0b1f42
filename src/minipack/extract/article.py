"""Article extraction: the products a buying-guide article names, what it claims about each, and what is wrong with it.

``extract_article`` reads an article (plain text or HTML) into blocks, then
finds products in the three places listicles put them:

* the comparison **table** (``minipack.extract.table``): sizes, capacity,
  material, features, price and benefits, read with the strict parsers of
  ``minipack.units``; a cell they refuse becomes an ``unreadable_value``
  finding and the rest of the row is kept;
* the ranked **list**: entries "Name: Tagline" followed by "Description:",
  "Pros:" and "Cons:" items. Positions are counted in reading order (pasted
  articles restart their numbering), starting again from N after a "(N-M)"
  section heading; an entry told in prose ("It proudly claims the 10th
  spot") is placed from that sentence and named from its heading;
* shop **cards**: a long listing title printed twice in a row ("Montana West
  Anti Theft Backpack Purse for Women …, MWC GN"), named from its first
  clause.

Entries that name the same bag are merged (``minipack.extract.names``): the
table's brand and model win, the list adds its position and its words.
Each product becomes a ``minipack.records.Product`` whose claims all cite the
article as one ``Source``, and ``minipack.checks.run_checks`` supplies the
per-product findings. Article-level findings come from
``minipack.extract.signals`` and from comparing the list with the table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, TypeVar

from minipack.checks import Finding, implied_category, run_checks
from minipack.errors import MinipackError, ParseError, SpecError
from minipack.extract.blocks import Block, guess_title, read_document
from minipack.extract.features import feature_codes, match_features, material_in_title
from minipack.extract.names import (
    MODEL_NOT_NAMED,
    UNBRANDED,
    Identity,
    brand_key,
    identity,
    is_bag_word,
    split_brand_model,
    word_keys,
)
from minipack.extract.signals import (
    ArticleFinding,
    Severity,
    TextUnit,
    capacity_claims,
    off_topic_phrases,
    sentences,
    unsupported_expert_claims,
)
from minipack.extract.table import Column, Table, TableRow, find_tables
from minipack.records import Claim, ClaimKind, Product, Source, SourceDate, slugify
from minipack.units import Capacity, Dimensions, Money, format_price, parse_dimensions, parse_price, parse_volume_ml

Origin = Literal["table", "list", "card"]
_T = TypeVar("_T")

UNTITLED = "Untitled article"
# What run_checks reports that means something for one article on its own.
# missing_field would flag every list entry (the article gives no sizes for
# them), article_only every product (the article is the only source) and
# conflicting_claims cannot arise from a single source, so they are left out.
PRODUCT_CHECK_CODES = frozenset(
    {"capacity_exceeds_box", "capacity_suspiciously_low", "category_mismatch", "price_undated"}
)
# The category a bag falls back to when neither its name nor the article
# title says: the catalog's subject.
DEFAULT_CATEGORY = "backpack"
# A file larger than this is not an article.
MAX_ARTICLE_BYTES = 5_000_000

_LABEL = re.compile(r"^(description|pros?|cons?|drawbacks?|downsides?)\s*:\s*(.*)$", re.IGNORECASE)
_RANGE_HEADING = re.compile(r"^\(\s*(\d{1,3})\s*[-\u2013\u2014]\s*(\d{1,3})\s*\)")
_RANK_SENTENCE = re.compile(
    r"\b(?:claims?|takes?|earns?|grabs?|holds?|lands?|secures?|gets?|wins?|snags?|occupies|rounds? out)\s+"
    r"(?:the\s+)?(?:number\s+|no\.\s*|#)?(\d{1,3})(?:st|nd|rd|th)?\s+(?:spot|place|position|slot)\b"
    r"|\branked\s+(?:#|number\s+|no\.\s*)?(\d{1,3})\b",
    re.IGNORECASE,
)
_ENTRY_MAX_WORDS = 12
_CARD_MIN_WORDS = 6
_CARD_MAX_WORDS = 60
_DESCRIPTION_MIN_WORDS = 8
_LEADING_ARTICLES = frozenset({"the", "a", "an"})
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


# --------------------------------------------------------------------------- public records


@dataclass(frozen=True)
class ArticleProduct:
    """One bag the article names, with every value as read and as printed.

    ``origin`` is where the bag's name was read (the table wins over the
    list, the list over a shop card); ``names_as_published`` holds every
    name the article used for it. ``category`` is the ``Product``'s category:
    what its name implies, else the article title's subject.
    ``category_claim`` is the category the article itself files it under
    (its comparison table's subject), which the checks compare with the name.
    """

    brand: str
    model: str
    slug: str
    category: str
    origin: Origin
    source: Source
    names_as_published: tuple[str, ...] = ()
    exterior: Dimensions | None = None
    dims_as_published: str | None = None
    capacity: Capacity | None = None
    capacity_as_published: str | None = None
    material: str | None = None
    features: tuple[str, ...] = ()
    features_as_published: str | None = None
    price: Money | None = None
    price_as_published: str | None = None
    benefits: tuple[str, ...] = ()
    description: str | None = None
    pros: tuple[str, ...] = ()
    cons: tuple[str, ...] = ()
    in_table: bool = False
    in_list: bool = False
    list_position: int | None = None
    table_row: int | None = None
    category_claim: str | None = None
    findings: tuple[Finding, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.brand} {self.model}"

    def to_product(self) -> Product:
        """The bag as a catalog record; every claim cites the article, with the text as printed."""
        claims: list[Claim] = []
        source = self.source
        if self.category_claim is not None:
            claims.append(
                Claim(
                    "category",
                    self.category_claim,
                    source,
                    published=source.title,
                    note="listed in the article's comparison table; category read from the article title",
                )
            )
        if self.exterior is not None:
            unit_note = f"unit {self.exterior.unit} from the table header" if self.in_table else ""
            claims.append(Claim("exterior", self.exterior, source, self.dims_as_published or "", unit_note))
        if self.capacity is not None:
            claims.append(Claim("capacity", self.capacity, source, self.capacity_as_published or ""))
        if self.material:
            claims.append(Claim("material", self.material, source, self.material))
        if self.features:
            claims.append(Claim("features", frozenset(self.features), source, self.features_as_published or ""))
        if self.price is not None:
            claims.append(Claim("price", self.price, source, self.price_as_published or ""))
        aliases = tuple(n for n in self.names_as_published if n != self.name)
        return Product(self.slug, self.brand, self.model, self.category, tuple(claims), aliases=aliases)


@dataclass(frozen=True)
class ArticleReport:
    """Everything read from one article: its source, its products and the article-level findings."""

    title: str
    source: Source
    products: tuple[ArticleProduct, ...]
    findings: tuple[ArticleFinding, ...]
    is_html: bool = False

    def find(self, name: str) -> ArticleProduct | None:
        """The product whose printed names include ``name`` (folded, any order), if exactly one does."""
        wanted = frozenset(word_keys(name))
        hits = [
            p for p in self.products if any(wanted <= frozenset(word_keys(n)) for n in (p.name, *p.names_as_published))
        ]
        return hits[0] if len(hits) == 1 else None


# --------------------------------------------------------------------------- reading


def read_article(path: Path) -> str:
    """The text of an article file: UTF-8 (a BOM is accepted), or a ``MinipackError`` saying why not."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MinipackError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if len(data) > MAX_ARTICLE_BYTES:
        raise MinipackError(f"{path}: {len(data):,} bytes is too large for an article (limit {MAX_ARTICLE_BYTES:,})")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        raise MinipackError(
            f"{path}: not UTF-8 text (byte 0x{bad} at offset {exc.start}); save it as UTF-8 and try again"
        ) from exc


def extract_article(
    text: str, *, source_title: str | None = None, source_url: str = "", source_date: str = "undated"
) -> ArticleReport:
    """Read ``text`` (plain text or HTML) into an ``ArticleReport``.

    ``source_title`` overrides the title found in the text. A malformed
    ``source_url`` or ``source_date`` is the caller's error and raises
    ``SpecError``; nothing in ``text`` itself raises.
    """
    document = read_document(text)
    tables = find_tables(document.blocks)
    found_title = document.title
    if not document.is_html:
        # A table's header line is short and capitalised too; it is not the title.
        in_tables = frozenset().union(*(t.blocks for t in tables))
        found_title = guess_title([b for i, b in enumerate(document.blocks) if i not in in_tables])
    title = (source_title or "").strip() or found_title or UNTITLED
    source = Source(title, ClaimKind.ARTICLE, SourceDate.parse(source_date), source_url)
    return _Extraction(document.blocks, tables, source).run(document.is_html)


# --------------------------------------------------------------------------- assembly


@dataclass
class _Draft:
    """A product while the article is being read; merged drafts fill each other's gaps."""

    brand: str
    model: str
    origin: Origin
    category_text: str
    names: list[str] = field(default_factory=list)
    identities: list[Identity] = field(default_factory=list)
    exterior: Dimensions | None = None
    dims_as_published: str | None = None
    capacity: Capacity | None = None
    capacity_as_published: str | None = None
    material: str | None = None
    features: tuple[str, ...] = ()
    features_as_published: str | None = None
    price: Money | None = None
    price_as_published: str | None = None
    benefits: tuple[str, ...] = ()
    description: str | None = None
    pros: tuple[str, ...] = ()
    cons: tuple[str, ...] = ()
    in_table: bool = False
    in_list: bool = False
    list_position: int | None = None
    table_row: int | None = None
    category_claim: str | None = None

    def absorb(self, other: _Draft) -> None:
        """Take what ``other`` knows and this draft does not; this draft's own values win."""
        for name in other.names:
            if name not in self.names:
                self.names.append(name)
        self.identities.extend(other.identities)
        for attr in (
            "exterior", "dims_as_published", "capacity", "capacity_as_published", "material",
            "features_as_published", "price", "price_as_published", "description", "list_position",
            "table_row", "category_claim",
        ):  # fmt: skip
            if getattr(self, attr) is None:
                setattr(self, attr, getattr(other, attr))
        for attr in ("features", "benefits", "pros", "cons"):
            if not getattr(self, attr):
                setattr(self, attr, getattr(other, attr))
        self.in_table = self.in_table or other.in_table
        self.in_list = self.in_list or other.in_list


def _new_draft(name: str, origin: Origin) -> _Draft:
    brand, model = split_brand_model(name)
    return _Draft(brand, model, origin, name, [name], [identity(brand, model)])


@dataclass(frozen=True)
class _ListEntry:
    name: str
    position: int
    description: str | None
    pros: tuple[str, ...]
    cons: tuple[str, ...]
    fields: tuple[tuple[int, str], ...]  # (block index, "description" | "pros" | "cons")


class _Extraction:
    """One run over one article's blocks."""

    def __init__(self, blocks: Sequence[Block], tables: Sequence[Table], source: Source) -> None:
        self.blocks = blocks
        self.tables = tables
        self.source = source
        self.topic = topic_category(source.title)
        self.findings: list[ArticleFinding] = []
        self.drafts: list[_Draft] = []
        self.by_identity: dict[Identity, _Draft] = {}
        # Blocks already explained (table rows, list fields, card titles) and,
        # for product text, what to call them in messages.
        self.used: set[int] = set()
        self.product_text: dict[int, str] = {}
        self.has_table = False
        self.has_list = False

    def run(self, is_html: bool) -> ArticleReport:
        for table in self.tables:
            self.used |= table.blocks
            if table.names_products:
                self.has_table = True
                self._read_table(table)
        for entry in self._list_entries():
            self.has_list = True
            self._add_list_entry(entry)
        self._read_ranked_prose()
        self._read_cards()
        products = self._finish()
        findings = self.findings + self._article_findings(products)
        order = {"error": 0, "warning": 1, "info": 2}
        findings.sort(key=lambda f: order[f.severity])
        return ArticleReport(self.source.title, self.source, tuple(products), tuple(findings), is_html)

    # ----------------------------------------------------------------- table

    def _read_table(self, table: Table) -> None:
        for row in table.rows:
            brand = row.value("brand") or ""
            model = row.value("model") or ""
            name = " ".join(p for p in (brand, model) if p) or f"table row {row.number}"
            draft = _Draft(
                brand or UNBRANDED, model or MODEL_NOT_NAMED, "table", name, [name], [identity(brand, model)]
            )
            draft.in_table = True
            draft.table_row = row.number
            draft.category_claim = self.topic
            self._read_row_values(draft, row, name)
            for problem in row.problems:
                self._unreadable(row, name, None, row.text, problem)
            # Every row is its own product, even one repeating another's name;
            # the list and the cards merge into the first row of a name.
            self.drafts.append(draft)
            for key in draft.identities:
                if key.mergeable:
                    self.by_identity.setdefault(key, draft)

    def _read_row_values(self, draft: _Draft, row: TableRow, name: str) -> None:
        size = row.cell("size")
        if size is not None and size.text:
            draft.dims_as_published = size.text
            draft.exterior = self._parse(row, name, size.column, size.text, _dimensions)
        capacity = row.cell("capacity")
        if capacity is not None and capacity.text:
            draft.capacity_as_published = capacity.text
            draft.capacity = self._parse(row, name, capacity.column, capacity.text, _capacity)
        price = row.cell("price")
        if price is not None and price.text:
            draft.price_as_published = price.text
            draft.price = self._parse(row, name, price.column, price.text, _price)
        draft.material = row.value("material")
        draft.features_as_published = row.value("features")
        draft.features = feature_codes(draft.features_as_published, draft.material)
        benefits = row.value("benefits")
        if benefits:
            draft.benefits = tuple(b.strip() for b in re.split(r"[,;]", benefits) if b.strip())

    def _parse(
        self, row: TableRow, name: str, column: Column, text: str, reader: Callable[[str, Column], _T]
    ) -> _T | None:
        try:
            return reader(text, column)
        except (ParseError, SpecError) as exc:
            reason = exc.reason if isinstance(exc, ParseError) else str(exc)
            self._unreadable(row, name, column, text, reason)
            return None

    def _unreadable(self, row: TableRow, name: str, column: Column | None, raw: str, reason: str) -> None:
        where = f"table row {row.number} ({name})" + (f", line {row.line}" if row.line else "")
        if column is None:
            message = f"Table row {row.number} ({name}): {reason}. The cells that could be placed are kept."
        else:
            message = (
                f"Table row {row.number} ({name}), column {column.label!r}: cannot read {raw!r}: {reason}. "
                "The rest of the row is kept."
            )
        self.findings.append(
            ArticleFinding(
                "unreadable_value",
                "warning",
                message,
                (("where", where), ("column", column.label if column else ""), ("raw", raw), ("reason", reason)),
            )
        )

    # ----------------------------------------------------------------- ranked list

    def _list_entries(self) -> list[_ListEntry]:
        entries: list[_ListEntry] = []
        position = 1
        i = 0
        blocks = self.blocks
        while i < len(blocks):
            block = blocks[i]
            section = _RANGE_HEADING.match(block.text)
            if i not in self.used and section:
                position = int(section.group(1))
                i += 1
                continue
            if not self._starts_entry(i):
                i += 1
                continue
            name = _entry_name(block.text)
            if name is None:
                i += 1
                continue
            description: str | None = None
            pros: list[str] = []
            cons: list[str] = []
            fields: list[tuple[int, str]] = []
            j = i + 1
            while j < len(blocks) and j not in self.used and (label := _LABEL.match(blocks[j].text)):
                kind, body = label.group(1).lower(), label.group(2).strip()
                if kind == "description":
                    description = f"{description} {body}" if description else body
                    fields.append((j, "description"))
                elif kind.startswith("pro"):
                    pros.extend(sentences(body))
                    fields.append((j, "pros"))
                else:
                    cons.extend(sentences(body))
                    fields.append((j, "cons"))
                j += 1
            self.used |= {i, *(k for k, _ in fields)}
            entries.append(_ListEntry(name, position, description or None, tuple(pros), tuple(cons), tuple(fields)))
            position += 1
            i = j
        return entries

    def _starts_entry(self, i: int) -> bool:
        """A name line directly followed by a 'Description:', 'Pros:' or 'Cons:' item."""
        blocks = self.blocks
        return (
            i not in self.used
            and i + 1 < len(blocks)
            and i + 1 not in self.used
            and blocks[i].kind != "row"
            and _LABEL.match(blocks[i].text) is None
            and _LABEL.match(blocks[i + 1].text) is not None
        )

    def _add_list_entry(self, entry: _ListEntry) -> None:
        draft = _new_draft(entry.name, "list")
        draft.in_list = True
        draft.list_position = entry.position
        draft.description = entry.description
        draft.pros = entry.pros
        draft.cons = entry.cons
        self._merge(draft)
        for index, what in entry.fields:
            self.product_text[index] = f"the {what} of {entry.name} (list #{entry.position})"

    def _read_ranked_prose(self) -> None:
        """Entries told in prose: "It proudly claims the 10th spot", named from the section heading."""
        for i, block in enumerate(self.blocks):
            if i in self.used or block.kind == "row":
                continue
            rank = _RANK_SENTENCE.search(block.text)
            if rank is None:
                continue
            heading_index = next((k for k in range(i - 1, -1, -1) if self.blocks[k].kind == "heading"), None)
            if heading_index is None:
                continue
            body = [self.blocks[k] for k in range(heading_index + 1, i + 1) if self.blocks[k].kind != "heading"]
            name = _name_from_heading(self.blocks[heading_index].text, " ".join(b.text for b in body))
            if name is None:
                continue
            draft = _new_draft(name, "list")
            draft.in_list = True
            draft.list_position = int(rank.group(1) or rank.group(2))
            draft.description = body[0].text if body else None
            self.has_list = True
            self._merge(draft)

    # ----------------------------------------------------------------- shop cards

    def _read_cards(self) -> None:
        blocks = self.blocks
        i = 0
        while i + 1 < len(blocks):
            title = blocks[i].text
            if i in self.used or i + 1 in self.used or blocks[i + 1].text != title or not _is_listing_title(title):
                i += 1
                continue
            self.used |= {i, i + 1}
            after = i + 2
            description = None
            if after < len(blocks) and after not in self.used and blocks[after].kind == "text":
                if len(blocks[after].text.split()) >= _DESCRIPTION_MIN_WORDS:
                    description = blocks[after].text
            self._add_card(title, description, after if description else None)
            i += 2

    def _add_card(self, title: str, description: str | None, description_index: int | None) -> None:
        brand, model = split_brand_model(_card_name(title))
        if description and model != MODEL_NOT_NAMED:
            model = _prose_spelling(model, description)
        draft = _Draft(brand, model, "card", title, [title], [identity(brand, model)])
        draft.description = description
        matches = match_features(title)
        draft.features = tuple(m.code for m in matches)
        draft.features_as_published = ", ".join(m.text for m in matches) or None
        draft.material = material_in_title(title)
        merged = self._merge(draft)
        if description_index is not None:
            self.product_text[description_index] = f"the description of {merged.brand} {merged.model} (shop card)"

    # ----------------------------------------------------------------- merging and finishing

    def _merge(self, draft: _Draft) -> _Draft:
        """Fold ``draft`` into the product it names, if one is known; else add it."""
        # same_product is equality of mergeable identities, so a dict finds the match.
        existing = next((self.by_identity[i] for i in draft.identities if i in self.by_identity), None)
        target = draft if existing is None else existing
        if existing is None:
            self.drafts.append(draft)
        else:
            existing.absorb(draft)
        for key in draft.identities:
            if key.mergeable:
                self.by_identity.setdefault(key, target)
        return target

    def _finish(self) -> list[ArticleProduct]:
        products: list[ArticleProduct] = []
        slugs: dict[str, int] = {}
        for number, draft in enumerate(sorted(self.drafts, key=_report_order), start=1):
            slug = _unique_slug(draft.brand, draft.model, number, slugs)
            category = implied_category(draft.category_text) or self.topic or DEFAULT_CATEGORY
            product = ArticleProduct(
                brand=draft.brand,
                model=draft.model,
                slug=slug,
                category=category,
                origin=draft.origin,
                source=self.source,
                names_as_published=tuple(draft.names),
                exterior=draft.exterior,
                dims_as_published=draft.dims_as_published,
                capacity=draft.capacity,
                capacity_as_published=draft.capacity_as_published,
                material=draft.material,
                features=draft.features,
                features_as_published=draft.features_as_published,
                price=draft.price,
                price_as_published=draft.price_as_published,
                benefits=draft.benefits,
                description=draft.description,
                pros=draft.pros,
                cons=draft.cons,
                in_table=draft.in_table,
                in_list=draft.in_list,
                list_position=draft.list_position,
                table_row=draft.table_row,
                category_claim=draft.category_claim,
            )
            checked = tuple(f for f in run_checks(product.to_product()) if f.code in PRODUCT_CHECK_CODES)
            products.append(replace(product, findings=checked))
        return products

    # ----------------------------------------------------------------- article-level findings

    def _article_findings(self, products: list[ArticleProduct]) -> list[ArticleFinding]:
        findings: list[ArticleFinding] = []
        if self.has_table and self.has_list:
            findings.extend(_list_table_disagree(products))
        units = self._text_units(products)
        vocabulary = {w for p in products for n in (p.name, *p.names_as_published) for w in word_keys(n)}
        vocabulary |= set(word_keys(self.source.title))
        findings.extend(off_topic_phrases(units, vocabulary))
        findings.extend(unsupported_expert_claims(units))
        findings.extend(capacity_claims(units))
        undated = _prices_undated(products, self.source)
        if undated is not None:
            findings.append(undated)
        return findings

    def _text_units(self, products: list[ArticleProduct]) -> list[TextUnit]:
        """Every stretch of prose once, named for messages; table benefits count as product text."""
        units: list[TextUnit] = []
        heading: str | None = None
        for i, block in enumerate(self.blocks):
            if block.kind == "heading":
                heading = block.text
            if i in self.product_text:
                text = _LABEL.sub(r"\2", block.text)
                units.append(TextUnit(text, self.product_text[i], about_product=True))
            elif i not in self.used and block.kind != "row":
                units.append(TextUnit(block.text, _where(block, heading)))
        for product in products:
            if product.benefits and product.table_row is not None:
                where = f"the benefits of {product.name} (table row {product.table_row})"
                units.append(TextUnit(", ".join(product.benefits), where, about_product=True))
        return units


# --------------------------------------------------------------------------- value readers


def _dimensions(text: str, column: Column) -> Dimensions:
    dims = parse_dimensions(text, default_unit=column.unit)
    if dims.axes is None and column.axes is not None:
        # The header's "L x H x D" names the axes the cells leave out.
        return Dimensions(dims.mm, column.axes, dims.unit)
    return dims


def _capacity(text: str, column: Column) -> Capacity:
    # "Capacity (L)" over a bare "7" means 7 L.
    if column.unit and re.fullmatch(r"[0-9][0-9.,]*(?:\s*[-\u2013]\s*[0-9][0-9.,]*)?", text.strip()):
        text = f"{text} {column.unit}"
    return parse_volume_ml(text)


def _price(text: str, column: Column) -> Money:
    return parse_price(text, default_currency=column.unit)


# --------------------------------------------------------------------------- helpers


def _report_order(draft: _Draft) -> tuple[int, int]:
    """Table rows in table order, then list-only bags by position, then shop cards (sorted() is stable)."""
    if draft.in_table:
        return (0, 0)
    if draft.in_list:
        return (1, draft.list_position or 0)
    return (2, 0)


def topic_category(title: str) -> str | None:
    """The category an article's title is about: 'Best Mini Backpacks of 2025' -> 'backpack'.

    ``implied_category`` reads one product's name, so it knows singular words
    only; titles speak in plurals.
    """
    singular = re.sub(r"\b(backpack|rucksack|daypack|sling|shoulder bag)s\b", r"\1", title, flags=re.IGNORECASE)
    return implied_category(singular)


def _entry_name(text: str) -> str | None:
    """'Herschel Nova Mini Backpack: The Compact Essential' -> 'Herschel Nova Mini Backpack'."""
    name = re.split(r":\s", text, maxsplit=1)[0].strip().strip("*_#").strip()
    name = name.rstrip(".:;,!").strip()
    if not re.search(r"[^\W\d_]", name) or len(name.split()) > _ENTRY_MAX_WORDS:
        return None
    return name


def _name_from_heading(heading: str, body: str) -> str | None:
    """The longest run of the heading's words that the section's prose repeats.

    "The Kate Spade Backpack Encounter" over prose that speaks of "the Kate
    Spade backpack" gives "Kate Spade Backpack": the heading is decorated,
    the repeated words are the bag.
    """
    words = heading.split()
    if len(words) > _ENTRY_MAX_WORDS:
        return None
    folded_body = " " + " ".join(word_keys(body)) + " "
    for size in range(len(words), 1, -1):
        for start in range(len(words) - size + 1):
            run = words[start : start + size]
            keys = [k for w in run for k in word_keys(w)]
            if not keys or f" {' '.join(keys)} " not in folded_body:
                continue
            while run and "".join(word_keys(run[0])) in _LEADING_ARTICLES:
                run = run[1:]
            if len(run) >= 2 and any(not is_bag_word(w) for w in run):
                return " ".join(run)
    return None


def _is_listing_title(text: str) -> bool:
    """A shop listing's title: long, about a bag, not a sentence or a question."""
    words = text.split()
    return (
        _CARD_MIN_WORDS <= len(words) <= _CARD_MAX_WORDS
        and not text.endswith(("?", "."))
        and text[:1].isupper()
        and any(is_bag_word(w.strip(",")) for w in words)
    )


def _card_name(title: str) -> str:
    """A listing title's first clause, up to "for Women" or "with …": 'MATEIN Mini Backpack'."""
    clause = title.split(",")[0]
    clause = re.split(r"\s+(?:for|with|w/)\s+", clause, maxsplit=1, flags=re.IGNORECASE)[0]
    return clause.strip(" -\u2013\u2026") or title


def _prose_spelling(model: str, prose: str) -> str:
    """The model as the prose spells it, when it joins the same words with hyphens ("Anti-Theft")."""
    words = model.split()
    pattern = r"\b" + r"[\s-]+".join(re.escape(w) for w in words) + r"\b"
    found = re.search(pattern, prose, re.IGNORECASE)
    return found.group(0) if found else model


def _unique_slug(brand: str, model: str, number: int, taken: dict[str, int]) -> str:
    """slugify(brand, model), with '-2', '-3'… when the article names two bags alike."""
    try:
        base = slugify(brand, model)
    except SpecError:
        # A name with no Latin letters or digits ('背包') still needs a slug.
        base = f"article-product-{number}"
    slug = base
    while slug in taken:
        taken[base] = n = taken[base] + 1
        suffix = f"-{n}"
        slug = base[: 80 - len(suffix)].rstrip("-") + suffix
    taken.setdefault(slug, 1)
    return slug


def _where(block: Block, heading: str | None) -> str:
    place = f"the text under {heading!r}" if heading and heading != block.text else "the text"
    return f"{place} (line {block.line})" if block.line else place


def _list_table_disagree(products: Sequence[ArticleProduct]) -> list[ArticleFinding]:
    only_list = sorted((p for p in products if p.in_list and not p.in_table), key=lambda p: p.list_position or 0)
    only_table = [p for p in products if p.in_table and not p.in_list]
    if not only_list and not only_table:
        return []
    listed = [f"#{p.list_position} {p.names_as_published[0]}" for p in only_list]
    tabled = [p.names_as_published[0] for p in only_table]
    table_by_brand: dict[str, list[ArticleProduct]] = {}
    for product in only_table:
        if product.brand != UNBRANDED:
            table_by_brand.setdefault(brand_key(product.brand), []).append(product)
    pairs = [
        f"{a.brand}: the list has {a.names_as_published[0]!r}, the table {b.names_as_published[0]!r}"
        for a in only_list
        for b in table_by_brand.get(brand_key(a.brand), [])
    ]
    message = (
        f"The ranked list and the comparison table name different bags. Only in the list: "
        f"{', '.join(listed) or 'none'}. Only in the table: {', '.join(tabled) or 'none'}."
    )
    if pairs:
        message += " Same brand, different model: " + "; ".join(pairs) + "."
    evidence = tuple(("only in the list", n) for n in listed) + tuple(("only in the table", n) for n in tabled)
    return [ArticleFinding("list_table_disagree", "warning", message, evidence)]


def _prices_undated(products: Sequence[ArticleProduct], source: Source) -> ArticleFinding | None:
    prices = [p.price for p in products if p.price is not None]
    if not prices or source.date.is_dated:
        return None
    if len({p.currency for p in prices}) == 1:
        low, high = min(prices), max(prices)
        span = format_price(low) if low == high else f"{format_price(low)} to {format_price(high)}"
    else:
        span = "in several currencies"
    message = f"The article prints {len(prices)} price(s) ({span}) but no date, so they may be long out of date."
    year = _YEAR.search(source.title)
    if year:
        message += f" The {year.group(0)!r} in its title says which year it is aimed at, not when prices were read."
    severity: Severity = "warning"
    return ArticleFinding("prices_undated", severity, message, (("prices", str(len(prices))), ("date", "undated")))
