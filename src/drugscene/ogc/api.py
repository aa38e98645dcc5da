"""Export routes (GeoPackage, GeoJSON, CSV) under /api/v1/, mounted by drugscene.api.views."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["exports"])
