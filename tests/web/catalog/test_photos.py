"""Bag photos: uploaded in the product admin, stored as clean variants, served, shown, deleted with their files."""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from PIL import Image

from minipack.photos import MAX_BYTES, prepare_photo
from minipack_web.catalog import services
from minipack_web.catalog.models import BagPhoto, Brand, Product
from minipack_web.catalog.selectors import bag_page
from minipack_web.catalog.services import bag_photo_create, bag_photo_delete, catalog_import

from ..factories import ARTICLE, ROTATE_CW, as_records, image_bytes, is_blue, is_red, make_product, pixel, png_declaring

pytestmark = pytest.mark.django_db

BAG = "/bags/fjallraven-kanken-mini/"
ALT = "The Kånken Mini in red and blue, front view"


@pytest.fixture
def photo_dir(settings: Any, tmp_path: Path) -> Path:
    """A throwaway MEDIA_ROOT; returns the folder the variants go to."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media" / "bag-photos"


@pytest.fixture
def product() -> Product:
    catalog_import(
        records=as_records(
            make_product(),
            make_product("herschel-nova-mini", brand="Herschel", model="Nova Mini", colourways=()),
        )
    )
    return Product.objects.get(slug="fjallraven-kanken-mini")


@pytest.fixture
def staff_client(client: Client) -> Client:
    """An editor: staff, not superuser, with the catalog's permissions only."""
    user = User.objects.create_user("editor", password="x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="catalog"))
    client.force_login(user)
    return client


def stored(photo_dir: Path) -> list[str]:
    return sorted(p.name for p in photo_dir.iterdir()) if photo_dir.exists() else []


def add_photo(product: Product, data: bytes | None = None, *, alt: str = ALT, position: int = 0) -> BagPhoto:
    upload = data if data is not None else image_bytes("JPEG", (1600, 1200))
    return bag_photo_create(
        product=product, photo=prepare_photo(upload, file_name="kanken.jpg"), alt=alt, position=position
    )


def change_form(product: Product, *, photos: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The product change form's POST: the product and its claims as they are, plus the photo rows given.

    A photo row is {"image": upload, "alt": …} for a new one, or {"id": pk, "alt": …, "DELETE": "on"} for a stored one.
    """
    claims = list(product.claims.order_by("field", "pk"))
    findings = list(product.findings.all())
    existing = list(product.photos.all())
    rows = photos or []
    data: dict[str, Any] = {
        "slug": product.slug,
        "brand": product.brand_id,
        "model": product.model,
        "category": product.category,
        "colourways": json.dumps(product.colourways),
        "aliases": json.dumps(product.aliases),
        "claims-TOTAL_FORMS": len(claims),
        "claims-INITIAL_FORMS": len(claims),
        "claims-MIN_NUM_FORMS": 0,
        "claims-MAX_NUM_FORMS": 1000,
        "findings-TOTAL_FORMS": len(findings),
        "findings-INITIAL_FORMS": len(findings),
        "findings-MIN_NUM_FORMS": 0,
        "findings-MAX_NUM_FORMS": 0,
        "photos-TOTAL_FORMS": len(rows),
        "photos-INITIAL_FORMS": len(existing),
        "photos-MIN_NUM_FORMS": 0,
        "photos-MAX_NUM_FORMS": 1000,
        "_save": "Save",
    }
    for i, claim in enumerate(claims):
        data |= {
            f"claims-{i}-id": claim.pk,
            f"claims-{i}-product": product.pk,
            f"claims-{i}-field": claim.field,
            f"claims-{i}-published": claim.published,
            f"claims-{i}-source": claim.source_id,
            f"claims-{i}-note": claim.note,
        }
    for i, finding in enumerate(findings):
        data |= {f"findings-{i}-id": finding.pk, f"findings-{i}-product": product.pk}
    for i, row in enumerate(rows):
        data |= {f"photos-{i}-product": product.pk, f"photos-{i}-position": row.get("position", i)}
        data |= {f"photos-{i}-{k}": v for k, v in row.items() if k != "position"}
    return data


def upload(data: bytes, name: str = "IMG_2041.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def post(client: Client, product: Product, photos: list[dict[str, Any]]) -> Any:
    return client.post(f"/admin/catalog/product/{product.pk}/change/", change_form(product, photos=photos))


# --------------------------------------------------------------------------- uploading in the admin


def test_the_product_admin_has_a_photo_inline_with_a_file_field(staff_client: Client, product: Product) -> None:
    html = staff_client.get(f"/admin/catalog/product/{product.pk}/change/").content.decode()

    assert 'enctype="multipart/form-data"' in html
    assert 'name="photos-0-image"' in html and 'accept="image/jpeg,image/png,image/webp"' in html
    assert 'name="photos-0-alt"' in html


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_an_editor_uploads_a_photo_and_gets_webp_and_jpeg_variants(
    staff_client: Client, product: Product, photo_dir: Path, fmt: str
) -> None:
    response = post(
        staff_client, product, [{"image": upload(image_bytes(fmt, (1600, 1200)), f"kanken.{fmt.lower()}"), "alt": ALT}]
    )

    assert response.status_code == 302, response.context and response.context["inline_admin_formsets"]
    photo = BagPhoto.objects.get(product=product)
    assert (photo.alt, photo.file_name, photo.width, photo.height) == (ALT, f"kanken.{fmt.lower()}", 1600, 1200)
    sizes = sorted((v["format"], v["width"], v["height"]) for v in photo.variants)
    assert sizes == [
        ("jpg", 320, 240),
        ("jpg", 640, 480),
        ("jpg", 1024, 768),
        ("webp", 320, 240),
        ("webp", 640, 480),
        ("webp", 1024, 768),
    ]
    assert stored(photo_dir) == sorted(photo.file_names)
    for variant in photo.variants:
        with Image.open(photo_dir / variant["name"]) as image:
            assert image.size == (variant["width"], variant["height"])
            assert image.format == {"jpg": "JPEG", "webp": "WEBP"}[variant["format"]]


def test_an_uploaded_photo_loses_its_gps_and_is_turned_upright(
    staff_client: Client, product: Product, photo_dir: Path
) -> None:
    data = image_bytes("JPEG", (1200, 800), orientation=ROTATE_CW, gps=True)

    response = post(staff_client, product, [{"image": upload(data), "alt": ALT}])

    assert response.status_code == 302
    photo = BagPhoto.objects.get()
    assert (photo.width, photo.height) == (800, 1200)
    for name in photo.file_names:
        content = (photo_dir / name).read_bytes()
        with Image.open(io.BytesIO(content)) as image:
            assert len(image.getexif()) == 0
            assert image.height > image.width
        assert b"Exif" not in content and b"TestCam" not in content
        assert is_red(pixel(content, (0.5, 0.1))) and is_blue(pixel(content, (0.5, 0.9)))


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.4 not a photo at all", "IMG_2041.jpg", "“IMG_2041.jpg”: is not a JPEG, PNG or WebP image"),
        (
            image_bytes("JPEG")[:5000],
            "IMG_2041.jpg",
            "“IMG_2041.jpg”: cannot be decoded, so it is damaged or cut short",
        ),
        (png_declaring(10_000, 10_000), "bomb.png", "“bomb.png”: is 10000 x 10000 px (100 megapixels)"),
        (image_bytes("JPEG", (640, 360)), "small.jpg", "“small.jpg”: is 640 x 360 px; its short side must be at least"),
        (b"\xff\xd8" + b"\0" * MAX_BYTES, "huge.jpg", "“huge.jpg”: the file is 10.0 MB; the most we take is 10 MB"),
    ],
)
def test_a_bad_upload_is_a_form_error_naming_the_file_and_nothing_is_stored(
    staff_client: Client, product: Product, photo_dir: Path, data: bytes, name: str, message: str
) -> None:
    response = post(staff_client, product, [{"image": upload(data, name), "alt": ALT}])

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not BagPhoto.objects.exists()
    assert stored(photo_dir) == []


@pytest.mark.parametrize(
    ("alt", "message"),
    [
        ("", "“IMG_2041.jpg”: needs alt text"),
        ("   ", "“IMG_2041.jpg”: needs alt text"),
        ("IMG_2041.jpg", "is a file name"),
        ("IMG 2041", "is a file name"),
        ("photo", "says nothing a reader could not guess"),
    ],
)
def test_alt_text_that_describes_nothing_is_a_form_error(
    staff_client: Client, product: Product, photo_dir: Path, alt: str, message: str
) -> None:
    response = post(staff_client, product, [{"image": upload(image_bytes()), "alt": alt}])

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not BagPhoto.objects.exists()
    assert stored(photo_dir) == []


def test_a_new_product_can_be_added_with_its_photo_which_the_change_page_then_previews(
    staff_client: Client, photo_dir: Path
) -> None:
    brand = Brand.objects.create(name="Kipling", slug="kipling")
    empty = {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0, "MIN_NUM_FORMS": 0, "MAX_NUM_FORMS": 1000}
    data: dict[str, Any] = {
        "slug": "kipling-seoul-mini",
        "brand": brand.pk,
        "model": "Seoul Mini",
        "category": "backpack",
        "colourways": "[]",
        "aliases": "[]",
        **{f"claims-{k}": v for k, v in empty.items()},
        **{f"findings-{k}": v for k, v in empty.items()},
        **{f"photos-{k}": v for k, v in empty.items()},
        "photos-TOTAL_FORMS": 1,
        "photos-0-image": upload(image_bytes(), "seoul.jpg"),
        "photos-0-alt": "The Seoul Mini in black, front view",
        "photos-0-position": 0,
        "_save": "Save",
    }

    response = staff_client.post("/admin/catalog/product/add/", data)

    assert response.status_code == 302
    photo = BagPhoto.objects.get(product__slug="kipling-seoul-mini")
    assert stored(photo_dir) == sorted(photo.file_names)
    html = staff_client.get(f"/admin/catalog/product/{photo.product_id}/change/").content.decode()
    assert re.search(r'<img src="/media/bag-photos/[0-9a-f]{16}-640w\.jpg" alt="The Seoul Mini in black', html)
    assert "seoul.jpg, 1200 x 800 px" in html


def test_a_row_with_alt_text_but_no_file_asks_for_one(staff_client: Client, product: Product) -> None:
    response = post(staff_client, product, [{"alt": ALT}])

    assert response.status_code == 200
    assert "Choose a photo to upload." in response.content.decode()


def test_the_same_photo_twice_on_one_bag_is_refused(staff_client: Client, product: Product, photo_dir: Path) -> None:
    data = image_bytes()
    add_photo(product, data)

    response = post(
        staff_client,
        product,
        [{"id": product.photos.get().pk, "alt": ALT}, {"image": upload(data, "again.jpg"), "alt": ALT}],
    )

    assert response.status_code == 200
    assert "“again.jpg”: this bag already has this photo." in response.content.decode()
    assert BagPhoto.objects.count() == 1


def test_editing_the_alt_text_keeps_the_files(staff_client: Client, product: Product, photo_dir: Path) -> None:
    photo = add_photo(product)
    before = stored(photo_dir)

    response = post(staff_client, product, [{"id": photo.pk, "alt": "The Kånken Mini, side view", "credit": "Us"}])

    assert response.status_code == 302
    photo.refresh_from_db()
    assert (photo.alt, photo.credit) == ("The Kånken Mini, side view", "Us")
    assert stored(photo_dir) == before


def test_a_new_file_on_a_stored_photo_replaces_its_variants(
    staff_client: Client, product: Product, photo_dir: Path, django_capture_on_commit_callbacks: Any
) -> None:
    photo = add_photo(product)
    old = set(photo.file_names)

    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            staff_client,
            product,
            [{"id": photo.pk, "alt": ALT, "image": upload(image_bytes("PNG", (900, 900)), "square.png")}],
        )

    assert response.status_code == 302
    photo.refresh_from_db()
    assert (photo.file_name, photo.width, photo.height) == ("square.png", 900, 900)
    assert set(stored(photo_dir)) == set(photo.file_names)
    assert not old & set(stored(photo_dir))


# --------------------------------------------------------------------------- all or nothing, and deleting
# Files are deleted once the deletion commits; a test's transaction never commits, so the tests that
# delete run the commit callbacks with django_capture_on_commit_callbacks(execute=True).


def test_a_failed_write_leaves_no_row_and_no_file(
    product: Product, photo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace = os.replace
    calls = {"n": 0}

    def fail_on_the_fourth(src: str, dst: str) -> None:
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(services.os, "replace", fail_on_the_fourth)

    with pytest.raises(OSError, match="No space left"):
        add_photo(product)

    assert not BagPhoto.objects.exists()
    assert stored(photo_dir) == []  # neither the three written nor the half-written temporary file


def test_a_failed_row_save_removes_the_files_just_written(
    product: Product, photo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(BagPhoto, "save", refuse)

    with pytest.raises(RuntimeError):
        add_photo(product)

    assert stored(photo_dir) == []


def test_deleting_a_photo_in_the_admin_deletes_its_files(
    staff_client: Client, product: Product, photo_dir: Path, django_capture_on_commit_callbacks: Any
) -> None:
    photo = add_photo(product)
    assert len(stored(photo_dir)) == 6

    with django_capture_on_commit_callbacks(execute=True):
        response = post(staff_client, product, [{"id": photo.pk, "alt": ALT, "DELETE": "on"}])

    assert response.status_code == 302
    assert not BagPhoto.objects.exists()
    assert stored(photo_dir) == []


def test_files_another_photo_names_are_kept(
    product: Product, photo_dir: Path, django_capture_on_commit_callbacks: Any
) -> None:
    data = image_bytes()
    other_bag = Product.objects.get(slug="herschel-nova-mini")
    first, second = add_photo(product, data), add_photo(other_bag, data, alt="The Nova Mini, front view")
    assert first.file_names == second.file_names

    with django_capture_on_commit_callbacks(execute=True):
        bag_photo_delete(row=first)

    assert stored(photo_dir) == sorted(second.file_names)


def test_deleting_a_product_in_the_admin_deletes_its_photo_files(
    admin_client: Client, product: Product, photo_dir: Path, django_capture_on_commit_callbacks: Any
) -> None:
    add_photo(product)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/catalog/product/{product.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Product.objects.filter(pk=product.pk).exists()
    assert stored(photo_dir) == []


def test_pruning_removes_only_old_files_no_row_names(product: Product, photo_dir: Path) -> None:
    photo = add_photo(product)
    orphan = photo_dir / "0123456789abcdef-320w.jpg"
    orphan.write_bytes(b"left behind")
    os.utime(orphan, (0, 0))
    fresh = photo_dir / "fedcba9876543210-320w.jpg"
    fresh.write_bytes(b"an upload in progress")

    assert services.bag_photo_files_prune(older_than_s=60) == [orphan.name]
    assert set(stored(photo_dir)) == {*photo.file_names, fresh.name}


# --------------------------------------------------------------------------- serving


def test_a_variant_is_served_with_a_long_immutable_cache(client: Client, product: Product, photo_dir: Path) -> None:
    photo = add_photo(product)

    for variant in photo.variants:
        response = client.get(f"/media/bag-photos/{variant['name']}")
        assert response.status_code == 200
        assert response["Content-Type"] == {"jpg": "image/jpeg", "webp": "image/webp"}[variant["format"]]
        assert response["Cache-Control"] == "public, max-age=31536000, immutable"
        assert b"".join(response.streaming_content) == (photo_dir / variant["name"]).read_bytes()


@pytest.mark.parametrize(
    "name",
    [
        "0123456789abcdef-320w.jpg",  # well formed, but no such file
        "..%2F..%2Fdb.sqlite3",
        "..%5Csecret.jpg",
        "secret.txt",
        "0123456789ABCDEF-320w.jpg",
        "0123456789abcdef-320w.jpg.bak",
    ],
)
def test_the_photo_view_answers_404_for_anything_but_a_stored_variant(
    client: Client, photo_dir: Path, settings: Any, name: str
) -> None:
    photo_dir.mkdir(parents=True)
    (photo_dir / "secret.txt").write_text("not a photo")
    (photo_dir.parent / "secret.jpg").write_text("outside the photo folder")
    settings.DEBUG = False  # as under gunicorn in production: nothing here depends on DEBUG

    assert client.get(f"/media/bag-photos/{name}").status_code == 404


def test_photos_are_served_without_debug(client: Client, product: Product, photo_dir: Path, settings: Any) -> None:
    settings.DEBUG = False
    photo = add_photo(product)

    assert client.get(f"/media/bag-photos/{photo.file_names[0]}").status_code == 200


# --------------------------------------------------------------------------- showing


def test_the_bag_page_shows_a_picture_with_srcset_sizes_alt_and_dimensions(
    client: Client, product: Product, photo_dir: Path
) -> None:
    add_photo(product)
    add_photo(product, image_bytes("PNG", (1000, 1000)), alt="The Kånken Mini from the back", position=1)

    html = client.get(BAG).content.decode()

    pictures = re.findall(r"<picture>.*?</picture>", html, re.DOTALL)
    assert len(pictures) == 2
    lead, more = pictures
    assert re.search(r'<source type="image/webp" srcset="/media/bag-photos/[0-9a-f]{16}-320w\.webp 320w, ', lead)
    assert re.search(r'srcset="/media/bag-photos/[0-9a-f]{16}-320w\.jpg 320w, .*-1024w\.jpg 1024w"', lead)
    assert 'sizes="(min-width: 38rem) 36rem, calc(100vw - 2rem)"' in lead
    assert f'width="1024" height="768" alt="{ALT}"' in lead
    assert 'loading="lazy"' not in lead  # at the top of the page: loads at once
    assert 'alt="The Kånken Mini from the back"' in more and 'loading="lazy"' in more
    # The to-scale drawing stays: a photo shows the bag, the drawing its size.
    assert "The front of the Fjällräven Kånken Mini, to scale" in html


def test_every_url_the_page_names_is_served(client: Client, product: Product, photo_dir: Path) -> None:
    add_photo(product)
    html = client.get(BAG).content.decode()

    urls = set(re.findall(r"/media/bag-photos/[0-9a-f]{16}-\d+w\.(?:webp|jpg)", html))
    assert len(urls) == 6
    assert all(client.get(url).status_code == 200 for url in urls)


def test_a_bag_without_a_photo_shows_its_drawing_and_no_picture(client: Client, product: Product) -> None:
    html = client.get(BAG).content.decode()

    assert "<picture>" not in html
    assert "The front of the Fjällräven Kånken Mini, to scale" in html


def test_the_page_exposes_the_photos_absolute_url_for_link_previews(
    client: Client, product: Product, photo_dir: Path, settings: Any
) -> None:
    settings.MINIPACK_SITE_URL = "https://minipack.example"
    photo = add_photo(product)
    widest_jpeg = next(v["name"] for v in photo.variants if v["format"] == "jpg" and v["width"] == 1024)

    page = client.get(BAG).context["page"]

    assert page.photo_url == f"https://minipack.example/media/bag-photos/{widest_jpeg}"
    no_photo = bag_page(slug="herschel-nova-mini")
    assert no_photo is not None and no_photo.photo_url == ""


def test_a_guide_entry_shows_the_first_photo_small_and_the_drawing_otherwise(client: Client, photo_dir: Path) -> None:
    catalog_import(
        records=as_records(
            make_product(),
            make_product("herschel-nova-mini", brand="Herschel", model="Nova Mini", colourways=()),
            make_product(claims={"price": "$70"}, source=ARTICLE),
        )
    )
    kanken = Product.objects.get(slug="fjallraven-kanken-mini")
    add_photo(kanken, alt="The Kånken Mini, front view", position=0)
    add_photo(kanken, image_bytes("PNG", (900, 900)), alt="The Kånken Mini, back view", position=1)

    html = client.get("/").content.decode()

    entries = dict(
        re.findall(
            r'<li class="guide-entry" id="rank-\d+">\s*<h2>.*?<a href="/bags/([a-z-]+)/">(.*?)</li>', html, re.DOTALL
        )
    )
    assert '<figure class="figure guide-photo">' in entries["fjallraven-kanken-mini"]
    assert 'alt="The Kånken Mini, front view"' in entries["fjallraven-kanken-mini"]
    assert "back view" not in entries["fjallraven-kanken-mini"]
    assert re.search(r'<img src="/media/bag-photos/[0-9a-f]{16}-320w\.jpg"', entries["fjallraven-kanken-mini"])
    assert 'sizes="14rem"' in entries["fjallraven-kanken-mini"]
    assert "guide-drawing" not in entries["fjallraven-kanken-mini"]
    assert '<figure class="figure guide-drawing">' in entries["herschel-nova-mini"]
    assert "<picture>" not in entries["herschel-nova-mini"]


def test_the_prune_command_reports_what_it_removed(photo_dir: Path) -> None:
    photo_dir.mkdir(parents=True)
    orphan = photo_dir / "0123456789abcdef-320w.webp"
    orphan.write_bytes(b"left behind")
    out = io.StringIO()

    call_command("prune_photo_files", "--min-age", "0", stdout=out)

    assert not orphan.exists()
    assert "removed 0123456789abcdef-320w.webp" in out.getvalue()


def test_a_photo_larger_than_the_form_size_limit_still_uploads(
    staff_client: Client, product: Product, photo_dir: Path, settings: Any
) -> None:
    """DATA_UPLOAD_MAX_MEMORY_SIZE caps a request's form fields, not its files: a phone photo is bigger than it."""
    noise = Image.frombytes("RGB", (2000, 1500), os.urandom(2000 * 1500 * 3))
    jpeg = io.BytesIO()
    noise.save(jpeg, format="JPEG", quality=95)
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE < len(jpeg.getvalue()) < MAX_BYTES

    response = post(staff_client, product, [{"image": upload(jpeg.getvalue()), "alt": ALT}])

    assert response.status_code == 302
    assert product.photos.get().width == 2000  # the upload, read from its temporary file
