"""Every page through the Django test client: who may open it, what it shows, what not."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from drugscene.audit.models import AuditEntry
from drugscene.reports.models import Report
from tests import factories
from tests.web.conftest import assert_csp_clean

pytestmark = pytest.mark.django_db

LOGIN_REQUIRED = [
    ("web:map", []), ("web:report-list", []), ("web:report-new", []),
    ("web:review", []), ("web:audit", []),
]


@pytest.mark.parametrize(("name", "args"), LOGIN_REQUIRED)
def test_pages_need_sign_in(client, world, name, args):
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_detail_needs_sign_in(client, world):
    r = factories.report(world)
    response = client.get(reverse("web:report-detail", args=[r.pk]))
    assert response.status_code == 302


def test_map_data_anonymous_is_401_json(client, world):
    response = client.get(reverse("web:map-data"))
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"


ROLES = ["viewer", "reporter", "analyst", "coordinator", "admin"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("web:map", set(ROLES)),
        ("web:report-list", set(ROLES)),
        ("web:report-new", {"reporter", "analyst", "coordinator", "admin"}),
        ("web:review", {"coordinator", "admin"}),
        ("web:audit", {"admin"}),
    ],
)
def test_status_per_role(as_user, name, allowed, role):
    response = as_user(f"municipality_{role}").get(reverse(name))
    assert response.status_code == (200 if role in allowed else 403)
    if response.status_code == 403:
        assert b"You may not open this page" in response.content
    assert_csp_clean(response.content.decode())


def test_outsider_without_organisation_gets_403(as_user):
    response = as_user("outsider").get(reverse("web:map"))
    assert response.status_code == 403


def test_csp_header_present(as_user):
    response = as_user("police_reporter").get(reverse("web:map"))
    assert "script-src 'self'" in response["Content-Security-Policy"]


# --- navigation ---------------------------------------------------------------------

def test_nav_shows_user_organisation_role_and_links(as_user, world):
    factories.report(world)
    html = as_user("municipality_coordinator").get(reverse("web:map")).content.decode()
    assert "municipality_coordinator" in html
    assert "Municipality" in html
    assert "coordinator" in html
    assert reverse("web:review") in html
    assert 'class="badge"' in html and ">1</span>" in html
    assert reverse("web:audit") not in html
    assert reverse("set_language") in html
    assert reverse("web:logout") in html


def test_nav_of_viewer_hides_new_report_review_and_audit(as_user):
    html = as_user("police_viewer").get(reverse("web:map")).content.decode()
    assert reverse("web:report-new") not in html
    assert reverse("web:review") not in html
    assert reverse("web:audit") not in html


def test_nav_of_admin_shows_audit(as_user):
    html = as_user("municipality_admin").get(reverse("web:map")).content.decode()
    assert reverse("web:audit") in html


# --- map ----------------------------------------------------------------------------

def test_map_page_has_config_and_bias_note(as_user):
    response = as_user("police_reporter").get(reverse("web:map"))
    html = response.content.decode()
    assert 'id="map-config"' in html
    assert "Counts show what partners reported, not everything that happened." in html
    assert "/api/v1/districts" in html
    # the default window: the last 28 days
    assert 'name="from"' in html
    form = response.context["filter_form"]
    today = timezone.now().astimezone(ZoneInfo("Europe/Stockholm")).date()
    assert form.cleaned_data["from"] == today - timedelta(days=28)


def test_map_page_quick_days_replace_the_window(as_user):
    response = as_user("police_reporter").get(reverse("web:map"), {"days": "7",
                                                                   "from": "2020-01-01"})
    today = timezone.now().astimezone(ZoneInfo("Europe/Stockholm")).date()
    assert response.context["filter_form"].cleaned_data["from"] == today - timedelta(days=7)


def test_map_data_points(as_user, world):
    r = factories.report(world, text="Sale at the square")
    data = as_user("municipality_viewer").get(
        reverse("web:map-data"), {"zoom": "14", "bbox": "16.88,58.99,16.92,59.01"}).json()
    assert data["mode"] == "points"
    assert data["total"] == 1
    props = data["features"][0]["properties"]
    assert props["id"] == r.pk
    assert props["category"] == "Open sale"
    assert props["review_status"] == "new"
    assert props["source_kind"] == "police"
    assert props["url"] == reverse("web:report-detail", args=[r.pk])
    assert "text" not in props


def test_map_data_bbox_and_filters(as_user, world):
    factories.report(world)
    client = as_user("police_viewer")
    outside = client.get(reverse("web:map-data"), {"bbox": "16.91,59.005,16.92,59.01"}).json()
    assert outside["total"] == 0
    other = client.get(reverse("web:map-data"), {"category": "graffiti"}).json()
    assert other["total"] == 0
    parent = client.get(reverse("web:map-data"), {"category": "drugs"}).json()
    assert parent["total"] == 1


def test_map_data_place_filter(as_user, world):
    factories.report(world, place_id=world.place.pk)
    factories.report(world, lon=16.91, lat=59.005)
    client = as_user("police_viewer")
    assert client.get(reverse("web:map-data"), {"place": world.place.pk}).json()["total"] == 1
    assert client.get(reverse("web:map-data")).json()["total"] == 2
    assert client.get(reverse("web:map-data"), {"place": "999"}).status_code == 422


def test_map_data_hexagons_when_many(as_user, world, monkeypatch):
    from drugscene.web.views import maps

    monkeypatch.setattr(maps, "POINT_LIMIT", 2)
    for i in range(3):
        factories.report(world, lon=16.895 + i * 0.0001)
    data = as_user("police_viewer").get(reverse("web:map-data"), {"zoom": "12"}).json()
    assert data["mode"] == "hexagons"
    assert data["total"] == 3
    assert data["resolution"] == 8
    assert sum(f["properties"]["count"] for f in data["features"]) == 3
    assert data["features"][0]["geometry"]["type"] == "Polygon"


@pytest.mark.parametrize(
    ("params", "field"),
    [({"zoom": "x"}, "zoom"), ({"bbox": "1,2,3"}, "bbox"), ({"from": "yesterday"}, "from"),
     ({"from": "2024-05-02", "to": "2024-05-01"}, "from"), ({"source": "nobody"}, "source"),
     ({"review": "maybe"}, "review")],
)
def test_map_data_bad_params_are_422_naming_the_field(as_user, params, field):
    response = as_user("police_viewer").get(reverse("web:map-data"), params)
    assert response.status_code == 422
    assert field in response.json()["fields"]


def test_map_data_hides_restricted_reports_of_others(as_user, world):
    factories.report(world, visibility="restricted", restricted_to=[world.orgs["police"].pk])
    assert as_user("housing_admin").get(reverse("web:map-data")).json()["total"] == 0
    assert as_user("police_viewer").get(reverse("web:map-data")).json()["total"] == 1


# --- list ---------------------------------------------------------------------------

def test_list_shows_reports_in_city_time(as_user, world):
    when = datetime(2024, 1, 15, 8, 30, tzinfo=ZoneInfo("UTC"))
    factories.report(world, occurred_from=when)
    html = as_user("police_viewer").get(reverse("web:report-list"), {"from": ""}).content.decode()
    assert "2024-01-15 09:30" in html  # Stockholm is UTC+1 in winter
    assert "Open sale" in html
    assert "Torget" not in html or "Väster" in html
    assert "Police" in html


def test_list_default_window_hides_old_reports(as_user, world):
    factories.report(world, occurred_from=timezone.now() - timedelta(days=60))
    response = as_user("police_viewer").get(reverse("web:report-list"))
    assert response.context["page"].paginator.count == 0
    response = as_user("police_viewer").get(reverse("web:report-list"), {"days": "90"})
    assert response.context["page"].paginator.count == 1


def test_list_sorts_by_time_and_paginates(as_user, world):
    old = factories.report(world, occurred_from=timezone.now() - timedelta(days=2))
    new = factories.report(world, occurred_from=timezone.now() - timedelta(hours=2))
    client = as_user("police_viewer")
    rows = list(client.get(reverse("web:report-list")).context["page"])
    assert [r.pk for r in rows] == [new.pk, old.pk]
    rows = list(client.get(reverse("web:report-list"), {"sort": "time"}).context["page"])
    assert [r.pk for r in rows] == [old.pk, new.pk]


def test_list_pages_of_fifty(as_user, world):
    from drugscene.web.views import reports

    assert reports.PAGE_SIZE == 50


def test_list_bad_filter_shows_error(as_user):
    response = as_user("police_viewer").get(reverse("web:report-list"),
                                            {"from": "2024-05-02", "to": "2024-05-01"})
    assert response.status_code == 422
    assert "from" in response.context["filter_form"].errors


def test_list_hides_restricted_reports_of_others(as_user, world):
    factories.report(world, visibility="restricted", restricted_to=[world.orgs["police"].pk])
    response = as_user("housing_admin").get(reverse("web:report-list"))
    assert response.context["page"].paginator.count == 0


# --- detail -------------------------------------------------------------------------

def test_detail_shows_report_without_reporter(as_user, world):
    r = factories.report(world, text="Two sellers by the kiosk", persons=2, age_15_17=2)
    response = as_user("municipality_viewer").get(reverse("web:report-detail", args=[r.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Two sellers by the kiosk" in html
    assert "Police" in html
    assert "police_reporter" not in html
    assert 'id="mini-map"' in html
    assert "All partners" in html or "all partners" in html
    assert_csp_clean(html)


def test_detail_scrub_notice(as_user, world):
    r = factories.report(world, text="Call 070-123 45 67 or 070-765 43 21 about it")
    html = as_user("police_viewer").get(reverse("web:report-detail", args=[r.pk])).content.decode()
    assert "070-123" not in html
    assert "2 identifiers were removed from the text before storage." in html


def test_detail_of_invisible_report_is_404(as_user, world):
    r = factories.report(world, visibility="restricted", restricted_to=[world.orgs["police"].pk])
    response = as_user("housing_admin").get(reverse("web:report-detail", args=[r.pk]))
    assert response.status_code == 404
    assert b"Not found" in response.content
    assert as_user("police_viewer").get(
        reverse("web:report-detail", args=[r.pk])).status_code == 200


def test_detail_missing_report_is_404(as_user, world):
    assert as_user("police_viewer").get(
        reverse("web:report-detail", args=[999999])).status_code == 404


def test_detail_review_buttons_only_for_coordinators(as_user, world):
    r = factories.report(world)
    url = reverse("web:report-detail", args=[r.pk])
    review = reverse("web:report-review", args=[r.pk])
    assert review in as_user("municipality_coordinator").get(url).content.decode()
    assert review not in as_user("police_reporter").get(url).content.decode()


# --- review -------------------------------------------------------------------------

def test_review_plain_post_redirects_and_confirms(as_user, world):
    r = factories.report(world)
    response = as_user("municipality_coordinator").post(
        reverse("web:report-review", args=[r.pk]), {"status": "confirmed"})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:report-detail", args=[r.pk])
    r.refresh_from_db()
    assert r.review_status == "confirmed"
    assert r.reviewed_by == world.users["municipality_coordinator"]


def test_review_htmx_returns_partial(as_user, world):
    r = factories.report(world)
    response = as_user("municipality_coordinator").post(
        reverse("web:report-review", args=[r.pk]), {"status": "rejected"},
        HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<div class="review-box" id="review-{r.pk}"')
    assert "Rejected" in html and "municipality_coordinator" in html
    assert "<html" not in html


def test_review_htmx_updates_the_nav_badge(as_user, world):
    first = factories.report(world)
    factories.report(world)
    html = as_user("municipality_coordinator").post(
        reverse("web:report-review", args=[first.pk]), {"status": "confirmed"},
        HTTP_HX_REQUEST="true").content.decode()
    assert 'id="review-badge" hx-swap-oob="true"' in html
    assert ">1</span>" in html


def test_review_duplicate_needs_the_original(as_user, world):
    r = factories.report(world)
    response = as_user("municipality_coordinator").post(
        reverse("web:report-review", args=[r.pk]), {"status": "duplicate"},
        HTTP_HX_REQUEST="true")
    assert "Name the report this one duplicates." in response.content.decode()
    r.refresh_from_db()
    assert r.review_status == "new"


def test_review_duplicate_of(as_user, world):
    first = factories.report(world)
    second = factories.report(world)
    as_user("municipality_coordinator").post(
        reverse("web:report-review", args=[second.pk]),
        {"status": "duplicate", "duplicate_of": first.pk})
    second.refresh_from_db()
    assert second.review_status == "duplicate"
    assert second.duplicate_of_id == first.pk


def test_review_by_reporter_is_403(as_user, world):
    r = factories.report(world)
    response = as_user("police_reporter").post(
        reverse("web:report-review", args=[r.pk]), {"status": "confirmed"})
    assert response.status_code == 403
    r.refresh_from_db()
    assert r.review_status == "new"


def test_review_of_invisible_report_is_404(as_user, world):
    r = factories.report(world, visibility="restricted", restricted_to=[world.orgs["police"].pk])
    response = as_user("municipality_coordinator").post(
        reverse("web:report-review", args=[r.pk]), {"status": "confirmed"})
    assert response.status_code == 404


def test_review_next_must_be_local(as_user, world):
    r = factories.report(world)
    response = as_user("municipality_coordinator").post(
        reverse("web:report-review", args=[r.pk]),
        {"status": "confirmed", "next": "https://evil.example/"})
    assert response["Location"] == reverse("web:report-detail", args=[r.pk])


def test_review_get_not_allowed(as_user, world):
    r = factories.report(world)
    response = as_user("municipality_coordinator").get(reverse("web:report-review", args=[r.pk]))
    assert response.status_code == 405


def test_review_queue_oldest_first_with_duplicate_hints(as_user, world):
    now = timezone.now()
    a = factories.report(world, occurred_from=now - timedelta(minutes=50))
    b = factories.report(world, occurred_from=now - timedelta(minutes=40), lon=16.8952)
    c = factories.report(world, category="graffiti", occurred_from=now - timedelta(minutes=45))
    response = as_user("municipality_coordinator").get(reverse("web:review"))
    rows = response.context["rows"]
    assert [r.pk for r, _ in rows] == [a.pk, b.pk, c.pk]
    hints = {r.pk: [h.pk for h in hs] for r, hs in rows}
    assert hints[a.pk] == [b.pk]
    assert hints[b.pk] == [a.pk]
    assert hints[c.pk] == []
    html = response.content.decode()
    assert f"Duplicate of #{b.pk}" in html
    assert_csp_clean(html)


def test_review_queue_hides_restricted_reports_of_others(as_user, world):
    factories.report(world, visibility="restricted", restricted_to=[world.orgs["police"].pk])
    response = as_user("municipality_coordinator").get(reverse("web:review"))
    assert response.context["rows"] == []


def test_possible_duplicates_respect_visibility(world):
    from drugscene.web.duplicates import possible_duplicates

    a = factories.report(world)
    factories.report(world, visibility="restricted", restricted_to=[world.orgs["police"].pk])
    assert list(possible_duplicates(world.viewer("housing_coordinator"), a)) == []
    assert len(list(possible_duplicates(world.viewer("police_coordinator"), a))) == 1


# --- new report ---------------------------------------------------------------------

def _form(**kw) -> dict:
    local = (timezone.now() - timedelta(hours=2)).astimezone(ZoneInfo("Europe/Stockholm"))
    data = {"category": "open_sale", "lon": "16.895", "lat": "59.0",
            "occurred_from": local.strftime("%Y-%m-%dT%H:%M"), "setting": "outdoor",
            "visibility": "partners", "text": "", "persons": "0"}
    data.update(kw)
    return data


def test_new_report_form_renders(as_user, world):
    response = as_user("police_reporter").get(reverse("web:report-new"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Do not write names, personal numbers, phone numbers or plates" in html
    assert 'type="datetime-local"' in html
    assert 'id="picker-config"' in html
    assert "Torget" in html
    assert "Use my position" in html
    assert_csp_clean(html)


def test_new_report_saves_and_redirects(as_user, world):
    local = datetime(2024, 7, 1, 22, 15)
    response = as_user("police_reporter").post(reverse("web:report-new"), _form(
        occurred_from=local.strftime("%Y-%m-%dT%H:%M"), text="Sale, call 070-123 45 67",
        persons="3", age_15_17="2", age_18_25="1", gender_male="3", accuracy_m="12"))
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:report-detail", args=[report.pk])
    # interpreted in the city's time zone (CEST, UTC+2)
    assert report.occurred_from == datetime(2024, 7, 1, 20, 15, tzinfo=ZoneInfo("UTC"))
    assert report.source == world.orgs["police"]
    assert report.persons == 3 and report.age_15_17 == 2 and report.accuracy_m == 12
    assert "070" not in report.text
    follow = as_user("police_reporter").get(response["Location"])
    assert b"was saved" in follow.content


def test_new_report_with_place_only(as_user, world):
    as_user("police_reporter").post(reverse("web:report-new"),
                                    _form(lon="", lat="", place=str(world.place.pk)))
    report = Report.objects.get()
    assert report.place == world.place
    assert (report.lon, report.lat) == (world.place.lon, world.place.lat)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": ""}, "category"),
        ({"category": "nonsense"}, "category"),
        ({"lon": "", "lat": ""}, "lon"),
        ({"lon": "18.0", "lat": "59.3"}, "lon"),
        ({"lat": "abc"}, "lat"),
        ({"occurred_from": "2999-01-01T10:00"}, "occurred_from"),
        ({"occurred_to": "2000-01-01T10:00"}, "occurred_to"),
        ({"persons": "2", "age_18_25": "5"}, "persons"),
        ({"persons": "-1"}, "persons"),
        ({"visibility": "restricted"}, "restricted_to"),
        ({"visibility": "secret"}, "visibility"),
        ({"setting": "roof"}, "setting"),
        ({"text": "x" * 4001}, "text"),
        ({"accuracy_m": "-5"}, "accuracy_m"),
        ({"place": "999999"}, "place"),
    ],
)
def test_new_report_errors_name_the_field_and_store_nothing(as_user, world, changes, field):
    response = as_user("police_reporter").post(reverse("web:report-new"), _form(**changes))
    assert response.status_code == 422
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert "has-error" in response.content.decode()
    assert Report.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_new_report_restricted_to_police(as_user, world):
    as_user("police_reporter").post(reverse("web:report-new"), _form(
        visibility="restricted", restricted_to=[str(world.orgs["police"].pk)]))
    report = Report.objects.get()
    assert report.visibility == "restricted"
    assert list(report.restricted_to.all()) == [world.orgs["police"]]


def test_new_report_forbidden_for_viewer(as_user, world):
    response = as_user("police_viewer").post(reverse("web:report-new"), _form())
    assert response.status_code == 403
    assert Report.objects.count() == 0


# --- anonymous tip ------------------------------------------------------------------

def _tip(**kw) -> dict:
    local = (timezone.now() - timedelta(hours=1)).astimezone(ZoneInfo("Europe/Stockholm"))
    data = {"category": "open_use", "lon": "16.91", "lat": "59.005",
            "occurred_from": local.strftime("%Y-%m-%dT%H:%M"), "text": "Needles by the bench"}
    data.update(kw)
    return data


def test_tip_page_for_anonymous(client, world):
    response = client.get(reverse("web:tip"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "IP address is not stored" in html
    assert "Do not write names, personal numbers" in html
    assert "Open use" in html
    assert "Violence" not in html  # not a tip category
    assert "csrfmiddlewaretoken" in html
    assert_csp_clean(html)


def test_tip_is_stored_anonymously(client, world):
    response = client.post(reverse("web:tip"), _tip())
    assert response.status_code == 302
    assert response["Location"] == reverse("web:tip-thanks")
    report = Report.objects.get()
    assert report.channel == "tip"
    assert report.reporter is None
    assert report.visibility == "partners"
    assert client.get(response["Location"]).status_code == 200


def test_tip_with_city_param(client, world):
    response = client.post(reverse("web:tip") + "?city=testby", _tip())
    assert response["Location"] == reverse("web:tip-thanks") + "?city=testby"


def test_tip_unknown_city_is_404(client, world):
    assert client.get(reverse("web:tip"), {"city": "atlantis"}).status_code == 404


@pytest.mark.parametrize(("changes", "field"), [
    ({"category": "violence"}, "category"), ({"lon": "", "lat": ""}, "lon"),
    ({"occurred_from": "2999-01-01T00:00"}, "occurred_from"),
])
def test_tip_errors_name_the_field(client, world, changes, field):
    response = client.post(reverse("web:tip"), _tip(**changes))
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert Report.objects.count() == 0


def test_tip_rate_limit_is_429(client, world, settings):
    settings.TIP_RATE_PER_HOUR = 3
    for _ in range(3):
        assert client.post(reverse("web:tip"), _tip()).status_code == 302
    response = client.post(reverse("web:tip"), _tip())
    assert response.status_code == 429
    assert b"Please try again later" in response.content
    assert Report.objects.count() == 3


def test_tip_requires_csrf(world):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(reverse("web:tip"), _tip())
    assert response.status_code == 403
    assert b"The form has expired" in response.content
    assert Report.objects.count() == 0


# --- audit --------------------------------------------------------------------------

def test_audit_lists_entries_of_the_city(as_user, world):
    r = factories.report(world)
    response = as_user("municipality_admin").get(reverse("web:audit"))
    rows = response.context["rows"]
    assert [e.object_id for e, _ in rows] == [str(r.pk)]
    html = response.content.decode()
    assert "police_reporter" in html and "create" in html
    assert "reporter_id" not in html
    assert_csp_clean(html)


def test_audit_leaves_out_reports_the_admin_may_not_see(as_user, world):
    factories.report(world, visibility="restricted", restricted_to=[world.orgs["police"].pk],
                     text="secret police matter")
    response = as_user("municipality_admin").get(reverse("web:audit"))
    assert response.context["rows"] == []
    assert b"secret police matter" not in response.content
    assert len(as_user("police_admin").get(reverse("web:audit")).context["rows"]) == 1


def test_audit_filter_by_object_type(as_user, world):
    factories.report(world)
    client = as_user("municipality_admin")
    assert len(client.get(reverse("web:audit"), {"type": "reports.report"})
               .context["rows"]) == 1
    assert len(client.get(reverse("web:audit"), {"type": "places.place"})
               .context["rows"]) == 1  # a type without entries is ignored: all shown


def test_audit_other_city_hidden(as_user, world):
    other = factories.make_city("annanby")
    org = other.organisations.create(slug="police", name="Other police", kind="police")
    user = factories.make_user("other_reporter", org, "reporter")
    from drugscene.accounts.access import viewer_for
    from drugscene.reports import services

    services.create_report(viewer_for(user), other, services.ReportInput(
        category="open_sale", lon=16.895, lat=59.0))
    rows = as_user("municipality_admin").get(reverse("web:audit")).context["rows"]
    assert rows == []


# --- login, logout, errors ----------------------------------------------------------

def test_login_page_links_to_tip(client, world):
    html = client.get(reverse("web:login")).content.decode()
    assert reverse("web:tip") in html
    assert "Report anonymously" in html
    assert_csp_clean(html)


def test_login_and_logout(client, world):
    response = client.post(reverse("web:login"), {"username": "police_reporter",
                                                  "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:map")
    response = client.post(reverse("web:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:login")


def test_login_lockout_after_failures(client, world, settings):
    settings.LOGIN_FAILURES_ALLOWED = 3
    for _ in range(3):
        response = client.post(reverse("web:login"), {"username": "police_reporter",
                                                      "password": "wrong"})
        assert response.status_code == 200
    response = client.post(reverse("web:login"), {"username": "police_reporter",
                                                  "password": factories.PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content
    assert "_auth_user_id" not in client.session
    # another name from the same address still works (the address limit is higher)
    response = client.post(reverse("web:login"), {"username": "police_viewer",
                                                  "password": factories.PASSWORD})
    assert response.status_code == 302


def test_login_address_limit(client, world, settings):
    settings.LOGIN_FAILURES_ALLOWED = 2
    settings.LOGIN_ADDRESS_FAILURES_ALLOWED = 3
    for name in ("a", "b", "c"):
        client.post(reverse("web:login"), {"username": name, "password": "wrong"})
    response = client.post(reverse("web:login"), {"username": "police_viewer",
                                                  "password": factories.PASSWORD})
    assert response.status_code == 429


def test_login_success_resets_the_name_counter(client, world, settings):
    settings.LOGIN_FAILURES_ALLOWED = 3
    for _ in range(2):
        client.post(reverse("web:login"), {"username": "police_reporter", "password": "x"})
    client.post(reverse("web:login"), {"username": "police_reporter",
                                       "password": factories.PASSWORD})
    client.post(reverse("web:logout"))
    for _ in range(2):
        client.post(reverse("web:login"), {"username": "police_reporter", "password": "x"})
    response = client.post(reverse("web:login"), {"username": "police_reporter",
                                                  "password": factories.PASSWORD})
    assert response.status_code == 302


def test_unknown_url_uses_404_template(client, world):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"This page does not exist" in response.content


def test_language_switch(as_user):
    client = as_user("police_reporter")
    response = client.post(reverse("set_language"), {"language": "sv", "next": "/reports/"})
    assert response.status_code == 302
    assert response["Location"] == "/reports/"
