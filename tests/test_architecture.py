"""The layout holds: no import cycles between modules, qr uses site_builder's public names only,
and site_builder reaches qr only through the build's stage list (ARCHITECTURE.md)."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

from site_builder.build import fingerprint

PACKAGES = ("site_builder", "qr")


def modules(root: Path) -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (root / package).rglob("*.py"):
            if "plugins" in path.parts:  # loose Datasette plugin files, loaded by path
                continue
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]):
    """(imported module, the names taken from it) for every import of a project module in `name`:
    `from package import module` names the module, not the package."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known:
                    yield alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            module = fingerprint.from_module(package, node)
            for alias in node.names:
                if f"{module}.{alias.name}" in known:
                    yield f"{module}.{alias.name}", ()
                elif module in known:
                    yield module, (alias.name,)


def graph(root: Path) -> dict[str, set[str]]:
    known = modules(root)
    return {name: {m for m, _names in imports(name, path, known)} - {name} for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in edges:
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles(repo_root):
    assert cycles(graph(repo_root)) == []


def test_the_cycle_finder_finds_one():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_qr_uses_only_public_names_and_site_builder_reaches_qr_through_the_stage_list(repo_root):
    known = modules(repo_root)
    for name, path in known.items():
        for module, names in imports(name, path, known):
            if name.startswith("qr") and module.startswith("site_builder"):
                assert not any(n.startswith("_") for n in names), f"{name} imports a private name of {module}"
            if name.startswith("site_builder") and module.startswith("qr"):
                assert name == "site_builder.build.pipeline", f"{name} imports {module}"
