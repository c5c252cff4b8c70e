"""Drawn illustrations for the demo's photo columns: a handful of foods, plainly not photos.

The demo must show what a photo does to a page (srcset, lazy loading, the guide's pictures)
without pretending that a fictional business's goods were photographed. So each picture is a
flat drawing of the food (shapes only, no text, no font: the same bytes on every machine with
the same Pillow), its description says 示意插图 and its credit line says it is an illustration,
not a photo of the product. Drawn at twice the size and scaled down, for smooth edges.
"""
from __future__ import annotations

import io
import math
import random
from typing import Callable, NamedTuple

WIDTH, HEIGHT = 1280, 960
SCALE = 2  # drawn at twice the size, then scaled down: smooth edges without antialiasing support
CREDIT = "示意插图，非实物照片（演示数据）Illustration, not a photo of the product"


class Illustration(NamedTuple):
    file: str   # the name in photos/ (rows name it in their photo column)
    alt: str    # the photo_alt text: says what is drawn, and that it is a drawing
    draw: Callable


def _ellipse_points(cx: float, cy: float, rx: float, ry: float, angle: float, steps: int = 48):
    cos, sin = math.cos(angle), math.sin(angle)
    return [(cx + rx * math.cos(t) * cos - ry * math.sin(t) * sin, cy + rx * math.cos(t) * sin + ry * math.sin(t) * cos)
            for t in (2 * math.pi * i / steps for i in range(steps))]


def _plate(d, s: int) -> None:
    d.ellipse((140 * s, 150 * s, 1140 * s, 880 * s), fill=(236, 229, 214), outline=(150, 132, 104), width=6 * s)
    d.ellipse((230 * s, 220 * s, 1050 * s, 810 * s), outline=(205, 192, 168), width=4 * s)


def _speckles(d, rng: random.Random, box, count: int, colour, size: float, s: int) -> None:
    x0, y0, x1, y1 = box
    for _ in range(count):
        x, y = rng.uniform(x0, x1) * s, rng.uniform(y0, y1) * s
        a = rng.uniform(0, math.pi)
        d.polygon(_ellipse_points(x, y, size * 1.6 * s, size * s, a, 10), fill=colour)


def _mahua(d, rng, s) -> None:
    """Fried dough twists: strands of links turned alternately, golden brown."""
    _plate(d, s)
    for row, y in enumerate((330, 440, 550, 660)):
        x0 = 300 + 30 * (row % 2)
        for i in range(11):
            angle = 0.7 if i % 2 else -0.7
            d.polygon(_ellipse_points((x0 + 62 * i) * s, y * s, 52 * s, 28 * s, angle),
                      fill=(196, 128, 44) if i % 2 else (222, 160, 64), outline=(120, 70, 20))
        _speckles(d, rng, (x0, y - 20, x0 + 640, y + 20), 25, (250, 240, 210), 3, s)


def _guoba(d, rng, s) -> None:
    """Millet crackers: rough golden squares with darker grains."""
    _plate(d, s)
    for i, (x, y) in enumerate(((330, 300), (560, 260), (770, 330), (380, 520), (620, 500), (820, 560), (520, 690))):
        a = (i * 0.37) % 0.9 - 0.45
        corners = [(x + 100 * math.cos(a + k * math.pi / 2) - 0 * math.sin(a), y + 100 * math.sin(a + k * math.pi / 2))
                   for k in range(4)]
        d.polygon([(cx * s, cy * s) for cx, cy in corners], fill=(226, 176, 78), outline=(140, 92, 30))
        _speckles(d, rng, (x - 60, y - 60, x + 60, y + 60), 40, (170, 110, 40), 3, s)


def _zhimatang(d, rng, s) -> None:
    """Sesame candy: pale pillows of pulled malt sugar rolled in sesame."""
    _plate(d, s)
    for i in range(9):
        x, y = 340 + (i % 3) * 230, 330 + (i // 3) * 170
        d.rounded_rectangle((x * s, y * s, (x + 180) * s, (y + 110) * s), radius=45 * s,
                            fill=(246, 238, 220), outline=(170, 150, 120), width=3 * s)
        _speckles(d, rng, (x + 15, y + 12, x + 165, y + 98), 70, (198, 160, 96), 3.5, s)


def _zhubing(d, rng, s) -> None:
    """Honey-glazed cakes: round, dark gold, covered with white sesame."""
    _plate(d, s)
    for x, y in ((420, 340), (640, 320), (860, 360), (360, 560), (590, 560), (820, 580), (600, 760)):
        d.ellipse(((x - 95) * s, (y - 85) * s, (x + 95) * s, (y + 85) * s), fill=(176, 104, 34), outline=(100, 54, 14), width=3 * s)
        d.ellipse(((x - 60) * s, (y - 60) * s, (x - 10) * s, (y - 30) * s), fill=(214, 150, 70))
        _speckles(d, rng, (x - 70, y - 60, x + 70, y + 60), 45, (250, 244, 226), 3.5, s)


def _apple_crisps(d, rng, s) -> None:
    """Apple crisps: pale rings with a red edge and a star of seeds."""
    _plate(d, s)
    for x, y in ((420, 360), (660, 320), (880, 420), (400, 600), (640, 580), (860, 660), (620, 780)):
        d.ellipse(((x - 110) * s, (y - 100) * s, (x + 110) * s, (y + 100) * s), fill=(250, 232, 170), outline=(184, 40, 40), width=9 * s)
        for k in range(5):
            a = k * 2 * math.pi / 5
            d.polygon(_ellipse_points((x + 28 * math.cos(a)) * s, (y + 28 * math.sin(a)) * s, 14 * s, 6 * s, a, 12),
                      fill=(120, 80, 40))


def _huamo(d, rng, s) -> None:
    """A festive steamed bun: a white dough flower dotted with red jujubes."""
    _plate(d, s)
    cx, cy = 640, 515
    for k in range(8):
        a = k * math.pi / 4
        d.polygon(_ellipse_points((cx + 170 * math.cos(a)) * s, (cy + 150 * math.sin(a)) * s, 120 * s, 70 * s, a),
                  fill=(252, 250, 242), outline=(190, 180, 160))
    d.ellipse(((cx - 120) * s, (cy - 110) * s, (cx + 120) * s, (cy + 110) * s), fill=(255, 253, 247), outline=(190, 180, 160), width=3 * s)
    for k in range(8):
        a = k * math.pi / 4 + math.pi / 8
        x, y = cx + 95 * math.cos(a), cy + 85 * math.sin(a)
        d.ellipse(((x - 22) * s, (y - 16) * s, (x + 22) * s, (y + 16) * s), fill=(160, 24, 30))
    d.ellipse(((cx - 30) * s, (cy - 24) * s, (cx + 30) * s, (cy + 24) * s), fill=(160, 24, 30))


#: The demo brand trades (demo/vocab.py BRAND_SEEDS) that have a drawing, and what it shows.
ILLUSTRATIONS = {
    "麻花": Illustration("mahua.png", "示意插图：盘中四排金黄的拧花麻花（不是实物照片）", _mahua),
    "锅巴": Illustration("guoba.png", "示意插图：盘中几块金黄的小米锅巴（不是实物照片）", _guoba),
    "芝麻糖": Illustration("zhimatang.png", "示意插图：盘中九块裹满芝麻的芝麻糖（不是实物照片）", _zhimatang),
    "煮饼": Illustration("zhubing.png", "示意插图：盘中七个裹着芝麻的蜂蜜煮饼（不是实物照片）", _zhubing),
    "苹果脆": Illustration("apple-crisps.png", "示意插图：盘中几片带红边的苹果脆片（不是实物照片）", _apple_crisps),
    "花馍": Illustration("huamo.png", "示意插图：一个点缀红枣的白色花朵造型花馍（不是实物照片）", _huamo),
}


def png(trade: str) -> bytes:
    """The PNG of one trade's illustration (the same bytes every time)."""
    from PIL import Image, ImageDraw

    picture = ILLUSTRATIONS[trade]
    image = Image.new("RGB", (WIDTH * SCALE, HEIGHT * SCALE), (244, 222, 188))
    draw = ImageDraw.Draw(image)
    for stripe in range(0, WIDTH * SCALE, 160 * SCALE):  # a checked tablecloth: clearly drawn
        draw.rectangle((stripe, 0, stripe + 60 * SCALE, HEIGHT * SCALE), fill=(236, 208, 168))
    picture.draw(draw, random.Random(picture.file), SCALE)
    out = io.BytesIO()
    # A flat drawing needs few colours: a palette keeps each file near 50 KB in the repository.
    small = image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
    small.quantize(64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(out, "PNG", optimize=True)
    return out.getvalue()
