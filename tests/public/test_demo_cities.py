"""Two demo cities side by side: their own name, statistics, users and place on the map;
rebuilding or removing one leaves the other as it was."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from django.contrib.auth import authenticate, get_user_model
from shapely.geometry import Polygon

from drugscene.accounts.models import Membership
from drugscene.cities.models import Area, City
from drugscene.demo import loader, model
from drugscene.reports.models import Report
from tests.public.conftest import load_demo


@pytest.fixture(scope="module")
def sister():
    start = date.today() - timedelta(days=730)
    return model.generate(seed=6, n_reports=2500, start=start.isoformat(), days=730,
                          slug="gryningsvik")


def test_a_further_demo_city_differs(small_demo, sister) -> None:
    a, b = small_demo, sister
    assert (a.slug, a.name) == ("demo", "Ljusfjärda")
    assert (b.slug, b.name) == ("gryningsvik", "Gryningsvik")
    assert b.population < a.population
    classes_a = {d.slug: d.police_class for d in a.districts}
    classes_b = {d.slug: d.police_class for d in b.districts}
    assert classes_a["larkhojden"] == "especially_vulnerable"
    assert classes_b["larkhojden"] == "risk" and classes_b["granbo"] == "especially_vulnerable"
    assert all("Ljusfjärda" not in o.name for o in b.organisations)
    # the cities do not overlap: every district and report of one lies outside the other
    outline_a = Polygon(a.districts[0].polygon).union(Polygon(a.districts[1].polygon))
    for d in b.districts:
        assert not Polygon(d.polygon).intersects(outline_a)
    assert b.reports.lon.max() < min(x for d in a.districts for x, _y in d.polygon)
    # the same street plan, moved: shapes equal up to the shift
    shift = model.lon_shift("gryningsvik")
    np.testing.assert_allclose(np.array(b.districts[0].polygon),
                               np.array(a.districts[0].polygon) + [shift, 0], atol=1e-6)
    assert b.ground_truth["city"]["name"] == "Gryningsvik"


def test_names_must_be_slugs() -> None:
    with pytest.raises(ValueError, match="slug"):
        model.generate(n_reports=10, slug="Not a slug")


@pytest.mark.django_db
def test_two_demo_cities_coexist_and_rebuild_independently(small_demo, sister) -> None:
    first = load_demo(small_demo)
    second = load_demo(sister)
    assert City.objects.filter(slug__in=["demo", "gryningsvik"]).count() == 2
    assert Report.objects.filter(city=first).count() == len(small_demo.reports)
    assert Report.objects.filter(city=second).count() == len(sister.reports)
    for name in loader.DEMO_USERS:
        assert authenticate(username=name, password=loader.DEMO_PASSWORD) is not None
        other = authenticate(username=f"gryningsvik-{name}", password=loader.DEMO_PASSWORD)
        assert other is not None
        assert set(Membership.objects.filter(user=other).values_list(
            "organisation__city__slug", flat=True)) == {"gryningsvik"}
    assert second.unemployment_rate > first.unemployment_rate
    assert Area.objects.get(city=second, slug="granbo").police_class == "especially_vulnerable"
    ids_first = set(Report.objects.filter(city=first).values_list("id", flat=True))
    users_before = set(get_user_model().objects.values_list("username", flat=True))

    loader.load(sister)  # rebuild the second city: the first is untouched
    assert set(Report.objects.filter(city=first).values_list("id", flat=True)) == ids_first
    assert set(get_user_model().objects.values_list("username", flat=True)) == users_before
    assert Report.objects.filter(city__slug="gryningsvik").count() == len(sister.reports)

    loader.remove_city("gryningsvik")
    assert not City.objects.filter(slug="gryningsvik").exists()
    assert not get_user_model().objects.filter(username__startswith="gryningsvik-").exists()
    assert set(Report.objects.filter(city=first).values_list("id", flat=True)) == ids_first
    assert Membership.objects.filter(organisation__city=first, is_demo=True).count() == len(
        loader.DEMO_USERS)


@pytest.mark.django_db
def test_demo_command_builds_a_further_city(tmp_path, capsys) -> None:
    from django.core.management import call_command

    truth = tmp_path / "truth.json"
    call_command("demo", "--slug", "norrvik", "--name", "Norrvik", "--reports", "400",
                 "--days", "120", "--no-serve", "--truth", str(truth))
    city = City.objects.get(slug="norrvik")
    assert city.name == "Norrvik" and city.public_enabled
    assert (city.unemployment_rate, city.ill_health_days) == (
        model.SISTER.unemployment_rate, model.SISTER.ill_health_days)
    assert Report.objects.filter(city=city).count() == 400
    assert '"slug": "norrvik"' in truth.read_text(encoding="utf-8")
    assert "norrvik-coordinator" in capsys.readouterr().out
    assert authenticate(username="norrvik-coordinator", password=loader.DEMO_PASSWORD)
    from drugscene.reports.models import Category

    assert set(Category.objects.filter(city=city, public=True).values_list("slug", flat=True)) \
        == {"drugs", "open_sale", "open_use", "drug_litter", "vandalism", "graffiti",
            "littering"}
