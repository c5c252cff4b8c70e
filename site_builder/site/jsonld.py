"""schema.org descriptions (JSON-LD) of businesses, products and brands, for search engines.

Only public fields go in; `render.json_ld` escapes the JSON for the <script> element.
"""
from __future__ import annotations

from .. import urls

_TYPES = {"eatery": "FoodEstablishment", "stall": "FoodEstablishment", "workshop": "LocalBusiness"}


def business(op: dict, site_url: str, region_name: str = "") -> dict:
    data = {
        "@context": "https://schema.org", "@type": _TYPES.get(op["kind"], "LocalBusiness"),
        "@id": urls.absolute(site_url, urls.operator(op["id"])), "name": op["name"],
        "url": urls.absolute(site_url, urls.operator(op["id"])),
    }
    if op.get("address"):
        data["address"] = {"@type": "PostalAddress", "streetAddress": op["address"],
                           "addressRegion": region_name, "addressCountry": "CN"}
    if op.get("lat") is not None and op.get("lon") is not None:
        data["geo"] = {"@type": "GeoCoordinates", "latitude": op["lat"], "longitude": op["lon"]}
    if op.get("credit_code"):
        data["identifier"] = op["credit_code"]
    return data


def product(p: dict, op: dict | None, site_url: str) -> dict:
    data = {
        "@context": "https://schema.org", "@type": "Product", "name": p["name"],
        "productID": p["code"], "url": urls.absolute(site_url, urls.product(p["code"])),
    }
    if p.get("category"):
        data["category"] = p["category"]
    if p.get("gtin"):
        data["gtin"] = p["gtin"]
    if op:
        data["manufacturer"] = {"@type": "Organization", "name": op["name"],
                                "url": urls.absolute(site_url, urls.operator(op["id"]))}
    return data


def brand(b: dict, site_url: str) -> dict:
    data = {
        "@context": "https://schema.org", "@type": "Brand", "name": b["name"],
        "url": urls.absolute(site_url, urls.brand(b["id"])),
    }
    if b.get("name_en"):
        data["alternateName"] = b["name_en"]
    if b.get("story"):
        data["description"] = b["story"]
    return data
