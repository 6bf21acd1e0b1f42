"""Photo uploads for tests, built with Pillow: real JPEG, PNG and WebP files and hostile ones.

Used by the core tests (tests/core/test_photos.py) and the admin and page tests
(tests/web/catalog/test_photos.py), so both check the same files. A photo is
split down the middle, red on the left and blue on the right, so a test can
tell which way up a variant came out.
"""

from __future__ import annotations

import io
import struct
import zlib

from PIL import ExifTags, Image, ImageCms

RED = (220, 20, 20)
BLUE = (20, 20, 220)
ORIENTATION_TAG = 0x0112
# EXIF orientation 6: the camera was turned a quarter clockwise, so a viewer turns the stored pixels back.
ROTATE_CW = 6


def image_bytes(
    fmt: str = "JPEG",
    size: tuple[int, int] = (1200, 800),
    *,
    orientation: int | None = None,
    gps: bool = False,
    alpha: bool = False,
    icc: bool = False,
) -> bytes:
    """A two-colour image (red left half, blue right half) encoded as ``fmt``, with the metadata asked for."""
    width, height = size
    mode = "RGBA" if alpha else "RGB"
    image = Image.new(mode, size, (*RED, 255) if alpha else RED)
    image.paste((*BLUE, 255) if alpha else BLUE, (width // 2, 0, width, height))
    if alpha:
        image.paste((0, 0, 0, 0), (0, 0, 40, 40))  # a transparent corner
    options: dict[str, object] = {}
    exif = image.getexif()
    if orientation is not None:
        exif[ORIENTATION_TAG] = orientation
    if gps:
        exif[ExifTags.Base.Make] = "TestCam"
        gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps_ifd[ExifTags.GPS.GPSLatitudeRef] = "N"
        gps_ifd[ExifTags.GPS.GPSLatitude] = (52.0, 31.0, 12.0)
        gps_ifd[ExifTags.GPS.GPSLongitudeRef] = "E"
        gps_ifd[ExifTags.GPS.GPSLongitude] = (13.0, 24.0, 36.0)
    if len(exif):
        options["exif"] = exif.tobytes()
    if icc:
        options["icc_profile"] = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    if fmt == "JPEG":
        options["quality"] = 90
        options["comment"] = b"shot at 12 Example Street"
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def animated_webp(size: tuple[int, int] = (600, 600)) -> bytes:
    frames = [Image.new("RGB", size, RED), Image.new("RGB", size, BLUE)]
    out = io.BytesIO()
    frames[0].save(out, format="WEBP", save_all=True, append_images=frames[1:], duration=100)
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A small PNG whose header claims ``width`` x ``height`` pixels: a decompression bomb's calling card."""
    data = bytearray(image_bytes("PNG", (400, 400)))
    # The IHDR chunk follows the 8-byte signature: length, b'IHDR', width, height, …, then a CRC of type + data.
    assert data[12:16] == b"IHDR"
    struct.pack_into(">II", data, 16, width, height)
    struct.pack_into(">I", data, 29, zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def pixel(data: bytes, xy: tuple[float, float]) -> tuple[int, int, int]:
    """The colour at a relative position (0-1, 0-1) of an encoded image."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    x, y = int(xy[0] * (image.width - 1)), int(xy[1] * (image.height - 1))
    r, g, b = image.getpixel((x, y))  # type: ignore[misc]
    return (r, g, b)


def is_red(rgb: tuple[int, int, int]) -> bool:
    return rgb[0] > 150 and rgb[2] < 100


def is_blue(rgb: tuple[int, int, int]) -> bool:
    return rgb[2] > 150 and rgb[0] < 100
