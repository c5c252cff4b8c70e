"""The links in datapackage.json: every one must be an http(s) address before any page prints it.

The site's footer and /data/ page link the licences, business pages link map apps
(`zuofang:map_links`), Datasette's pages link the first licence
and source, and every absolute address (feeds, sitemaps, canonical links, the handbook) starts
with `zuofang:site_url`. A `javascript:` licence would be a script run from the footer of every
page, so each link is checked here (rule descriptor-link) and the places that print them print
only what urls.external accepts.
"""
from __future__ import annotations

from typing import Iterator

from .. import urls
from ..registry.package import MAP_LINKS_KEY, SITE_URL_KEY, Package, map_link_problem, site_url_problem
from .report import Problem

DESCRIPTOR = "datapackage.json"
#: Lists of objects whose `path` is a link (Frictionless: licences, sources, contributors).
LINK_LISTS = ("licenses", "sources", "contributors")
_EXAMPLE = '如 [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}]'


def descriptor_problems(package: Package) -> list[Problem]:
    """Every link of the descriptor that is not an http(s) address, or whose list is malformed."""
    descriptor = package.descriptor
    problems = list(_owner_problems(descriptor, ""))
    for number, resource in enumerate(descriptor["resources"]):
        if isinstance(resource, dict):
            problems += _owner_problems(resource, f"resources[{number}].")
    if SITE_URL_KEY in descriptor:
        wrong = site_url_problem(descriptor[SITE_URL_KEY])
        if wrong:
            problems.append(_problem(SITE_URL_KEY, f"网站地址 {SITE_URL_KEY}“{_shown(descriptor[SITE_URL_KEY])}”{wrong}"))
    problems += _map_link_problems(descriptor.get(MAP_LINKS_KEY, []))
    return problems


def _map_link_problems(entries) -> Iterator[Problem]:
    """The map apps of "Open in maps" (`zuofang:map_links`): each link they make must be http(s)."""
    if not isinstance(entries, list):
        yield _problem(MAP_LINKS_KEY, f"{MAP_LINKS_KEY} 应为对象的列表，每个对象含 name 和 url。")
        return
    for number, entry in enumerate(entries):
        wrong = map_link_problem(entry)
        if wrong:
            yield _problem(f"{MAP_LINKS_KEY}[{number}]", f"{DESCRIPTOR} 中 {MAP_LINKS_KEY}[{number}]{wrong}")


def _owner_problems(owner: dict, prefix: str) -> Iterator[Problem]:
    """The links of the package itself or of one resource (`prefix` says which)."""
    for key in LINK_LISTS:
        if key not in owner:
            continue
        entries = owner[key]
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            yield _problem(prefix + key, f"{prefix}{key} 应为对象的列表，{_EXAMPLE}。")
            continue
        for number, entry in enumerate(entries):
            if "path" in entry and urls.external(entry["path"]) is None:
                yield _problem(f"{prefix}{key}[{number}].path", _not_http(f"{prefix}{key}[{number}].path", entry["path"]))
    if "homepage" in owner and urls.external(owner["homepage"]) is None:
        yield _problem(prefix + "homepage", _not_http(prefix + "homepage", owner["homepage"]))


def _not_http(field: str, value) -> str:
    return (f"{DESCRIPTOR} 中 {field} 的链接“{_shown(value)}”不是 http:// 或 https:// 开头的网址，"
            "网页上不能把它作为链接（javascript:、data:、file: 或本地路径会在读者的浏览器中执行或打开别的东西）。"
            "请改为完整的网址，如“https://creativecommons.org/licenses/by/4.0/”，或删去这个 path。")


def _problem(field: str, message: str) -> Problem:
    return Problem(DESCRIPTOR, None, field, "descriptor-link", message)


def _shown(value, limit: int = 60) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = text.encode("unicode_escape").decode("ascii") if not text.isprintable() else text
    return text if len(text) <= limit else text[:limit] + "…"
