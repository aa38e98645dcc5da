"""The indicators part of the demo city (see drugscene.demo.loader.EXTENSIONS).

Two years of made-up measurements that tell the same story as the planted reports
(docs/demo-city.md):

* **syringe finds** per district and month follow the expected scene activity of the
  district's places (``ground_truth.monthly_expected``): Centrum falls when the cameras go up
  at Stortorget while Kyrkparken (also Centrum) takes part of the flow; Hamnstaden fades
  with the petrol station; Ängsdal rises with the emerging scene in Ängsdalsskogen;
* **police drug offences** per district and month follow the same activity times the
  police's patrol weight (so they are highest where the police patrol most - the caveat);
* **wastewater** loads weekly for five substances; consumption in the catchment does not
  follow the cameras (dealing moved, use did not stop); methamphetamine and MDMA have
  weeks below the limit of detection, stored as such;
* **the safety survey** yearly per district (and by gender for the whole city), with
  confidence intervals from the sample size: avoiding places falls in Centrum after the
  cameras and rises in Ängsdal with the new scene;
* **overdose deaths** small monthly counts (and yearly by gender); **treatment demand**
  quarterly (and by gender); **needle-container collections** monthly, rising as containers
  are added. Ljusfjärda has no consumption room: that indicator stays empty.

Deterministic (a generator seeded from the demo's seed) and fast (about a thousand rows in
one bulk insert). Values are invented; they are not statistics of any real place.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np

from drugscene.cities.models import Area
from drugscene.indicators import periods as P
from drugscene.indicators.models import Indicator, Measurement
from drugscene.indicators.services import ensure_default_indicators

SEED_OFFSET = 6_0006
SURVEY_N = 400          # respondents per district and year
SOURCE_SURVEY = "Trygghetsmätning Ljusfjärda (demo)"
SOURCE_LAB = "Reningsverket, veckoprov (demo)"
WASTEWATER = {
    # slug: (level, yearly growth, weekly noise sd (log), limit of detection)
    "wastewater-cocaine": (310.0, 0.08, 0.12, 1.0),
    "wastewater-amphetamine": (160.0, -0.03, 0.15, 1.0),
    "wastewater-methamphetamine": (4.0, 0.0, 0.45, 2.5),
    "wastewater-mdma": (18.0, 0.02, 0.35, 6.0),
    "wastewater-cannabis": (75.0, 0.01, 0.18, 2.0),
}


def _complete(kind: str, start: date, end_excl: date) -> list[tuple[date, date]]:
    return [(a, b) for a, b in P.periods(start, end_excl - timedelta(days=1), kind)
            if a >= start and b < end_excl]


def build(city, demo, orgs, progress) -> None:
    """Add the demo city's indicators and two years of measurements."""
    gt = demo.ground_truth
    rng = np.random.default_rng(int(gt["generator"]["seed"]) + SEED_OFFSET)
    start = date.fromisoformat(gt["generator"]["start"])
    end_excl = date.fromisoformat(gt["generator"]["end_exclusive"])
    ensure_default_indicators(city)
    ind = {i.slug: i for i in Indicator.objects.filter(city=city)}
    areas = {a.slug: a for a in Area.objects.filter(city=city)}
    rows: list[Measurement] = []

    def add(slug: str, a: date, b: date, value: float | None, *, area=None, lod=None,
            source: str = "", **extra) -> None:
        below = value is None
        rows.append(Measurement(
            indicator=ind[slug], period_start=a, period_end=b, area=area,
            value=None if below else float(value), below_lod=below,
            lod=lod if below else None, source=source or ind[slug].source, **extra))

    months = _complete("month", start, end_excl)
    _scene_counts(add, rng, gt, demo, areas, months)
    _wastewater(add, rng, start, end_excl)
    _survey(add, rng, gt, areas, start, end_excl)
    _deaths_and_treatment(add, rng, months, start, end_excl)
    Measurement.objects.bulk_create(rows, batch_size=2000)
    progress("indicators", len(rows), len(rows))


def _district_activity(gt: dict, demo, month_labels: list[str]) -> dict[str, np.ndarray]:
    """Expected scene reports per district and month, from the ground truth."""
    me = gt["monthly_expected"]
    col = {m: i for i, m in enumerate(me["months"])}
    idx = [col[m] for m in month_labels]
    district_of = {p.slug: p.district for p in demo.places}
    out = {d["slug"]: np.zeros(len(idx)) for d in gt["districts"]}
    for slug, series in me["places"].items():
        out[district_of[slug]] += np.asarray(series, dtype=float)[idx]
    receiver = next((i["displacement"]["receiver"] for i in gt["interventions"]
                     if i.get("displacement")), None)
    if receiver:
        out[district_of[receiver]] += np.asarray(me["displaced"], dtype=float)[idx]
    return out


def _scene_counts(add, rng, gt, demo, areas, months) -> None:
    labels = [f"{a:%Y-%m}" for a, _b in months]
    activity = _district_activity(gt, demo, labels)
    total = sum(v.mean() for v in activity.values()) or 1.0
    patrol = {d["slug"]: d["police_patrol"] for d in gt["districts"]}
    city_syringes = np.zeros(len(months))
    city_offences = np.zeros(len(months))
    for slug, act in sorted(activity.items()):
        syringes = rng.poisson(1.5 + 70.0 * act / total)
        offences = rng.poisson(0.8 + 30.0 * patrol[slug] * act / total)
        city_syringes += syringes
        city_offences += offences
        for k, (a, b) in enumerate(months):
            add("syringe-finds", a, b, syringes[k], area=areas[slug])
            add("police-drug-offences", a, b, offences[k], area=areas[slug])
    for k, (a, b) in enumerate(months):
        add("syringe-finds", a, b, city_syringes[k])
        add("police-drug-offences", a, b, city_offences[k])
        # more containers every quarter: collections rise
        add("needle-container-collections", a, b,
            rng.poisson(620 + 14 * k + 60 * math.sin(2 * math.pi * a.month / 12)))


def _wastewater(add, rng, start: date, end_excl: date) -> None:
    weeks = _complete("week", start, end_excl)
    for slug, (level, growth, sd, lod) in WASTEWATER.items():
        for k, (a, b) in enumerate(weeks):
            years = k / 52.0
            season = 1 + 0.06 * math.cos(2 * math.pi * (a.timetuple().tm_yday - 200) / 365.25)
            x = level * (1 + growth) ** years * season * math.exp(rng.normal(0, sd))
            add(slug, a, b, None if x < lod else round(x, 1), lod=lod, source=SOURCE_LAB)


def _survey(add, rng, gt, areas, start: date, end_excl: date) -> None:
    """Yearly survey (fieldwork in October) per district and for the city, by gender."""
    cameras = next((date.fromisoformat(i["start"]) for i in gt["interventions"]
                    if i["kind"] == "cameras"), None)
    emerging = date.fromisoformat(gt["trends"]["emerging"]["start"])
    base_avoid = {"none": 0.16, "vulnerable": 0.27, "risk": 0.31,
                  "especially_vulnerable": 0.38}
    pops = {d["slug"]: d["population"] for d in gt["districts"]}
    for year in range(start.year, end_excl.year + 1):
        fieldwork = date(year, 10, 15)
        if not start <= fieldwork < end_excl:
            continue
        a, b = date(year, 1, 1), date(year, 12, 31)
        city = {"survey-avoid-places": [0.0, 0], "survey-unsafe-night": [0.0, 0]}
        for slug, area in sorted(areas.items()):
            p = base_avoid[area.police_class]
            if slug == "centrum":
                p += 0.10 - (0.07 if cameras and fieldwork > cameras else 0.0)
            if slug == "angsdal" and fieldwork > emerging:
                p += 0.09
            for ind_slug, shift in (("survey-avoid-places", 0.0),
                                    ("survey-unsafe-night", 0.09)):
                share = min(0.95, max(0.02, p + shift + rng.normal(0, 0.015)))
                n = SURVEY_N
                observed = rng.binomial(n, share) / n
                half = 1.96 * math.sqrt(observed * (1 - observed) / n)
                add(ind_slug, a, b, round(100 * observed, 1), area=area,
                    ci_low=round(100 * max(0, observed - half), 1),
                    ci_high=round(100 * min(1, observed + half), 1), denominator=n,
                    source=SOURCE_SURVEY)
                city[ind_slug][0] += observed * pops[slug]
                city[ind_slug][1] += pops[slug]
        for ind_slug, (weighted, pop) in city.items():
            share = weighted / pop
            n = SURVEY_N * len(areas)
            half = 1.96 * math.sqrt(share * (1 - share) / n)
            add(ind_slug, a, b, round(100 * share, 1), ci_low=round(100 * (share - half), 1),
                ci_high=round(100 * (share + half), 1), denominator=n, source=SOURCE_SURVEY)
            groups = [({"gender": "female"}, 0.07, 0.5), ({"gender": "male"}, -0.06, 0.5)]
            groups += [({"age_band": band}, delta, part) for band, delta, part in (
                ("16-29", 0.05, 0.22), ("30-49", -0.01, 0.33), ("50-64", -0.02, 0.24),
                ("65+", 0.03, 0.21))]
            for group, delta, part in groups:
                g = min(0.95, max(0.02, share + delta + rng.normal(0, 0.01)))
                size = int(n * part)
                gh = 1.96 * math.sqrt(g * (1 - g) / size)
                add(ind_slug, a, b, round(100 * g, 1), ci_low=round(100 * max(0, g - gh), 1),
                    ci_high=round(100 * min(1, g + gh), 1), denominator=size,
                    source=SOURCE_SURVEY, **group)


def _deaths_and_treatment(add, rng, months, start: date, end_excl: date) -> None:
    bands = ("<25", "25-34", "35-49", "50+")
    by_year: dict[int, dict[str, int]] = {}
    for a, b in months:
        n = int(rng.poisson(1.1))
        add("overdose-deaths", a, b, n)
        women = int(rng.binomial(n, 0.22))
        ages = rng.multinomial(n, [0.12, 0.30, 0.38, 0.20])
        year = by_year.setdefault(a.year, {"female": 0, "male": 0, "months": 0})
        year["female"] += women
        year["male"] += n - women
        year["months"] += 1
        for band, k in zip(bands, ages.tolist(), strict=True):
            year[band] = year.get(band, 0) + k
    for y, counts in by_year.items():
        if counts["months"] == 12:
            for gender in ("female", "male"):
                add("overdose-deaths", date(y, 1, 1), date(y, 12, 31), counts[gender],
                    gender=gender)
            for band in bands:
                add("overdose-deaths", date(y, 1, 1), date(y, 12, 31), counts.get(band, 0),
                    age_band=band)
    for k, (a, b) in enumerate(_complete("quarter", start, end_excl)):
        n = int(rng.poisson(58 + 3 * k))
        women = int(rng.binomial(n, 0.31))
        add("treatment-demand", a, b, n)
        add("treatment-demand", a, b, women, gender="female")
        add("treatment-demand", a, b, n - women, gender="male")
