"""Render a situational picture as an HTML page or a PDF (WeasyPrint)."""

from __future__ import annotations

import base64
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from drugscene.cities.selectors import areas_of
from drugscene.situation import charts
from drugscene.situation.selectors import SituationalPicture


def _b64(svg: str) -> str:
    return base64.b64encode(svg.encode("utf-8")).decode("ascii")


def picture_context(picture: SituationalPicture) -> dict:
    """Charts (base64 SVG, shown as images so the page keeps its strict CSP) and labels."""
    districts = [a.geometry for a in areas_of(picture.city.pk)] if picture.area is None \
        else [picture.area.geometry]
    places = [(p.place.lon, p.place.lat, p.place.name, p.signal) for p in picture.places]
    signal_names = {"new": _("new"), "intensifying": _("intensifying"),
                    "fading": _("fading"), "stable": _("stable"), "quiet": _("quiet")}
    return {
        "p": picture,
        "chart_weekly_b64": _b64(charts.weekly_bars(picture.weekly_totals)),
        "chart_hours_b64": _b64(charts.hour_weekday(picture.hour_weekday)),
        "chart_map_b64": _b64(charts.picture_map(districts, picture.hotspot_cells, places,
                                                 picture.city.centre_lat)),
        "signal_names": signal_names,
        "signal_labels": [(k, _("New places") if k == "new" else
                           _("Intensifying") if k == "intensifying" else _("Fading"))
                          for k in ("new", "intensifying", "fading")],
        "signals": {k: picture.places_with(k) for k in ("new", "intensifying", "fading")},
        "flag_names": {"overdue": _("overdue"), "due": _("starts soon"), "ending": _("ends soon")},
    }


def document_html(picture: SituationalPicture, *, language: str | None = None,
                  base_url: str = "") -> str:
    """A self-contained HTML document (inline CSS, inline SVG) for printing or a file."""
    with translation.override(language or translation.get_language()), \
            timezone.override(picture.city.timezone):
        css = (Path(__file__).parent / "static" / "situation" / "picture.css").read_text()
        return render_to_string("situation/document.html",
                                {**picture_context(picture), "css": css})


def document_pdf(picture: SituationalPicture, *, language: str | None = None) -> bytes:
    from weasyprint import HTML

    return HTML(string=document_html(picture, language=language)).write_pdf()
