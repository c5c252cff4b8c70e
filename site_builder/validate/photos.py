"""Photos a row names (products.photo, brands.photo): one image file in DATA_DIR/photos/.

A photo is input like a table: the name in a row is a file name inside photos/ and nothing
else, and the file is found through readers.within, the one check every input file goes
through, so no row can make the build read (or publish) another file on the clerk's disk. A
file that is not a readable JPEG, PNG or WebP of a sensible size is a problem naming the file,
row, field and rule, found here, never a traceback from the image library during the build.

The row rules (photo-path, photo-alt) need nothing but the row, so the changed-rows validation
runs them too; the file rules (photo-missing, photo-format, and photo-path for a symbolic link
out of the folder) look at the disk: `whole.py` asks `file_problem` for every named photo, the
changed-rows validation (changed.py) for the photo of each new row, and the build's images stage
asks again for every photo whose file changed since the last build.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .. import urls
from ..registry import readers
from .finding import Finding

PHOTO_DIR = "photos"                 # inside DATA_DIR
PHOTO_TABLES = ("products", "brands")  # tables with photo, photo_alt and photo_credit columns
EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")
#: Pillow's names of the formats read, and what a clerk calls them (MPO: a phone's JPEG with a
#: second, depth picture; its first picture is the photo).
FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
#: A 50-megapixel phone photo is 8160 × 6120 and about 20 MB; past these a file is not a photo
#: for a web page (and decoding it could take the build's memory).
MAX_BYTES = 40 * 2**20
MAX_PIXELS = 60_000_000
#: The narrowest web image made of a photo (images/derive.py WIDTHS): a smaller photo is a blur.
MIN_WIDTH = 320


class PhotoProblem(Exception):
    """What is wrong with a named photo: its rule and the message."""

    def __init__(self, rule: str, message: str):
        self.rule, self.message = rule, message
        super().__init__(message)


@dataclass(frozen=True)
class PhotoFile:
    """A photo that passed: where it is, and its size in pixels (after EXIF rotation)."""

    path: Path
    width: int
    height: int
    format: str


def name_problem(name: str) -> str | None:
    """Why `name` cannot name a file of photos/, or None: it must be one plain file name."""
    example = "如“jishan-mahua.jpg”"
    if "/" in name or "\\" in name or name.strip() in (".", "..") or name.startswith(".") or ":" in name:
        return (f"照片“{_short(name)}”应为 photos 文件夹中的一个文件名，{example}：不能含“/”“\\”“:”，"
                "不能以“.”开头，不能是路径或网址。请把照片放进数据目录的 photos 文件夹，这里只写文件名。")
    if urls.unsafe_segment(name) is not None:
        return f"照片文件名“{_short(name)}”不能用作网址的一部分（只有空格或太长）。请改用简短的文件名，{example}。"
    if not name.lower().endswith(EXTENSIONS):
        return (f"照片“{_short(name)}”的扩展名应为 .jpg、.jpeg、.png 或 .webp。"
                "请把照片另存为 JPEG 或 PNG 格式，并写上扩展名。")
    return None


def photo_path(row, ctx) -> Iterator[Finding]:
    """Row rule: the photo is named as one file of photos/."""
    name = row.get("photo")
    if name:
        problem = name_problem(name)
        if problem:
            yield Finding("photo", "photo-path", problem)


def photo_alt(row, ctx) -> Iterator[Finding]:
    """Row rule: a photo has its description, read out to a visitor who cannot see it."""
    if row.get("photo") and "photo_alt" in row and not (row.get("photo_alt") or "").strip():
        yield Finding("photo_alt", "photo-alt",
                      f"填写了照片“{_short(row['photo'])}”，但没有照片说明（photo_alt）。请用一句话描述照片里是什么，"
                      "如“一盘金黄的拧花麻花”：读屏软件会朗读它，图片无法显示时也显示它。")


def check(data_dir: str | Path, name: str) -> PhotoFile:
    """The photo `name` (already a plain file name: `name_problem`) in DATA_DIR/photos/, read
    whole to prove it is a sound image; raises PhotoProblem."""
    where = f"{PHOTO_DIR}/{name}"
    try:
        path = readers.within(Path(data_dir), where)
    except readers.LeadsOutside as exc:
        raise PhotoProblem("photo-path", f"照片 {where} 是指向数据目录之外（{exc.target}）的符号链接，不会被读取。"
                           f"请把照片文件本身复制到数据目录的 {PHOTO_DIR} 文件夹中。") from None
    if path is None:
        raise PhotoProblem("photo-missing", f"找不到照片文件 {where}。请把照片放进数据目录 {data_dir} 的 {PHOTO_DIR} "
                           "文件夹，或核对文件名（区分大小写和扩展名）；没有照片则把这一格留空。")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise PhotoProblem("photo-format", f"照片 {where} 有 {size / 2**20:,.0f} MB，超过上限 {MAX_BYTES // 2**20} MB。"
                           "请在手机或电脑上把照片缩小（如 4000 像素宽以内）后再放进来。")
    return _read(path, where)


def _read(path: Path, where: str) -> PhotoFile:
    from PIL import Image, UnidentifiedImageError

    damaged = (f"照片 {where} 已损坏或不完整，无法读取。请从原始照片重新导出（JPEG、PNG 或 WebP）后再放进来。")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                kind = FORMATS.get(image.format or "")
                if kind is None:
                    raise PhotoProblem("photo-format", f"照片 {where} 是 {image.format or '未知'} 格式，网页只用 JPEG、PNG 或 WebP。"
                                       "请用看图或修图软件另存为 JPEG 后再放进来。")
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise PhotoProblem("photo-format", f"照片 {where} 有 {width}×{height} 像素，超过上限 "
                                       f"{MAX_PIXELS // 1_000_000} 百万像素。请把照片缩小后再放进来。")
                if image.format in ("JPEG", "MPO"):
                    image.draft("RGB", (width // 8, height // 8))  # decodes every byte, at an eighth of the work
                image.load()
                if _rotated(image):
                    width, height = height, width
    except PhotoProblem:
        raise
    except UnidentifiedImageError:
        raise PhotoProblem("photo-format", f"照片 {where} 不是图片文件（无法识别格式）。请确认放进来的是照片本身"
                           "（JPEG、PNG 或 WebP），而不是改了扩展名的其他文件。") from None
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoProblem("photo-format", damaged) from None
    if width < MIN_WIDTH:
        raise PhotoProblem("photo-format", f"照片 {where} 只有 {width}×{height} 像素：宽度至少要 {MIN_WIDTH} 像素，"
                           "在手机上才看得清。请换一张更大的照片。")
    return PhotoFile(path, width, height, kind)


def _rotated(image) -> bool:
    """A phone photo stored on its side says so in EXIF (orientation 5 to 8 swap the sides)."""
    return image.getexif().get(0x0112, 1) in (5, 6, 7, 8)


def file_problem(data_dir: str | Path, name: str) -> PhotoProblem | None:
    """What is wrong with the file of photo `name`, or None."""
    try:
        check(data_dir, name)
    except PhotoProblem as problem:
        return problem
    return None


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
