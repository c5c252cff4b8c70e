"""The web images of one photo: WebP and JPEG at a few widths, without any of its metadata.

A phone photo carries EXIF with the GPS position where it was taken (a clerk photographing a
workshop's goods at home publishes the home's coordinates), the phone's make and serial, and
XMP; none of it is needed on a page. So the pixels alone are kept: the EXIF orientation is
applied first (phones store photos on their side and say so in EXIF), the colours are
converted to sRGB when the photo brings another colour profile (Display P3 on iPhones), and
every output is a new image made from those pixels, saved with no EXIF, XMP or ICC data.

Widths: 320, 640, 960 and 1280 pixels (a phone; a phone at 1.5 times its density; a 360-px phone
at twice, which fills 672 device pixels and would otherwise be sent the 1280 — about twice the
bytes; a desktop at twice), and the photo's own width between them when it is narrower than the
next; a photo is never enlarged (the validator refuses one narrower than 320: validate/photos.py
MIN_WIDTH).
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from ..validate.photos import MIN_WIDTH

WIDTHS = (MIN_WIDTH, 640, 960, 1280)
FORMATS = ("webp", "jpg")
#: Settings chosen by eye on the demo's drawings and on phone photos: no visible loss at the
#: sizes the pages show, a 640-pixel WebP of a phone photo at about 40 KB.
JPEG_QUALITY = 80
WEBP_QUALITY = 76
WEBP_METHOD = 4  # of 0–6: 6 is a few per cent smaller and three times slower


@dataclass
class Derived:
    """A photo's web images: its size after rotation, and (width, format) -> bytes."""

    width: int
    height: int
    files: dict[tuple[int, str], bytes] = field(default_factory=dict)


def widths_for(width: int) -> list[int]:
    """The widths made of a photo `width` pixels wide: every standard width it reaches, and its
    own width when it falls short of the next one (at most the largest standard width)."""
    made = [w for w in WIDTHS if w <= width]
    if width < WIDTHS[-1] and width not in made:
        made.append(width)
    return made


def height_at(width: int, height: int, at: int) -> int:
    """The height of the photo scaled to `at` pixels wide (at least one pixel)."""
    return max(1, round(height * at / width))


def derive(path: Path) -> Derived:
    """The web images of the photo at `path` (a file validate/photos.py accepted)."""
    from PIL import Image

    pixels = _pixels(path)
    out = Derived(pixels.width, pixels.height)
    for width in widths_for(pixels.width):
        size = (width, height_at(pixels.width, pixels.height, width))
        scaled = pixels if size == pixels.size else pixels.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        for kind in FORMATS:
            out.files[(width, kind)] = _encode(scaled, kind)
    return out


def _pixels(path: Path):
    """The photo's pixels, upright, in sRGB, as a new RGB image that holds nothing else."""
    from PIL import Image, ImageOps

    with Image.open(path) as image:
        image.load()
        upright = ImageOps.exif_transpose(image)
        icc = image.info.get("icc_profile")
        if upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info):
            rgba = upright.convert("RGBA")
            flat = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            upright = Image.alpha_composite(flat, rgba)  # a transparent PNG on white, as the page is
        rgb = _to_srgb(upright, icc) if icc else upright.convert("RGB")
    clean = Image.new("RGB", rgb.size)
    clean.paste(rgb)  # pixels only: no EXIF, XMP, ICC or any other info travels with them
    return clean


def _to_srgb(image, icc: bytes):
    from PIL import ImageCms

    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(image.convert("RGB"), source, ImageCms.createProfile("sRGB"), outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image.convert("RGB")  # a broken profile: the pixels as they are


def _encode(image, kind: str) -> bytes:
    out = io.BytesIO()
    if kind == "jpg":
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    else:
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
    return out.getvalue()
