"""Part 3 filtering with Basic CQL2 in text: results equal hand-written predicates on the
features the same user gets unfiltered; SQL's three-valued logic for missing values;
400 for anything outside Basic CQL2; keyless callers filter only generalised fields."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from tests.ogc.test_endpoints import REPORTS, body, call, walk


def everything(token, kind="reports"):
    features, _ = walk(f"/ogc/collections/testby-{kind}/items?limit=10000", token)
    return features


def filtered(token, cql, kind="reports"):
    features, _ = walk(f"/ogc/collections/testby-{kind}/items?limit=5&filter={quote(cql)}",
                       token)
    ids = [f["id"] for f in features]
    assert len(ids) == len(set(ids))
    return set(ids)


def test_report_filters_equal_hand_written_predicates(scene) -> None:
    token = scene.token("police_analyst")
    feats = everything(token)
    p = {f["id"]: f["properties"] for f in feats}
    cut = datetime.now(UTC) - timedelta(days=20)
    stamp = cut.isoformat().replace("+00:00", "Z")

    def when(x):
        return datetime.fromisoformat(x)

    cases = {
        "category = 'open_sale'": lambda r: r["category"] == "open_sale",
        "category <> 'open_sale' and visibility = 'public'":
            lambda r: r["category"] != "open_sale" and r["visibility"] == "public",
        "district = 'west' OR (category = 'stash_found' AND NOT district = 'west')":
            lambda r: r["district"] == "west" or r["category"] == "stash_found",
        "occurred_to IS NULL": lambda r: r["occurred_to"] is None,
        "occurred_to IS NOT NULL AND occurred_to > TIMESTAMP('" + stamp + "')":
            lambda r: r["occurred_to"] is not None and when(r["occurred_to"]) > cut,
        "occurred_from <= TIMESTAMP('" + stamp + "')":
            lambda r: when(r["occurred_from"]) <= cut,
        '"review_status" = \'new\' and persons >= 0': lambda r: r["review_status"] == "new",
        # accuracy_m is missing on every report: the comparison is unknown, and so is its
        # negation, so only the false side of the AND lets a report through NOT
        "NOT (accuracy_m > 5 AND category = 'open_sale')":
            lambda r: r["category"] != "open_sale",
        "NOT accuracy_m > 5": lambda r: False,
        "accuracy_m <> 5 OR category = 'open_use'": lambda r: r["category"] == "open_use",
    }
    for cql, predicate in cases.items():
        expected = {i for i, r in p.items() if predicate(r)}
        assert filtered(token, cql) == expected, cql
    assert any(filtered(token, c) for c in cases)


def test_filter_combines_with_bbox_and_counts(scene) -> None:
    token = scene.token("housing_analyst")
    bbox = (16.885, 58.992, 16.905, 59.004)
    q = ",".join(map(str, bbox))
    cql = quote("category = 'drug_litter'")
    page = body(call(f"{REPORTS}?bbox={q}&filter={cql}", token))
    expected = {f["id"] for f in everything(token)
                if f["properties"]["category"] == "drug_litter"
                and bbox[0] <= f["geometry"]["coordinates"][0] <= bbox[2]
                and bbox[1] <= f["geometry"]["coordinates"][1] <= bbox[3]}
    assert page["numberMatched"] == len(expected)
    assert {f["id"] for f in page["features"]} == expected


def test_places_actions_and_hotspots(scene) -> None:
    token = scene.token("police_analyst")
    assert filtered(token, "indoor = FALSE AND place_type = 'square'", "places") == {
        scene.world.place.pk}
    assert filtered(token, "indoor = TRUE", "places") == set()
    light, east = scene.actions
    assert filtered(token, "end IS NULL", "actions") == {east.pk}
    day = (light.start + timedelta(days=1)).isoformat()
    assert filtered(token, f"start < DATE('{day}')", "actions") == {light.pk}
    assert filtered(token, "kind = 'cleaning' OR owner_kind = 'police'", "actions") == {
        east.pk}
    cells = everything(token, "hotspots")
    for cql, predicate in {"bin >= 2": lambda r: r["bin"] >= 2,
                           "count > 1 AND NOT bin = 0": lambda r: r["count"] > 1
                           and r["bin"] != 0,
                           "z < 0.5 OR p_fdr <= 0.2": lambda r: r["z"] < 0.5
                           or r["p_fdr"] <= 0.2}.items():
        expected = {f["id"] for f in cells if predicate(f["properties"])}
        assert filtered(token, cql, "hotspots") == expected, cql


@pytest.mark.parametrize("cql", [
    "category LIKE 'open%'", "category IN ('a', 'b')", "colour = 'red'", "persons = 'two'",
    "category = 3", "occurred_from > '2025-01-01'", "occurred_from > DATE('2025-01-01')",
    "occurred_from > TIMESTAMP('2025-01-01T00:00:00')", "(category = 'a'", "category =",
    "category = 'a' AND", "indoor > TRUE", "", "S_INTERSECTS(geometry, POINT(1 2))",
])
def test_invalid_filters_are_400(scene, cql) -> None:
    r = call(f"{REPORTS}?filter={quote(cql)}", scene.token("police_analyst"))
    assert r.status_code == 400 and body(r)["code"] in ("invalid_filter", "invalid_parameter")


def test_filter_lang_and_crs(scene) -> None:
    token = scene.token("police_analyst")
    cql = quote("category = 'open_sale'")
    assert call(f"{REPORTS}?filter={cql}&filter-lang=cql2-text", token).status_code == 200
    assert call(f"{REPORTS}?filter={cql}&filter-lang=cql2-json", token).status_code == 400
    crs = "http://www.opengis.net/def/crs/EPSG/0/4326"
    assert call(f"{REPORTS}?filter={cql}&filter-crs={crs}", token).status_code == 400


def test_queryables(scene) -> None:
    token = scene.token("police_analyst")
    coll = body(call("/ogc/collections/testby-reports", token))
    link = [x for x in coll["links"]
            if x["rel"] == "http://www.opengis.net/def/rel/ogc/1.0/queryables"][0]
    r = call("/ogc/collections/testby-reports/queryables", token)
    assert r.status_code == 200 and r["Content-Type"] == "application/schema+json"
    doc = body(r)
    assert doc["$id"] == link["href"] and doc["type"] == "object"
    assert doc["properties"]["persons"]["type"] == "integer"
    assert doc["properties"]["occurred_from"]["format"] == "date-time"
    assert "text" not in doc["properties"]  # free text is not filterable
    keyless = body(call("/ogc/collections/testby-reports/queryables"))
    assert set(keyless["properties"]) == {"category", "source_kind", "channel", "district",
                                          "setting", "review_status"}
    assert call("/ogc/collections/testby-places/queryables").status_code == 404


def test_keyless_may_not_filter_on_exact_or_hidden_values(scene) -> None:
    for cql in ("occurred_from > TIMESTAMP('2025-01-01T00:00:00Z')", "persons > 0",
                "source = 'police'"):
        assert call(f"{REPORTS}?filter={quote(cql)}").status_code == 400, cql
    got = filtered(None, "category = 'open_sale' AND review_status = 'confirmed'")
    assert got == scene.ids("public")
