"""What a page needs to know of one photo (the images stage makes it, the site shows it)."""
from __future__ import annotations

from dataclasses import dataclass

from .. import urls


@dataclass(frozen=True)
class Shown:
    """What a page shows of one photo: its web images' widths and size, and a version that
    changes with its bytes and with the code that made them (a browser's cached copy of the
    old picture is then not shown: the address carries it as ?v=)."""

    name: str
    width: int
    height: int
    widths: tuple[int, ...]
    version: str

    def address(self, width: int, ext: str) -> str:
        return f"{urls.photo(self.name, width, ext)}?v={self.version}"
