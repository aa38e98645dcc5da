"""Turn reports, places and districts into plain dicts and GeoJSON."""

from __future__ import annotations

from collections.abc import Iterable

from drugscene.reports.models import Report

REPORT_RELATED = ("category", "source", "place", "area", "city")


def report_dict(r: Report, restricted: dict[int, list[str]] | None = None) -> dict:
    return {
        "id": r.pk,
        "city": r.city.slug,
        "occurred_from": r.occurred_from,
        "occurred_to": r.occurred_to,
        "reported_at": r.reported_at,
        "lon": r.lon,
        "lat": r.lat,
        "accuracy_m": r.accuracy_m,
        "category": r.category.slug,
        "category_name": r.category.label,
        "source": r.source.slug,
        "source_name": r.source.name,
        "source_kind": r.source.kind,
        "channel": r.channel,
        "place": r.place_id,
        "place_name": r.place.name if r.place_id else None,
        "district": r.area.slug if r.area_id else None,
        "setting": r.setting,
        "persons": r.persons,
        "ages": {"under_15": r.age_under_15, "15_17": r.age_15_17, "18_25": r.age_18_25,
                 "26_plus": r.age_26_plus},
        "genders": {"female": r.gender_female, "male": r.gender_male,
                    "unknown": r.gender_unknown},
        "text": r.text,
        "scrubbed": [k for k in r.scrubbed.split(",") if k],
        "visibility": r.visibility,
        "restricted_to": (restricted or {}).get(r.pk, []),
        "review_status": r.review_status,
        "reviewed_at": r.reviewed_at,
        "duplicate_of": r.duplicate_of_id,
    }


def restricted_slugs(reports: Iterable[Report]) -> dict[int, list[str]]:
    """Organisation slugs of restricted reports, fetched in one query."""
    ids = [r.pk for r in reports if r.visibility == "restricted"]
    if not ids:
        return {}
    out: dict[int, list[str]] = {}
    rows = Report.restricted_to.through.objects.filter(report_id__in=ids).values_list(
        "report_id", "organisation__slug"
    )
    for rid, slug in rows:
        out.setdefault(rid, []).append(slug)
    return out


def report_dicts(reports: list[Report]) -> list[dict]:
    restricted = restricted_slugs(reports)
    return [report_dict(r, restricted) for r in reports]


def feature_collection(items: list[dict], *, extra: dict | None = None) -> dict:
    features = []
    for item in items:
        props = {k: v.isoformat() if hasattr(v, "isoformat") else v
                 for k, v in item.items() if k not in ("lon", "lat")}
        features.append({
            "type": "Feature",
            "id": item["id"],
            "geometry": {"type": "Point", "coordinates": [item["lon"], item["lat"]]},
            "properties": props,
        })
    return {"type": "FeatureCollection", "features": features, **(extra or {})}
