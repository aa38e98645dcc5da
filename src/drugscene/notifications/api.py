"""REST API routes of the notifications app, mounted under /api/v1/ by drugscene.api.views."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["notifications"])
