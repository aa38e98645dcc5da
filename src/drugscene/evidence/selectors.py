"""Reads of the evidence catalogue: the city's own results for a kind of action.

The city's results come from the follow-ups of its actions (``actions.FollowUp``, computed
by ``evaluation.services``), only over the actions the viewer may see
(``actions.selectors.visible_actions``). Per action:

* **effect** — the action's *first* computed follow-up that has figures (normally the one at
  the end of the action): its rate ratio against the control and its WDQ;
* **displacement or diffusion** — read from that follow-up's WDQ only when the target
  improved relative to the control (success measure ``SM = A_a/C_a − A_b/C_b < 0``, Bowers &
  Johnson 2003): WDQ above +0.1 is diffusion of benefits, below −0.1 displacement, in between
  neither (``analysis.displacement.NEUTRAL_WDQ``); with no gain the WDQ is not read;
* **came back** — whether any later follow-up found that the problem came back.

Cancelled actions are left out: their figures say nothing about the measure.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from drugscene.accounts.access import Viewer
from drugscene.actions.models import Action, ActionStatus, FollowUp
from drugscene.actions.selectors import visible_actions
from drugscene.analysis.displacement import NEUTRAL_WDQ
from drugscene.cities.models import City

#: how the WDQ of an action's effect follow-up is read
DIFFUSION, DISPLACEMENT, NEITHER, NO_GAIN, NOT_READ = (
    "diffusion", "displacement", "neither", "no_gain", "not_read")


def wdq_reading(target_before: int | None, target_after: int | None,
                control_before: int | None, control_after: int | None,
                wdq: float | None) -> str:
    """``diffusion``, ``displacement``, ``neither``, ``no_gain`` (the target did not improve
    relative to the control, so the WDQ says nothing) or ``not_read`` (figures missing)."""
    counts = (target_before, target_after, control_before, control_after)
    if any(c is None for c in counts) or not control_before or not control_after:
        return NOT_READ
    sm = target_after / control_after - target_before / control_before
    if sm >= 0:
        return NO_GAIN
    if wdq is None:
        return NOT_READ
    if wdq > NEUTRAL_WDQ:
        return DIFFUSION
    if wdq < -NEUTRAL_WDQ:
        return DISPLACEMENT
    return NEITHER


@dataclass
class ActionResult:
    """One evaluated action of the kind, read at its first computed follow-up with
    figures (``milestone``)."""

    action: Action
    milestone: str
    rate_ratio: float | None
    rr_low: float | None
    rr_high: float | None
    wdq: float | None
    reading: str
    came_back: bool | None  # None: not checked yet


@dataclass
class CityResults:
    kind: str
    actions: int = 0  # visible, not cancelled
    rows: list[ActionResult] = field(default_factory=list)

    @property
    def evaluated(self) -> int:
        return len(self.rows)

    @property
    def rate_ratios(self) -> list[float]:
        return [r.rate_ratio for r in self.rows if r.rate_ratio is not None]

    @property
    def median_rr(self) -> float | None:
        rrs = self.rate_ratios
        return statistics.median(rrs) if rrs else None

    @property
    def min_rr(self) -> float | None:
        return min(self.rate_ratios, default=None)

    @property
    def max_rr(self) -> float | None:
        return max(self.rate_ratios, default=None)

    def _count(self, reading: str) -> int:
        return sum(1 for r in self.rows if r.reading == reading)

    @property
    def diffusion(self) -> int:
        return self._count(DIFFUSION)

    @property
    def displacement(self) -> int:
        return self._count(DISPLACEMENT)

    @property
    def neither(self) -> int:
        return self._count(NEITHER)

    @property
    def no_gain(self) -> int:
        return self._count(NO_GAIN)

    @property
    def checked_came_back(self) -> int:
        return sum(1 for r in self.rows if r.came_back is not None)

    @property
    def came_back(self) -> int:
        return sum(1 for r in self.rows if r.came_back)


#: the follow-up columns read, in this order
FOLLOW_UP_FIELDS = ("action_id", "milestone", "target_before", "target_after",
                    "control_before", "control_after", "rate_ratio", "rr_low", "rr_high",
                    "wdq", "came_back")


def city_results(city: City | int, kind: str, viewer: Viewer) -> CityResults:
    """The city's own evaluated actions of ``kind`` that ``viewer`` may see (the rows
    newest first)."""
    city_id = city if isinstance(city, int) else city.pk
    # only what the table shows: no city boundary or place/district outlines per row
    actions = (visible_actions(viewer, city_id=city_id).filter(kind=kind)
               .exclude(status=ActionStatus.CANCELLED)
               .select_related(None).select_related("place", "area")
               .only("id", "city_id", "kind", "title", "start", "end", "status",
                     "place__id", "place__name", "area__id", "area__name")
               .order_by("-start", "-pk"))
    by_action: dict[int, list[tuple]] = {}
    computed = (FollowUp.objects.filter(action__in=actions.values("pk"),
                                        computed_at__isnull=False)
                .order_by("action_id", "due_date", "pk").values_list(*FOLLOW_UP_FIELDS))
    for row in computed:
        by_action.setdefault(row[0], []).append(row)
    out = CityResults(kind=kind)
    for action in actions:
        out.actions += 1
        fus = by_action.get(action.pk, [])
        effect = next((f for f in fus if f[2] is not None), None)  # has figures
        if effect is None:
            continue
        (_a, milestone, tb, ta, cb, ca, rr, low, high, wdq, _c) = effect
        checks = [f[10] for f in fus if f[10] is not None]
        out.rows.append(ActionResult(
            action=action, milestone=milestone, rate_ratio=rr, rr_low=low, rr_high=high,
            wdq=wdq, reading=wdq_reading(tb, ta, cb, ca, wdq),
            came_back=any(checks) if checks else None))
    return out
