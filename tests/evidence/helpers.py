"""Actions with follow-up figures written straight into the rows (the evaluation that
would compute them is tested in tests/evaluation)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from drugscene.actions.models import Action, FollowUp

DAY = date(2026, 1, 5)
COMPUTED = datetime(2026, 6, 1, tzinfo=UTC)


def action(world, kind: str = "hotspot_patrol", *, title: str = "Patrull",
           status: str = "done", city=None, owner=None, place=None) -> Action:
    city = city or world.city
    return Action.objects.create(
        city=city, place=place if place is not None else world.place,
        owner=owner or world.orgs["police"], kind=kind, title=title, start=DAY,
        end=date(2026, 3, 1), status=status)


def follow_up(a: Action, milestone: str = "end", *, computed: bool = True,
              counts: tuple[int, int, int, int] | None = (40, 20, 100, 100),
              rr: float | None = 0.5, wdq: float | None = None,
              came_back: bool | None = None, due: date | None = None) -> FollowUp:
    """``counts`` = (target before, target after, control before, control after)."""
    months = {"end": 0, "m3": 3, "m6": 6, "m12": 12}[milestone]
    if due is None:
        due = date(2026, 3 + months, 1) if months < 10 else date(2027, 3, 1)
    tb, ta, cb, ca = counts if counts else (None, None, None, None)
    return FollowUp.objects.create(
        action=a, milestone=milestone, due_date=due,
        computed_at=COMPUTED if computed else None,
        target_before=tb, target_after=ta, control_before=cb, control_after=ca,
        buffer_before=10 if counts else None, buffer_after=10 if counts else None,
        rate_ratio=rr, rr_low=(rr * 0.7 if rr else None), rr_high=(rr * 1.4 if rr else None),
        wdq=wdq, came_back=came_back)
