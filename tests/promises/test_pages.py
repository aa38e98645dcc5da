"""Agreement pages through the test client."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from drugscene.promises import services
from drugscene.promises.models import Agreement, Commitment
from drugscene.promises.services import AgreementInput, CommitmentInput
from tests.web.conftest import assert_csp_clean

pytestmark = pytest.mark.django_db
ROLES = ["viewer", "reporter", "analyst", "coordinator", "admin"]
EDITS = {"coordinator", "admin"}


@pytest.fixture
def promise(world):
    coordinator = world.viewer("municipality_coordinator")
    a = services.create_agreement(coordinator, world.city, AgreementInput(
        kind="citizen_promise", title="Medborgarlöfte Väster", period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        party_ids=[world.orgs["police"].pk, world.orgs["municipality"].pk]))
    services.add_commitment(coordinator, a.pk, CommitmentInput(
        party_id=world.orgs["police"].pk, text="Polisen åtar sig att patrullera Torget",
        status="fulfilled", evidence="Patrull 12 av 12 helger"))
    services.add_commitment(coordinator, a.pk, CommitmentInput(
        party_id=world.orgs["municipality"].pk, text="Kommunen åtar sig att byta belysning"))
    return a


def test_pages_need_sign_in(client, promise):
    for url in (reverse("promises:list"), reverse("promises:detail", args=[promise.pk])):
        assert client.get(url).status_code == 302


@pytest.mark.parametrize("role", ROLES)
def test_every_member_reads(as_user, promise, role):
    client = as_user(f"housing_{role}")
    html = client.get(reverse("promises:list")).content.decode()
    assert "Medborgarlöfte Väster" in html and "1 of 2 commitments fulfilled" in html
    assert_csp_clean(html)
    response = client.get(reverse("promises:detail", args=[promise.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Police commits to" in html and "Patrull 12 av 12 helger" in html
    assert ("Add a commitment" in html) == (role in EDITS)
    assert_csp_clean(html)


@pytest.mark.parametrize("role", ROLES)
def test_only_coordinators_open_forms(as_user, promise, role):
    client = as_user(f"police_{role}")
    expected = 200 if role in EDITS else 403
    assert client.get(reverse("promises:new")).status_code == expected
    assert client.get(reverse("promises:edit", args=[promise.pk])).status_code == expected
    c = Commitment.objects.first()
    assert client.get(reverse("promises:commitment-edit", args=[c.pk])).status_code == expected


def test_outsider_gets_403_and_unknown_is_404(as_user, promise):
    assert as_user("outsider").get(reverse("promises:list")).status_code == 403
    assert as_user("police_viewer").get(reverse("promises:detail", args=[9999])).status_code \
        == 404


def test_create_agreement_through_the_form(as_user, world):
    response = as_user("municipality_coordinator").post(reverse("promises:new"), {
        "kind": "cooperation_agreement", "title": "Samverkansöverenskommelse 2026–2028",
        "period_start": "2026-01-01", "period_end": "2028-12-31",
        "parties": [world.orgs["police"].pk, world.orgs["municipality"].pk],
        "summary": "Tre mål."})
    assert response.status_code == 302
    a = Agreement.objects.get()
    assert response["Location"] == reverse("promises:detail", args=[a.pk])


def test_bad_agreement_is_named_and_not_stored(as_user, world):
    response = as_user("municipality_coordinator").post(reverse("promises:new"), {
        "kind": "citizen_promise", "title": "", "period_start": "2026-06-01",
        "period_end": "2026-01-01"})
    html = response.content.decode()
    assert response.status_code == 422
    summary = html[html.index('id="form-errors"'):html.index('class="form-section"')]
    for label in (">Title</a>", ">Until</a>", ">Parties</a>"):
        assert label in summary
    assert "The period ends before it starts." in html
    assert Agreement.objects.count() == 0


def test_add_commitment_needs_evidence_when_judged(as_user, promise, world):
    client = as_user("municipality_coordinator")
    url = reverse("promises:commitment-add", args=[promise.pk])
    response = client.post(url, {"commitment-party": world.orgs["municipality"].pk,
                                 "commitment-text": "Röja buskar",
                                 "commitment-status": "not_fulfilled"})
    assert response.status_code == 422
    assert 'href="#id_commitment-evidence"' in response.content.decode()
    assert Commitment.objects.count() == 2
    response = client.post(url, {"commitment-party": world.orgs["municipality"].pk,
                                 "commitment-text": "Röja buskar",
                                 "commitment-status": "ongoing"})
    assert response.status_code == 302
    assert Commitment.objects.count() == 3


def test_update_and_remove_commitment(as_user, promise, world):
    c = Commitment.objects.get(party=world.orgs["municipality"])
    client = as_user("municipality_coordinator")
    url = reverse("promises:commitment-edit", args=[c.pk])
    assert "Kommunen åtar sig" in client.get(url).content.decode()
    response = client.post(url, {"commitment-party": c.party_id, "commitment-text": c.text,
                                 "commitment-status": "fulfilled",
                                 "commitment-evidence": "Nya armaturer 2026-05-12"})
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.status == "fulfilled"
    assert as_user("police_reporter").post(
        reverse("promises:commitment-remove", args=[c.pk])).status_code == 403
    assert as_user("municipality_coordinator").post(
        reverse("promises:commitment-remove", args=[c.pk])).status_code == 302
    assert not Commitment.objects.filter(pk=c.pk).exists()
