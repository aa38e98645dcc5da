"""Weighted Displacement Quotient, rate ratio and the came-back check.

Hand-computed examples first, then one constructed case per reading, then the demo city's
planted camera displacement (Stortorget → Kyrkparken) and lighting return (Kvarnparken).
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import shapely
from scipy import stats

from drugscene.analysis import displacement as D
from drugscene.analysis.errors import AnalysisError
from drugscene.analysis.points import from_arrays
from drugscene.demo.geography import build_geography, to_lonlat, to_metres
from drugscene.demo.model import generate

DAY = 86_400
T0 = 1_700_000_000  # 2023-11-14, any epoch will do


# --- hand-computed WDQ -------------------------------------------------------------------------


def test_wdq_reproduces_a_hand_computed_example() -> None:
    # target A: 100 → 60, buffer B: 50 → 72, control C: 1000 → 1200
    res = D.wdq_from_counts(100, 60, 50, 72, 1000, 1200)
    # SM  = A_a/C_a − A_b/C_b = 60/1200 − 100/1000 = 0.05 − 0.10 = −0.05
    assert res.sm == pytest.approx(-0.05, abs=1e-12)
    # BDM = B_a/C_a − B_b/C_b = 72/1200 − 50/1000 = 0.06 − 0.05 = +0.01
    assert res.bdm == pytest.approx(0.01, abs=1e-12)
    # WDQ = BDM / SM = 0.01 / −0.05 = −0.2
    assert res.wdq == pytest.approx(-0.2, abs=1e-12)
    # TNE = A_b·(C_a/C_b) − A_a + B_b·(C_a/C_b) − B_a = 100·1.2 − 60 + 50·1.2 − 72
    #     = 60 − 12 = 48 events prevented, net of the displacement
    assert res.tne == pytest.approx(48.0, abs=1e-9)
    assert res.interpretation.code == "displacement"
    assert "displacement" in res.interpretation.sentence
    assert "48 fewer events" in res.interpretation.sentence
    assert (res.a_before, res.a_after, res.b_before, res.b_after, res.c_before,
            res.c_after) == (100, 60, 50, 72, 1000, 1200)


@pytest.mark.parametrize(("b_before", "b_after", "a_after", "code", "wdq"), [
    # SM = −0.05 throughout (A 100 → 60, C 1000 → 1200) unless said otherwise
    (200, 120, 60, "diffusion_exceeds_gain", 2.0),  # BDM = 0.1 − 0.2 = −0.1
    (50, 48, 60, "diffusion", 0.2),                 # BDM = 0.04 − 0.05 = −0.01
    (50, 63, 60, "neither", -0.05),                 # BDM = 0.0525 − 0.05 = +0.0025
    (50, 72, 60, "displacement", -0.2),             # BDM = +0.01
    (50, 150, 60, "displacement_exceeds_gain", -1.5),  # BDM = 0.125 − 0.05 = +0.075
    (50, 72, 132, "no_success", None),              # SM = 0.11 − 0.10 = +0.01
    (50, 72, 120, "no_success", None),              # SM = 0.10 − 0.10 = 0: WDQ undefined
])
def test_each_reading_of_the_wdq(b_before, b_after, a_after, code, wdq) -> None:
    res = D.wdq_from_counts(100, a_after, b_before, b_after, 1000, 1200)
    assert res.interpretation.code == code
    if wdq is not None:
        assert res.wdq == pytest.approx(wdq, abs=1e-12)
    if code == "no_success":
        assert "not meaningful" in res.interpretation.sentence
    if a_after == 120:
        assert res.sm == 0.0 and res.wdq is None
        assert "did not change" in res.interpretation.sentence


def test_neutral_band_is_configurable() -> None:
    assert D.wdq_from_counts(100, 60, 50, 63, 1000, 1200, neutral=0.01
                             ).interpretation.code == "displacement"
    assert D.interpret_wdq(-0.05, 0.1).code == "neither"  # the edge reads as neither


def test_zero_control_gives_a_verdict_not_nan() -> None:
    res = D.wdq_from_counts(10, 5, 3, 4, 0, 20)
    assert res.interpretation.code == "not_computable"
    assert res.interpretation.sentence.startswith("The WDQ cannot be computed because")
    assert res.sm is None and res.wdq is None and res.tne is None
    text = json.dumps(res.as_dict(), allow_nan=False)  # no NaN anywhere
    assert "cannot be computed" in text


def test_zero_buffer_and_zero_target_after_are_still_finite() -> None:
    res = D.wdq_from_counts(10, 0, 0, 0, 100, 100)
    assert res.sm == pytest.approx(-0.1)
    assert res.wdq == 0.0 and res.interpretation.code == "neither"
    assert any("small counts" in n for n in res.notes)
    json.dumps(res.as_dict(), allow_nan=False)


def test_counts_must_be_whole_and_non_negative() -> None:
    with pytest.raises(AnalysisError):
        D.wdq_from_counts(-1, 2, 3, 4, 5, 6)
    with pytest.raises(AnalysisError):
        D.rate_ratio(1.5, 2, 3, 4)  # type: ignore[arg-type]


# --- rate ratio --------------------------------------------------------------------------------


def test_rate_ratio_and_interval_by_hand() -> None:
    rr = D.rate_ratio(100, 60, 1000, 1200)
    # RR = (A_a/A_b)/(C_a/C_b) = (60/100)/(1200/1000) = 0.6/1.2 = 0.5
    assert rr.rr == pytest.approx(0.5, abs=1e-12)
    # var(log RR) = 1/100 + 1/60 + 1/1000 + 1/1200 = 0.0285; se = 0.168819430
    se = math.sqrt(0.0285)
    assert se == pytest.approx(0.16881943016, abs=1e-10)
    # 95 %: exp(log 0.5 ± 1.959964·se) = 0.5·exp(∓0.330876) = 0.359146 .. 0.696096
    assert rr.ci_low == pytest.approx(0.3591457, abs=1e-6)
    assert rr.ci_high == pytest.approx(0.6960964, abs=1e-6)
    # z = log 0.5 / se = −0.693147 / 0.168819 = −4.10585; p = 2·Φ(−4.10585) ≈ 4.03e-5
    assert rr.z == pytest.approx(-4.1058495, abs=1e-6)
    assert rr.p == pytest.approx(2 * stats.norm.sf(4.1058495), rel=1e-5)
    assert rr.change_percent == pytest.approx(-50.0)
    assert rr.significant and not rr.continuity_corrected
    # the exact conditional estimate and interval are close to the approximation here
    assert rr.exact_rr == pytest.approx(0.5, rel=0.02)
    assert rr.exact_ci_low == pytest.approx(rr.ci_low, rel=0.05)
    assert rr.exact_ci_high == pytest.approx(rr.ci_high, rel=0.05)
    assert 0 < rr.exact_p < 1e-3


def test_rate_ratio_dispersion_widens_the_interval() -> None:
    plain, wide = D.rate_ratio(100, 60, 1000, 1200), D.rate_ratio(100, 60, 1000, 1200,
                                                                  dispersion=2.0)
    assert wide.rr == plain.rr
    assert math.log(wide.ci_high / wide.rr) == pytest.approx(
        math.sqrt(2) * math.log(plain.ci_high / plain.rr))


def test_rate_ratio_zero_counts() -> None:
    rr = D.rate_ratio(12, 0, 500, 480)
    assert rr.continuity_corrected and "0.5 was added" in rr.note
    # (0.5/12.5)/(480.5/500.5)
    assert rr.rr == pytest.approx((0.5 / 12.5) / (480.5 / 500.5))
    assert rr.exact_rr == 0.0 and rr.exact_ci_low == 0.0  # the exact one needs no fudge
    none = D.rate_ratio(0, 0, 500, 480)
    assert not none.estimable and "target has no events" in none.note
    assert "cannot be computed" in none.describe()
    json.dumps(none.as_dict(), allow_nan=False)


# --- areas -------------------------------------------------------------------------------------


def square(lon0: float, lat0: float, half: float) -> shapely.Polygon:
    return shapely.box(lon0 - half, lat0 - half, lon0 + half, lat0 + half)


def test_ring_buffer_has_the_expected_area() -> None:
    # a 100 m circle and a 300 m ring around it, built in SWEREF 99 TM
    centre = shapely.Point(16.9, 59.0)
    import pyproj

    fwd = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
    back = pyproj.Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True)
    cx, cy = fwd.transform(centre.x, centre.y)
    circle_m = shapely.Point(cx, cy).buffer(100, quad_segs=64)
    xy = np.asarray(circle_m.exterior.coords)
    circle = shapely.Polygon(np.column_stack(back.transform(xy[:, 0], xy[:, 1])))
    ring = D.ring_buffer(circle, 300, "EPSG:3006")
    ring_m = shapely.transform(ring, lambda a: np.column_stack(fwd.transform(a[:, 0],
                                                                             a[:, 1])))
    assert ring_m.area == pytest.approx(math.pi * (400**2 - 100**2), rel=0.01)
    assert shapely.intersection(ring, circle).area < 1e-6 * circle.area
    with pytest.raises(AnalysisError, match="positive number of metres"):
        D.ring_buffer(circle, 0)


def test_target_wins_over_buffer_and_boundaries_belong() -> None:
    target = square(10.0, 50.0, 0.01)
    buffer = square(10.0, 50.0, 0.03)  # covers the target too
    lon = np.array([10.0, 10.02, 10.01, 11.0])
    lat = np.array([50.0, 50.0, 50.0, 50.0])
    assert D.assign_areas(lon, lat, target, buffer).tolist() == [1, 2, 1, 0]


@pytest.mark.parametrize("bad", [shapely.Polygon(), shapely.LineString([(0, 0), (1, 1)]),
                                 "not a polygon"])
def test_empty_or_wrong_polygons_are_refused(bad) -> None:
    with pytest.raises(AnalysisError):
        D.polygon(bad, "target")


# --- constructed before/after data -------------------------------------------------------------


def events(n: int, lon0: float, lat0: float, t_from: int, t_to: int, half: float = 0.001,
           seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` events spread evenly in time over [t_from, t_to) in a small square."""
    rng = np.random.default_rng(seed)
    t = t_from + ((np.arange(n) + 0.5) * (t_to - t_from) / max(n, 1)).astype(np.int64)
    return (lon0 + rng.uniform(-half, half, n), lat0 + rng.uniform(-half, half, n), t)


def build(parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]]):
    lon = np.concatenate([p[0] for p in parts])
    lat = np.concatenate([p[1] for p in parts])
    t = np.concatenate([p[2] for p in parts])
    return from_arrays(lon, lat, t)


TARGET = square(10.0, 50.0, 0.002)
BUFFER = shapely.difference(square(10.0, 50.0, 0.006), TARGET)
CONTROL = square(10.2, 50.0, 0.01)


def test_weighted_displacement_counts_by_area_and_window() -> None:
    date = T0 + 100 * DAY
    pts = build([
        events(100, 10.0, 50.0, T0, date),                    # target before
        events(60, 10.0, 50.0, date, date + 100 * DAY),       # target after
        events(50, 10.004, 50.0, T0, date, 0.0005),           # buffer before
        events(72, 10.004, 50.0, date, date + 100 * DAY, 0.0005),
        events(1000, 10.2, 50.0, T0, date, 0.005),            # control
        events(1200, 10.2, 50.0, date, date + 100 * DAY, 0.005),
        events(500, 12.0, 50.0, T0, date + 100 * DAY),        # elsewhere: ignored
    ])
    # the data's extent is known here; by default it is the first to the last event
    res = D.weighted_displacement(pts, TARGET, CONTROL, date, buffer=BUFFER, data_start=T0,
                                  data_end=date + 100 * DAY)
    assert (res.a_before, res.a_after, res.b_before, res.b_after, res.c_before,
            res.c_after) == (100, 60, 50, 72, 1000, 1200)
    assert res.wdq == pytest.approx(-0.2)
    assert res.before.days == pytest.approx(100, abs=0.01)
    assert res.after.days == pytest.approx(100, abs=0.01)
    out = res.as_dict()
    json.dumps(out, allow_nan=False)
    assert out["counts"]["buffer"] == {"before": 50, "after": 72}
    assert out["target_vs_control"]["rr"] == pytest.approx(0.5)
    # explicit, shorter windows
    short = D.weighted_displacement(pts, TARGET, CONTROL, date, buffer=BUFFER,
                                    before_days=50, after_days=50)
    inferred = D.weighted_displacement(pts, TARGET, CONTROL, date, buffer=BUFFER)
    assert inferred.before.days == pytest.approx(100, abs=0.1)
    assert short.a_before == 50 and short.c_after == 600


def test_bad_input_is_refused_with_a_message() -> None:
    date = T0 + 100 * DAY
    pts = build([events(100, 10.0, 50.0, T0, date + 100 * DAY),
                 events(1000, 10.2, 50.0, T0, date + 100 * DAY, 0.005)])
    with pytest.raises(AnalysisError, match="outside the data"):
        D.weighted_displacement(pts, TARGET, CONTROL, T0 - 5 * DAY, buffer=BUFFER)
    with pytest.raises(AnalysisError, match="outside the data"):
        D.weighted_displacement(pts, TARGET, CONTROL, date + 300 * DAY, buffer=BUFFER)
    with pytest.raises(AnalysisError, match="before the data"):
        D.weighted_displacement(pts, TARGET, CONTROL, date, buffer=BUFFER, before_days=150)
    with pytest.raises(AnalysisError, match="overlaps the target"):
        D.weighted_displacement(pts, TARGET, square(10.0, 50.0, 0.05), date, buffer=BUFFER)
    with pytest.raises(AnalysisError, match="no events"):
        D.weighted_displacement(pts, TARGET, square(11.0, 50.0, 0.01), date, buffer=BUFFER)
    with pytest.raises(AnalysisError, match="empty"):
        D.weighted_displacement(pts, shapely.Polygon(), CONTROL, date, buffer=BUFFER)
    with pytest.raises(AnalysisError, match="either a buffer"):
        D.weighted_displacement(pts, TARGET, CONTROL, date)
    with pytest.raises(AnalysisError, match="either a buffer"):
        D.weighted_displacement(pts, TARGET, CONTROL, date, buffer=BUFFER, buffer_m=100)
    with pytest.raises(AnalysisError, match="ISO 8601"):
        D.weighted_displacement(pts, TARGET, CONTROL, "next tuesday", buffer=BUFFER)
    # cutting the target and buffer out of an overlapping control is allowed on request
    res = D.weighted_displacement(pts, TARGET, square(10.1, 50.0, 0.2), date, buffer=BUFFER,
                                  cut_control=True)
    assert res.c_before == 500 and "cut out" in res.notes[0]


# --- came back? --------------------------------------------------------------------------------


def scenario(before: int, during: int, after: int, *, control=(1000, 1000, 1000)):
    """Target counts in three 100-day windows (before, during, after), and a control."""
    s, e = T0 + 100 * DAY, T0 + 200 * DAY
    windows = [(T0, s), (s, e), (e, T0 + 300 * DAY)]
    parts = [events(k, 10.0, 50.0, a, b, seed=i) for i, (k, (a, b)) in
             enumerate(zip((before, during, after), windows, strict=True))]
    parts += [events(k, 10.2, 50.0, a, b, 0.005, seed=10 + i) for i, (k, (a, b)) in
              enumerate(zip(control, windows, strict=True))]
    return build(parts), s, e


def test_came_back_flags_a_constructed_return() -> None:
    pts, s, e = scenario(1000, 300, 900)
    res = D.came_back(pts, TARGET, s, e)
    assert res.came_back and res.interpretation.code == "came_back"
    assert (res.a_before, res.a_during, res.a_after) == (1000, 300, 900)
    assert res.rate_during == pytest.approx(3.0, rel=1e-3)
    assert res.rise_ratio == pytest.approx(3.0, rel=1e-3)
    assert res.share_of_before == pytest.approx(0.9, rel=1e-3)
    # the conditional binomial test: 900 of 1200 with p0 = 1/2
    assert res.p_rise == pytest.approx(stats.binomtest(900, 1200, 0.5,
                                                       alternative="greater").pvalue)
    json.dumps(res.as_dict(), allow_nan=False)
    with_control = D.came_back(pts, TARGET, s, e, control=CONTROL)
    assert with_control.came_back and with_control.c_during == 1000


def test_came_back_does_not_flag_a_lasting_effect() -> None:
    pts, s, e = scenario(1000, 300, 310)
    res = D.came_back(pts, TARGET, s, e)
    assert not res.came_back and res.interpretation.code == "stayed_low"
    assert res.p_drop < 1e-10 and res.p_rise > 0.05


def test_came_back_partial_return_and_no_effect() -> None:
    pts, s, e = scenario(1000, 300, 450)  # a clear rise, but to 45 % only
    res = D.came_back(pts, TARGET, s, e)
    assert not res.came_back and res.interpretation.code == "partial_return"
    assert D.came_back(pts, TARGET, s, e, share=0.4).came_back
    pts, s, e = scenario(1000, 1000, 1000)
    assert D.came_back(pts, TARGET, s, e).interpretation.code == "no_effect"


def test_a_control_takes_out_a_city_wide_rise() -> None:
    # the target stayed at its lowered level relative to a control that doubled everywhere
    pts, s, e = scenario(1000, 300, 600, control=(1000, 1000, 2000))
    assert D.came_back(pts, TARGET, s, e).came_back  # naive: it looks like a return
    res = D.came_back(pts, TARGET, s, e, control=CONTROL)
    assert not res.came_back and res.rise_ratio == pytest.approx(1.0, rel=1e-3)


def test_came_back_bad_input() -> None:
    pts, s, e = scenario(100, 30, 90)
    with pytest.raises(AnalysisError, match="end after it starts"):
        D.came_back(pts, TARGET, e, s)
    with pytest.raises(AnalysisError, match="no after period"):
        D.came_back(pts, TARGET, s, T0 + 400 * DAY)
    with pytest.raises(AnalysisError, match="no before period"):
        D.came_back(pts, TARGET, T0 - 10 * DAY, e)
    with pytest.raises(AnalysisError, match="control area has no events"):
        D.came_back(pts, TARGET, s, e, control=square(11.0, 50.0, 0.01))
    with pytest.raises(AnalysisError, match="overlaps"):
        D.came_back(pts, TARGET, s, e, control=square(10.0, 50.0, 0.1))


def test_windows_are_cut_to_the_data_and_noted() -> None:
    pts, s, e = scenario(1000, 300, 900)
    res = D.came_back(pts, TARGET, s, e, window_days=150)
    assert res.before.days == pytest.approx(100, abs=0.1)  # from the first event on
    assert any("cut to the data" in n for n in res.notes)


# --- the demo city -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo():
    city = generate(seed=20261124, n_reports=40_000)
    r = city.reports
    keep = r.review != 3  # drop the reports marked as duplicates, as an analyst would
    pts = from_arrays(r.lon[keep], r.lat[keep], r.occurred_from[keep])
    return city, pts


def circle(city, slug: str, radius_m: float) -> shapely.Polygon:
    place = next(p for p in city.places if p.slug == slug)
    x, y = to_metres(np.array([place.lon]), np.array([place.lat]))
    ring = np.asarray(shapely.Point(x[0], y[0]).buffer(radius_m, quad_segs=32).exterior.coords)
    lon, lat = to_lonlat(ring[:, 0], ring[:, 1])
    return shapely.Polygon(np.column_stack([lon, lat]))


def local_midnight(city, day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=ZoneInfo(city.timezone)).timestamp())


def intervention(city, kind: str) -> dict:
    return next(i for i in city.ground_truth["interventions"] if i["kind"] == kind)


def test_demo_cameras_show_displacement_to_kyrkparken(demo) -> None:
    city, pts = demo
    cams = intervention(city, "cameras")
    receiver = cams["displacement"]["receiver"]
    target = circle(city, cams["place"], 100)
    res = D.weighted_displacement(pts, target, build_geography().city_shape,
                                  local_midnight(city, cams["start"]),
                                  buffer=circle(city, receiver, 180), cut_control=True)
    assert res.sm < 0 and res.wdq < 0
    assert -1.0 < res.wdq < -0.25  # planted: about −0.5
    assert res.interpretation.code == "displacement"
    assert res.target_rr.rr < 0.45 and res.target_rr.significant  # planted: −70 %
    assert res.buffer_rr.rr > 2 and res.buffer_rr.significant
    assert res.tne > 0


def test_demo_cameras_with_a_ring_and_a_distant_district(demo) -> None:
    city, pts = demo
    cams = intervention(city, "cameras")
    target = circle(city, cams["place"], 100)
    date = local_midnight(city, cams["start"])
    geo = build_geography()
    ring = D.weighted_displacement(pts, target, geo.city_shape, date, buffer_m=400,
                                   metric_crs=city.metric_crs, cut_control=True)
    assert ring.sm < 0 and ring.wdq < 0 and ring.interpretation.code == "displacement"
    district = dict(zip((d.slug for d in geo.districts), geo.district_shapes, strict=True))
    far = D.weighted_displacement(pts, target, district["strandangen"], date,
                                  buffer=circle(city, cams["displacement"]["receiver"], 180))
    assert far.sm < 0 and far.wdq < 0


def test_demo_kvarnparken_came_back_after_the_lighting_project(demo) -> None:
    city, pts = demo
    light = intervention(city, "lighting_and_activities")
    assert light["returns"]
    target = circle(city, light["place"], 150)
    start, end = local_midnight(city, light["start"]), local_midnight(city, light["end"])
    res = D.came_back(pts, target, start, end)
    assert res.came_back, res.interpretation.sentence
    assert res.p_drop < 0.05  # the project did lower the rate while it ran
    rel = D.came_back(pts, target, start, end, control=build_geography().city_shape,
                      cut_control=True)
    assert rel.came_back, rel.interpretation.sentence


def test_demo_cameras_that_stay_are_not_flagged_as_a_return(demo) -> None:
    # the cameras never go: checking "after" the first half year must not flag a return
    city, pts = demo
    cams = intervention(city, "cameras")
    target = circle(city, cams["place"], 100)
    start = local_midnight(city, cams["start"])
    res = D.came_back(pts, target, start, start + 182 * DAY,
                      control=build_geography().city_shape, cut_control=True)
    assert not res.came_back
    assert res.share_of_before < 0.5
