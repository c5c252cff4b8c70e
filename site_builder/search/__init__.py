"""The static site search: an exact-substring n-gram index in small JSON files (index.py),
updated in place after a change (update.py), read by static/search.js."""
from __future__ import annotations

from pathlib import Path

from ..build.files import Files
from .index import INDEX_DIR, SCRIPT_SOURCE, SCRIPT_TARGET, IndexFolder, read_docs, save_record, write_index
from .update import update


def write_search_index(db_path: str | Path, site_dir: str | Path, changes: dict | None = None,
                       files: Files | None = None) -> None:
    """Write /search/index/… from registry.db and put search.js at /static/search.js.

    Given `changes` (rows that differ from the previous build's registry.db, build/delta.py), the
    previous index is updated for the records those rows touch (update.py, for which the state
    record's "search" sections keep what it needs); otherwise, or when the records' order
    changed, the index is written whole (6 s at 50,000 businesses)."""
    site_dir = Path(site_dir)
    files = files or Files()
    records = files.records_for(site_dir.parent)
    root = IndexFolder(site_dir / INDEX_DIR, files)
    files.write_if_changed(site_dir / SCRIPT_TARGET, SCRIPT_SOURCE.read_bytes())
    docs = None
    if changes is not None:
        docs = update(db_path, root, records, changes)
        if docs is True:
            return
    docs = read_docs(db_path) if docs is None else docs
    save_record(records, write_index(docs, root), [[d.kind, d.key, d.name, d.text, d.rank] for d in docs])
