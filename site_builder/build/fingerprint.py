"""One fingerprint of the code that makes an output: a stage's modules, found by their imports.

A rebuild keeps what the previous build made only when the same code would make it again. Lists
of modules kept by hand drift: a stage that starts to use a new module would keep stale output
when that module changes. So a stage names its entry modules, and `of()` follows their imports
(every `import`, at module level or inside functions) through this project's packages, then
digests each module's source, the data files beside it (templates, CSS, scripts, schemas:
files in folders without an __init__.py next to the module), and the versions of the
third-party distributions those modules import, Python's and SQLite's.
"""
from __future__ import annotations

import ast
import csv
import hashlib
import sqlite3
import sys
from functools import lru_cache
from importlib import metadata
from importlib.util import find_spec
from pathlib import Path

#: This project's packages: modules under them are followed and digested.
PROJECT = ("site_builder", "qr")
ROOT = Path(__file__).resolve().parents[2]

#: Each part of the build that keeps output from the previous build, and the modules that make
#: it: whatever they import is found, so a module added to a stage needs no entry here.
STAGES = {
    # How rows become registry.db, and whether they are valid (a build of the same inputs is
    # not validated again, and the changed-rows validation trusts the same verdicts).
    "database": ("site_builder.database.build", "site_builder.validate.whole", "site_builder.validate.changed"),
    # Pages read registry.db's views too, which no table comparison sees change.
    "site": ("site_builder.site", "site_builder.database.build"),
    "search": ("site_builder.search",),
    "images": ("site_builder.images.build",),  # the web images of the registry's photos
    "downloads": ("site_builder.publish.build", "site_builder.database.build"),
    "qr": ("qr.build",),
    "qr drawing": ("qr.drawing",),  # what draws a PNG, SVG or PDF (a file's key)
    "handbook": ("site_builder.handbook.build",),
}


def of_stage(stage: str) -> str:
    """The fingerprint of the code of one part of the build (STAGES)."""
    return of(*STAGES[stage])


def of(*modules: str) -> str:
    """The fingerprint of `modules` (dotted names) and everything of this project they import."""
    return _fingerprint(tuple(sorted(modules)))


@lru_cache(maxsize=None)
def _fingerprint(modules: tuple[str, ...]) -> str:
    found, libraries = closure(modules)
    h = hashlib.sha256()
    for name in sorted(found):
        path = found[name]
        h.update(f"{name}\0".encode() + path.read_bytes())
        for data in _data_files(path):
            h.update(data.relative_to(ROOT).as_posix().encode() + b"\0" + data.read_bytes())
    for dist in sorted(libraries):
        h.update(f"{dist}={_version(dist)}\n".encode())
    h.update(f"python {sys.version_info[:3]} sqlite {sqlite3.sqlite_version}".encode())
    return h.hexdigest()


def closure(modules) -> tuple[dict[str, Path], set[str]]:
    """The project modules `modules` import, directly or not (name -> source file), and the
    distributions of the third-party modules they import."""
    found: dict[str, Path] = {}
    libraries: set[str] = set()
    todo = list(modules)
    while todo:
        name = todo.pop()
        if name in found:
            continue
        path = _source(name)
        if path is None:
            continue
        found[name] = path
        for imported in imports(name, path):
            top = imported.split(".")[0]
            if top in PROJECT:
                todo.extend(_with_parents(imported))
            else:
                libraries.update(_distributions(top))
    return found, libraries


def from_module(package: str, node: ast.ImportFrom) -> str:
    """The absolute name of the module a `from … import` in `package` reads from."""
    if not node.level:
        return node.module or ""
    base = package.split(".")[:len(package.split(".")) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def imports(name: str, path: Path) -> frozenset[str]:
    """Every module `name` (at `path`) imports, absolute, including `from x import module`."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    return _imports(package, path.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _imports(package: str, source: str) -> frozenset[str]:
    """(Each stage's fingerprint follows mostly the same modules: each source is parsed once.)"""
    out = set()
    for node in _statements(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = from_module(package, node)
            out.add(module)
            out.update(f"{module}.{alias.name}" for alias in node.names)
    return frozenset(m for m in out if m)


def _statements(tree: ast.Module):
    """Every statement of a module, nested ones (in functions, classes, if/try/with/match
    blocks) included: an import is always a statement, so the expressions, most of a module's
    nodes, need not be visited (ast.walk does: half the time of fingerprinting every stage)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        for block in ("body", "orelse", "finalbody", "handlers", "cases"):
            todo.extend(getattr(node, block, ()))


def _with_parents(name: str) -> list[str]:
    """A module and the packages it lies in (their __init__ runs when it is imported)."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


@lru_cache(maxsize=None)
def _source(name: str) -> Path | None:
    parts = name.split(".")
    base = ROOT.joinpath(*parts)
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


@lru_cache(maxsize=None)
def _data_files(module_path: Path) -> tuple[Path, ...]:
    """Data files a module may read: those in the folders beside it that are not packages."""
    folder = module_path.parent
    out = []
    for child in sorted(folder.iterdir()):
        if child.is_dir() and not (child / "__init__.py").exists() and child.name != "__pycache__":
            out += [p for p in sorted(child.rglob("*")) if p.is_file() and "__pycache__" not in p.parts]
    return tuple(out)


@lru_cache(maxsize=None)
def _distributions(top: str) -> tuple[str, ...]:
    if top in sys.stdlib_module_names or find_spec(top) is None:
        return ()
    return tuple(dist.metadata["Name"] for dist in _installed().get(top, ()))


@lru_cache(maxsize=1)
def _installed() -> dict[str, list[metadata.Distribution]]:
    """importlib.metadata.packages_distributions(), read faster: the stdlib makes a PackagePath
    of every file of every installed distribution to infer the top-level modules of those that
    do not declare them, and parses every distribution's metadata for its name (about 0.5 s of
    every build here). Reading each RECORD's first column as text, and the names only of the
    distributions a stage imports, gives the same mapping (tests/test_outputs.py holds the two
    equal)."""
    found: dict[str, list[metadata.Distribution]] = {}
    for dist in metadata.distributions():
        tops = (dist.read_text("top_level.txt") or "").split() or _inferred(dist)
        for top in tops:
            found.setdefault(top, []).append(dist)
    return found


def _inferred(dist: metadata.Distribution):
    """The stdlib's `_top_level_inferred`: the first folder of each .py file the distribution
    installed, or the module's name when it lies at the top."""
    record = dist.read_text("RECORD")
    if record is None:
        paths = [f.as_posix() for f in dist.files or ()]
    else:
        paths = [row[0] for row in csv.reader(record.splitlines()) if row]
    tops = set()
    for path in paths:
        parts = [part for part in path.split("/") if part and part != "."]
        if parts and parts[-1].endswith(".py") and parts[-1] != ".py":
            tops.add(parts[0] if len(parts) > 1 else parts[0][:-3])
    return tops


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"
