"""``{% notification_badge %}``: the nav link to the inbox with the unread count.

In ``base.html``: ``{% load notification_tags %}`` and, in the nav list,
``<li>{% notification_badge %}</li>`` (signed-in users only)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("notifications/_badge.html", takes_context=True)
def notification_badge(context) -> dict:
    from drugscene.notifications.selectors import unread_count
    from drugscene.web.common import city_of, viewer_of

    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return {"count": 0, "nav_city": None, "current": False}
    match = getattr(request, "resolver_match", None)
    return {"count": unread_count(viewer_of(request)), "nav_city": city_of(request),
            "current": bool(match and match.app_name == "notifications")}
