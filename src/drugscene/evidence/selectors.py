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

from django.db.models import Prefetch

from drugscene.accounts.access import Viewer
from drugscene.actions.models import Action, ActionStatus, FollowUp
from drugscene.actions.selectors import visible_actions
from drugscene.analysis.displacement import NEUTRAL_WDQ
from drugscene.cities.models import City

#: how the WDQ of an action's effect follow-up is read
DIFFUSION, DISPLACEMENT, NEITHER, NO_GAIN, NOT_READ = (
    "diffusion", "displacement", "neither", "no_gain", "not_read")


def wdq_reading(fu: FollowUp) -> str:
    """``diffusion``, ``displacement``, ``neither``, ``no_gain`` (the target did not improve
    relative to the control, so the WDQ says nothing) or ``not_read`` (figures missing)."""
    counts = (fu.target_before, fu.target_after, fu.control_before, fu.control_after)
    if any(c is None for c in counts) or not fu.control_before or not fu.control_after:
        return NOT_READ
    sm = fu.target_after / fu.control_after - fu.target_before / fu.control_before
    if sm >= 0:
        return NO_GAIN
    if fu.wdq is None:
        return NOT_READ
    if fu.wdq > NEUTRAL_WDQ:
        return DIFFUSION
    if fu.wdq < -NEUTRAL_WDQ:
        return DISPLACEMENT
    return NEITHER


@dataclass
class ActionResult:
    """One evaluated action of the kind."""

    action: Action
    follow_up: FollowUp
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


def _has_figures(fu: FollowUp) -> bool:
    return fu.computed_at is not None and fu.target_before is not None


def city_results(city: City | int, kind: str, viewer: Viewer) -> CityResults:
    """The city's own evaluated actions of ``kind`` that ``viewer`` may see."""
    city_id = city if isinstance(city, int) else city.pk
    computed = FollowUp.objects.filter(computed_at__isnull=False).order_by("due_date", "pk")
    actions = (visible_actions(viewer, city_id=city_id).filter(kind=kind)
               .exclude(status=ActionStatus.CANCELLED)
               .prefetch_related(Prefetch("follow_ups", queryset=computed))
               .order_by("-start", "-pk"))
    out = CityResults(kind=kind)
    for action in actions:
        out.actions += 1
        fus = list(action.follow_ups.all())
        effect = next((f for f in fus if _has_figures(f)), None)
        if effect is None:
            continue
        checks = [f.came_back for f in fus if f.came_back is not None]
        out.rows.append(ActionResult(
            action=action, follow_up=effect, rate_ratio=effect.rate_ratio,
            rr_low=effect.rr_low, rr_high=effect.rr_high, wdq=effect.wdq,
            reading=wdq_reading(effect), came_back=any(checks) if checks else None))
    return out
