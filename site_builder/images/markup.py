"""A photo on a page: <picture> with WebP and JPEG sources, srcset, width and height.

The browser picks the smallest image that fills the space at the screen's density, from the
widths the images stage made (derive.py); width and height give the box its shape before the
image arrives, so nothing below it moves; below the fold it loads only when scrolled near
(loading="lazy"). Built as one string in Python: pages with photos are rendered by the
thousand, and the alt text is escaped here like every other text of the registry.
"""
from __future__ import annotations

from markupsafe import Markup, escape

from .shown import Shown

#: The page column is 60rem wide at most; a photo is shown at most 36rem (576 px) wide.
PAGE_SIZES = "(min-width: 40rem) 36rem, 100vw"
#: A card on /brands/ shows its picture about 10rem wide.
CARD_SIZES = "10rem"
#: The width the plain <img src> names, for browsers that read no srcset.
FALLBACK_WIDTH = 640


def picture(shown: Shown | None, alt: str | None, *, lazy: bool, sizes: str = PAGE_SIZES,
            credit: str | None = None, css: str = "photo") -> Markup:
    """The markup of one photo (empty when there is none), with its credit line below it."""
    if shown is None:
        return Markup("")
    fallback = max((w for w in shown.widths if w <= FALLBACK_WIDTH), default=min(shown.widths))
    height = max(1, round(shown.height * fallback / shown.width))

    def srcset(ext: str) -> str:
        return ", ".join(f"{shown.address(w, ext)} {w}w" for w in shown.widths)

    loading = ' loading="lazy"' if lazy else ""
    caption = f"<figcaption>{escape(credit)}</figcaption>" if credit else ""
    return Markup(
        f'<figure class="{css}"><picture><source type="image/webp" srcset="{srcset("webp")}" sizes="{sizes}">'
        f'<img src="{shown.address(fallback, "jpg")}" srcset="{srcset("jpg")}" sizes="{sizes}" '
        f'width="{fallback}" height="{height}" alt="{escape(alt or "")}"{loading} decoding="async"></picture>'
        f"{caption}</figure>")
