"""A QR code's modules as qrcode makes them, with the data placed once and the masks scored in numpy.

qrcode builds a symbol by laying out the whole matrix in pure Python for each of the eight masks,
scoring each layout with ISO/IEC 18004's four penalty rules, then laying it out a ninth time, and
it computes the Reed–Solomon codewords by polynomial objects: most of the time a code takes. Here
qrcode itself lays out one symbol of each version once (recording which modules hold data and in
which order it fills them) and of each version, level and mask once (its function patterns and
format information); a code then takes its codewords from qrcode's own bit stream, the error
correction from a table-driven division by qrcode's generator polynomials, places its bits in one
array assignment, and scores the eight masked layouts with array operations exactly as qrcode
counts them (on the symbol without its quiet zone, format and version areas light, the first
lowest score winning). So every code keeps the modules qrcode alone gives it:
tests/test_qr_masks.py compares both on thousands of addresses. Measured in bench/bench_qr.py.
"""
from __future__ import annotations

from bisect import bisect_left
from functools import lru_cache

import numpy as np
import qrcode
from qrcode import LUT, base, util

#: Rule 3's two patterns: 1:1:3:1:1 dark-light-dark-light-dark with four light modules after or before.
FINDER_LIKE = ((1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0), (0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1))


class FastMaskQRCode(qrcode.QRCode):
    """qrcode.QRCode whose `make` gives qrcode's modules from cached layouts and numpy scoring."""

    def make(self, fit: bool = True) -> None:
        if fit or self.version is None:
            self.best_fit(start=self.version)
        mask = self.best_mask_pattern() if self.mask_pattern is None else self.mask_pattern
        data = data_modules(self.version)[0]
        functions = function_modules(self.version, self.error_correction, mask)
        modules = np.where(data, self._placed() ^ mask_patterns(len(data))[mask], functions)
        self.modules_count = len(data)
        self.modules = modules.tolist()

    def best_fit(self, start: int | None = None) -> int:
        """qrcode's best_fit (the smallest version the data fits), counting bits in a Bits."""
        start = 1 if start is None else start
        util.check_version(start)
        sizes = util.mode_sizes_for_version(start)
        buffer = Bits()
        for chunk in self.data_list:
            buffer.put(chunk.mode, 4)
            buffer.put(len(chunk), sizes[chunk.mode])
            chunk.write(buffer)
        self.version = bisect_left(util.BIT_LIMIT_TABLE[self.error_correction], len(buffer), start)
        if self.version == 41:
            raise qrcode.exceptions.DataOverflowError()
        if sizes is not util.mode_sizes_for_version(self.version):
            self.best_fit(start=self.version)
        return self.version

    def best_mask_pattern(self) -> int:
        """The mask qrcode would choose: the first of the lowest penalty scores."""
        data = data_modules(self.version)[0]
        light = function_modules(self.version, self.error_correction, None)
        layouts = np.where(data, self._placed() ^ mask_patterns(len(data)), light)
        return int(np.argmin(penalties(layouts)))

    def _placed(self) -> np.ndarray:
        """The codewords' bits where qrcode places them, unmasked (False off the data modules)."""
        if self.data_cache is None:
            self.data_cache = codewords(self.version, self.error_correction, self.data_list)
        elif getattr(self, "_placed_for", None) is self.data_cache:
            return self._placed_bits
        data, order = data_modules(self.version)
        bits = np.unpackbits(np.array(self.data_cache, dtype=np.uint8))[:len(order)]
        placed = np.zeros(data.size, dtype=bool)
        placed[order[:len(bits)]] = bits
        self._placed_for, self._placed_bits = self.data_cache, placed.reshape(data.shape)
        return self._placed_bits


class Bits:
    """qrcode's BitBuffer as one integer: `put` is what QRData.write calls, one step a value
    rather than one a bit (writing the bits was most of a code's time)."""

    def __init__(self) -> None:
        self.value = 0
        self.length = 0

    def put(self, num: int, length: int) -> None:
        self.value = (self.value << length) | (num & ((1 << length) - 1))
        self.length += length

    def put_bit(self, bit: bool) -> None:
        self.put(1 if bit else 0, 1)

    def __len__(self) -> int:
        return self.length

    def to_bytes(self) -> list[int]:
        """The bits as bytes, the last one filled with 0 bits (as BitBuffer.buffer)."""
        count = (self.length + 7) // 8
        return list((self.value << (8 * count - self.length)).to_bytes(count, "big"))


def codewords(version: int, error_correction: int, data_list) -> list[int]:
    """qrcode's util.create_data: the data codewords from qrcode's own bit buffer, then the error
    correction codewords, interleaved by block as the standard orders them."""
    buffer = Bits()
    for chunk in data_list:
        buffer.put(chunk.mode, 4)
        buffer.put(len(chunk), util.length_in_bits(chunk.mode, version))
        chunk.write(buffer)
    blocks = base.rs_blocks(version, error_correction)
    bit_limit = sum(block.data_count * 8 for block in blocks)
    if len(buffer) > bit_limit:
        raise qrcode.exceptions.DataOverflowError(
            f"Code length overflow. Data size ({len(buffer)}) > size available ({bit_limit})")
    # Terminator (up to four 0 bits), then 0 bits to the byte, then the alternating pad bytes.
    length = min(len(buffer) + 4, bit_limit)
    data = buffer.to_bytes()
    data += [0] * ((length + 7) // 8 - len(data))
    data += [(util.PAD0, util.PAD1)[i % 2] for i in range(bit_limit // 8 - len(data))]
    dc, ec, offset = [], [], 0
    for block in blocks:
        dc.append([0xFF & b for b in data[offset:offset + block.data_count]])
        offset += block.data_count
        ec.append(remainder(dc[-1], block.total_count - block.data_count))
    out = [b[i] for i in range(max(map(len, dc))) for b in dc if i < len(b)]
    return out + [b[i] for i in range(max(map(len, ec))) for b in ec if i < len(b)]


def remainder(message: list[int], count: int) -> list[int]:
    """The `count` error correction codewords of `message`: its remainder by qrcode's generator
    polynomial of that degree over GF(256), the register held as one integer of `count` bytes."""
    table, top, full = _products(count), 8 * (count - 1), (1 << 8 * count) - 1
    rest = 0
    for byte in message:
        rest = ((rest << 8) & full) ^ table[byte ^ (rest >> top)]
    return list(rest.to_bytes(count, "big"))


@lru_cache(maxsize=None)
def _products(count: int) -> tuple[int, ...]:
    """For each byte f, f times the generator of degree `count` past its leading 1, as one integer
    of `count` bytes (qrcode's log and exponent tables)."""
    log, exp = base.LOG_TABLE, base.EXP_TABLE
    if count in LUT.rsPoly_LUT:
        generator = LUT.rsPoly_LUT[count]
    else:  # as create_bytes makes one missing from its table
        poly = base.Polynomial([1], 0)
        for i in range(count):
            poly = poly * base.Polynomial([1, base.gexp(i)], 0)
        generator = poly.num
    out = [0]
    for f in range(1, 256):
        terms = [exp[(log[c] + log[f]) % 255] if c else 0 for c in generator[1:]]
        out.append(int.from_bytes(bytes(terms), "big"))
    return tuple(out)


class _Recorder(qrcode.QRCode):
    """qrcode laying out an empty symbol, to keep what its map_data sees and the order it fills."""

    def map_data(self, data, mask_pattern):
        self.function = [[bool(m) for m in row] for row in self.modules]
        self.data = np.array([[m is None for m in row] for row in self.modules], dtype=bool)
        super().map_data([0] * len(data), 0)
        # qrcode fills the data modules in its zigzag; number them by re-running it on counters.
        n, order, row, step = self.modules_count, [], self.modules_count - 1, -1
        for col in range(n - 1, 0, -2):
            col = col - 1 if col <= 6 else col
            while 0 <= row < n:
                order.extend(row * n + c for c in (col, col - 1) if self.data[row, c])
                row += step
            row, step = row - step, -step
        self.order = np.array(order, dtype=np.int64)


@lru_cache(maxsize=None)
def _layout(version: int, error_correction: int, mask: int | None) -> _Recorder:
    recorder = _Recorder(version=version, error_correction=error_correction, mask_pattern=mask)
    recorder.add_data("")
    recorder.makeImpl(mask is None, 0 if mask is None else mask)
    return recorder


@lru_cache(maxsize=None)
def data_modules(version: int) -> tuple[np.ndarray, np.ndarray]:
    """Where a symbol of `version` holds data (n × n, True = data) and the order qrcode fills them
    (flat indices): the same at every level and mask."""
    recorder = _layout(version, 0, None)
    recorder.data.setflags(write=False)
    return recorder.data, recorder.order


@lru_cache(maxsize=None)
def function_modules(version: int, error_correction: int, mask: int | None) -> np.ndarray:
    """The function patterns and format (and version) information of a symbol, as qrcode draws
    them for `mask`; with mask None, as it scores masks: format and version areas light."""
    out = np.array(_layout(version, error_correction, mask).function, dtype=bool)
    out.setflags(write=False)
    return out


@lru_cache(maxsize=None)
def mask_patterns(n: int) -> np.ndarray:
    """The eight mask patterns of ISO/IEC 18004 (qrcode's util.mask_func) on an n × n symbol,
    stacked: True where a data module is inverted; i is the row, j the column."""
    i, j = np.indices((n, n))
    patterns = np.stack((
        (i + j) % 2 == 0,
        i % 2 == 0,
        j % 3 == 0,
        (i + j) % 3 == 0,
        (i // 2 + j // 3) % 2 == 0,
        (i * j) % 2 + (i * j) % 3 == 0,
        ((i * j) % 2 + (i * j) % 3) % 2 == 0,
        ((i * j) % 3 + (i + j) % 2) % 2 == 0,
    ))
    patterns.setflags(write=False)
    return patterns
def penalties(layouts: np.ndarray) -> np.ndarray:
    """qrcode's util.lost_point of each of a stack of layouts (k × n × n, True = dark)."""
    lines = np.concatenate((layouts, layouts.transpose(0, 2, 1)), axis=1)  # rows, then columns
    return _runs(lines) + _blocks(layouts) + _finder_like(lines) + _balance(layouts)


def penalty(modules: np.ndarray) -> int:
    """qrcode's util.lost_point of one layout."""
    return int(penalties(modules[None])[0])


def _runs(lines: np.ndarray) -> np.ndarray:
    """Rule 1: each run of five or more same-coloured modules in a row or column costs length − 2,
    counted as the run's windows of five equal modules (length − 4) plus 2 for the run's first."""
    n = lines.shape[-1]
    same = lines[..., 1:] == lines[..., :-1]
    five = same[..., 0:n - 4] & same[..., 1:n - 3] & same[..., 2:n - 2] & same[..., 3:n - 1]
    first = five.copy()
    first[..., 1:] &= ~same[..., :n - 5]  # a window starts a run when the module before differs
    return five.sum(axis=(1, 2)) + 2 * first.sum(axis=(1, 2))


def _blocks(layouts: np.ndarray) -> np.ndarray:
    """Rule 2: each 2 × 2 block of one colour costs 3."""
    corner = layouts[:, :-1, :-1]
    same = (corner == layouts[:, 1:, :-1]) & (corner == layouts[:, :-1, 1:]) & (corner == layouts[:, 1:, 1:])
    return 3 * same.sum(axis=(1, 2))


def _finder_like(lines: np.ndarray) -> np.ndarray:
    """Rule 3: each 1:1:3:1:1 pattern with four light modules beside it, in a row or column, costs 40.
    Each window of 11 modules is read as an 11-bit number (built by doubling: 2, 4, 8 modules, then
    the last three) and compared with the two patterns' numbers."""
    width = len(FINDER_LIKE[0])
    m = lines.shape[-1] - width + 1
    if m <= 0:
        return np.zeros(len(lines), dtype=np.int64)
    bit = lines.astype(np.int16)
    two = 2 * bit[..., :-1] + bit[..., 1:]
    four = 4 * two[..., :-2] + two[..., 2:]
    eight = 16 * four[..., :-4] + four[..., 4:]
    numbers = 8 * eight[..., :m] + 4 * bit[..., 8:8 + m] + 2 * bit[..., 9:9 + m] + bit[..., 10:10 + m]
    count = sum((numbers == _number(pattern)).sum(axis=(1, 2)) for pattern in FINDER_LIKE)
    return 40 * count


def _number(pattern: tuple[int, ...]) -> int:
    """The pattern read as a binary number, first module highest."""
    return int("".join(map(str, pattern)), 2)


def _balance(layouts: np.ndarray) -> np.ndarray:
    """Rule 4: 10 for every full 5 % the share of dark modules departs from 50 % (qrcode's floats)."""
    n = layouts.shape[-1]
    return np.array([int(abs(float(int(dark)) / (n ** 2) * 100 - 50) / 5) * 10
                     for dark in layouts.sum(axis=(1, 2))])
