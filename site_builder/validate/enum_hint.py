"""Which allowed code a clerk most likely meant by a value that is not one ("小作坊" -> workshop).

Clerks write what the registry system shows them: the Chinese label (食品小作坊, 已吊销), a short
form of it (小作坊), the English word, or the code with a typo or a capital. The vocabulary holds
every code's Chinese and English label, so the validator can name the code behind such a value
instead of leaving the clerk to guess from a list of codes.
"""
from __future__ import annotations

import difflib
import unicodedata

from ..vocabulary import CODED, Term


def _plain(text: str) -> str:
    """NFKC (full-width letters become ASCII), lower case, no spaces: how two spellings compare."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def likely_code(table: str, column: str, value: object, allowed: list) -> str | None:
    """The allowed code `value` most likely stands for, or None when nothing is close enough."""
    text = _plain("" if value is None else str(value))
    if not text:
        return None
    terms: dict[str, Term] = CODED.get(table, {}).get(column, {})
    codes = [str(c) for c in allowed]
    spellings: dict[str, list[str]] = {c: [_plain(c)] for c in codes}
    for code in codes:
        term = terms.get(code)
        if term is not None:
            spellings[code] += [_plain(term.zh), _plain(term.en)]
    exact = [c for c, words in spellings.items() if text in words]
    if len(exact) == 1:
        return exact[0]
    # A short form of a label (小作坊 for 食品小作坊) or a label with more words (日常检查 for 日常):
    # the code whose label shares the longest stretch with the value, when only one does.
    overlap = {c: max((len(text) if text in w else len(w)) for w in words if text in w or w in text)
               for c, words in spellings.items() if any(text in w or w in text for w in words if len(w) > 1)}
    if overlap:
        best = max(overlap.values())
        winners = [c for c, n in overlap.items() if n == best]
        if len(winners) == 1:
            return winners[0]
    # A typo (activ, 已撤销 for 已吊销): the closest spelling, if it is close.
    by_word = {w: c for c, words in spellings.items() for w in words if w}
    close = difflib.get_close_matches(text, list(by_word), n=2, cutoff=0.6)
    if close and (len(close) == 1 or by_word[close[0]] == by_word[close[1]]
                  or difflib.SequenceMatcher(None, text, close[0]).ratio()
                  > difflib.SequenceMatcher(None, text, close[1]).ratio()):
        return by_word[close[0]]
    return None


def allowed_list(table: str, column: str, allowed: list) -> str:
    """The allowed codes with their Chinese labels: workshop（食品小作坊）、eatery（小餐饮）…"""
    terms = CODED.get(table, {}).get(column, {})
    return "、".join(f"{c}（{terms[c].zh}）" if c in terms and terms[c].zh != c else str(c) for c in allowed)
