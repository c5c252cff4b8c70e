"""Check characters of identifiers printed on licences and packages.

GB 32100-2015 统一社会信用代码: 18 characters from a 31-symbol alphabet (no I, O, S, V, Z);
the 18th is a check character computed from the first 17 with fixed weights.
GS1 GTIN-8/12/13/14: the last digit is a mod-10 check digit with weights 3,1 from the right.
"""
from __future__ import annotations

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    """The 18th character of a credit code whose first 17 characters are given."""
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_valid(code: str) -> bool:
    if len(code) != 18 or any(c not in CREDIT_ALPHABET for c in code):
        return False
    return credit_code_check_char(code[:17]) == code[17]


def gtin_check_digit(body: str) -> str:
    """The check digit for a GTIN whose other digits are given (any length)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def gtin_valid(gtin: str) -> bool:
    if len(gtin) not in (8, 12, 13, 14) or not gtin.isdigit():
        return False
    return gtin_check_digit(gtin[:-1]) == gtin[-1]


def gtin14(gtin: str) -> str:
    """GTIN in its 14-digit form, as GS1 Digital Link addresses use it."""
    return gtin.zfill(14)
