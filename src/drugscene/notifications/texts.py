"""The sentence of a notification, in the active language, from its ``params``.

Params hold names, codes, dates and counts only; choice codes (category, action kind,
milestone, finding kind) are translated here at reading time, so one stored notification
reads right in every language.
"""

from __future__ import annotations

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from drugscene.actions.models import ActionKind, Milestone
from drugscene.notifications.models import EventKind
from drugscene.walks.models import FindingKind


def _day(value: str | None) -> str:
    return date_format(date.fromisoformat(value)) if value else ""


def _label(choices, code: str | None) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return code or ""


def _category(name: str | None) -> str:
    return _(name) if name else ""


def describe(kind: str, params: dict) -> str:
    """One sentence for the inbox, the e-mail subject and its first line."""
    p = params or {}
    action = _label(ActionKind, p.get("action_kind"))
    where = p.get("where") or ""
    if kind == EventKind.NEW_REPORT:
        if "count" in p:
            n = int(p["count"])
            return ngettext("%(n)s new report in your areas.",
                            "%(n)s new reports in your areas.", n) % {"n": n}
        if p.get("place"):
            return _("New report at %(place)s (%(district)s): %(category)s.") % {
                "place": p["place"], "district": p.get("district") or "",
                "category": _category(p.get("category"))}
        return _("New report in %(district)s: %(category)s.") % {
            "district": p.get("district") or "", "category": _category(p.get("category"))}
    if kind == EventKind.ACTION_DUE:
        if p.get("flag") == "ending":
            return _("The action “%(action)s” at %(where)s ends on %(date)s.") % {
                "action": action, "where": where, "date": _day(p.get("date"))}
        return _("The action “%(action)s” at %(where)s starts on %(date)s.") % {
            "action": action, "where": where, "date": _day(p.get("date"))}
    if kind == EventKind.ACTION_OVERDUE:
        if p.get("flag") == "end":
            return _("The action “%(action)s” at %(where)s should have ended on %(date)s "
                     "and is not closed.") % {"action": action, "where": where,
                                                "date": _day(p.get("date"))}
        return _("The action “%(action)s” at %(where)s should have started on %(date)s.") % {
            "action": action, "where": where, "date": _day(p.get("date"))}
    if kind == EventKind.FOLLOW_UP_DUE:
        return _("The follow-up “%(milestone)s” of the action “%(action)s” at %(where)s is "
                 "due on %(date)s.") % {"milestone": _label(Milestone, p.get("milestone")),
                                         "action": action, "where": where,
                                         "date": _day(p.get("date"))}
    if kind == EventKind.CAME_BACK:
        return _("Came back: the problem at %(where)s has returned after the action "
                 "“%(action)s” (follow-up “%(milestone)s”).") % {
            "where": where, "action": action,
            "milestone": _label(Milestone, p.get("milestone"))}
    if kind == EventKind.WALK_TASK:
        if p.get("due"):
            return _("New safety-walk task for %(organisation)s: %(finding)s in %(where)s, "
                     "due %(date)s.") % {"organisation": p.get("organisation") or "",
                                         "finding": _label(FindingKind, p.get("finding_kind")),
                                         "where": where, "date": _day(p.get("due"))}
        return _("New safety-walk task for %(organisation)s: %(finding)s in %(where)s.") % {
            "organisation": p.get("organisation") or "",
            "finding": _label(FindingKind, p.get("finding_kind")), "where": where}
    if kind == EventKind.DIGEST:
        return _("Weekly digest for %(city)s: %(start)s – %(end)s.") % {
            "city": p.get("city") or "", "start": _day(p.get("start")),
            "end": _day(p.get("end"))}
    return kind
