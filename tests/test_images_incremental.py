"""A rebuild after a photo or a photo column changed gives exactly the web images and pages a
fresh build of the same data gives (the images stage's byte-for-byte rebuild cases)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image
from test_build import comparable_record
from test_photos import build_with_images
from test_site_pages_build import edit_csv, first, tree

#: /changes/ compares with the previous build, so it differs from a first build by design.
COMPARED_WITH_PREVIOUS = {"changes/index.html", "data/changes.json"}


def _redraw(data: Path) -> None:
    photo = data / "photos" / "guoba.png"
    with Image.open(photo) as image:
        image.transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(photo)


def _new_photo(data: Path) -> None:
    Image.new("RGB", (900, 600), (120, 60, 20)).save(data / "photos" / "new.jpg", "JPEG")
    code = first(data / "products.csv", "code", photo="")["code"]
    edit_csv(data / "products.csv", "code", code, "photo", "new.jpg")
    edit_csv(data / "products.csv", "code", code, "photo_alt", "一袋新产品")


CHANGES = {
    "photo file replaced": _redraw,
    "product gets a new photo": _new_photo,
    "brand drops its photo": lambda d: edit_csv(d / "brands.csv", "id", first(d / "brands.csv", "id")["id"], "photo", ""),
    "photo description": lambda d: edit_csv(d / "products.csv", "photo", "mahua.png", "photo_alt", "两袋麻花"),
}


@pytest.fixture(scope="module")
def base(tmp_path_factory, small_registry) -> Path:
    out = tmp_path_factory.mktemp("images-base") / "out"
    build_with_images(small_registry, out)
    return out


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_rebuild_equals_a_fresh_build(change, base, small_registry, tmp_path):
    data = Path(shutil.copytree(small_registry, tmp_path / "data"))
    out = Path(shutil.copytree(base, tmp_path / "out", symlinks=True))
    CHANGES[change](data)
    rebuilt = build_with_images(data, out)
    build_with_images(data, tmp_path / "fresh")
    assert rebuilt.photos.made <= 1, "only a new or changed photo is made again"
    assert 0 < rebuilt.pages["records"] < 30 and rebuilt.pages["kept"] > 150
    now, fresh = tree(out / "site"), tree(tmp_path / "fresh" / "site")
    assert now.keys() == fresh.keys()
    assert sorted(k for k in now if now[k] != fresh[k] and k not in COMPARED_WITH_PREVIOUS) == []
    assert _without_stat(comparable_record(out)["images"]) == _without_stat(comparable_record(tmp_path / "fresh")["images"])


def _without_stat(section: bytes) -> dict:
    """The images record without each photo's stat (it belongs to one folder's file)."""
    import json

    record = json.loads(section)
    return {**record, "photos": {k: {f: v for f, v in e.items() if f != "stat"} for k, e in record["photos"].items()}}
