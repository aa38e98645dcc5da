"""The OpenAPI 3.0 definition of the OGC API (``/ogc/api``, the landing page's
``service-desc``). Built by hand: it describes the OGC endpoints, not the REST API."""

from __future__ import annotations


def _param(name: str, where: str, schema: dict, description: str, *,
           required: bool = False, style: str | None = None,
           explode: bool | None = None) -> dict:
    out = {"name": name, "in": where, "required": required, "description": description,
           "schema": schema}
    if style:
        out["style"] = style
    if explode is not None:
        out["explode"] = explode
    return out


def _ok(description: str, media: str, ref: str | None = None) -> dict:
    schema = {"$ref": ref} if ref else {"type": "object"}
    return {"description": description, "content": {media: {"schema": schema}}}


_EXCEPTION = {"application/json": {"schema": {"$ref": "#/components/schemas/exception"}}}
ERRORS = {
    "400": {"description": "Bad request (a parameter is invalid)", "content": _EXCEPTION},
    "401": {"description": "The bearer token is not valid", "content": _EXCEPTION},
    "404": {"description": "No such collection or feature (or not visible to the caller)",
            "content": _EXCEPTION},
}


def openapi_document(base: str, collection_ids: list[str], max_limit: int,
                     default_limit: int) -> dict:
    """``base`` is the absolute URL of the landing page without the trailing slash."""
    p = "#/components/parameters/"
    items_params = [{"$ref": p + "collectionId"}, {"$ref": p + "limit"},
                    {"$ref": p + "bbox"}, {"$ref": p + "datetime"},
                    {"$ref": p + "after"}, {"$ref": p + "offset"}, {"$ref": p + "filter"},
                    {"$ref": p + "filter-lang"}, {"$ref": p + "filter-crs"},
                    {"$ref": p + "f"}]
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "drugscene OGC API - Features",
            "version": "1.0.0",
            "description": (
                "OGC API - Features Part 1 (Core, GeoJSON, OpenAPI 3.0) and Part 3 (Basic "
                "CQL2 filters in text) for the reports, "
                "places, actions and hot spots of each city. Collections are named "
                "{city}-reports, {city}-places, {city}-actions and {city}-hotspots. "
                "Send 'Authorization: Bearer <token>' for a partner's visibility; without "
                "it only public reports, generalised, and their hot spots are served."),
        },
        "servers": [{"url": base}],
        "security": [{}, {"bearer": []}],
        "paths": {
            "/": {"get": {"operationId": "getLandingPage", "summary": "Landing page",
                          "parameters": [{"$ref": p + "f"}],
                          "responses": {"200": _ok("Links to the API", "application/json")}}},
            "/conformance": {"get": {
                "operationId": "getConformance", "summary": "Conformance classes",
                "parameters": [{"$ref": p + "f"}],
                "responses": {"200": _ok("conformsTo", "application/json")}}},
            "/api": {"get": {
                "operationId": "getAPI", "summary": "This document",
                "responses": {"200": _ok("OpenAPI 3.0",
                                         "application/vnd.oai.openapi+json;version=3.0")}}},
            "/collections": {"get": {
                "operationId": "getCollections", "summary": "The collections",
                "parameters": [{"$ref": p + "f"}],
                "responses": {"200": _ok("Collections", "application/json"), **ERRORS}}},
            "/collections/{collectionId}": {"get": {
                "operationId": "describeCollection", "summary": "One collection",
                "parameters": [{"$ref": p + "collectionId"}, {"$ref": p + "f"}],
                "responses": {"200": _ok("Collection", "application/json"), **ERRORS}}},
            "/collections/{collectionId}/items": {"get": {
                "operationId": "getFeatures", "summary": "Features of a collection",
                "parameters": items_params,
                "responses": {"200": _ok("A page of features", "application/geo+json",
                                         "#/components/schemas/featureCollectionGeoJSON"),
                              **ERRORS}}},
            "/collections/{collectionId}/queryables": {"get": {
                "operationId": "getQueryables", "summary": "Properties to filter on",
                "parameters": [{"$ref": p + "collectionId"}],
                "responses": {"200": _ok("JSON Schema", "application/schema+json"),
                              **ERRORS}}},
            "/collections/{collectionId}/items/{featureId}": {"get": {
                "operationId": "getFeature", "summary": "One feature",
                "parameters": [{"$ref": p + "collectionId"}, {"$ref": p + "featureId"},
                               {"$ref": p + "f"}],
                "responses": {"200": _ok("A feature", "application/geo+json"), **ERRORS}}},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "drugscene token create USER"}},
            "parameters": {
                "collectionId": _param("collectionId", "path",
                                       {"type": "string", "enum": collection_ids},
                                       "{city}-{reports|places|actions|hotspots}",
                                       required=True),
                "featureId": _param("featureId", "path", {"type": "string"},
                                    "id of a report, place or action; H3 cell of a hot spot",
                                    required=True),
                "limit": _param("limit", "query",
                                {"type": "integer", "minimum": 1, "maximum": max_limit,
                                 "default": default_limit},
                                "Features per page (larger values mean the maximum)",
                                style="form", explode=False),
                "bbox": _param("bbox", "query",
                               {"type": "array", "minItems": 4, "maxItems": 6,
                                "items": {"type": "number"}},
                               "west,south,east,north in CRS84", style="form",
                               explode=False),
                "datetime": _param("datetime", "query", {"type": "string"},
                                   "RFC 3339 instant or interval (open ends '..'); reports "
                                   "and actions only", style="form", explode=False),
                "after": _param("after", "query", {"type": "integer"},
                                "paging cursor of next links (reports, places, actions)"),
                "offset": _param("offset", "query", {"type": "integer", "minimum": 0},
                                 "paging offset of next links (hot spots)"),
                "filter": _param("filter", "query", {"type": "string"},
                                 "Basic CQL2 in text: comparisons (= <> < <= > >=), IS NULL, "
                                 "AND, OR, NOT on the collection's queryables"),
                "filter-lang": _param("filter-lang", "query",
                                      {"type": "string", "enum": ["cql2-text"],
                                       "default": "cql2-text"}, "filter language"),
                "filter-crs": _param("filter-crs", "query",
                                     {"type": "string",
                                      "enum": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"]},
                                     "CRS of geometries in the filter"),
                "f": _param("f", "query", {"type": "string", "enum": ["json", "html"]},
                            "output format (default by the Accept header)"),
            },
            "schemas": {
                "exception": {"type": "object", "required": ["code"],
                              "properties": {"code": {"type": "string"},
                                             "description": {"type": "string"}}},
                "featureCollectionGeoJSON": {
                    "type": "object", "required": ["type", "features"],
                    "properties": {
                        "type": {"type": "string", "enum": ["FeatureCollection"]},
                        "features": {"type": "array", "items": {"type": "object"}},
                        "links": {"type": "array", "items": {"type": "object"}},
                        "timeStamp": {"type": "string", "format": "date-time"},
                        "numberMatched": {"type": "integer", "minimum": 0},
                        "numberReturned": {"type": "integer", "minimum": 0},
                    }},
            },
        },
    }
