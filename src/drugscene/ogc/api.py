"""Export routes (GeoPackage, GeoJSON, CSV) under /api/v1/, mounted by drugscene.api.views.

``GET /api/v1/exports/{kind}.{format}?city=SLUG`` with ``kind`` one of reports, places,
actions, hotspots and ``format`` one of gpkg, geojson, csv; reports take the filters of
``/api/v1/reports``. The caller needs the export permission (analyst, coordinator, admin)
in the city. The file is written to a temporary file first (a GeoPackage cannot be
streamed while it is written) and then streamed; the temporary file is gone when the
response is closed.
"""

from __future__ import annotations

import io
import os
import tempfile

from django.http import FileResponse, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router

from drugscene.accounts.access import Perm, viewer_for
from drugscene.cities.selectors import city_for
from drugscene.core.errors import NotVisible, PermissionDenied
from drugscene.ogc.export import CONTENT_TYPES, FORMATS, KINDS, export

router = Router(tags=["exports"])


def _open_export(kind: str, fmt: str, viewer, city, params) -> tuple[object, int]:
    """Write the export to an unnamed temporary file and return it opened for reading."""
    if fmt == "gpkg":
        fd, path = tempfile.mkstemp(suffix=".gpkg")
        os.close(fd)
        os.unlink(path)  # GDAL creates the file itself
        try:
            n = export(kind, viewer, city, fmt, path, params)
            fh = open(path, "rb")  # noqa: SIM115 - closed by the FileResponse
        finally:
            if os.path.exists(path):
                os.unlink(path)  # the open handle keeps the data until it is closed
        return fh, n
    fh = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115 - closed by the FileResponse
    text = io.TextIOWrapper(fh, encoding="utf-8", newline="", write_through=True)
    try:
        n = export(kind, viewer, city, fmt, text, params)
    except BaseException:
        text.close()
        raise
    text.flush()
    text.detach()
    fh.seek(0)
    return fh, n


@router.get("/exports/{name}", url_name="export")
def export_file(request: HttpRequest, name: str, city: str | None = None):
    """Download reports, places, actions or the latest hot spots the caller may see:
    ``/exports/reports.gpkg?city=demo&from=2025-01-01``."""
    kind, _sep, fmt = name.rpartition(".")
    if kind not in KINDS or fmt not in FORMATS:
        raise NotVisible(_("No export %(name)s: use {reports|places|actions|hotspots}."
                           "{gpkg|geojson|csv}.") % {"name": name})
    viewer = viewer_for(request.user)
    c = city_for(viewer, city)
    if not viewer.can(Perm.EXPORT, c.pk):
        raise PermissionDenied(_("Your role may not export (analyst, coordinator or admin "
                                 "may)."))
    params = {k: v for k, v in request.GET.items() if k != "city"}
    fh, n = _open_export(kind, fmt, viewer, c, params)
    stamp = timezone.localdate().isoformat()
    response = FileResponse(fh, as_attachment=True, content_type=CONTENT_TYPES[fmt],
                            filename=f"{c.slug}-{kind}-{stamp}.{fmt}")
    response["X-Feature-Count"] = str(n)
    return response
