"""The scene register pages through the test client: who may open them, what they show,
forms that name their fields, and figures from visible reports only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from drugscene.places.models import Place
from drugscene.scenes import services
from drugscene.scenes.checks import city_today
from drugscene.scenes.models import Assessment, CauseAnalysis, PlaceStatusChange
from tests import factories
from tests.scenes.conftest import place_at

pytestmark = pytest.mark.django_db

ROLES = ["viewer", "reporter", "analyst", "coordinator", "admin"]
MANAGERS = {"coordinator", "admin"}

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
STYLE_ATTR = re.compile(r"<[^>]+\sstyle=", re.I)


def assert_csp_clean(html: str) -> None:
    assert not INLINE_SCRIPT.search(html)
    assert not STYLE_ATTR.search(html)
    assert "<style" not in html.lower()


def urls(world) -> dict[str, str]:
    pk = world.place.pk
    return {
        "list": reverse("scenes:place-list"),
        "new": reverse("scenes:place-new"),
        "detail": reverse("scenes:place-detail", args=[pk]),
        "status": reverse("scenes:place-status", args=[pk]),
        "assess": reverse("scenes:place-assess", args=[pk]),
        "causes": reverse("scenes:place-causes", args=[pk]),
        "merge": reverse("scenes:place-merge", args=[pk]),
        "split": reverse("scenes:place-split", args=[pk]),
    }


@pytest.mark.parametrize("page", ["list", "new", "detail", "status", "assess", "causes",
                                  "merge", "split"])
def test_pages_need_sign_in(client, world, page) -> None:
    response = client.get(urls(world)[page])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("page", "allowed"), [
    ("list", set(ROLES)), ("detail", set(ROLES)), ("new", MANAGERS), ("status", MANAGERS),
    ("assess", MANAGERS), ("causes", MANAGERS), ("merge", MANAGERS), ("split", MANAGERS),
])
def test_status_per_role(as_user, world, role, page, allowed) -> None:
    response = as_user(f"police_{role}").get(urls(world)[page])
    assert response.status_code == (200 if role in allowed else 403)
    assert_csp_clean(response.content.decode())


def test_outsider_and_other_cities(as_user, world) -> None:
    assert as_user("outsider").get(urls(world)["list"]).status_code == 403
    assert as_user("outsider").get(urls(world)["detail"]).status_code == 404
    other = factories.make_city("annanstad")
    foreign = Place.objects.create(city=other, slug="p", name="P", place_type="park",
                                   lon=16.9, lat=59.0)
    client = as_user("municipality_coordinator")
    assert client.get(reverse("scenes:place-detail", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("scenes:place-assess", args=[foreign.pk])).status_code == 404


# --- the register -------------------------------------------------------------------------

def test_register_lists_places_with_counts_and_filters(as_user, world) -> None:
    place_at(world, "Förskolan", "preschool", north_m=300)
    factories.report(world, place_id=world.place.pk, lon=None, lat=None)
    client = as_user("social_viewer")
    response = client.get(urls(world)["list"])
    rows = {r.place.name: r for r in response.context["rows"]}
    assert rows["Torget"].recent == 1 and rows["Förskolan"].recent == 0
    html = response.content.decode()
    assert "Torget" in html and "Register a place" not in html
    response = client.get(urls(world)["list"], {"type": "preschool"})
    assert [r.place.name for r in response.context["rows"]] == ["Förskolan"]
    response = client.get(urls(world)["list"], {"district": "east"})
    assert response.context["rows"] == []
    response = client.get(urls(world)["list"], {"status": "nonsense"})
    assert response.status_code == 422


def test_register_shows_the_create_button_to_coordinators(as_user, world) -> None:
    html = as_user("municipality_coordinator").get(urls(world)["list"]).content.decode()
    assert reverse("scenes:place-new") in html


# --- creating a place ---------------------------------------------------------------------

def test_create_place_form_names_fields_and_stores_nothing(as_user, world) -> None:
    client = as_user("municipality_coordinator")
    response = client.post(urls(world)["new"], {"name": "", "place_type": "castle",
                                                "owner_kind": "unknown", "status": "active",
                                                "date": "2020-01-01"})
    assert response.status_code == 422
    form = response.context["form"]
    assert {"name", "place_type", "lon"} <= set(form.errors)
    assert b"The place was not saved" in response.content
    assert Place.objects.count() == 1
    response = client.post(urls(world)["new"], {"name": "Långt bort", "place_type": "park",
                                                "owner_kind": "unknown", "status": "active",
                                                "date": "2020-01-01", "lon": "18.0",
                                                "lat": "59.3"})
    assert response.status_code == 422 and "lon" in response.context["form"].errors
    assert Place.objects.count() == 1


def test_create_place_registers_and_redirects(as_user, world) -> None:
    client = as_user("municipality_coordinator")
    response = client.post(urls(world)["new"], {
        "name": "Cykelgaraget", "place_type": "bicycle_garage", "owner_kind": "housing_company",
        "indoor": "on", "status": "suspected", "date": city_today(world.city).isoformat(),
        "lon": "16.915", "lat": "59.004", "note": ""})
    place = Place.objects.get(name="Cykelgaraget")
    assert response.status_code == 302
    assert response["Location"] == reverse("scenes:place-detail", args=[place.pk])
    assert place.indoor and place.status == "suspected" and place.area.slug == "east"
    assert place.status_changes.count() == 1


# --- the place page --------------------------------------------------------------------------

def test_restricted_report_is_left_out_of_a_housing_users_figures(as_user, world) -> None:
    factories.report(world, place_id=world.place.pk, lon=None, lat=None)
    factories.report(world, place_id=world.place.pk, lon=None, lat=None,
                     visibility="restricted", restricted_to=[world.orgs["police"].pk])
    police = as_user("police_viewer").get(urls(world)["detail"]).context
    assert police["trend"].recent == 2 and police["reports_total"] == 2
    assert len(police["map_data"]["reports"]) == 2
    housing = as_user("housing_viewer").get(urls(world)["detail"]).context
    assert housing["trend"].recent == 1 and housing["reports_total"] == 1
    assert len(housing["map_data"]["reports"]) == 1
    assert housing["figures"].weeks_total == 1 and housing["figures"].heat_total == 1
    rows = as_user("housing_viewer").get(urls(world)["list"]).context["rows"]
    assert next(r for r in rows if r.place == world.place).recent == 1


def test_place_page_shows_history_assessments_causes_and_facilities(as_user, world) -> None:
    place_at(world, "Förskolan Solrosen", "preschool", north_m=300)
    c = world.viewer("municipality_coordinator")
    services.change_status(c, world.place.pk, "under_action", note="Patrull")
    services.record_assessment(c, world.place.pk, services.AssessmentInput(
        date=city_today(world.city), organisation_id=world.orgs["police"].pk,
        symptoms={"nuisance": ("yes", ""), "tolerance_zone": ("no", "")}))
    services.record_cause_analysis(c, world.place.pk, services.CauseAnalysisInput(
        date=city_today(world.city), organisation_id=world.orgs["municipality"].pk,
        factors={"lighting": (True, "Trasig belysning")}))
    response = as_user("social_viewer").get(urls(world)["detail"])
    html = response.content.decode()
    assert_csp_clean(html)
    assert "Förskolan Solrosen" in html and "Patrull" in html
    assert "sym sym-yes" in html and "sym sym-no" in html
    assert "Trasig belysning" in html
    # a viewer sees the analysis but no button to act on it
    assert "?cause=" not in html
    assert 'id="place-map-data"' in html and "<svg" in html


def test_place_page_figures_use_the_city_time_zone(as_user, world) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Europe/Stockholm")
    when = datetime.combine(city_today(world.city) - timedelta(days=2),
                            datetime.min.time(), tzinfo=tz).replace(hour=22, minute=30)
    factories.report(world, place_id=world.place.pk, lon=None, lat=None, occurred_from=when)
    heat = as_user("police_viewer").get(urls(world)["detail"]).context["figures"].heat
    cell = heat[when.weekday()]["cells"][22]
    assert cell["n"] == 1 and cell["level"] == 5


def test_status_form_on_error_names_fields_and_changes_nothing(as_user, world) -> None:
    client = as_user("municipality_coordinator")
    future = (city_today(world.city) + timedelta(days=5)).isoformat()
    response = client.post(urls(world)["status"], {
        "status": "dormant", "date": future, "organisation": world.orgs["police"].pk})
    assert response.status_code == 422
    assert "date" in response.context["form"].errors
    world.place.refresh_from_db()
    assert world.place.status == "active" and not PlaceStatusChange.objects.exists()
    response = client.post(urls(world)["status"], {
        "status": "dormant", "date": city_today(world.city).isoformat(),
        "organisation": world.orgs["police"].pk, "note": "Lugnt sedan juni"})
    assert response.status_code == 302
    world.place.refresh_from_db()
    assert world.place.status == "dormant"


def test_assessment_form_prefills_and_saves(as_user, world) -> None:
    client = as_user("municipality_coordinator")
    response = client.get(urls(world)["assess"])
    assert response.status_code == 200
    assert response.context["form"].initial["organisation"] == world.orgs["municipality"].pk
    data = {"date": city_today(world.city).isoformat(),
            "organisation": world.orgs["police"].pk, "scene_form": "dispersed",
            "nuisance": "yes", "unsafe": "yes", "crime_hot_spot": "unknown",
            "attracts_vulnerable": "no", "youth_advised_away": "yes", "public_avoids": "yes",
            "tolerance_zone": "unknown", "size": "Torget", "size_rating": "2",
            "crime_rating": "3", "summary": "Ring 070-123 45 67"}
    response = client.post(urls(world)["assess"], data)
    assert response.status_code == 302
    a = Assessment.objects.get()
    assert (a.nuisance, a.attracts_vulnerable, a.size_rating, a.crime_rating,
            a.scene_form) == ("yes", "no", 2, 3, "dispersed")
    assert "070" not in a.summary
    # the next assessment starts from this one
    response = client.get(urls(world)["assess"])
    assert response.context["form"].initial["nuisance"] == "yes"


def test_assessment_form_names_fields_on_errors(as_user, world) -> None:
    client = as_user("municipality_coordinator")
    response = client.post(urls(world)["assess"], {
        "date": "", "organisation": world.orgs["police"].pk, "scene_form": "dispersed",
        "nuisance": "perhaps", "size_rating": "7"})
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert {"date", "nuisance", "size_rating"} <= set(errors)
    assert not Assessment.objects.exists()
    future = (city_today(world.city) + timedelta(days=1)).isoformat()
    answers = dict.fromkeys(("nuisance", "unsafe", "crime_hot_spot", "attracts_vulnerable",
                             "youth_advised_away", "public_avoids", "tolerance_zone"),
                            "unknown")
    response = client.post(urls(world)["assess"], {
        "date": future, "organisation": world.orgs["police"].pk, "scene_form": "unknown",
        **answers})
    assert response.status_code == 422 and "date" in response.context["form"].errors
    assert b"The assessment was not saved" in response.content
    assert not Assessment.objects.exists()


def test_cause_form_saves_factor_rows(as_user, world) -> None:
    client = as_user("municipality_coordinator")
    response = client.post(urls(world)["causes"], {
        "date": city_today(world.city).isoformat(), "organisation": world.orgs["housing"].pk,
        "lighting_present": "on", "lighting_note": "Mörkt vid entrén",
        "hiding_stash_present": "on", "affected": ["residents"],
        "offenders_estimate": "5", "offenders_15_17": "2"})
    assert response.status_code == 302
    analysis = CauseAnalysis.objects.get()
    present = set(analysis.factors.filter(present=True).values_list("factor", flat=True))
    assert present == {"lighting", "hiding_stash"}
    response = client.post(urls(world)["causes"], {
        "date": city_today(world.city).isoformat(), "organisation": world.orgs["housing"].pk,
        "offenders_estimate": "1", "offenders_15_17": "2"})
    assert response.status_code == 422
    assert "offenders_estimate" in response.context["form"].errors
    assert CauseAnalysis.objects.count() == 1


def test_merge_and_split_pages(as_user, world) -> None:
    kiosk = place_at(world, "Kiosken", "fast_food", east_m=80)
    client = as_user("municipality_coordinator")
    response = client.post(urls(world)["merge"], {"places": [kiosk.pk],
                                                  "date": city_today(world.city).isoformat()})
    assert response.status_code == 302
    kiosk.refresh_from_db()
    assert kiosk.merged_into == world.place
    html = client.get(urls(world)["detail"]).content.decode()
    assert "Kiosken" in html
    kiosk_page = client.get(reverse("scenes:place-detail", args=[kiosk.pk])).content.decode()
    assert "This place was merged into" in kiosk_page
    response = client.post(urls(world)["split"], {"date": city_today(world.city).isoformat(),
                                                  "part1_name": "", "part1_place_type": "park",
                                                  "part2_place_type": "park",
                                                  "part3_place_type": "park"})
    assert response.status_code == 422
    assert "part1_name" in response.context["form"].errors
    response = client.post(urls(world)["split"], {
        "date": city_today(world.city).isoformat(), "close_original": "on",
        "part1_name": "Torget väst", "part1_place_type": "square", "part1_lat": "59.0",
        "part1_lon": "16.894", "part2_place_type": "park", "part3_place_type": "park"})
    assert response.status_code == 302
    assert Place.objects.filter(name="Torget väst").exists()
