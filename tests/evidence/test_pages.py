"""Evidence pages through the test client: sign-in, CSP in English and Swedish, the own
results table, and the panel on the action form and the action page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from drugscene.actions.models import ActionKind
from drugscene.evidence.catalogue import BY_KEY, ENTRIES, NO_SUMMARY
from tests.evidence.helpers import action, follow_up
from tests.web.conftest import assert_csp_clean

pytestmark = pytest.mark.django_db


def in_swedish(client):
    client.post(reverse("set_language"), {"language": "sv", "next": "/"})
    return client


def test_pages_need_sign_in(client, world) -> None:
    for url in (reverse("evidence:list"), reverse("evidence:detail", args=["lighting"]),
                reverse("evidence:panel", args=["lighting"])):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_list_and_every_detail_page_are_csp_clean(as_user, world, lang) -> None:
    client = as_user("social_viewer")
    if lang == "sv":
        in_swedish(client)
    response = client.get(reverse("evidence:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert_csp_clean(html)
    assert f'lang="{lang}"' in html
    for e in ENTRIES:
        assert reverse("evidence:detail", args=[e.key]) in html
    for key in [e.key for e in ENTRIES] + list(NO_SUMMARY):
        response = client.get(reverse("evidence:detail", args=[key]))
        assert response.status_code == 200, key
        assert_csp_clean(response.content.decode())


def test_detail_shows_sources_and_sections(as_user, world) -> None:
    html = as_user("police_viewer").get(reverse("evidence:detail",
                                                args=["hotspot_patrol"])).content.decode()
    for short in ("Koper", "Weisburd", "Braga"):
        assert short in html
    assert "10.1002/cl2.1046" in html  # DOI link
    assert "Diffusion of benefits" in html or "diffusion of benefits" in html
    assert "Our own results" in html


def test_other_kind_shows_the_no_summary_decision(as_user, world) -> None:
    html = as_user("police_viewer").get(reverse("evidence:detail",
                                                args=["other"])).content.decode()
    assert "No summary yet." in html
    assert str(NO_SUMMARY[ActionKind.OTHER])[:40] in html


def test_unknown_key_is_404(as_user, world) -> None:
    client = as_user("police_viewer")
    assert client.get(reverse("evidence:detail", args=["astrology"])).status_code == 404
    assert client.get(reverse("evidence:panel", args=["astrology"])).status_code == 404


def test_own_results_table_only_for_who_may_see_the_actions(as_user, world) -> None:
    a = action(world, "cameras", title="Kameror vid Torget")
    follow_up(a, "end", rr=0.62, wdq=0.35)
    url = reverse("evidence:detail", args=["cameras"])
    html = as_user("housing_viewer").get(url).content.decode()
    assert "Kameror vid Torget" in html
    assert "0.62" in html
    assert reverse("actions:action-detail", args=[a.pk]) in html
    # signed in but member of no city: the research, not the city's actions
    outsider = as_user("outsider").get(url)
    assert outsider.status_code == 200
    assert "Kameror vid Torget" not in outsider.content.decode()


def test_panel_fragment(as_user, world) -> None:
    follow_up(action(world, "lighting", title="Belysning"), "end", rr=0.8, wdq=0.2)
    response = as_user("police_viewer").get(reverse("evidence:panel", args=["lighting"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert_csp_clean(html)
    assert str(BY_KEY["lighting"].summary)[:50] in html
    assert "Median rate ratio" in html and "0.80" in html


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_panel_on_the_action_form_follows_the_kind(as_user, world, lang) -> None:
    client = as_user("municipality_coordinator")
    if lang == "sv":
        in_swedish(client)
    response = client.get(reverse("actions:action-new"))
    assert response.status_code == 200
    html = response.content.decode()
    assert_csp_clean(html)
    assert 'id="evidence-panel"' in html and "data-evidence-panel" in html
    assert 'src="/static/evidence/panel.js"' in html
    assert reverse("evidence:panel", args=["__key__"]) + f"?city={world.city.slug}" in html


def test_panel_on_the_action_form_prefilled_from_a_cause(as_user, world) -> None:
    from drugscene.scenes import services as scene_services
    from drugscene.scenes.checks import city_today

    analysis = scene_services.record_cause_analysis(
        world.viewer("municipality_coordinator"), world.place.pk,
        scene_services.CauseAnalysisInput(
            date=city_today(world.city), organisation_id=world.orgs["municipality"].pk,
            factors={"lighting": (True, "Trasiga lyktstolpar")}))
    cause = analysis.factors.get(factor="lighting")
    html = as_user("municipality_coordinator").get(
        reverse("actions:action-new") + f"?cause={cause.pk}").content.decode()
    assert str(BY_KEY["lighting"].summary)[:50] in html


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_panel_on_the_action_page(as_user, world, lang) -> None:
    a = action(world, "night_closure", title="Stängt nattetid")
    follow_up(a, "end", rr=0.7, wdq=-0.2)
    client = as_user("social_viewer")
    if lang == "sv":
        in_swedish(client)
    response = client.get(reverse("actions:action-detail", args=[a.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert_csp_clean(html)
    assert 'id="evidence-panel"' in html
    assert "data-evidence-panel" not in html  # not live: no script on the action page
    assert reverse("evidence:detail", args=["night_closure"]) in html
    if lang == "en":
        assert str(BY_KEY["night_closure"].summary)[:50] in html
        assert "0.70" in html


def test_long_tables_are_capped_but_the_figures_count_all(as_user, world, monkeypatch) -> None:
    from drugscene.evidence import views

    monkeypatch.setattr(views, "TABLE_ROWS", 2)
    for i, rr in enumerate((0.8, 0.4, 0.9)):
        follow_up(action(world, "cleaning", title=f"Städning {i}"), "end", rr=rr, wdq=0.2)
    html = as_user("police_viewer").get(reverse("evidence:detail",
                                                args=["cleaning"])).content.decode()
    assert html.count("Städning ") == 2
    assert "The 2 most recent of 3 evaluated actions are listed" in html
    assert "0.80" in html  # the median of all three (not a listed row)
