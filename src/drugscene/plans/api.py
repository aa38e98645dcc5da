"""REST API routes of the plans app, mounted under /api/v1/ by drugscene.api.views."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["plans"])
