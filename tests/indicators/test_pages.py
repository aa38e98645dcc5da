"""Indicator pages through the test client: every member reads, analysts and coordinators
enter, pages are CSP-clean in English and Swedish."""

from __future__ import annotations

import base64
import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from drugscene.indicators import services
from drugscene.indicators.models import Measurement
from tests.web.conftest import assert_csp_clean

pytestmark = pytest.mark.django_db
ROLES = ["viewer", "reporter", "analyst", "coordinator", "admin"]
ENTER = {"analyst", "coordinator", "admin"}
WW = "mg/1000 inhabitants/day"


@pytest.fixture
def measured(world, catalogue):
    rows = ["indicator,area,period,value,unit,source,gender"]
    for w in range(1, 13):
        value = "<LOD" if w in (3, 7) else ("<0.5" if w == 9 else f"{400 - 9 * w}")
        rows.append(f"wastewater-cannabis,,2025-W{w:02d},{value},{WW},EUDA (EMCDDA) and SCORE,")
    for m in range(1, 13):
        rows.append(f"syringe-finds,west,2025-{m:02d},{20 - m},syringes,Gatukontoret,")
        rows.append(f"syringe-finds,east,2025-{m:02d},{m % 3},syringes,Gatukontoret,")
    for y in (2023, 2024, 2025):
        rows.append(f"survey-avoid-places,,{y},{30 - y + 2023},%,Enkät,")
        rows.append(f"survey-avoid-places,,{y},{33 - y + 2023},%,Enkät,female")
        rows.append(f"survey-avoid-places,,{y},{27 - y + 2023},%,Enkät,male")
    services.import_csv(world.viewer("municipality_coordinator"), world.city,
                        "\n".join(rows) + "\n")
    return catalogue


def test_pages_need_sign_in(client, measured):
    ind = measured["syringe-finds"]
    for url in (reverse("indicators:list"), reverse("indicators:detail", args=[ind.pk]),
                reverse("indicators:import")):
        assert client.get(url).status_code == 302


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("language", ["en", "sv"])
def test_every_member_reads_csp_clean(as_user, measured, role, language):
    client = as_user(f"housing_{role}")
    client.cookies["django_language"] = language
    with translation.override(language):
        response = client.get(reverse("indicators:list"), HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert response.status_code == 200
    assert_csp_clean(html)
    if language == "en":
        assert "Drug-induced deaths" in html and "Syringes found in public places" in html
    for slug in ("wastewater-cannabis", "syringe-finds", "survey-avoid-places", "reports-drug"):
        url = reverse("indicators:detail", args=[measured[slug].pk])
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        html = response.content.decode()
        assert response.status_code == 200, slug
        assert_csp_clean(html)
        form_url = reverse("indicators:measurement-add", args=[measured[slug].pk])
        assert (form_url in html) == (role in ENTER and slug != "reports-drug")
        assert f'lang="{language}"' in html


def test_detail_shows_caveat_trend_lod_and_attribution(as_user, measured):
    client = as_user("police_viewer")
    html = client.get(reverse("indicators:detail",
                              args=[measured["wastewater-cannabis"].pk])).content.decode()
    assert "Read with care" in html and "not the same as the city" in html
    assert "Mann–Kendall test" in html and "seasonal cycle is not removed" in html
    assert "3 values below the limit of detection enter the test" in html
    assert "below 0.5 (limit of detection)" in html and "below the limit of detection" in html
    assert "EUDA (EMCDDA) and SCORE" in html                   # the attribution
    chart = base64.b64decode(re.search(r'data:image/svg\+xml;base64,([^"]+)', html)[1])
    assert chart.startswith(b"<svg")


def test_district_small_multiples_and_breakdowns(as_user, measured):
    client = as_user("police_viewer")
    html = client.get(reverse("indicators:detail",
                              args=[measured["syringe-finds"].pk])).content.decode()
    assert "By district" in html
    html = client.get(reverse("indicators:detail", args=[measured["syringe-finds"].pk])
                      + "?district=west").content.decode()
    assert "Väster" in html and "By district" not in html
    html = client.get(reverse("indicators:detail",
                              args=[measured["survey-avoid-places"].pk])).content.decode()
    assert "By gender" in html
    assert client.get(reverse("indicators:detail", args=[measured["syringe-finds"].pk])
                      + "?district=nowhere").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_only_analysts_and_coordinators_enter(as_user, measured, role):
    client = as_user(f"social_{role}")
    ind = measured["overdose-deaths"]
    response = client.post(reverse("indicators:measurement-add", args=[ind.pk]),
                           {"m-period": "2025-04", "m-value": "2", "m-area": ""})
    if role in ENTER:
        assert response.status_code == 302
        m = Measurement.objects.get(indicator=ind)
        assert (m.period_start, m.value) == (date(2025, 4, 1), 2.0)
        assert client.get(reverse("indicators:import")).status_code == 200
    else:
        assert response.status_code == 403
        assert not Measurement.objects.filter(indicator=ind).exists()
        assert client.get(reverse("indicators:import")).status_code == 403
        m = Measurement.objects.filter(indicator=measured["syringe-finds"]).first()
        assert client.post(reverse("indicators:measurement-delete",
                                   args=[m.pk])).status_code == 403


def test_form_errors_are_shown_next_to_fields(as_user, measured):
    client = as_user("municipality_analyst")
    ind = measured["overdose-deaths"]
    response = client.post(reverse("indicators:measurement-add", args=[ind.pk]),
                           {"m-period": "2025-13", "m-value": "two"})
    html = response.content.decode()
    assert response.status_code == 422
    assert "is not a period" in html and "is not a number" in html
    assert_csp_clean(html)


def test_upload_imports_or_lists_the_problems(as_user, measured):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = as_user("municipality_coordinator")
    bad = SimpleUploadedFile("m.csv", b"indicator,area,period,value,unit,source\n"
                                      b"overdose-deaths,,2025-05,1,deaths,x\n"
                                      b"overdose-deaths,,2025-06,x,deaths,x\n")
    response = client.post(reverse("indicators:import"), {"file": bad})
    html = response.content.decode()
    assert response.status_code == 422
    assert "line 3: value:" in html and "Nothing was imported" in html
    assert_csp_clean(html)
    assert not Measurement.objects.filter(indicator=measured["overdose-deaths"]).exists()
    good = SimpleUploadedFile("m.csv", b"indicator,area,period,value,unit,source\n"
                                       b"overdose-deaths,,2025-05,1,deaths,x\n")
    response = client.post(reverse("indicators:import"), {"file": good}, follow=True)
    assert "Imported 1 rows: 1 new" in response.content.decode()


def test_delete_a_measurement(as_user, measured):
    client = as_user("municipality_coordinator")
    m = Measurement.objects.filter(indicator=measured["syringe-finds"]).first()
    response = client.post(reverse("indicators:measurement-delete", args=[m.pk]))
    assert response.status_code == 302
    assert not Measurement.objects.filter(pk=m.pk).exists()


def test_plan_targets_are_listed_on_the_page(as_user, measured, world):
    from drugscene.plans.models import Goal, Plan, SubGoal

    plan = Plan.objects.create(city=world.city, title="Plan", period_start=date(2025, 1, 1),
                               period_end=date(2029, 12, 31))
    goal = Goal.objects.create(plan=plan, code="1", title="Fewer syringes")
    ind = measured["syringe-finds"]
    SubGoal.objects.create(goal=goal, title="Halve syringe finds", indicator=ind,
                           baseline=20, target=10, deadline=date(2027, 12, 31))
    west = world.city.areas.get(slug="west")
    SubGoal.objects.create(goal=goal, title="West below five", indicator=ind, target=5,
                           deadline=date(2027, 6, 30), area=west)
    client = as_user("police_viewer")
    html = client.get(reverse("indicators:detail", args=[ind.pk])).content.decode()
    assert "Target: Halve syringe finds – 10 by 31 Dec 2027" in html
    assert "West below five" not in html                  # another area's target
    html = client.get(reverse("indicators:detail", args=[ind.pk]) + "?district=west"
                      ).content.decode()
    assert "West below five" in html and "Halve syringe finds" not in html


def test_help_texts_with_less_than_are_escaped(as_user, measured):
    html = as_user("municipality_analyst").get(reverse(
        "indicators:detail", args=[measured["survey-avoid-places"].pk])).content.decode()
    assert "&lt;LOD or &lt;0.5 when below the limit of detection" in html
    assert "65+ or &lt;15; empty for all" in html


def test_admin_lists_indicators_and_measurements(client, measured, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", password="x" * 12)
    client.force_login(admin_user)
    html = client.get("/admin/indicators/indicator/").content.decode()
    assert "wastewater-cannabis" in html
    assert client.get("/admin/indicators/measurement/").status_code == 200
    ind = measured["syringe-finds"]
    assert client.get(f"/admin/indicators/indicator/{ind.pk}/change/").status_code == 200
