"""GeoReport v2 responses in JSON and XML (the format is the extension of the resource).

XML documents start with the declaration ``encoding="UTF-8"``, as the specification
requires; lists are wrapped in the element names the specification gives
(``<services><service>``, ``<service_requests><request>``, ``<errors><error>``...).
A missing value is ``null`` in JSON and an empty element in XML.
Specification: http://wiki.open311.org/GeoReport_v2 (Format Support, Errors).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from xml.etree import ElementTree as ET

from django.http import HttpResponse

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}

#: element name of one item inside a list-valued element
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


#: characters XML 1.0 does not allow (text from other channels may hold them)
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return w3c(value)
    return NOT_XML.sub("", str(value))


def w3c(value: datetime) -> str:
    """A W3C/ISO 8601 date-time with its offset (``2026-11-24T17:20:00+01:00``)."""
    return value.isoformat(timespec="seconds")


def _json_value(value: object) -> object:
    if isinstance(value, datetime):
        return w3c(value)
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    return value


def _element(tag: str, value: object) -> ET.Element:
    el = ET.Element(tag)
    if isinstance(value, dict):
        for key, sub in value.items():
            el.append(_element(key, sub))
    elif isinstance(value, list):
        item = ITEM_TAGS[tag]
        for sub in value:
            el.append(_element(item, sub))
    else:
        text = _text(value)
        if text is not None:
            el.text = text
    return el


def xml_bytes(root: str, value: object) -> bytes:
    body = ET.tostring(_element(root, value), encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode("utf-8")


def respond(fmt: str, root: str, value: object, *, status: int = 200) -> HttpResponse:
    """``value`` under ``root``: a list (``<root><item>...``) or an object (``<root>...``).

    In JSON a list is the top-level array and an object the top-level object, as in the
    specification's JSON examples.
    """
    if fmt == "xml":
        content = xml_bytes(root, value)
    else:
        content = json.dumps(_json_value(value), ensure_ascii=False).encode("utf-8")
    return HttpResponse(content, status=status, content_type=CONTENT_TYPES[fmt])


def errors(fmt: str, status: int, descriptions: list[str]) -> HttpResponse:
    """The error array: one ``{code, description}`` per problem, code = the HTTP status."""
    items = [{"code": status, "description": d} for d in descriptions]
    return respond(fmt, "errors", items, status=status)
