""""在地图中打开 Open in maps": links from a business's coordinates to the visitor's map app.

The site never draws a map: a map a website publishes may need map-review approval (审图号) in
China, and tiles would load from another host. A geo: URI opens the phone's own map app; the
deployer adds the apps their visitors use (`zuofang:map_links` in datapackage.json: 高德, 百度,
OpenStreetMap …), each an address template checked by the validator (rule descriptor-link).
"""
from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup, escape

from .. import urls


class MapLinks:
    """Makes the links line of a business from the deployer's map apps (Package.map_links)."""

    def __init__(self, apps: list[dict]):
        self.apps = [(escape(app["name"]), app["url"]) for app in apps]
        # Every product page of a business shows its line: made once per place and name (quoting
        # the name into each app's address was 8 of a 10,000-business build's 78 render seconds).
        self._line = lru_cache(maxsize=4096)(self._make_line)

    def links(self, op: dict | None) -> list[tuple[str, str]]:
        """(label, href) of every map link of `op`; none without both coordinates."""
        if not op or op.get("lat") is None or op.get("lon") is None:
            return []
        name, address = op.get("name") or "", op.get("address") or ""
        out = [(Markup('手机地图 <span lang="en">Map app</span>'), urls.geo(op["lat"], op["lon"], name))]
        for label, template in self.apps:
            href = urls.map_link(template, op["lat"], op["lon"], name, address)
            if href:
                out.append((label, href))
        return out

    def __call__(self, op: dict | None) -> Markup:
        """The line of links (empty when the business has no coordinates)."""
        if not op or op.get("lat") is None or op.get("lon") is None:
            return Markup("")
        return self._line(op["lat"], op["lon"], op.get("name") or "", op.get("address") or "")

    def _make_line(self, lat, lon, name: str, address: str) -> Markup:
        found = self.links({"lat": lat, "lon": lon, "name": name, "address": address})
        if not found:
            return Markup("")
        items = " · ".join(f'<a href="{escape(href)}">{label}</a>' for label, href in found)
        return Markup(f'<p class="maps">在地图中打开 <span lang="en">Open in maps</span>：{items}</p>')
