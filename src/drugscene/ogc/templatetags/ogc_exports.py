"""``{% export_links "reports" filter_query %}``: download links (GeoPackage, GeoJSON, CSV)
for list pages, shown only to roles that may export in the current city."""

from __future__ import annotations

from django import template
from django.http import QueryDict
from django.urls import reverse

from drugscene.accounts.access import Perm

register = template.Library()

FORMATS = (("gpkg", "GeoPackage"), ("geojson", "GeoJSON"), ("csv", "CSV"))


@register.inclusion_tag("ogc/_export_links.html", takes_context=True)
def export_links(context, kind: str, query: str = "") -> dict:
    from drugscene.web.common import city_of, viewer_of

    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"links": []}
    city = city_of(request)
    if city is None or not viewer_of(request).can(Perm.EXPORT, city.pk):
        return {"links": []}
    params = QueryDict(query or "", mutable=True)
    params["city"] = city.slug
    base = reverse("api:export", kwargs={"name": f"{kind}.FORMAT"})
    return {"links": [(label, f"{base.replace('FORMAT', fmt)}?{params.urlencode()}")
                      for fmt, label in FORMATS]}
