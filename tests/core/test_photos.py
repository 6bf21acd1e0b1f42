"""Photo uploads: only whole, sane JPEG/PNG/WebP files pass; variants are upright, sized, metadata-free, hashed."""

from __future__ import annotations

import hashlib
import io

import pytest
from photo_factory import ROTATE_CW, animated_webp, image_bytes, is_blue, is_red, pixel, png_declaring
from PIL import Image

from minipack.errors import PhotoError
from minipack.photos import (
    MAX_BYTES,
    VARIANT_NAME,
    check_alt_text,
    check_upload_size,
    prepare_photo,
    variant_widths,
)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_each_allowed_format_gives_webp_and_jpeg_at_three_widths(fmt: str) -> None:
    photo = prepare_photo(image_bytes(fmt, (1600, 1200)), file_name=f"kanken.{fmt.lower()}")

    assert photo.source_format == fmt
    assert (photo.width, photo.height) == (1600, 1200)
    made = sorted((v.extension, v.width, v.height) for v in photo.variants)
    assert made == [
        ("jpg", 320, 240),
        ("jpg", 640, 480),
        ("jpg", 1024, 768),
        ("webp", 320, 240),
        ("webp", 640, 480),
        ("webp", 1024, 768),
    ]
    for variant in photo.variants:
        decoded = Image.open(io.BytesIO(variant.data))
        assert decoded.format == {"jpg": "JPEG", "webp": "WEBP"}[variant.extension]
        assert decoded.size == (variant.width, variant.height)


def test_a_variant_is_never_wider_than_the_upload() -> None:
    photo = prepare_photo(image_bytes("PNG", (500, 450)), file_name="small.png")

    assert sorted({v.width for v in photo.variants}) == [320, 500]
    assert variant_widths(500) == (320, 500)
    assert variant_widths(1024) == (320, 640, 1024)
    assert variant_widths(4000) == (320, 640, 1024)


def test_exif_orientation_is_applied() -> None:
    # Stored 1200 x 800 with red on the left; orientation 6 shows it turned a quarter clockwise, red on top.
    photo = prepare_photo(image_bytes("JPEG", (1200, 800), orientation=ROTATE_CW), file_name="turned.jpg")

    assert (photo.width, photo.height) == (800, 1200)
    for variant in photo.variants:
        assert variant.height > variant.width
        assert is_red(pixel(variant.data, (0.5, 0.1)))
        assert is_blue(pixel(variant.data, (0.5, 0.9)))


def test_no_metadata_reaches_a_variant() -> None:
    upload = image_bytes("JPEG", (1200, 800), orientation=1, gps=True, icc=True)
    assert b"TestCam" in upload and b"12 Example Street" in upload  # the upload does carry them

    photo = prepare_photo(upload, file_name="holiday.jpg")

    for variant in photo.variants:
        decoded = Image.open(io.BytesIO(variant.data))
        assert len(decoded.getexif()) == 0
        assert not {"exif", "icc_profile", "xmp", "comment"} & set(decoded.info)
        assert b"Exif" not in variant.data and b"TestCam" not in variant.data
        assert b"Example Street" not in variant.data


def test_transparency_is_flattened_onto_white() -> None:
    photo = prepare_photo(image_bytes("PNG", (800, 800), alpha=True), file_name="cutout.png")

    jpeg = next(v for v in photo.variants if v.extension == "jpg")
    assert all(c > 240 for c in pixel(jpeg.data, (0.0, 0.0)))
    assert is_red(pixel(jpeg.data, (0.25, 0.5)))


def test_variant_names_are_hashes_of_their_bytes_so_the_same_upload_gives_the_same_names() -> None:
    data = image_bytes("JPEG")
    first, again = prepare_photo(data, file_name="a.jpg"), prepare_photo(data, file_name="b.jpg")

    assert [v.name for v in first.variants] == [v.name for v in again.variants]
    assert first.digest == hashlib.sha256(data).hexdigest()
    for variant in first.variants:
        assert VARIANT_NAME.fullmatch(variant.name)
        assert variant.name.startswith(hashlib.sha256(variant.data).hexdigest()[:16])
        assert variant.name.endswith(f"-{variant.width}w.{variant.extension}")


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"just some text, renamed\n", "bag.jpg", "is not a JPEG, PNG or WebP image"),
        (image_bytes("GIF", (600, 600)), "bag.gif", "is not a JPEG, PNG or WebP image"),
        (image_bytes("JPEG")[:4000], "cut.jpg", "damaged or cut short"),
        (image_bytes("PNG")[:-200], "cut.png", "damaged or cut short"),
        (png_declaring(10_000, 10_000), "bomb.png", "10000 x 10000 px (100 megapixels); the most we take is 50"),
        (png_declaring(40_000, 40_000), "huge.png", "megapixels"),
        (image_bytes("JPEG", (600, 300)), "tiny.jpg", "is 600 x 300 px; its short side must be at least 400 px"),
        (animated_webp(), "moving.webp", "is animated"),
        (b"", "empty.jpg", "the file is empty"),
    ],
)
def test_a_refused_upload_names_the_file_and_the_reason(data: bytes, name: str, reason: str) -> None:
    with pytest.raises(PhotoError) as refused:
        prepare_photo(data, file_name=f"/uploads/{name}")

    assert refused.value.file_name == name
    assert name in str(refused.value)
    assert reason in str(refused.value)


def test_a_file_over_the_size_limit_is_refused_before_decoding() -> None:
    with pytest.raises(PhotoError, match=r"“big.jpg”: the file is 10.0 MB; the most we take is 10 MB"):
        check_upload_size(MAX_BYTES + 1, file_name="big.jpg")
    with pytest.raises(PhotoError, match="the most we take is 10 MB"):
        prepare_photo(b"\xff" * (MAX_BYTES + 1), file_name="big.jpg")


@pytest.mark.parametrize(
    ("alt", "reason"),
    [
        ("", "needs alt text"),
        ("   \n\t ", "needs alt text"),
        ("IMG_2041.JPG", "is a file name"),
        ("img 2041", "is a file name"),
        ("DSC00017.jpeg", "is a file name"),
        ("Photo", "says nothing"),
        ("an image of the bag", "says nothing"),
        ("x" * 251, "keep it under 250"),
    ],
)
def test_alt_text_must_describe_the_photo(alt: str, reason: str) -> None:
    with pytest.raises(PhotoError, match=reason) as refused:
        check_alt_text(alt, file_name="IMG_2041.JPG")
    assert "IMG_2041.JPG" in str(refused.value)


def test_good_alt_text_is_kept_with_its_whitespace_tidied() -> None:
    text = "  The Kånken Mini in Frost Green,\n front view "
    assert check_alt_text(text, file_name="IMG_2041.JPG") == "The Kånken Mini in Frost Green, front view"


def test_a_large_jpeg_keeps_its_own_size_and_full_width_variants_though_decoded_at_a_reduced_scale() -> None:
    photo = prepare_photo(image_bytes("JPEG", (4200, 3000)), file_name="big.jpg")

    assert (photo.width, photo.height) == (4200, 3000)
    assert max(v.width for v in photo.variants) == 1024
    assert {(v.width, v.height) for v in photo.variants} == {(320, 229), (640, 457), (1024, 731)}
