"""Hot-spot forecasts: SEPP recovers a known Hawkes process; rolling origin on the demo city."""

from __future__ import annotations

import math

import numpy as np
import pytest

from drugscene.analysis import forecast as fc
from drugscene.analysis.area import StudyArea
from drugscene.analysis.errors import AnalysisError
from drugscene.analysis.grid import h3_grid
from drugscene.analysis.points import Points, from_arrays

DAY = 86_400


def simulate_hawkes(seed: int, *, mu: float = 8.0, days: float = 365.0, side: float = 4000.0,
                    theta: float = 0.5, omega: float = 0.5, sigma: float = 50.0
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Branching simulation (Hawkes 1974; Zhuang et al. 2002): Poisson background on a square,
    each event has Poisson(θ) offspring after Exp(ω) days, displaced by N(0, σ²) in x and y.
    Loops over generations, never over events."""
    rng = np.random.default_rng(seed)
    n0 = rng.poisson(mu * days)
    t = rng.uniform(0, days, n0)
    x = rng.uniform(0, side, n0)
    y = rng.uniform(0, side, n0)
    ts, xs, ys = [t], [x], [y]
    while t.size:
        kids = rng.poisson(theta, t.size)
        parent = np.repeat(np.arange(t.size), kids)
        t = t[parent] + rng.exponential(1 / omega, parent.size)
        x = x[parent] + rng.normal(0, sigma, parent.size)
        y = y[parent] + rng.normal(0, sigma, parent.size)
        keep = t < days
        t, x, y = t[keep], x[keep], y[keep]
        ts.append(t)
        xs.append(x)
        ys.append(y)
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(ts)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sepp_em_recovers_a_simulated_hawkes_process(seed):
    x, y, t = simulate_hawkes(seed)
    fit = fc.fit_sepp_xy(x, y, t * DAY,
                         options=fc.SeppOptions(fit_days=math.inf, background_bandwidth_m=300))
    assert fit.converged and fit.sample_share == 1.0
    assert fit.params.theta == pytest.approx(0.5, abs=0.06)
    assert 1 / fit.params.omega == pytest.approx(2.0, rel=0.15)
    assert fit.params.sigma == pytest.approx(50.0, rel=0.15)
    # half the events of a θ = 0.5 process are background (1 − θ)
    assert fit.background_share == pytest.approx(0.5, abs=0.06)


def test_sepp_with_a_sampled_e_step_stays_close():
    x, y, t = simulate_hawkes(4)
    fit = fc.fit_sepp_xy(x, y, t * DAY, options=fc.SeppOptions(
        fit_days=math.inf, background_bandwidth_m=300, max_pairs=15_000, seed=4))
    assert fit.sample_share < 0.35
    assert fit.params.theta == pytest.approx(0.5, abs=0.1)
    assert 1 / fit.params.omega == pytest.approx(2.0, rel=0.25)
    again = fc.fit_sepp_xy(x, y, t * DAY, options=fc.SeppOptions(
        fit_days=math.inf, background_bandwidth_m=300, max_pairs=15_000, seed=4))
    assert again.params == fit.params  # seeded: reproducible


def test_sepp_without_contagion_finds_little_triggering():
    rng = np.random.default_rng(5)
    n = 3000
    x, y, t = rng.uniform(0, 4000, n), rng.uniform(0, 4000, n), rng.uniform(0, 365, n)
    fit = fc.fit_sepp_xy(x, y, t * DAY,
                         options=fc.SeppOptions(fit_days=math.inf, background_bandwidth_m=300))
    assert fit.background_share > 0.9


def test_truncated_moment_solvers_round_trip():
    for omega in (0.05, 0.5, 3.0, 40.0):
        w = 14.0
        mean = w * fc._trunc_mean(omega * w)
        assert fc._solve_omega(mean, w) == pytest.approx(omega, rel=1e-8)
    for sigma in (5.0, 50.0, 200.0):
        r = 500.0
        a = r * r / (2 * sigma * sigma)
        assert fc._solve_sigma(r * r * fc._trunc_mean(a), r) == pytest.approx(sigma, rel=1e-8)
    # no decay within the window: the slowest decay allowed
    assert fc._solve_omega(7.0, 14.0) == pytest.approx(1 / (fc.SLOWEST_DECAY_WINDOWS * 14.0))


def test_self_term_is_what_a_point_adds_to_its_own_sample():
    nodes = fc.NodeGrid(0.0, 0.0, 10.0, 60, 50)
    rng = np.random.default_rng(6)
    win = nodes.window(25.0)
    for px, py in rng.uniform(100, 400, (5, 2)):
        x, y = np.array([px]), np.array([py])
        dens = nodes.smooth(x, y, None, 25.0)
        assert nodes.sample(dens, x, y)[0] == pytest.approx(nodes.self_term(win, x, y)[0],
                                                            rel=1e-9)


def test_sepp_prediction_integrates_background_and_offspring():
    x, y, t = simulate_hawkes(7, days=120.0)
    order = np.argsort(t)
    x, y, t = x[order], y[order], t[order]
    nodes = fc.NodeGrid.covering(x, y, 25.0, margin=1500.0)
    fit = fc.fit_sepp(x, y, t, t_end=100.0, nodes=nodes,
                      options=fc.SeppOptions(fit_days=100.0, background_bandwidth_m=300))
    dens = fc.predict_sepp(fit, x, y, t, 100.0, 7.0)
    total = dens.sum() * nodes.spacing ** 2
    p = fit.params
    age = 100.0 - t[t < 100.0]
    offspring = p.theta * (np.exp(-p.omega * age) - np.exp(-p.omega * (age + 7.0))).sum()
    background = fit.background.sum() * nodes.spacing ** 2 * 7.0
    assert total == pytest.approx(background + offspring, rel=1e-6)
    # the background rate is the expected number of background events per day
    assert fit.background.sum() * nodes.spacing ** 2 == pytest.approx(
        fit.background_share * fit.n_events / 100.0, rel=1e-3)


# --------------------------------------------------------------------------- demo city


@pytest.fixture(scope="module")
def demo():
    from drugscene.demo.geography import build_geography
    from drugscene.demo.model import generate

    city = generate(n_reports=20_000)
    r = city.reports
    pts = Points(np.asarray(r.lon, dtype=float), np.asarray(r.lat, dtype=float),
                 np.asarray(r.occurred_from, dtype=np.int64), None, "demo")
    area = StudyArea("city boundary", build_geography().city_shape, "demo")
    grid = h3_grid(area, 9, pts)
    report = fc.rolling_origin(pts, grid, city.metric_crs, step_seconds=7 * DAY,
                               coverage=0.05, origins=6, area=area)
    return city, pts, grid, report


def test_prior_counts_beat_random_flagging_by_far(demo):
    _, _, _, report = demo
    hit = report.values("prior_counts", "hit_rate")
    share = report.rows[0].flagged_cells / report.n_cells
    assert len(hit) == 6
    assert hit.mean() > 8 * share            # random flagging catches `share` on average
    assert report.means("prior_counts")["pai"] > 8


def test_the_planted_persistent_scenes_are_flagged(demo):
    city, _, grid, report = demo
    persistent = set(city.ground_truth["scenes"]["persistent"])
    places = [p for p in city.places if p.slug in persistent]
    assert len(places) == 8
    cells = grid.index_of(np.array([p.lon for p in places]), np.array([p.lat for p in places]))
    assert (cells >= 0).all()
    for method in report.methods:
        flagged = report.flagged[method]
        share = np.mean([np.isin(cells, f).mean() for f in flagged])
        assert share >= 0.85, method


def test_every_method_is_scored_and_judged(demo):
    _, _, _, report = demo
    assert report.methods == ["prior_counts", "prior_mean_4", "recency_kde", "sepp"]
    for m in report.methods:
        for key in ("hit_rate", "pai", "pei"):
            v = report.values(m, key)
            assert np.isfinite(v).all() and len(v) == 6
        assert (report.values(m, "pei") <= 1 + 1e-12).all()
    verdicts = {c.method: c.verdict for c in report.comparisons}
    assert verdicts["prior_counts"] == "baseline"
    assert set(verdicts.values()) <= {"baseline", "beats naive", "does not beat naive"}
    assert len(report.sepp_fits) == 6
    assert "does not beat naive" in report.verdict_table() or \
        "beats naive" in report.verdict_table()


def test_scores_csv(demo, tmp_path):
    _, _, _, report = demo
    path = tmp_path / "scores.csv"
    report.to_csv(path)
    lines = path.read_text().splitlines()
    assert lines[0] == "method,origin,hit_rate,pai,pei,events,flagged_cells"
    assert len(lines) == 1 + 6 * 4 + 4
    assert lines[-1].startswith("sepp,mean,")


def test_rolling_origin_is_deterministic(demo):
    city, pts, grid, report = demo
    again = fc.rolling_origin(pts, grid, city.metric_crs, step_seconds=7 * DAY,
                              coverage=0.05, origins=6)
    assert [(r.method, r.origin, r.hit_rate) for r in again.rows] == \
        [(r.method, r.origin, r.hit_rate) for r in report.rows]


def test_bad_input_gives_clear_errors(demo):
    city, pts, grid, _ = demo
    crs = city.metric_crs
    empty = Points(np.empty(0), np.empty(0), np.empty(0, dtype=np.int64))
    with pytest.raises(AnalysisError, match="No points"):
        fc.rolling_origin(empty, grid, crs, step_seconds=7 * DAY)
    short = pts.subset(pts.t < pts.t.min() + 15 * DAY)
    with pytest.raises(AnalysisError, match="at least 2 periods of history"):
        fc.rolling_origin(short, grid, crs, step_seconds=7 * DAY)
    for bad in (0.0, 1.0, 1.5, -0.2):
        with pytest.raises(AnalysisError, match="strictly between 0 and 1"):
            fc.rolling_origin(pts, grid, crs, step_seconds=7 * DAY, coverage=bad)
    with pytest.raises(AnalysisError, match="Unknown forecast method"):
        fc.rolling_origin(pts, grid, crs, step_seconds=7 * DAY, methods=["crystal_ball"])
    far = from_arrays([10.0, 10.001], [50.0, 50.001], [0, DAY])
    with pytest.raises(AnalysisError, match="None of the points"):
        fc.rolling_origin(far, grid, crs, step_seconds=7 * DAY)


def test_few_steps_reduce_the_origins_with_a_note(demo):
    city, pts, grid, _ = demo
    part = pts.subset(pts.t < pts.t.min() + 40 * DAY)
    rep = fc.rolling_origin(part, grid, city.metric_crs, step_seconds=7 * DAY, origins=8,
                            methods=["prior_counts", "prior_mean"])
    assert len(rep.origins) <= 4
    assert any("forecast origin" in n for n in rep.notes)


@pytest.mark.parametrize("res", [9, 11, 12])
def test_cell_integrals_of_a_uniform_density_are_cell_areas(res):
    """Mean node density × exact cell area: exact for a uniform density, also for cells that
    hold only a few 25 m nodes (res 11, ~1,600 m²) or none (res 12, ~300 m²: the density at
    the centroid × the area)."""
    import h3
    from shapely.geometry import box

    area = StudyArea("polygon", box(16.89, 58.995, 16.91, 59.005))
    grid = h3_grid(area, res)
    lon, lat = grid.centroids()
    from drugscene.analysis.kde import project_points

    x, y = project_points(Points(lon, lat, np.zeros(lon.size, dtype=np.int64)), "EPSG:3006")
    nodes = fc.NodeGrid.covering(x, y, 25.0, margin=500.0)
    nodes = fc._link_nodes(nodes, grid, "EPSG:3006", grid.n_cells)
    integrate = fc._CellIntegrator(nodes, grid, "EPSG:3006", grid.n_cells)
    got = integrate(np.full((nodes.ny, nodes.nx), 1e-6))
    want = np.array([h3.cell_area(h3.int_to_str(int(c)), unit="m^2") for c in grid.cells])
    want *= 1e-6
    assert (integrate.empty.size > 0) == (res == 12)
    np.testing.assert_allclose(got, want, rtol=1e-9)
    # a density ramp in x: the cell value is the mean over its nodes, close to the centre's
    gx, _ = nodes.xy()
    ramp = (1e-6 * (1 + (gx - gx.min()) / 1000.0)).reshape(nodes.ny, nodes.nx)
    at_centre = nodes.sample(ramp, x, y) * want / 1e-6
    np.testing.assert_allclose(integrate(ramp), at_centre, rtol=0.02)
