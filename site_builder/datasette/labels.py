"""Coded values in Chinese on Datasette's pages: `active` reads 有效, `workshop` 食品小作坊.

The words are the vocabulary's (site_builder/vocabulary.py), stored in registry.db's `_labels`
table; the code stays beside the word, because that is what a filter or a query must say. Only
HTML changes: JSON and CSV keep the codes.
"""
from __future__ import annotations

from markupsafe import Markup, escape

from site_builder.datasette.registry_info import info


def coded(datasette, database, table, column, value) -> Markup | None:
    """A coded value as HTML: its Chinese word with the code beside it; None if it has none."""
    registry = info(datasette, database)
    found = registry.label(table, column, value) if registry is not None and isinstance(value, str) else None
    if found is None:
        return None
    zh, en = found
    if zh == value:
        return Markup(f'{escape(zh)} <span class="code-en" lang="en">{escape(en)}</span>')
    return Markup(f'{escape(zh)} <code class="code">{escape(value)}</code>')


def column_title(datasette, database, table, column) -> str | None:
    """The schema's Chinese title of `table`.`column` (None for a column it does not know)."""
    registry = info(datasette, database)
    return registry.title(table, column) if registry is not None else None

