"""The visibility matrix: every role of every organisation against every visibility level,
through every read path (selector, API list, API GeoJSON, API detail, hexagon counts).

The expected answer is the rule written out independently here:
a member of the city sees public and partner reports; a restricted report only when one of
their organisations is named or made it; people outside the city, and anonymous callers,
see nothing.
"""

from __future__ import annotations

import itertools

import pytest
from django.test import Client

from drugscene.accounts.access import ANONYMOUS
from drugscene.accounts.models import Role
from drugscene.accounts.tokens import create_token
from drugscene.reports.selectors import ReportFilter, filter_reports, hexagon_counts
from tests import factories

ORGS = list(factories.ORG_KINDS)
ROLES = list(Role.values)


@pytest.fixture
def matrix(world):
    """Reports at each level, made by the police (restricted to police) and by the housing
    company (restricted to housing + municipality)."""
    w = world
    made = {
        "public": factories.report(w, "police_reporter", visibility="public"),
        "partners": factories.report(w, "police_reporter", visibility="partners"),
        "police_only": factories.report(w, "police_reporter", visibility="restricted",
                                        restricted_to=[w.orgs["police"].pk]),
        "housing_muni": factories.report(
            w, "housing_reporter", visibility="restricted",
            restricted_to=[w.orgs["housing"].pk, w.orgs["municipality"].pk]),
    }
    return made


def expected(org: str | None, level: str) -> bool:
    if org is None:
        return False
    if level in ("public", "partners"):
        return True
    if level == "police_only":
        return org == "police"
    return org in ("housing", "municipality")


CASES = [(o, r, lvl) for o, r in itertools.product(ORGS, ROLES)
         for lvl in ("public", "partners", "police_only", "housing_muni")]


@pytest.mark.parametrize(("org", "role", "level"), CASES)
def test_selector_matrix(world, matrix, org: str, role: str, level: str) -> None:
    viewer = world.viewer(f"{org}_{role}")
    seen = set(filter_reports(viewer, ReportFilter(city_id=world.city.pk))
               .values_list("id", flat=True))
    assert (matrix[level].pk in seen) == expected(org, level)


@pytest.mark.parametrize(("org", "role"), list(itertools.product(ORGS, ROLES)))
def test_api_matrix(world, matrix, org: str, role: str) -> None:
    _, raw = create_token(world.users[f"{org}_{role}"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    listed = {r["id"] for r in client.get("/api/v1/reports").json()["results"]}
    geo = {f["id"] for f in client.get("/api/v1/reports?format=geojson").json()["features"]}
    hexes = client.get("/api/v1/reports/hexagons?resolution=9").json()["total"]
    want = {r.pk for lvl, r in matrix.items() if expected(org, lvl)}
    assert listed == want
    assert geo == want
    assert hexes == len(want)
    for lvl, r in matrix.items():
        status = client.get(f"/api/v1/reports/{r.pk}").status_code
        assert status == (200 if expected(org, lvl) else 404), lvl


def test_outsider_and_anonymous_see_nothing(world, matrix) -> None:
    outsider = world.viewer("outsider")
    assert not filter_reports(outsider, ReportFilter()).exists()
    assert not filter_reports(ANONYMOUS, ReportFilter()).exists()
    _, raw = create_token(world.users["outsider"])
    r = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/reports")
    assert r.status_code == 404  # no city of their own
    assert Client().get("/api/v1/reports").status_code == 401
    assert Client().get(f"/api/v1/reports/{matrix['public'].pk}").status_code == 401


def test_other_city_members_see_nothing(world, matrix) -> None:
    other = factories.make_city("annanstad")
    org = factories.Organisation.objects.create(city=other, slug="police", name="P",
                                                kind="police")
    user = factories.make_user("p2", org, "coordinator")
    viewer = factories.viewer_for(user)
    assert not filter_reports(viewer, ReportFilter(city_id=world.city.pk)).exists()
    assert not filter_reports(viewer, ReportFilter()).exists()


def test_superuser_sees_everything(world, matrix) -> None:
    su = factories.make_user("root", None, None, is_superuser=True, is_staff=True)
    viewer = factories.viewer_for(su)
    got = set(filter_reports(viewer, ReportFilter(city_id=world.city.pk))
              .values_list("id", flat=True))
    assert got == {r.pk for r in matrix.values()}


def test_hexagon_counts_add_up(world, matrix) -> None:
    viewer = world.viewer("police_viewer")
    qs = filter_reports(viewer, ReportFilter(city_id=world.city.pk))
    for res in (6, 9, 12):
        assert sum(n for _, n in hexagon_counts(qs, res)) == qs.count()
