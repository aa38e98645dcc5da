"""Find the events of a city by scanning other apps' tables (never by hooks in their code).

Each scan turns rows into :class:`Event` s, picks the users who want them *and may see the
object* (through the owning app's selector), and stores one :class:`Notification` per
(user, event) and one :class:`WebhookDelivery` per (webhook, event) in one transaction.
The unique keys of those two tables make every scan idempotent: running it twice, or
again after a crash, creates nothing new. New reports are read with a cursor (the highest
report id already considered), moved in the same transaction as the notifications.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse

from drugscene.accounts.access import Seat, Viewer
from drugscene.accounts.models import Membership, Organisation, Role
from drugscene.actions.models import Action, FollowUp
from drugscene.actions.selectors import OPEN, deadline_flag, visible_actions
from drugscene.cities.models import City
from drugscene.notifications.defaults import Choices, best_role, effective
from drugscene.notifications.models import (
    AreaSubscription,
    Cursor,
    Delivery,
    EmailStatus,
    EventKind,
    Notification,
    NotificationPreference,
    Webhook,
    WebhookDelivery,
    wants_email,
    wants_in_app,
)
from drugscene.reports.models import Report
from drugscene.reports.selectors import visible_reports
from drugscene.walks.models import OPEN_STATUSES, Finding
from drugscene.walks.selectors import visible_findings

#: reports read per transaction by the new-report scan
SCAN_CHUNK = 5000
#: more new reports than this for one user in one chunk become one summary notification
SUMMARY_ABOVE = 10
#: follow-ups due, or computed as "came back", longer ago than this are history, not news
LOOKBACK_DAYS = 14
#: reports that arrive in bulk are not posted to webhooks one by one
BULK_CHANNELS = ("import", "demo")
#: the weekly digest goes out from this local hour on Monday
DIGEST_HOUR = 7
LEADS = (Role.ADMIN, Role.COORDINATOR)


def site_url() -> str:
    """The public base address for links in e-mails and webhooks (settings)."""
    return settings.DRUGSCENE_SITE_URL


def absolute(link: str) -> str:
    return f"{site_url()}{link}" if link.startswith("/") else link


def city_link(city: City, name: str, *args) -> str:
    return f"{reverse(name, args=args)}?city={city.slug}"


@dataclass
class Event:
    kind: str
    object_type: str
    object_id: int
    params: dict
    link: str
    occasion: str = ""

    @property
    def key(self) -> tuple:
        return (self.kind, self.object_type, int(self.object_id), self.occasion)


@dataclass
class Member:
    """A user of the city with their organisations here, role and effective choices."""

    user_id: int
    email: str
    viewer: Viewer
    org_ids: frozenset[int]
    role: str
    choices: Choices
    subscriptions: list[AreaSubscription] = field(default_factory=list)

    def wants(self, kind: str) -> bool:
        return self.choices.of(kind) != Delivery.NONE


def city_members(city: City) -> list[Member]:
    """Active users with a membership in the city, with their effective choices."""
    rows = list(Membership.objects.filter(organisation__city=city, user__is_active=True)
                .values_list("user_id", "user__email", "organisation_id", "role"))
    if not rows:
        return []
    ids = {r[0] for r in rows}
    seats: dict[int, list[Seat]] = defaultdict(list)
    for m in Membership.objects.filter(user_id__in=ids).select_related("organisation", "user"):
        seats[m.user_id].append(Seat(m.organisation_id, m.organisation.kind,
                                     m.organisation.city_id, m.role))
    supers = set(Membership.objects.filter(user_id__in=ids, user__is_superuser=True)
                 .values_list("user_id", flat=True))
    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(city=city,
                                                                         user_id__in=ids)}
    subs: dict[int, list[AreaSubscription]] = defaultdict(list)
    for s in AreaSubscription.objects.filter(city=city, user_id__in=ids).select_related("place"):
        subs[s.user_id].append(s)
    by_user: dict[int, dict] = {}
    for user_id, email, org_id, role in rows:
        entry = by_user.setdefault(user_id, {"email": email or "", "orgs": set(), "roles": []})
        entry["orgs"].add(org_id)
        entry["roles"].append(role)
    out = []
    for user_id, e in sorted(by_user.items()):
        role = best_role(e["roles"])
        viewer = Viewer(user_id, "", user_id in supers, tuple(seats[user_id]))
        out.append(Member(user_id, e["email"], viewer, frozenset(e["orgs"]), role,
                          effective(prefs.get(user_id), role, city.default_language),
                          subs.get(user_id, [])))
    return out


def organisation_viewer(org: Organisation) -> Viewer:
    """What an organisation as a whole may see (a webhook speaks for its organisation)."""
    return Viewer(0, f"organisation:{org.slug}", False,
                  (Seat(org.pk, org.kind, org.city_id, Role.VIEWER),))


# --- storing -------------------------------------------------------------------------------

def store(city: City, pairs: Iterable[tuple[Member, Event]], now: datetime) -> int:
    """Create the notifications that do not exist yet; returns how many were new."""
    rows = []
    for member, ev in pairs:
        choice = member.choices.of(ev.kind)
        if choice == Delivery.NONE:
            continue
        email = wants_email(choice)
        rows.append(Notification(
            user_id=member.user_id, city=city, kind=ev.kind, object_type=ev.object_type,
            object_id=ev.object_id, occasion=ev.occasion, params=ev.params, link=ev.link,
            in_app=wants_in_app(choice), created_at=now,
            email_status=EmailStatus.PENDING if email else EmailStatus.NOT_WANTED,
            email_next_at=now if email else None))
    if not rows:
        return 0
    existing = set(Notification.objects.filter(
        user_id__in={r.user_id for r in rows}, kind__in={r.kind for r in rows},
        object_id__in={r.object_id for r in rows},
    ).values_list("user_id", "kind", "object_type", "object_id", "occasion"))
    fresh, seen = [], set(existing)
    for r in rows:
        key = (r.user_id, r.kind, r.object_type, r.object_id, r.occasion)
        if key not in seen:
            seen.add(key)
            fresh.append(r)
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


def payload(city: City, ev: Event, uid: str, now: datetime) -> dict:
    """The JSON a partner system receives (names, codes and counts; no free text, no
    coordinates)."""
    return {"id": uid, "event": ev.kind,
            "object": {"type": ev.object_type, "id": int(ev.object_id)},
            "city": city.slug, "time": now.astimezone(ZoneInfo("UTC")).isoformat(),
            "link": absolute(ev.link), "data": ev.params}


def queue_webhooks(city: City, events: list[Event], now: datetime,
                   visible: Callable[[Viewer, Organisation, list[Event]], set[tuple]]) -> int:
    """One delivery per (active webhook of the city that wants the kind, event its
    organisation may see); ``visible`` returns the keys of the events an organisation
    may see."""
    if not events:
        return 0
    kinds = {e.kind for e in events}
    hooks = [h for h in Webhook.objects.filter(organisation__city=city, active=True)
             .select_related("organisation") if kinds & set(h.kinds or [])]
    made = 0
    for hook in hooks:
        wanted = [e for e in events if e.kind in hook.kinds]
        if not wanted:
            continue
        keys = visible(organisation_viewer(hook.organisation), hook.organisation, wanted)
        done = set(WebhookDelivery.objects.filter(
            webhook=hook, kind__in={e.kind for e in wanted},
            object_id__in={e.object_id for e in wanted},
        ).values_list("kind", "object_type", "object_id", "occasion"))
        rows = []
        for ev in wanted:
            if ev.key not in keys or ev.key in done:
                continue
            done.add(ev.key)
            d = WebhookDelivery(webhook=hook, kind=ev.kind, object_type=ev.object_type,
                                object_id=ev.object_id, occasion=ev.occasion, created_at=now,
                                next_attempt_at=now)
            d.body = json.dumps(payload(city, ev, str(d.uid), now), ensure_ascii=False,
                                separators=(",", ":"))
            rows.append(d)
        WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
        made += len(rows)
    return made


# --- new reports in my areas ---------------------------------------------------------------

EARTH_RADIUS_M = 6_371_008.8


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle (haversine) distance in metres on the mean Earth sphere."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def in_areas(row: dict, subs: list[AreaSubscription]) -> bool:
    """Does a report (``area_id``, ``place_id``, ``lon``, ``lat``) fall in one of them?"""
    for s in subs:
        if s.area_id is not None and row["area_id"] == s.area_id:
            return True
        if s.place_id is not None:
            if row["place_id"] == s.place_id:
                return True
            if s.radius_m and distance_m(s.place.lon, s.place.lat, row["lon"],
                                         row["lat"]) <= s.radius_m:
                return True
    return False


REPORT_FIELDS = ("id", "area_id", "place_id", "lon", "lat", "reporter_id", "channel",
                 "place__name", "area__name", "category__name", "category__slug")


def _report_event(city: City, row: dict) -> Event:
    params = {"category": row["category__name"], "category_slug": row["category__slug"],
              "place": row["place__name"], "district": row["area__name"]}
    return Event(EventKind.NEW_REPORT, "report", row["id"], params,
                 city_link(city, "web:report-detail", row["id"]))


def scan_new_reports(city: City, members: list[Member], now: datetime) -> tuple[int, int]:
    """Notifications and webhook deliveries for reports that arrived since the last scan.

    The first scan of a city only sets the cursor: history is not news."""
    cursor, created = Cursor.objects.get_or_create(
        city=city, name="reports",
        defaults={"position": Report.objects.filter(city=city).aggregate(m=Max("id"))["m"]
                  or 0})
    if created:
        return 0, 0
    listeners = [m for m in members if m.subscriptions and m.wants(EventKind.NEW_REPORT)]
    made = hooks = 0
    while True:
        with transaction.atomic():
            position = Cursor.objects.select_for_update().get(pk=cursor.pk).position
            rows = list(Report.objects.filter(city=city, id__gt=position).order_by("id")
                        .values(*REPORT_FIELDS)[:SCAN_CHUNK])
            if not rows:
                return made, hooks
            ids = [r["id"] for r in rows]
            pairs = []
            for m in listeners:
                seen = set(visible_reports(m.viewer, city_id=city.pk).filter(id__in=ids)
                           .values_list("id", flat=True))
                mine = [r for r in rows if r["id"] in seen and r["reporter_id"] != m.user_id
                        and in_areas(r, m.subscriptions)]
                if len(mine) > SUMMARY_ABOVE:
                    pairs.append((m, Event(EventKind.NEW_REPORT, "report_batch", ids[-1],
                                           {"count": len(mine)},
                                           city_link(city, "web:report-list"))))
                else:
                    pairs.extend((m, _report_event(city, r)) for r in mine)
            made += store(city, pairs, now)
            events = [_report_event(city, r) for r in rows
                      if r["channel"] not in BULK_CHANNELS]

            def visible(viewer, org, evs):
                ok = set(visible_reports(viewer, city_id=city.pk)
                         .filter(id__in=[e.object_id for e in evs]).values_list("id", flat=True))
                return {e.key for e in evs if e.object_id in ok}

            hooks += queue_webhooks(city, events, now, visible)
            Cursor.objects.filter(pk=cursor.pk).update(position=ids[-1], updated_at=now)


# --- actions and follow-ups ----------------------------------------------------------------

def _where(action: Action) -> str:
    if action.place_id:
        return action.place.name
    return action.area.name if action.area_id else ""


def _action_params(action: Action) -> dict:
    return {"action_kind": action.kind, "where": _where(action),
            "district": (action.place.area.name if action.place_id and action.place.area_id
                         else (action.area.name if action.area_id else None))}


def local_today(city: City, now: datetime) -> date:
    return now.astimezone(ZoneInfo(city.timezone)).date()


def _action_audience(members: list[Member], city: City, action_ids: set[int],
                     owner_of: dict[int, int], everyone: bool) -> Callable:
    """(member, action id) -> may this member be told? Owner organisation's members and
    the city's coordinators (or every member when ``everyone``), and only if the actions
    selector lets them see the action."""
    visible: dict[int, set[int]] = {}

    def ok(m: Member, action_id: int) -> bool:
        if not everyone and owner_of[action_id] not in m.org_ids and m.role not in LEADS:
            return False
        if m.user_id not in visible:
            visible[m.user_id] = set(visible_actions(m.viewer, city_id=city.pk)
                                     .filter(pk__in=action_ids).values_list("id", flat=True))
        return action_id in visible[m.user_id]

    return ok


def _actions_visible(city: City) -> Callable:
    def visible(viewer, org, evs):
        ids = {e.params.get("action_id") for e in evs}
        ok = set(visible_actions(viewer, city_id=city.pk).filter(pk__in=ids)
                 .values_list("id", flat=True))
        return {e.key for e in evs if e.params.get("action_id") in ok}
    return visible


def _deliver(city: City, members: list[Member], events: list[tuple[Event, int, int]],
             now: datetime, *, everyone: bool) -> tuple[int, int]:
    """Store ``(event, action id, owner id)`` for their audience, queue the webhooks."""
    if not events:
        return 0, 0
    ids = {a for _e, a, _o in events}
    ok = _action_audience(members, city, ids, {a: o for _e, a, o in events}, everyone)
    with transaction.atomic():
        made = store(city, [(m, ev) for ev, a, _o in events for m in members
                            if m.wants(ev.kind) and ok(m, a)], now)
        hooks = queue_webhooks(city, [e for e, _a, _o in events], now, _actions_visible(city))
    return made, hooks


def scan_actions(city: City, members: list[Member], now: datetime) -> tuple[int, int]:
    """Open actions that start or end soon (due) or should have (overdue)."""
    today = local_today(city, now)
    events = []
    for a in (Action.objects.filter(city=city, status__in=OPEN)
              .select_related("place", "place__area", "area")):
        flag = deadline_flag(a, today)
        if not flag:
            continue
        if flag == "overdue":
            which = "start" if a.status == "planned" else "end"
            kind, day = EventKind.ACTION_OVERDUE, a.start if which == "start" else a.end
        else:
            which = flag
            kind, day = EventKind.ACTION_DUE, a.start if flag == "due" else a.end
        params = {**_action_params(a), "action_id": a.pk, "flag": which,
                  "date": day.isoformat()}
        events.append((Event(kind, "action", a.pk, params,
                             city_link(city, "actions:action-detail", a.pk),
                             occasion=f"{which}:{day.isoformat()}"), a.pk, a.owner_id))
    return _deliver(city, members, events, now, everyone=False)


def scan_follow_ups(city: City, members: list[Member], now: datetime) -> tuple[int, int]:
    """Follow-ups whose date came within the last :data:`LOOKBACK_DAYS` days."""
    today = local_today(city, now)
    events = []
    for fu in (FollowUp.objects.filter(action__city=city, due_date__lte=today,
                                       due_date__gte=today - timedelta(days=LOOKBACK_DAYS))
               .select_related("action", "action__place", "action__place__area",
                               "action__area")):
        a = fu.action
        params = {**_action_params(a), "action_id": a.pk, "milestone": fu.milestone,
                  "date": fu.due_date.isoformat()}
        events.append((Event(EventKind.FOLLOW_UP_DUE, "follow_up", fu.pk, params,
                             city_link(city, "actions:action-detail", a.pk),
                             occasion=fu.due_date.isoformat()), a.pk, a.owner_id))
    return _deliver(city, members, events, now, everyone=False)


def scan_came_back(city: City, members: list[Member], now: datetime) -> tuple[int, int]:
    """Actions whose latest computed follow-up (computed within the look-back) found that
    the problem came back: one alarm per such follow-up, to every member who wants it."""
    since = now - timedelta(days=LOOKBACK_DAYS)
    action_ids = set(FollowUp.objects.filter(action__city=city, came_back=True,
                                             computed_at__gte=since)
                     .values_list("action_id", flat=True))
    events = []
    for a in (Action.objects.filter(pk__in=action_ids)
              .select_related("place", "place__area", "area")):
        latest = (FollowUp.objects.filter(action=a, computed_at__isnull=False)
                  .order_by("-due_date", "-id").first())
        if latest is None or latest.came_back is not True or latest.computed_at < since:
            continue
        params = {**_action_params(a), "action_id": a.pk, "milestone": latest.milestone}
        events.append((Event(EventKind.CAME_BACK, "follow_up", latest.pk, params,
                             city_link(city, "actions:action-detail", a.pk)),
                       a.pk, a.owner_id))
    return _deliver(city, members, events, now, everyone=True)


# --- safety-walk tasks ---------------------------------------------------------------------

def scan_walk_tasks(city: City, members: list[Member], now: datetime) -> tuple[int, int]:
    """Open findings of safety walks: a task for each member of the responsible
    organisation (and a delivery for its webhooks)."""
    findings = list(Finding.objects.filter(walk__city=city, status__in=OPEN_STATUSES)
                    .select_related("walk", "walk__area", "owner"))
    if not findings:
        return 0, 0
    events = {}
    for f in findings:
        params = {"finding_kind": f.kind, "organisation": f.owner.name,
                  "organisation_id": f.owner_id,
                  "where": f.walk.area.name if f.walk.area_id else city.name,
                  "due": f.due.isoformat() if f.due else None}
        events[f.pk] = (Event(EventKind.WALK_TASK, "finding", f.pk, params,
                              city_link(city, "walks:detail", f.walk_id),
                              occasion=f"org:{f.owner_id}"), f.owner_id)
    visible: dict[int, set[int]] = {}
    pairs = []
    for m in members:
        if not m.wants(EventKind.WALK_TASK):
            continue
        for fid, (ev, owner) in events.items():
            if owner not in m.org_ids:
                continue
            if m.user_id not in visible:
                visible[m.user_id] = set(visible_findings(m.viewer, city_id=city.pk)
                                         .filter(pk__in=list(events))
                                         .values_list("id", flat=True))
            if fid in visible[m.user_id]:
                pairs.append((m, ev))

    def assigned(viewer, org, evs):
        ok = set(visible_findings(viewer, city_id=city.pk)
                 .filter(pk__in=[e.object_id for e in evs], owner=org)
                 .values_list("id", flat=True))
        return {e.key for e in evs if e.object_id in ok}

    with transaction.atomic():
        made = store(city, pairs, now)
        hooks = queue_webhooks(city, [ev for ev, _o in events.values()], now, assigned)
    return made, hooks


# --- the weekly digest ---------------------------------------------------------------------

def digest_week(city: City, now: datetime) -> tuple[date, date]:
    """The latest week (Monday, next Monday; local dates) whose digest is due: the last
    full week once Monday :data:`DIGEST_HOUR` o'clock has come in the city's time zone,
    the week before until then. A worker that was down sends it when it comes back."""
    tz = ZoneInfo(city.timezone)
    local = now.astimezone(tz)
    monday = local.date() - timedelta(days=local.weekday())
    if local < datetime.combine(monday, time(DIGEST_HOUR), tzinfo=tz):
        monday -= timedelta(days=7)
    return monday - timedelta(days=7), monday


def digest_counts(city: City, member: Member, start: date, end: date,
                  now: datetime) -> dict:
    """The figures of one user's weekly digest: reports that arrived in the week (all
    they may see, and those in their areas), open actions due or overdue now, follow-ups
    computed in the week and how many of them found the problem back."""
    tz = ZoneInfo(city.timezone)
    t0 = datetime.combine(start, time.min, tzinfo=tz)
    t1 = datetime.combine(end, time.min, tzinfo=tz)
    reports = visible_reports(member.viewer, city_id=city.pk).filter(reported_at__gte=t0,
                                                                     reported_at__lt=t1)
    in_areas_n = None
    if member.subscriptions:
        in_areas_n = sum(1 for r in reports.values("area_id", "place_id", "lon", "lat")
                         if in_areas(r, member.subscriptions))
    today = local_today(city, now)
    flags = [deadline_flag(a, today) for a in
             visible_actions(member.viewer, city_id=city.pk).filter(status__in=OPEN)]
    fus = FollowUp.objects.filter(action__in=visible_actions(member.viewer, city_id=city.pk),
                                  computed_at__gte=t0, computed_at__lt=t1)
    back = fus.filter(came_back=True).select_related("action__place", "action__area")
    return {
        "city": city.name, "start": start.isoformat(),
        "end": (end - timedelta(days=1)).isoformat(),
        "new_reports": reports.count(), "in_areas": in_areas_n,
        "actions_due": sum(1 for f in flags if f in ("due", "ending")),
        "actions_overdue": sum(1 for f in flags if f == "overdue"),
        "follow_ups": fus.count(), "came_back": back.count(),
        "came_back_places": sorted({_where(f.action) for f in back}),
    }


def schedule_digests(city: City, members: list[Member], now: datetime) -> int:
    start, end = digest_week(city, now)
    year, number, _d = start.isocalendar()
    occasion = f"{year}-W{number:02d}"
    done = set(Notification.objects.filter(city=city, kind=EventKind.DIGEST,
                                           occasion=occasion)
               .values_list("user_id", flat=True))
    pairs = []
    for m in members:
        if m.user_id in done or not m.wants(EventKind.DIGEST):
            continue
        pairs.append((m, Event(EventKind.DIGEST, "city", city.pk,
                               digest_counts(city, m, start, end, now),
                               reverse("notifications:inbox") + f"?city={city.slug}",
                               occasion=occasion)))
    with transaction.atomic():
        return store(city, pairs, now)
