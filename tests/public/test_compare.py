"""Cities side by side: the figures (checked by hand), the page, the command (HTML, PDF)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from drugscene.actions.models import Action
from drugscene.indicators.models import Indicator, Measurement
from drugscene.places.models import Place
from drugscene.public.compare import city_figures, period_of
from drugscene.public.render import table
from drugscene.public.services import configure_city
from drugscene.reports.models import Category, Report
from tests import factories
from tests.public.conftest import make_plan

pytestmark = pytest.mark.django_db


def _months_back(day: date, k: int) -> date:
    index = day.year * 12 + day.month - 1 - k
    return date(index // 12, index % 12 + 1, 1)


def _month_end(first: date) -> date:
    return _months_back(first, -1) - timedelta(days=1)


def build(world) -> None:
    """A city of 120,000 with places, actions, a plan, measurements and reports whose
    figures are written out by hand in the tests."""
    city = world.city
    configure_city(city, unemployment_rate=9.6, ill_health_days=24.5, statistics_year=2024)
    city.refresh_from_db()
    city.population = 120_000
    city.save(update_fields=["population"])
    west = city.areas.get(slug="west")
    for slug, status in (("a", "suspected"), ("b", "dormant"), ("c", "dormant")):
        Place.objects.create(city=city, slug=slug, name=slug, place_type="park", lon=16.89,
                             lat=59.0, area=west, owner_kind="municipal", status=status)
    Place.objects.create(city=city, slug="merged", name="m", place_type="park", lon=16.89,
                         lat=59.0, area=west, owner_kind="municipal", status="active",
                         merged_into=world.place)
    today = date.today()
    owner = world.orgs["municipality"]
    for kind, status, start, end in (
            ("cameras", "done", today - timedelta(days=200), today - timedelta(days=100)),
            ("lighting", "ongoing", today - timedelta(days=30), None),
            ("cleaning", "cancelled", today - timedelta(days=30), None),
            ("guards", "done", today - timedelta(days=1100), today - timedelta(days=800))):
        Action.objects.create(city=city, place=world.place, owner=owner, kind=kind,
                              title=kind, start=start, end=end, status=status)
    make_plan(city)
    deaths = Indicator.objects.get(city=city, slug="overdose-deaths")
    first = date(today.year, today.month, 1)
    for k in range(1, 13):  # the twelve whole months before this one: 2 deaths each
        m = _months_back(first, k)
        Measurement.objects.create(indicator=deaths, period_start=m, period_end=_month_end(m),
                                   value=2)
    Measurement.objects.create(indicator=deaths, period_start=first,  # this month: left out
                               period_end=_month_end(first), value=100)
    m13 = _months_back(first, 13)  # before the period: left out
    Measurement.objects.create(indicator=deaths, period_start=m13, period_end=_month_end(m13),
                               value=100)
    when = timezone.now() - timedelta(days=40)
    cat = Category.objects.get(city=city, slug="open_sale")
    for visibility, review, n in (("partners", "confirmed", 6), ("restricted", "confirmed", 2),
                                  ("partners", "rejected", 1), ("public", "new", 1)):
        Report.objects.bulk_create([Report(
            city=city, occurred_from=when, reported_at=when, lon=16.895, lat=59.0,
            h3_cell=0, category=cat, source=world.orgs["police"], visibility=visibility,
            review_status=review) for _ in range(n)])


def test_city_figures_by_hand(world) -> None:
    build(world)
    f = city_figures(world.city)
    today = date.today()
    start, end = period_of(today)
    assert start == _months_back(date(today.year, today.month, 1), 12)
    assert end == date(today.year, today.month, 1) - timedelta(days=1)
    assert f["period"] == {"start": start.isoformat(), "end": end.isoformat()}
    assert f["city"] == {"slug": "testby", "name": "Testby", "population": 120_000,
                         "unemployment_rate": 9.6, "ill_health_days": 24.5,
                         "statistics_year": 2024}
    assert f["places_by_status"] == {"suspected": 1, "active": 1, "under_action": 0,
                                     "dormant": 2, "resolved": 0}
    assert f["methods"] == {"cameras": 1, "lighting": 1}
    plan = f["plan"]
    assert (plan["goals"], plan["goals_with_sub_goals"], plan["goals_broken_down"]) == (3, 2, 1)
    assert (plan["sub_goals"], plan["measurable_sub_goals"], plan["actions"]) == (2, 1, 5)
    assert plan["done_share"] == 0.4
    assert plan["actions_by_status"] == {"planned": 1, "ongoing": 1, "done": 2, "delayed": 1,
                                         "stopped": 0}
    deaths = f["indicators"]["overdose-deaths"]
    assert (deaths["value"], deaths["periods"], deaths["per_100k"]) == (24, 12, 20.0)
    # drug reports: 6 confirmed + 1 new (restricted, rejected left out) = 7 per 120,000
    drug = f["indicators"]["reports-drug"]
    assert drug["value"] == 7 and drug["per_100k"] == round(7 * 100_000 / 120_000, 2)
    assert f["indicators"]["police-drug-offences"]["value"] is None


def test_compare_page_for_signed_in_users(client, world) -> None:
    build(world)
    other = factories.make_city("andrastad")
    configure_city(other, public_enabled=True)
    assert client.get("/compare/?cities=testby,andrastad").status_code == 302  # login
    client.force_login(world.users["police_viewer"])
    response = client.get("/compare/?cities=testby,andrastad")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Testby" in html and "Andrastad" in html
    assert "data:image/svg+xml;base64," in html
    assert "120,000" in html or "120 000" in html or "120\xa0000" in html
    from tests.web.conftest import assert_csp_clean

    assert_csp_clean(html)
    # a city without a public page, of which the user is no member, cannot be compared
    configure_city(other, public_enabled=False)
    response = client.get("/compare/?cities=testby,andrastad")
    assert response.status_code == 400
    assert "andrastad" in response.content.decode()
    assert client.get("/compare/?cities=testby").status_code == 400


def test_compare_command_writes_html_and_pdf(world, tmp_path) -> None:
    build(world)
    factories.make_city("andrastad")
    html = tmp_path / "c.html"
    call_command("compare", "--cities", "testby,andrastad", "--out", str(html))
    text = html.read_text(encoding="utf-8")
    assert "Testby" in text and "Andrastad" in text and "<svg" not in text.split("<body")[0]
    assert text.count("data:image/svg+xml;base64,") == 3
    pdf = tmp_path / "c.pdf"
    call_command("compare", "--cities", "testby,andrastad", "--out", str(pdf))
    assert pdf.read_bytes()[:5] == b"%PDF-"
    with pytest.raises(CommandError, match="nowhere"):
        call_command("compare", "--cities", "testby,nowhere", "--out", str(html))
    with pytest.raises(CommandError, match=".html or .pdf"):
        call_command("compare", "--cities", "testby,andrastad", "--out", str(tmp_path / "x"))


def test_table_rows_hold_the_figures(world) -> None:
    build(world)
    from drugscene.public.compare import Entry

    f = city_figures(world.city)
    sections = table([Entry("testby", "Testby", False, f), Entry("x", "X", True, f)])
    rows = {label: cells for s in sections for label, cells in s["rows"]}
    assert rows["Unemployment (%)"] == ["9.6", "9.6"]
    assert rows["Plan actions done"] == ["40 %", "40 %"]
    assert rows["Drug-induced deaths"] == ["20.0", "20.0"]
