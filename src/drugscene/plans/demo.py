"""The plans part of the demo city (see drugscene.demo.loader.EXTENSIONS): a drug-policy
plan shaped like Ghent's 2020-2025 plan (seed 003) - five pillars, four priority themes, a
steering group and three thematic working groups, a yearly budget plus a line for pilots,
44 numbered actions with owners, budgets, milestones and progress notes - with gaps planted
on purpose so that the plan health check has something to find.

The planted gaps are returned and written under ``plan_gaps`` in the demo's ground truth
(``demo.ground_truth``), so a test can check the health check against this list rather than
against its own output. Each gap is ``{"kind": <finding kind>, "ref": <key>}`` with keys
``action:<number>``, ``goal:<code>``, ``sub_goal:<title>`` and ``district:<slug>``.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from drugscene.actions.models import Action, ActionStatus
from drugscene.cities.models import Area
from drugscene.indicators.models import Direction, Indicator, Measurement
from drugscene.places.models import Place, PlaceStatus
from drugscene.plans.models import (
    DEFAULT_PILLARS,
    GHENT_THEMES,
    BudgetLine,
    Goal,
    GroupKind,
    GroupMeeting,
    Milestone,
    Pillar,
    Plan,
    PlanAction,
    PlanGroup,
    ProgressNote,
    SubGoal,
    Theme,
)
from drugscene.plans.selectors import STALE_DAYS, FindingKind

K = FindingKind

#: the indicators the sub-goals measure by (slugs of the built-in catalogue)
INDICATOR_SLUGS = ("reports-drug", "survey-avoid-places", "survey-unsafe-night",
                   "wastewater-cocaine", "wastewater-amphetamine", "overdose-deaths",
                   "syringe-finds", "needle-container-collections", "consumption-room-visits",
                   "treatment-demand", "police-drug-offences")

#: (pillar, owner organisation slug, themes (indices of GHENT_THEMES), title)
ACTIONS: tuple[tuple[str, str, tuple[int, ...], str], ...] = (
    ("prevention", "kvarnbackeskolan", (0,), "Drogpolicy för varje gymnasieskola"),
    ("prevention", "kommunen", (0,), "Preventionspaket om alkohol och droger för skolor"),
    ("prevention", "trygga-kvallar", (0, 2), "Trygga kvällar i nattlivet"),
    ("prevention", "centrumforeningen", (0,), "Ansvarsfull alkoholservering på krogarna"),
    ("prevention", "fritidsgarden-larkan", (0,), "Kvällsöppet på fritidsgårdarna"),
    ("prevention", "kommunen", (0,), "Föräldrakvällar om droger"),
    ("prevention", "kommunen", (0,), "Spel- och gamingberoende i förebyggande arbete"),
    ("prevention", "faltgruppen", (0, 2), "Fältarbete vid skolor och fritidsgårdar"),
    ("prevention", "kommunen", (0,), "Kampanj mot normalisering av droger bland unga"),
    ("early_intervention", "faltgruppen", (0, 1), "Tidiga samtal med unga som använder"),
    ("early_intervention", "kvarnbackeskolan", (0, 1), "Elevhälsans vägledning vid drogmisstanke"),
    ("early_intervention", "polisen", (0, 2), "Orosanmälan efter ingripande mot unga"),
    ("early_intervention", "faltgruppen", (1,), "Mottagning för unga och deras föräldrar"),
    ("early_intervention", "kommunen", (1,), "Nyckelpersoner i bostadsområdena"),
    ("early_intervention", "ljusfjardahem", (2,), "Tidig signal från hyresvärden"),
    ("early_intervention", "faltgruppen", (0, 1), "Uppsökande arbete på nätet"),
    ("early_intervention", "kommunen", (1,), "Utbildning i tidig upptäckt för personal"),
    ("care", "sprutmottagningen", (1,), "Lågtröskelmottagning med öppet mottagande"),
    ("care", "faltgruppen", (1,), "Case management: en fast vårdkontakt"),
    ("care", "kommunen", (1,), "Tandvård för personer som använder och i återhämtning"),
    ("care", "faltgruppen", (1, 3), "Uppsökande vård till dem som inte kommer själva"),
    ("care", "kommunen", (1,), "Påverka regionen för vård efter behov"),
    ("care", "sprutmottagningen", (1,), "Läkemedelsassisterad behandling utan väntetid"),
    ("care", "kommunen", (3,), "Boende först för personer i återhämtning"),
    ("care", "kommunen", (3,), "Stegvis väg till arbete"),
    ("care", "trygga-kvallar", (3,), "Positiv bild av återhämtning"),
    ("harm_reduction", "sprutmottagningen", (1,), "Sprutbyte och rena verktyg"),
    ("harm_reduction", "kommunen", (2,), "Minst tio nya kanylbehållare"),
    ("harm_reduction", "kommunen", (2,), "Patruller som plockar upp sprutor"),
    ("harm_reduction", "sprutmottagningen", (1,), "Naloxon till personer som använder"),
    ("harm_reduction", "kommunen", (2,), "Strukturerade saneringar på utsatta platser"),
    ("harm_reduction", "sprutmottagningen", (1,), "Varningar om farliga preparat"),
    ("harm_reduction", "faltgruppen", (1, 3), "Uppsökande hälsokontroller på platserna"),
    ("harm_reduction", "sprutmottagningen", (1,), "Utredning om konsumtionsrum"),
    ("harm_reduction", "trygga-kvallar", (0,), "Drogkontroll på festivaler"),
    ("enforcement", "polisen", (2,), "Insatser mot gatu- och hemleveranslangning"),
    ("enforcement", "polisen", (2,), "Langning i och kring skolor och fritidsgårdar"),
    ("enforcement", "polisen", (2,), "Droger i trafiken"),
    ("enforcement", "polisen", (2,), "Hamnprojektet mot införsel"),
    ("enforcement", "kommunen", (2,), "Kameror på utsatta platser"),
    ("enforcement", "ljusfjardahem", (2,), "Trygghetsvandringar med hyresgäster"),
    ("enforcement", "polisen", (2,), "Områdespolis i utsatta områden"),
    ("enforcement", "kommunen", (2,), "Belysning och röjning på utsatta platser"),
    ("enforcement", "centrumforeningen", (2,), "Samverkan med handeln i centrum"),
)

#: planted action gaps by action index
NO_OWNER = (6, 22, 37)
NO_BUDGET = (15, 30)
NO_END = (11, 41)
NEVER_UPDATED = (3, 19, 33)
UPDATED_LONG_AGO = (8, 27)
#: actions with overdue milestones (not a health-check finding: shown as progress)
OVERDUE = (1, 9, 18, 28, 36)
WORKING_GROUPS = ("Arbetsgrupp riktad prevention", "Arbetsgrupp vård och återhämtning",
                  "Arbetsgrupp drogrelaterad brottslighet")


def _indicators(city) -> dict[str, Indicator]:
    """The catalogue's indicators of the city by slug; fails loudly when one is missing."""
    from drugscene.indicators.services import ensure_default_indicators

    ensure_default_indicators(city)  # idempotent: the indicators demo has run before
    found = {i.slug: i for i in Indicator.objects.filter(city=city, slug__in=INDICATOR_SLUGS)}
    missing = [s for s in INDICATOR_SLUGS if s not in found]
    if missing:
        raise RuntimeError(f"plans demo: the city {city.slug} has no indicator(s) "
                           f"{', '.join(missing)}")
    return found


def _baseline(ind: Indicator, area: Area | None, fallback: float) -> float:
    """The first measured value of the indicator (the plan's starting point), else a
    plausible fixed value."""
    m = (Measurement.objects.filter(indicator=ind, area=area, place__isnull=True, gender="",
                                    age_band="", value__isnull=False)
         .order_by("period_start").first())
    return round(m.value, 2) if m else fallback


def _target(ind: Indicator, baseline: float) -> float:
    factor = 0.75 if ind.direction == Direction.DOWN else 1.25
    return round(baseline * factor, 2)


def build(city, demo, orgs, progress) -> list[dict]:
    """Add the demo city's plan; return the planted gaps (also put in the ground truth)."""
    today = date.fromtimestamp(int(demo.reports.occurred_from.max()))
    indicators = _indicators(city)
    by_slug = {o.slug: o for o in orgs}
    gaps: list[dict] = []

    start, end = date(today.year - 2, 1, 1), date(today.year + 2, 12, 31)
    plan = Plan.objects.create(
        city=city, title=f"Drogpolitiskt program för {city.name} {start.year}–{end.year}",
        period_start=start, period_end=end, approved_on=start - timedelta(days=75),
        approved_by="Kommunfullmäktige", yearly_budget_eur=Decimal("2500000"),
        summary="Ett integrerat och balanserat program i fem pelare, med fyra prioriterade "
                "teman, en styrgrupp och tre tematiska arbetsgrupper.")
    BudgetLine.objects.create(plan=plan, label="Pilotprojekt och genomförande av "
                              "programmets åtgärder", amount_eur=Decimal("75000"))
    pillars = {code: Pillar.objects.create(plan=plan, code=code, name=name, order=i)
               for i, (code, name) in enumerate(DEFAULT_PILLARS)}
    themes = [Theme.objects.create(plan=plan, code=c, name=n, order=i)
              for i, (c, n) in enumerate(GHENT_THEMES)]
    steering = PlanGroup.objects.create(plan=plan, kind=GroupKind.STEERING,
                                        name="Styrgrupp drogpolitik")
    steering.members.set([by_slug[s] for s in ("kommunen", "polisen", "faltgruppen",
                                                "sprutmottagningen")])
    groups = [PlanGroup.objects.create(plan=plan, kind=GroupKind.WORKING, name=n)
              for n in WORKING_GROUPS]
    groups[0].members.set([by_slug[s] for s in ("kommunen", "kvarnbackeskolan",
                                                 "fritidsgarden-larkan", "trygga-kvallar")])
    groups[1].members.set([by_slug[s] for s in ("faltgruppen", "sprutmottagningen",
                                                 "kommunen")])
    groups[2].members.set([by_slug[s] for s in ("polisen", "kommunen", "ljusfjardahem",
                                                 "centrumforeningen")])
    for months_ago in (21, 9):
        GroupMeeting.objects.create(group=steering, date=today - timedelta(days=30 * months_ago),
                                    notes="Genomgång av programmets framsteg.")
    GroupMeeting.objects.create(group=steering, date=today - timedelta(days=400), open=True,
                                notes="Öppet uppföljningsmöte med hela arbetsfältet.")

    # goals and sub-goals
    goals = {}
    for code, pillar, title in (
        ("G1", "prevention", "Färre unga börjar använda droger"),
        ("G2", "early_intervention", "Fler får hjälp tidigt"),
        ("G3", "care", "Tillgänglig vård för alla som använder"),
        ("G4", "harm_reduction", "Mindre skada av droganvändning"),
        ("G5", "enforcement", "Mindre drogrelaterad brottslighet och otrygghet"),
        ("G6", None, "{city} som inkluderande stad för personer i återhämtning"),
    ):
        goals[code] = Goal.objects.create(plan=plan, code=code,
                                          title=title.format(city=city.name),
                                          pillar=pillars[pillar] if pillar else None)
    gaps.append({"kind": K.GOAL_NOT_MEASURABLE, "ref": "goal:G6"})

    worst = _worst_district(city)
    deadline = date(end.year, 12, 31)
    specs = (
        ("G1", "survey-avoid-places", worst, 30.0, "Färre undviker platser i {area}"),
        ("G1", "wastewater-cocaine", None, 400.0, "Lägre kokainbelastning i avloppsvattnet"),
        ("G2", "treatment-demand", None, 120.0, "Fler påbörjar behandling"),
        ("G2", "wastewater-amphetamine", None, 150.0,
         "Lägre amfetaminbelastning i avloppsvattnet"),
        ("G3", "consumption-room-visits", None, 2000.0, "Fler besök på lågtröskelmottagningen"),
        ("G4", "overdose-deaths", None, 8.0, "Färre dör av överdos"),
        ("G4", "syringe-finds", None, 300.0, "Färre sprutor hittas på allmän plats"),
        ("G4", "needle-container-collections", None, 5000.0,
         "Fler kanyler lämnas i behållare"),
        ("G5", "reports-drug", None, 400.0, "Färre drogrelaterade rapporter"),
        ("G5", "survey-unsafe-night", None, 35.0, "Färre känner sig otrygga på kvällen"),
    )
    for code, slug, area, fallback, title in specs:
        ind = indicators[slug]
        base = _baseline(ind, area, fallback)
        SubGoal.objects.create(goal=goals[code], title=title.format(area=area.name if area
                                                                     else ""),
                               indicator=ind, baseline=base, target=_target(ind, base),
                               deadline=deadline, area=area)
    # planted: a sub-goal with no indicator, one with no target, one with no deadline
    no_indicator = "Kortare väntetid till vård"
    SubGoal.objects.create(goal=goals["G3"], title=no_indicator, baseline=60, target=14,
                           deadline=deadline)
    gaps.append({"kind": K.SUB_GOAL_NO_INDICATOR, "ref": f"sub_goal:{no_indicator}"})
    no_target = "Polisens narkotikabrott följs upp"
    SubGoal.objects.create(goal=goals["G5"], title=no_target,
                           indicator=indicators["police-drug-offences"],
                           baseline=_baseline(indicators["police-drug-offences"], None, 500.0),
                           deadline=deadline)
    gaps.append({"kind": K.SUB_GOAL_NO_TARGET, "ref": f"sub_goal:{no_target}"})
    no_deadline = "Färre unga provar cannabis"
    SubGoal.objects.create(goal=goals["G1"], title=no_deadline,
                           indicator=indicators["survey-avoid-places"], baseline=30.0,
                           target=20.0)
    gaps.append({"kind": K.SUB_GOAL_NO_DEADLINE, "ref": f"sub_goal:{no_deadline}"})

    # actions
    pillar_goal = {"prevention": "G1", "early_intervention": "G2", "care": "G3",
                   "harm_reduction": "G4", "enforcement": "G5"}
    group_of = {"prevention": groups[0], "early_intervention": groups[0],
                "care": groups[1], "harm_reduction": groups[1], "enforcement": groups[2]}
    counters: dict[str, int] = {}
    stale_day = today - timedelta(days=STALE_DAYS + 110)
    actions = []
    for i, (pillar, owner, theme_idx, title) in enumerate(ACTIONS):
        counters[pillar] = counters.get(pillar, 0) + 1
        number = f"{list(pillars).index(pillar) + 1}.{counters[pillar]}"
        a_start = start + timedelta(days=(i * 37) % 500)
        a_end = None if i in NO_END else a_start + timedelta(days=365 + (i * 53) % 700)
        status = _status(i, a_start, a_end, today)
        budget = None if i in NO_BUDGET else Decimal(15000 + (i * 7919) % 120000)
        spent = (budget * Decimal(min(1.0, ((today - a_start).days / 700)))).quantize(
            Decimal("1")) if budget and a_start < today else None
        last = None
        if i not in NEVER_UPDATED and status not in ("done", "stopped"):
            last = stale_day if i in UPDATED_LONG_AGO else today - timedelta(days=5 + i % 60)
        a = PlanAction.objects.create(
            plan=plan, number=number, title=title, pillar=pillars[pillar],
            lead_organisation=None if i in NO_OWNER else by_slug[owner],
            working_group=group_of[pillar], budget_eur=budget, spent_eur=spent,
            start=a_start, end=a_end, status=status, last_progress=last,
            description="Åtgärd i det drogpolitiska programmet.")
        a.themes.set([themes[t] for t in theme_idx])
        a.goals.set([goals[pillar_goal[pillar]]] + ([goals["G6"]] if 3 in theme_idx else []))
        partners = [o for o in orgs if o.slug in ("kommunen", "faltgruppen", "polisen")
                    and o.slug != owner][: 1 + i % 2]
        a.partners.set(partners)
        if last is not None:
            ProgressNote.objects.create(plan_action=a, date=last,
                                        organisation=a.lead_organisation,
                                        text="Arbetet går enligt plan; nästa steg planerat.")
        _milestones(a, i, today)
        actions.append(a)
        ref = f"action:{number}"
        if i in NO_OWNER:
            gaps.append({"kind": K.ACTION_NO_OWNER, "ref": ref})
        if i in NO_BUDGET:
            gaps.append({"kind": K.ACTION_NO_BUDGET, "ref": ref})
        if i in NO_END:
            gaps.append({"kind": K.ACTION_NO_END, "ref": ref})
        if i in NEVER_UPDATED or i in UPDATED_LONG_AGO:
            assert status not in ("done", "stopped") and a_start <= today - timedelta(
                days=STALE_DAYS), (number, status, a_start)
            gaps.append({"kind": K.ACTION_STALE, "ref": ref})

    gaps += _street_work(city, actions, by_slug, today)
    demo.ground_truth["plan_gaps"] = {"as_of": today.isoformat(), "plan": plan.title,
                                      "gaps": gaps,
                                      "overdue_milestones": [ACTIONS[i][3] for i in OVERDUE]}
    return gaps


def _status(i: int, start: date, end: date | None, today: date) -> str:
    if i in NEVER_UPDATED or i in UPDATED_LONG_AGO:
        return "ongoing" if i % 2 else "planned"
    if start > today:
        return "planned"
    if end is not None and end < today:
        return "done" if i % 6 else "stopped"
    return ("ongoing", "ongoing", "delayed", "ongoing")[i % 4]


def _milestones(a: PlanAction, i: int, today: date) -> None:
    if a.start is None:
        return
    first = a.start + timedelta(days=120)
    if i in OVERDUE:
        Milestone.objects.create(plan_action=a, title="Delrapport till styrgruppen",
                                 due=today - timedelta(days=20 + i))
    elif first < today:
        Milestone.objects.create(plan_action=a, title="Uppstart klar", due=first,
                                 done_on=first - timedelta(days=3))
    Milestone.objects.create(plan_action=a, title="Utvärdering",
                             due=max(today + timedelta(days=60), a.end or today))


def _worst_district(city) -> Area | None:
    """The district with most places (for a district sub-goal)."""
    counts: dict[int, int] = {}
    for area_id in Place.objects.filter(city=city).values_list("area_id", flat=True):
        if area_id:
            counts[area_id] = counts.get(area_id, 0) + 1
    if not counts:
        return None
    return Area.objects.get(pk=max(counts, key=lambda k: (counts[k], -k)))


def _street_work(city, actions: list[PlanAction], by_slug, today: date) -> list[dict]:
    """Open operational actions, linked to plan actions, in every district with active
    scenes but one (that one is the planted gap); the planted camera action of the demo
    is linked to the plan's camera action."""
    by_title = {a.title: a for a in actions}
    outreach = by_title["Uppsökande hälsokontroller på platserna"]
    patrol = by_title["Områdespolis i utsatta områden"]
    cameras = by_title["Kameror på utsatta platser"]
    Action.objects.filter(city=city, kind="cameras").update(
        plan_action=cameras)
    open_areas = set()
    for area_id, place_area in (Action.objects.filter(city=city, status__in=(
            ActionStatus.PLANNED, ActionStatus.ONGOING)).values_list("area_id",
                                                                    "place__area_id")):
        open_areas.update(x for x in (area_id, place_area) if x)
    active = {}
    for p in (Place.objects.filter(city=city, status=PlaceStatus.ACTIVE,
                                   merged_into__isnull=True, area__isnull=False)
              .select_related("area").order_by("area__slug", "slug")):
        active.setdefault(p.area_id, p)
    todo = [area_id for area_id in active if area_id not in open_areas]
    if not todo:
        return []
    left_out = active[todo[-1]]
    for n, area_id in enumerate(todo[:-1]):
        place = active[area_id]
        plan_action = (outreach, patrol)[n % 2]
        Action.objects.create(
            city=city, place=place, area=place.area, owner=by_slug[
                "faltgruppen" if plan_action is outreach else "polisen"],
            kind="social_outreach" if plan_action is outreach else "hotspot_patrol",
            title=f"{plan_action.title}: {place.name}", start=today - timedelta(days=30),
            status=ActionStatus.ONGOING, plan_action=plan_action,
            description="Del av det drogpolitiska programmet (demo).")
    return [{"kind": K.DISTRICT_UNADDRESSED, "ref": f"district:{left_out.area.slug}"}]
