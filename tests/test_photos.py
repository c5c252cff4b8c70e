"""Photos of products and brands: what a phone photo carries never reaches the site, the web
images are made once and kept while the photo is the same, and a bad photo is a validator
problem (file, row, field, rule) that stops the build, never a traceback."""
from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image
from test_build import tree_digest
from test_site_pages_build import edit_csv, first

from site_builder import urls
from site_builder.build import pipeline as build_module
from site_builder.demo.data import write_demo_registry
from site_builder.errors import ValidationFailed
from site_builder.images import derive
from site_builder.images.build import make_images
from site_builder.images.markup import picture
from site_builder.images.shown import Shown
from site_builder.validate.whole import validate_registry

GPS = 0x8825
LATITUDE = (35.0, 36.0, 1.2)  # degrees, minutes, seconds: the workshop owner's home


def phone_photo(path: Path, size=(1600, 1200), orientation: int = 6) -> Path:
    """A JPEG as a phone writes it: EXIF with the camera, the GPS position, the orientation (6:
    stored on its side), and XMP."""
    image = Image.new("RGB", size, (180, 120, 40))
    image.paste((20, 20, 200), (0, 0, size[0] // 4, size[1]))  # a blue band on the stored left edge
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"      # Make
    exif[0x0110] = "Phone 15 Pro"    # Model
    exif[0x0112] = orientation
    exif.get_ifd(GPS).update({1: "N", 2: LATITUDE, 3: "E", 4: (110.0, 58.0, 3.4)})
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description exif:GPSLatitude="35,36.02N"/></x:xmpmeta>'
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", exif=exif.tobytes(), xmp=xmp, quality=90)
    return path


def test_a_phone_photo_comes_out_without_gps_or_any_exif(tmp_path):
    photo = phone_photo(tmp_path / "phone.jpg")
    with Image.open(photo) as original:  # the fixture really carries what a phone writes
        assert original.getexif().get_ifd(GPS)[2] == LATITUDE and b"GPSLatitude" in photo.read_bytes()
    made = derive.derive(photo)
    assert (made.width, made.height) == (1200, 1600), "turned upright as the EXIF orientation says"
    assert sorted(made.files) == [(w, ext) for w in (320, 640, 960, 1200) for ext in ("jpg", "webp")]
    for (width, ext), data in made.files.items():
        with Image.open(io.BytesIO(data)) as image:
            assert image.width == width and image.format == {"jpg": "JPEG", "webp": "WEBP"}[ext]
            assert not image.getexif(), f"{width}.{ext} has EXIF"
            assert not image.getexif().get_ifd(GPS)
            assert "exif" not in image.info and "xmp" not in image.info and "icc_profile" not in image.info
            # the blue band, stored on the left, is on top once the photo stands upright
            assert image.convert("RGB").getpixel((width // 2, 2))[2] > 150
        for marker in (b"Exif", b"GPS", b"PhoneMaker", b"xmpmeta", b"35,36"):
            assert marker not in data, f"{width}.{ext} holds {marker!r}"


def test_widths_never_enlarge_a_photo():
    assert derive.widths_for(320) == [320]
    assert derive.widths_for(500) == [320, 500]
    assert derive.widths_for(640) == [320, 640]
    assert derive.widths_for(1000) == [320, 640, 960, 1000]
    assert derive.widths_for(4000) == [320, 640, 960, 1280]


def test_the_markup_gives_the_box_its_shape_and_loads_below_the_fold_lazily():
    shown = Shown("稷山 麻花.jpg", 1200, 900, (320, 640, 1280), "abc123")
    html = str(picture(shown, '一盘"麻花"<b>', lazy=True, credit="摄影：张*"))
    assert 'width="640" height="480"' in html and 'loading="lazy"' in html
    assert 'alt="一盘&#34;麻花&#34;&lt;b&gt;"' in html and "<figcaption>摄影：张*</figcaption>" in html
    assert f'src="{urls.photo("稷山 麻花.jpg", 640, "jpg")}?v=abc123"' in html
    assert "%E7%A8%B7%E5%B1%B1%20%E9%BA%BB%E8%8A%B1.jpg/1280.webp?v=abc123 1280w" in html
    assert 'type="image/webp"' in html
    assert "loading" not in str(picture(shown, "x", lazy=False))
    assert str(picture(None, "x", lazy=True)) == ""


@pytest.fixture
def registry(small_registry, tmp_path) -> Path:
    return Path(shutil.copytree(small_registry, tmp_path / "data"))


def build_with_images(data: Path, out: Path):
    """`zuofang build` with the stages that show photos (no QR codes, handbook or soundness)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(build_module, "STAGES", [s for s in build_module.STAGES if s[0] in ("database", "images", "site")])
        return build_module.build(data, out)


def test_the_build_publishes_a_phone_photo_without_its_gps(registry, tmp_path):
    product = first(registry / "products.csv", "code", status="active")
    phone_photo(registry / "photos" / "phone.jpg")
    edit_csv(registry / "products.csv", "code", product["code"], "photo", "phone.jpg")
    edit_csv(registry / "products.csv", "code", product["code"], "photo_alt", "一盘麻花")
    out = tmp_path / "out"
    build_with_images(registry, out)
    made = sorted((out / "site" / "photos" / "phone.jpg").iterdir())
    assert [p.name for p in made] == ["1200.jpg", "1200.webp", "320.jpg", "320.webp", "640.jpg", "640.webp", "960.jpg", "960.webp"]
    for path in made:
        assert b"Exif" not in path.read_bytes() and b"GPS" not in path.read_bytes()
    page = (out / "site" / urls.output_path(urls.product(product["code"]))).read_text(encoding="utf-8")
    assert 'alt="一盘麻花"' in page and 'width="640" height="853"' in page, "the upright photo's shape"
    assert not list((out / "site").rglob("phone.jpg")) or all(p.is_dir() for p in (out / "site").rglob("phone.jpg")), \
        "the original file is not published"


def test_web_images_are_made_only_when_the_photo_or_the_code_changes(registry, tmp_path):
    out = tmp_path / "out"
    first_build = build_with_images(registry, out)
    assert first_build.photos.made == 2 and first_build.photos.kept == 0  # mahua.png, guoba.png
    again = build_with_images(registry, out)
    assert (again.photos.made, again.photos.kept, again.photos.changed) == (0, 2, set())
    photo = registry / "photos" / "mahua.png"
    photo.write_bytes(photo.read_bytes())  # touched (new mtime), the same bytes
    touched = build_with_images(registry, out)
    assert (touched.photos.made, touched.photos.changed) == (0, set())
    with Image.open(photo) as image:
        image.rotate(180).save(photo)  # another picture, the same name and rows
    replaced = build_with_images(registry, out)
    assert (replaced.photos.made, replaced.photos.kept, replaced.photos.changed) == (1, 1, {"mahua.png"})
    # Its pages name the new version, as a fresh build of the same data does, byte for byte.
    build_with_images(registry, tmp_path / "fresh")
    assert tree_digest(out / "site", inodes=False) == tree_digest(tmp_path / "fresh" / "site", inodes=False)
    assert 0 < replaced.pages["records"] < 20 and replaced.pages["kept"] > 100, "only the pages showing it"


def test_a_photo_replaced_by_a_broken_file_stops_the_build_with_the_validators_report(registry, tmp_path):
    out = tmp_path / "out"
    build_with_images(registry, out)
    before = tree_digest(out)
    (registry / "photos" / "mahua.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)  # cut short
    with pytest.raises(ValidationFailed) as failed:
        build_with_images(registry, out)  # no row changed: only the images stage looks at the file
    found = {(p.file, p.field, p.rule) for p in failed.value.report.problems}
    assert found == {("products.csv", "photo", "photo-format"), ("brands.csv", "photo", "photo-format")}
    assert all("photos/mahua.png" in p.message for p in failed.value.report.problems)
    assert tree_digest(out) == before, "nothing published"


def test_a_photo_outside_the_data_folder_is_never_read(registry, tmp_path):
    secret = phone_photo(tmp_path / "elsewhere" / "home.jpg")
    (registry / "photos" / "mahua.png").unlink()
    (registry / "photos" / "mahua.png").symlink_to(secret)
    report = validate_registry(registry)
    assert {(p.file, p.field, p.rule) for p in report.problems} == {("products.csv", "photo", "photo-path"),
                                                                    ("brands.csv", "photo", "photo-path")}
    with pytest.raises(ValidationFailed):
        build_with_images(registry, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_truncated_jpeg_is_a_problem_not_a_traceback(registry):
    data = phone_photo(registry / "photos" / "cut.jpg").read_bytes()
    (registry / "photos" / "cut.jpg").write_bytes(data[: len(data) // 2])
    edit_csv(registry / "brands.csv", "id", first(registry / "brands.csv", "id")["id"], "photo", "cut.jpg")
    [problem] = validate_registry(registry).problems
    assert (problem.file, problem.row, problem.field, problem.rule) == ("brands.csv", 2, "photo", "photo-format")
    assert "损坏" in problem.message and "photos/cut.jpg" in problem.message


def test_the_demo_ships_its_drawings_labelled_as_illustrations(demo_dir, tmp_path):
    """data/photos/ is exactly the generator's, and every demo photo says it is a drawing."""
    write_demo_registry(tmp_path, operators=320, seed=2026)
    fresh = {p.name: p.read_bytes() for p in (tmp_path / "photos").iterdir()}
    assert fresh == {p.name: p.read_bytes() for p in (demo_dir / "photos").iterdir()}
    assert 5 <= len(fresh) <= 8, "a handful"
    named = set()
    for table in ("products", "brands"):
        with open(demo_dir / f"{table}.csv", encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                if row["photo"]:
                    named.add(row["photo"])
                    assert row["photo_alt"].startswith("示意插图") and "不是实物照片" in row["photo_alt"]
                    assert "Illustration, not a photo" in row["photo_credit"]
    assert named == set(fresh)


def test_images_are_written_only_through_the_build(registry, tmp_path):
    """Outside a build (a library call), the stage writes where it is told and keeps its record."""
    from site_builder.build.files import Files
    from site_builder.database.build import build_database
    from site_builder.registry.package import Package

    build_database(Package.load(registry), tmp_path / "out" / "registry.db")
    photos = make_images(registry, tmp_path / "out" / "registry.db", tmp_path / "out" / "site", Files())
    assert sorted(photos.shown) == ["guoba.png", "mahua.png"]
    assert re.fullmatch(r"[0-9a-f]{10}", photos.shown["mahua.png"].version)
    again = make_images(registry, tmp_path / "out" / "registry.db", tmp_path / "out" / "site", Files())
    assert again.made == 0 and again.kept == 2
