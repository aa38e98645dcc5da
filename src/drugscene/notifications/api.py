"""REST API routes of the notifications app, mounted under /api/v1/ by drugscene.api.views:
the caller's own notifications (list, unread count, mark read)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from drugscene.accounts.access import viewer_for
from drugscene.api.schemas import ErrorOut
from drugscene.core.errors import ValidationFailed
from drugscene.notifications import selectors, services
from drugscene.notifications.events import absolute
from drugscene.notifications.texts import describe

router = Router(tags=["notifications"])
MAX_PAGE = 200


class ObjectRef(Schema):
    type: str
    id: int


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    object: ObjectRef
    city: str
    link: str
    params: dict
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Schema):
    count: int
    unread: int
    page: int
    page_size: int
    results: list[NotificationOut]


class CountOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


def _out(n) -> dict:
    return {"id": n.pk, "kind": n.kind, "text": describe(n.kind, n.params),
            "object": {"type": n.object_type, "id": n.object_id}, "city": n.city.slug,
            "link": absolute(n.link) if n.link else "", "params": n.params,
            "created_at": n.created_at, "read_at": n.read_at}


@router.get("/notifications", response={200: NotificationPage, 422: ErrorOut})
def list_notifications(request: HttpRequest, unread: bool = False, page: int = 1,
                       page_size: int = 50):
    """The caller's in-app notifications, newest first (``unread=true`` for unread only).
    The text is in the request's language."""
    if page < 1:
        raise ValidationFailed("page must be 1 or more.", field="page")
    if not 1 <= page_size <= MAX_PAGE:
        raise ValidationFailed(f"page_size must be between 1 and {MAX_PAGE}.",
                               field="page_size")
    viewer = viewer_for(request.user)
    qs = selectors.inbox(viewer, unread_only=unread)
    lo = (page - 1) * page_size
    return {"count": qs.count(), "unread": selectors.unread_count(viewer), "page": page,
            "page_size": page_size, "results": [_out(n) for n in qs[lo:lo + page_size]]}


@router.get("/notifications/unread-count", response=CountOut)
def unread_count(request: HttpRequest):
    return {"unread": selectors.unread_count(viewer_for(request.user))}


@router.post("/notifications/{notification_id}/read",
             response={200: NotificationOut, 404: ErrorOut})
def mark_read(request: HttpRequest, notification_id: int):
    n = services.mark_read(viewer_for(request.user), notification_id)
    return _out(n)


@router.post("/notifications/read-all", response=MarkedOut)
def mark_all_read(request: HttpRequest):
    return {"marked": services.mark_all_read(viewer_for(request.user))}
