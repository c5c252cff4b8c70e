"""The mask choice scored in numpy (qr/masks.py) gives every code exactly the modules qrcode gives it.

A printed code is permanent and the rebuild tests compare QR images byte for byte: a faster
mask choice that picked another mask for one address in thousands would redraw that label.
"""
from __future__ import annotations

import random

import numpy as np
import pytest
import qrcode
from qrcode import util

from qr import codes
from qr.masks import FastMaskQRCode, penalty
from site_builder import urls
from site_builder.checksums import gtin14


def addresses() -> list[str]:
    """The kinds of text the build encodes (its addresses on a few site hosts, GS1 Digital Link
    addresses with batches), and random text of every QR mode and many versions."""
    rng = random.Random(18004)
    hosts = ("https://zuofang.example", "https://scjgj.yuncheng.example.gov.cn/zuofang", "http://127.0.0.1:8000")
    texts = []
    for _ in range(1200):
        host = rng.choice(hosts)
        kind = rng.randrange(3)
        if kind == 0:
            texts.append(host + urls.product(f"p{rng.randrange(10**6):06d}"))
        elif kind == 1:
            texts.append(host + urls.operator(f"w{rng.randrange(10**5):05d}"))
        else:
            gtin = gtin14(f"69{rng.randrange(10**10):010d}0")
            texts.append(f"{host}/01/{gtin}/10/{rng.randrange(10**8):08d}")
    alphabets = ("0123456789", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 $%*+-./:", "abcxyz/?=&_~", "稷山麻花盐湖锅巴")
    for _ in range(600):
        alphabet = rng.choice(alphabets)
        texts.append("".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 300))))
    return texts


def qrcode_alone(text: str) -> qrcode.QRCode:
    code = qrcode.QRCode(version=None, error_correction=codes.ERROR_CORRECTION, border=codes.BORDER)
    code.add_data(text)
    code.make(fit=True)
    return code


def test_every_code_has_the_modules_qrcode_gives_it():
    differ, versions = [], set()
    for text in addresses():
        matrix = codes.make_matrix(text)
        expected = qrcode_alone(text)
        versions.add(matrix.version)
        if matrix.rows != tuple(map(tuple, expected.get_matrix())) or matrix.version != expected.version:
            differ.append(text)
    assert not differ, f"{len(differ)} codes differ, e.g. {differ[:3]}"
    assert len(versions) >= 8  # the comparison spans small and large symbols


@pytest.mark.parametrize("text", ["https://zuofang.example/p/p000123/", "稷山麻花" * 20, "0123456789" * 70],
                         ids=["address", "chinese", "numeric"])
def test_each_masks_penalty_is_qrcodes(text):
    """The four rules counted with arrays equal qrcode's lost_point for all eight masks (the
    choice alone could agree by luck where one score is off)."""
    code = qrcode_alone(text)
    for mask in range(8):
        code.makeImpl(True, mask)
        assert penalty(np.array(code.modules, dtype=bool)) == util.lost_point(code.modules), mask


def test_the_first_of_equal_scores_wins():
    """qrcode keeps the first mask of the lowest score; so must the fast choice."""
    tied = 0
    for text in addresses()[:400]:
        code = qrcode_alone(text)
        scores = []
        for mask in range(8):
            code.makeImpl(True, mask)
            scores.append(util.lost_point(code.modules))
        if scores.count(min(scores)) > 1:
            tied += 1
            fast = FastMaskQRCode(version=None, error_correction=codes.ERROR_CORRECTION, border=codes.BORDER)
            fast.add_data(text)
            fast.make(fit=True)
            assert fast.mask_pattern is None and fast.best_mask_pattern() == scores.index(min(scores))
    assert tied  # the sample has ties, or this test proves nothing


def test_codewords_and_error_correction_are_qrcodes():
    """The table-driven Reed–Solomon division gives qrcode's codewords for every version and level."""
    from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_Q

    from qr.masks import codewords

    levels = (codes.ERROR_CORRECTION, ERROR_CORRECT_L, ERROR_CORRECT_Q, ERROR_CORRECT_H)
    for number, text in enumerate(addresses()[::3]):
        code = qrcode.QRCode(version=None, error_correction=levels[number % 4])
        code.add_data(text)
        code.best_fit()
        assert codewords(code.version, code.error_correction, code.data_list) == \
            util.create_data(code.version, code.error_correction, code.data_list), text
