"""Data for the point picker (``drugscene/pick.js``) of the report and tip forms."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from drugscene.cities.models import City
from drugscene.cities.selectors import areas_of
from drugscene.places.models import Place


def district_outlines(city_id: int) -> dict:
    """District outlines (names only) as GeoJSON, to find one's way without tiles."""
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": a.geometry, "properties": {"name": a.name}}
            for a in areas_of(city_id)
        ],
    }


def picker_config(city: City, places: Iterable[Place] = ()) -> dict:
    return {
        "centre": [city.centre_lon, city.centre_lat],
        "districts": district_outlines(city.pk),
        "places": {str(p.pk): [p.lon, p.lat] for p in places},
        "labels": {
            "locating": _("Finding your position…"),
            "located": _("Position set (accuracy about %(m)s m). Drag the marker to adjust."),
            "denied": _("Your position is not available. Tap the map instead."),
            "unsupported": _("This browser cannot give a position. Tap the map instead."),
            "set": _("Point set. Drag the marker to adjust."),
            "place": _("Point set at the registered place."),
        },
    }
