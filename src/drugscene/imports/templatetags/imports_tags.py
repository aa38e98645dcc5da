"""``{% data_attributions city %}``: the licence lines of the data imported into a city (e.g.
the Open Government Licence for police.uk), shown in the footer of every page of that city."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("imports/_attributions.html")
def data_attributions(city) -> dict:
    from drugscene.imports.models import ImportRun

    if city is None:
        return {"lines": []}
    lines = (ImportRun.objects.filter(city=city, rows_imported__gt=0).exclude(attribution="")
             .order_by("attribution").values_list("attribution", flat=True).distinct())
    return {"lines": list(lines)}
