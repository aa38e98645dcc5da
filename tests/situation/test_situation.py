"""The weekly situational picture: figures, visibility, weeks, page, PDF and CLI."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from drugscene.core.errors import ValidationFailed
from drugscene.situation.selectors import situational_picture
from drugscene.situation.weeks import Week, parse_week
from tests import factories

TZ = ZoneInfo("Europe/Stockholm")
WEEK = Week(2026, 45)  # Monday 2 November 2026


def at(day: int, hour: int = 20) -> datetime:
    """A moment in week 45 (day 0 = Monday) or, with negative days, before it."""
    return datetime(2026, 11, 2, hour, tzinfo=TZ) + timedelta(days=day)


@pytest.fixture
def scene(world):
    w = world
    for d in range(5):  # this week: 5 open sales at Torget by the police
        factories.report(w, occurred_from=at(d), place_id=w.place.pk, lon=None, lat=None)
    for d in range(1, 29, 7):  # the 4 weeks before: one a week
        factories.report(w, occurred_from=at(-d), place_id=w.place.pk, lon=None, lat=None)
    factories.report(w, category="graffiti", occurred_from=at(2), lon=16.915, lat=59.005)
    factories.report(w, occurred_from=at(-364), lon=16.915, lat=59.005)  # last year's week
    secret = factories.report(w, occurred_from=at(3), visibility="restricted",
                              restricted_to=[w.orgs["police"].pk])
    rejected = factories.report(w, occurred_from=at(3))
    from drugscene.reports.services import review_report

    review_report(w.viewer("municipality_coordinator"), rejected.pk, "rejected")
    return {"secret": secret}


def test_headlines_count_this_week_previous_weeks_and_last_year(world, scene) -> None:
    pic = situational_picture(world.viewer("police_analyst"), world.city, WEEK)
    by = {h.category.slug: h for h in pic.headlines}
    assert by["drugs"].this_week == 6  # 5 at Torget + the police-restricted one
    assert by["drugs"].prev4_avg == 1.0
    assert by["drugs"].last_year == 1
    assert by["disorder"].this_week == 1
    assert pic.total == 7
    assert sum(n for _, _, n, _ in pic.by_source) == 7
    torget = next(p for p in pic.places if p.place.pk == world.place.pk)
    assert torget.this_week == 5 and torget.series[-1] == 5
    # the last four weeks incl. this one: 7 this week + 3 of the 4 weekly ones before
    assert sum(map(sum, pic.hour_weekday)) == 10
    # every report was made at 20:00 local time (19:00 UTC): the matrix is in local time
    assert sum(row[20] for row in pic.hour_weekday) == 10
    assert pic.hour_weekday[0][20] == 1


def test_restricted_reports_stay_out_of_a_partners_picture(world, scene) -> None:
    police = situational_picture(world.viewer("police_viewer"), world.city, WEEK)
    housing = situational_picture(world.viewer("housing_coordinator"), world.city, WEEK)
    assert police.total - housing.total == 1


def test_district_picture_only_counts_the_district(world, scene) -> None:
    from drugscene.cities.models import Area

    east = Area.objects.get(city=world.city, slug="east")
    pic = situational_picture(world.viewer("police_analyst"), world.city, WEEK, east)
    assert pic.total == 1  # the graffiti in the east
    assert all(p.place.area_id == east.pk for p in pic.places)


def test_weeks() -> None:
    assert parse_week("2026-W47").monday().isoformat() == "2026-11-16"
    assert parse_week("2020-W53").label == "2020-W53"
    assert Week(2026, 1).shift(-1).label == "2025-W52"
    assert Week(2021, 53).same_week_last_year() == Week(2020, 53)
    assert Week(2027, 53 - 0).label == "2027-W53"
    for bad in ("2026-W54", "2026-47", "W47", "2025-W53"):
        with pytest.raises(ValidationFailed):
            parse_week(bad)


def test_page_and_pdf(world, scene, client) -> None:
    client.force_login(world.users["municipality_coordinator"])
    r = client.get("/situation/?week=2026-W45")
    assert r.status_code == 200
    assert b"2026-W45" in r.content and b"Torget" in r.content
    bad = client.get("/situation/?week=2026-W99")
    assert bad.status_code == 400 and b"week 99 does not exist" in bad.content
    pdf = client.get("/situation/picture.pdf?week=2026-W45")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"


def test_anonymous_and_outsiders_get_no_picture(world, client) -> None:
    assert client.get("/situation/").status_code == 302
    client.force_login(world.users["outsider"])
    assert client.get("/situation/").status_code == 403


def test_cli_writes_html_and_pdf(world, scene, tmp_path) -> None:
    html = tmp_path / "p.html"
    call_command("situation", "--city", "testby", "--week", "2026-W45", "--out", str(html),
                 "--language", "sv", stderr=io.StringIO())
    text = html.read_text()
    assert "Torget" in text and "<svg" not in text.split("<body", 1)[0]
    pdf = tmp_path / "p.pdf"
    call_command("situation", "--city", "testby", "--week", "2026-W45", "--out", str(pdf),
                 stderr=io.StringIO())
    assert pdf.read_bytes()[:5] == b"%PDF-"
    with pytest.raises(CommandError, match="week"):
        call_command("situation", "--city", "testby", "--week", "2026-W60", "--out",
                     str(html), stderr=io.StringIO())
