"""Bag photos: which uploads we accept, and the resized, metadata-free variants a page serves.

An editor's upload is accepted only when Pillow decodes *all* of it as a
JPEG, PNG or WebP (the bytes decide, never the file name), within a file
size and a pixel count that a server can handle (a small file can declare a
gigapixel image: a decompression bomb), and large enough to stay sharp on a
phone. Every refusal is a ``PhotoError`` naming the file and the reason.

An accepted photo is turned upright by its EXIF orientation, converted to
sRGB, flattened onto white if it has transparency, and re-encoded at a few
widths (never wider than the upload) in WebP and JPEG. Nothing of the
upload's metadata is copied: no EXIF (so no GPS position, camera serial or
date), no XMP, no comments, no ICC profile. Each variant is named after a
hash of its own bytes, so a name always means the same picture and can be
cached for ever.

The alt text rule lives here too (``check_alt_text``): a photo without a
description, or with its file name as one, tells a screen reader user nothing.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import warnings
from dataclasses import dataclass, field
from pathlib import PurePath

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from minipack.errors import PhotoError
from minipack.records import fold

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
MAX_BYTES = 10 * 1024 * 1024
# 50 megapixels covers a 48 MP phone photo; decoded, it takes about 150 MB of memory. Checked
# from the header, before any pixel is decoded.
MAX_PIXELS = 50_000_000
# The short side: a 400 px wide photo still fills a phone's column at 1x without looking soft.
MIN_SHORT_SIDE = 400
VARIANT_WIDTHS = (320, 640, 1024)
MAX_ALT_CHARS = 250

# Output formats: (file extension, Pillow format, MIME type, encoder options).
WEBP = ("webp", "WEBP", "image/webp", {"quality": 80, "method": 4})
JPEG = ("jpg", "JPEG", "image/jpeg", {"quality": 82, "optimize": True, "progressive": True})
OUTPUT_FORMATS = (WEBP, JPEG)
CONTENT_TYPES = {ext: mime for ext, _pil, mime, _opts in OUTPUT_FORMATS}

HASH_CHARS = 16  # 64 bits of SHA-256: no accidental collision among a catalog's photos
VARIANT_NAME = re.compile(rf"[0-9a-f]{{{HASH_CHARS}}}-[0-9]{{1,4}}w\.(?:webp|jpg)")

# What Pillow raises on a damaged or hostile file, beyond its own UnidentifiedImageError.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, TypeError, IndexError, EOFError, struct.error)
_SRGB = ImageCms.createProfile("sRGB")


@dataclass(frozen=True)
class Variant:
    """One encoded size of a photo; ``name`` is derived from the bytes, so equal names mean equal pictures."""

    width: int
    height: int
    extension: str  # 'webp' or 'jpg'
    data: bytes = field(repr=False)

    @property
    def name(self) -> str:
        digest = hashlib.sha256(self.data).hexdigest()[:HASH_CHARS]
        return f"{digest}-{self.width}w.{self.extension}"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.extension]


@dataclass(frozen=True)
class PreparedPhoto:
    """An accepted upload: its size upright, a hash of the upload (to spot the same file twice) and its variants."""

    file_name: str
    source_format: str  # 'JPEG', 'PNG' or 'WEBP', as decoded
    width: int
    height: int
    digest: str  # SHA-256 of the uploaded bytes
    variants: tuple[Variant, ...]


def prepare_photo(data: bytes, *, file_name: str) -> PreparedPhoto:
    """Check an upload and make its variants; ``PhotoError`` (file name and reason) when it is refused."""
    name = PurePath(file_name).name or "upload"
    check_upload_size(len(data), file_name=name)
    image, (width, height) = _decode(data, name)
    source_format = image.format or ""
    upright = _upright(image)
    if upright.size != image.size:  # turned a quarter: the upload's own size turns with it
        width, height = height, width
    return PreparedPhoto(
        file_name=name,
        source_format=source_format,
        width=width,
        height=height,
        digest=hashlib.sha256(data).hexdigest(),
        variants=tuple(_variants(_to_srgb(upright), width)),
    )


def check_upload_size(size: int, *, file_name: str) -> None:
    """``PhotoError`` for an empty file or one over ``MAX_BYTES``: asked before the bytes are read into memory."""
    name = PurePath(file_name).name or "upload"
    if size <= 0:
        raise PhotoError(name, "the file is empty")
    if size > MAX_BYTES:
        raise PhotoError(
            name, f"the file is {size / 1024 / 1024:.1f} MB; the most we take is {MAX_BYTES // 1024 // 1024} MB"
        )


def variant_widths(width: int) -> tuple[int, ...]:
    """The widths made for a photo ``width`` px wide: the standard ones below it, and at most its own width."""
    return tuple(sorted({w for w in VARIANT_WIDTHS if w < width} | {min(width, VARIANT_WIDTHS[-1])}))


def _decode(data: bytes, name: str) -> tuple[Image.Image, tuple[int, int]]:
    """Open from the header, check format and size, then decode every pixel (a truncated file fails here).

    Returns the decoded image (a large JPEG decoded at a reduced scale) and the upload's own size.
    """
    not_an_image = "is not a JPEG, PNG or WebP image (the file's contents decide, not its name)"
    try:
        # Pillow warns between 89 and 179 megapixels; our own, lower limit is checked just below.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except UnidentifiedImageError as exc:
        raise PhotoError(name, not_an_image) from exc
    except Image.DecompressionBombError as exc:
        raise PhotoError(name, _too_many_pixels(None)) from exc
    except _DECODE_ERRORS as exc:
        raise PhotoError(name, f"cannot be read as an image ({exc})") from exc
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise PhotoError(name, _too_many_pixels((width, height)))
    if min(width, height) < MIN_SHORT_SIDE:
        raise PhotoError(
            name,
            f"is {width} x {height} px; its short side must be at least {MIN_SHORT_SIDE} px so it stays sharp",
        )
    if getattr(image, "n_frames", 1) > 1:
        raise PhotoError(name, "is animated; upload a still photo")
    try:
        # verify() checks the file's structure (PNG checksums); it leaves the image unusable, so open again.
        image.verify()
        image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
        if image.format == "JPEG":
            # Let the JPEG decoder scale down by 1/2, 1/4 or 1/8 while decoding, never below the
            # largest variant: a 48 MP photo then needs a quarter of the memory.
            image.draft("RGB", (VARIANT_WIDTHS[-1], VARIANT_WIDTHS[-1]))
        image.load()
    except (*_DECODE_ERRORS, Image.DecompressionBombError, UnidentifiedImageError) as exc:
        raise PhotoError(name, f"cannot be decoded, so it is damaged or cut short ({exc})") from exc
    return image, (width, height)


def _too_many_pixels(size: tuple[int, int] | None) -> str:
    limit = f"the most we take is {MAX_PIXELS // 1_000_000} megapixels"
    if size is None:
        return f"declares an enormous pixel count; {limit}"
    width, height = size
    return f"is {width} x {height} px ({width * height / 1_000_000:.0f} megapixels); {limit}"


def _upright(image: Image.Image) -> Image.Image:
    """The image turned as its EXIF orientation says; as it is when the EXIF block cannot be read."""
    try:
        turned = ImageOps.exif_transpose(image)
    except _DECODE_ERRORS:
        return image
    return turned if turned is not None else image


def _to_srgb(image: Image.Image) -> Image.Image:
    """RGB pixels in sRGB, transparency flattened onto white, with no metadata attached."""
    icc = image.info.get("icc_profile")
    if icc and image.mode in ("RGB", "CMYK"):
        try:
            converted = ImageCms.profileToProfile(
                image, ImageCms.ImageCmsProfile(io.BytesIO(icc)), _SRGB, outputMode="RGB"
            )
            if converted is not None:
                image = converted
        except (ImageCms.PyCMSError, *_DECODE_ERRORS):
            pass  # a broken profile: keep the pixels as they are rather than refuse the photo
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    elif image.mode != "RGB":
        image = image.convert("RGB")
    else:
        image = image.copy()
    # Pillow carries ``info`` (EXIF, XMP, comments, the ICC profile) into copies and some encoders
    # read it from there; the served files must hold pixels only.
    image.info = {}
    return image


def _variants(image: Image.Image, upload_width: int) -> list[Variant]:
    """Each width in WebP and JPEG; ``image`` may be a scaled decode, at least as wide as the widest variant."""
    variants = []
    for width in variant_widths(upload_width):
        height = max(1, round(image.height * width / image.width))
        sized = (
            image
            if (width, height) == image.size
            else image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        )
        sized.info = {}
        for extension, pil_format, _mime, options in OUTPUT_FORMATS:
            out = io.BytesIO()
            sized.save(out, format=pil_format, **options)
            variants.append(Variant(width, height, extension, out.getvalue()))
    return variants


# --------------------------------------------------------------------------- alt text

# Words that say nothing on their own: an alt text made only of these (and a, an, the, of) is refused.
_GENERIC_WORDS = frozenset(
    {"image", "images", "photo", "photos", "picture", "pic", "img", "bag", "backpack", "purse", "untitled"}
)
_FILLER = frozenset({"a", "an", "the", "of"})
_FILE_LIKE = re.compile(r"\S+\.(?:jpe?g|png|webp|gif|heic|avif|tiff?)", re.IGNORECASE)


def check_alt_text(alt: str, *, file_name: str) -> str:
    """The alt text, whitespace tidied; ``PhotoError`` when it is blank, the file name or says nothing."""
    name = PurePath(file_name).name or "upload"
    text = " ".join(alt.split())
    if not text:
        raise PhotoError(name, "needs alt text: say what the photo shows, for people who cannot see it")
    if len(text) > MAX_ALT_CHARS:
        raise PhotoError(name, f"the alt text is {len(text)} characters; keep it under {MAX_ALT_CHARS}")
    plain = _plain(text)
    if plain in {_plain(name), _plain(PurePath(name).stem)} or _FILE_LIKE.fullmatch(text):
        raise PhotoError(
            name, f"the alt text {text!r} is a file name; describe the photo, e.g. 'The bag in black, from the front'"
        )
    words = [w for w in plain.split() if w not in _FILLER]
    if all(w in _GENERIC_WORDS for w in words):
        raise PhotoError(
            name, f"the alt text {text!r} says nothing a reader could not guess; say which bag, colour and view"
        )
    return text


def _plain(text: str) -> str:
    """Folded words only: 'IMG_2041.JPG' -> 'img 2041 jpg'."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())
