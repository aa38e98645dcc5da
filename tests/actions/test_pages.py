"""Action pages through the test client, including the one-click path from a cause."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from drugscene.actions import services
from drugscene.actions.models import Action
from drugscene.scenes import services as scene_services
from drugscene.scenes.checks import city_today

pytestmark = pytest.mark.django_db

ROLES = ["viewer", "reporter", "analyst", "coordinator", "admin"]


def coordinator(world):
    return world.viewer("municipality_coordinator")


def make_action(world, **extra) -> Action:
    data = {"owner_id": world.orgs["police"].pk, "kind": "hotspot_patrol",
            "title": "Patrull vid Torget", "start": city_today(world.city),
            "place_id": world.place.pk}
    data.update(extra)
    return services.create_action(coordinator(world), world.city, services.ActionInput(**data))


def lighting_cause(world):
    analysis = scene_services.record_cause_analysis(
        coordinator(world), world.place.pk, scene_services.CauseAnalysisInput(
            date=city_today(world.city), organisation_id=world.orgs["municipality"].pk,
            factors={"lighting": (True, "Två trasiga lyktstolpar"),
                     "vegetation": (False, "")}))
    return analysis.factors.get(factor="lighting")


def test_pages_need_sign_in(client, world) -> None:
    a = make_action(world)
    for url in (reverse("actions:action-list"), reverse("actions:action-new"),
                reverse("actions:action-detail", args=[a.pk]),
                reverse("actions:action-edit", args=[a.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_status_per_role(as_user, world, role) -> None:
    a = make_action(world)
    client = as_user(f"police_{role}")
    assert client.get(reverse("actions:action-list")).status_code == 200
    assert client.get(reverse("actions:action-detail", args=[a.pk])).status_code == 200
    can_plan = role != "viewer"
    assert client.get(reverse("actions:action-new")).status_code == (200 if can_plan else 403)
    # police own the action: their reporters and up may edit it
    assert client.get(reverse("actions:action-edit", args=[a.pk])).status_code == (
        200 if can_plan else 403)
    other = as_user(f"housing_{role}")
    assert other.get(reverse("actions:action-edit", args=[a.pk])).status_code == (
        200 if role in ("coordinator", "admin") else 403)


def test_outsider_sees_nothing(as_user, world) -> None:
    a = make_action(world)
    assert as_user("outsider").get(reverse("actions:action-list")).status_code == 403
    assert as_user("outsider").get(reverse("actions:action-detail",
                                           args=[a.pk])).status_code == 404


def test_list_filters_and_highlights_deadlines(as_user, world) -> None:
    t = city_today(world.city)
    late = make_action(world, title="Skulle ha börjat", start=t - timedelta(days=3))
    make_action(world, title="Belysning", kind="lighting", owner_id=world.orgs["housing"].pk,
                start=t + timedelta(days=40))
    client = as_user("social_viewer")
    response = client.get(reverse("actions:action-list"))
    html = response.content.decode()
    assert "row-overdue" in html and "Skulle ha börjat" in html
    assert response.context["rows"][0].action == late
    response = client.get(reverse("actions:action-list"), {"owner": world.orgs["housing"].pk})
    assert [r.action.title for r in response.context["rows"]] == ["Belysning"]
    response = client.get(reverse("actions:action-list"), {"flag": "overdue"})
    assert [r.action for r in response.context["rows"]] == [late]
    response = client.get(reverse("actions:action-list"), {"status": "bogus"})
    assert response.status_code == 422


def test_create_an_action_from_a_cause_in_one_click(as_user, world) -> None:
    cause = lighting_cause(world)
    client = as_user("municipality_coordinator")
    place_page = client.get(reverse("scenes:place-detail", args=[world.place.pk]))
    link = f'{reverse("actions:action-new")}?cause={cause.pk}'
    html = place_page.content.decode()
    assert link in html
    # the absent factor (vegetation) offers no button
    assert html.count("?cause=") == 1

    form_page = client.get(link)
    assert form_page.status_code == 200
    form = form_page.context["form"]
    assert form.initial["place"] == world.place.pk
    assert form.initial["causes"] == [cause.pk]
    assert form.initial["kind"] == "lighting"
    assert form.initial["title"] == "Lighting: Torget"
    assert form.initial["description"] == "Två trasiga lyktstolpar"
    assert [c for c, _label in form.fields["causes"].choices] == [cause.pk]
    assert re.search(rf'value="{cause.pk}"[^>]*checked', form_page.content.decode())

    t = city_today(world.city)
    response = client.post(link, {
        "title": form.initial["title"], "place": world.place.pk,
        "owner": world.orgs["housing"].pk, "kind": "lighting", "cpted_principle": "",
        "causes": [cause.pk], "start": t.isoformat(),
        "end": (t + timedelta(days=30)).isoformat(), "status": "planned",
        "description": form.initial["description"], "cost": "12000"})
    assert response.status_code == 302
    action = Action.objects.get()
    assert list(action.causes.all()) == [cause]
    assert action.cpted_principle == "surveillance" and action.owner == world.orgs["housing"]
    assert action.follow_ups.count() == 4

    place_page = client.get(reverse("scenes:place-detail", args=[world.place.pk]))
    html = place_page.content.decode()
    assert "Lighting: Torget" in html and html.count("fu-state") == 4
    assert "pending" in html


def test_new_action_from_a_place_prefills_the_place(as_user, world) -> None:
    client = as_user("police_reporter")
    response = client.get(reverse("actions:action-new"), {"place": world.place.pk})
    form = response.context["form"]
    assert form.initial["place"] == world.place.pk
    assert form.initial["owner"] == world.orgs["police"].pk
    assert [o for o, _n in form.fields["owner"].choices] == [world.orgs["police"].pk]


def test_unknown_or_invisible_cause_is_ignored_in_the_prefill(as_user, world) -> None:
    response = as_user("municipality_coordinator").get(reverse("actions:action-new"),
                                                       {"cause": "99999"})
    assert response.status_code == 200
    assert "causes" not in response.context["form"].initial


def test_form_names_fields_on_errors_and_stores_nothing(as_user, world) -> None:
    client = as_user("municipality_coordinator")
    t = city_today(world.city)
    response = client.post(reverse("actions:action-new"), {
        "title": "", "owner": world.orgs["police"].pk, "kind": "lighting",
        "start": t.isoformat(), "end": (t - timedelta(days=1)).isoformat(),
        "status": "planned", "patrol_minutes": "15"})
    assert response.status_code == 422
    assert "title" in response.context["form"].errors
    assert b"The action was not saved" in response.content
    response = client.post(reverse("actions:action-new"), {
        "title": "Belysning", "owner": world.orgs["police"].pk, "kind": "lighting",
        "start": t.isoformat(), "end": (t - timedelta(days=1)).isoformat(),
        "status": "planned", "patrol_minutes": "15"})
    errors = response.context["form"].errors
    assert response.status_code == 422
    assert {"place", "end", "patrol_minutes"} <= set(errors)
    assert not Action.objects.exists()


def test_edit_and_status(as_user, world) -> None:
    a = make_action(world, start=city_today(world.city) - timedelta(days=7))
    client = as_user("police_analyst")
    response = client.get(reverse("actions:action-edit", args=[a.pk]))
    assert response.context["form"].initial["title"] == "Patrull vid Torget"
    response = client.post(reverse("actions:action-edit", args=[a.pk]), {
        "title": "Patrull kvällstid", "place": world.place.pk, "owner": world.orgs["police"].pk,
        "kind": "hotspot_patrol", "cpted_principle": "none", "start": a.start.isoformat(),
        "status": "ongoing", "patrol_minutes": "12", "patrol_visits_per_week": "14"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.title, a.status, a.cpted_principle, a.patrol_minutes) == (
        "Patrull kvällstid", "ongoing", "", 12)
    response = client.post(reverse("actions:action-status", args=[a.pk]),
                           {"status": "done", "end": ""})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == "done" and a.end == city_today(world.city)
    detail = client.get(reverse("actions:action-detail", args=[a.pk])).content.decode()
    assert detail.count("fu-state") == 4
    response = client.post(reverse("actions:action-status", args=[a.pk]), {
        "status": "done", "end": (city_today(world.city) + timedelta(days=9)).isoformat()})
    assert response.status_code == 422
    assert "end" in response.context["status_form"].errors
    assert client.get(reverse("actions:action-status", args=[a.pk])).status_code == 405
