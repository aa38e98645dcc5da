"""Agreement services: citizen promises and cooperation agreements, commitments per party,
evidence for judged commitments, linked actions, permissions and audit."""

from __future__ import annotations

from datetime import date

import pytest

from drugscene.accounts.access import viewer_for
from drugscene.accounts.models import Organisation
from drugscene.actions import services as action_services
from drugscene.audit.models import AuditEntry
from drugscene.core.errors import NotVisible, PermissionDenied, ValidationFailed
from drugscene.places.models import Place
from drugscene.promises import selectors, services
from drugscene.promises.models import Agreement, Commitment
from drugscene.promises.services import AgreementInput, CommitmentInput
from tests import factories

pytestmark = pytest.mark.django_db
PHONE = "070-123 45 67"


def agreement(world, by="municipality_coordinator", **kw) -> Agreement:
    data = {"kind": "citizen_promise", "title": "Medborgarlöfte Väster 2026",
            "period_start": date(2026, 1, 1), "period_end": date(2026, 12, 31),
            "party_ids": [world.orgs["police"].pk, world.orgs["municipality"].pk],
            "summary": "Trygghet vid Torget."}
    data.update(kw)
    return services.create_agreement(world.viewer(by), world.city, AgreementInput(**data))


def commit(world, a, by="municipality_coordinator", **kw) -> Commitment:
    data = {"party_id": world.orgs["police"].pk,
            "text": "Polisen åtar sig att vara synlig vid Torget fredag och lördag kväll."}
    data.update(kw)
    return services.add_commitment(world.viewer(by), a.pk, CommitmentInput(**data))


def an_action(world, city=None, owner=None, place=None, viewer=None):
    return action_services.create_action(
        viewer or world.viewer("municipality_coordinator"), city or world.city,
        action_services.ActionInput(
            owner_id=(owner or world.orgs["police"]).pk, kind="police_presence",
            title="Närvaro Torget", start=date(2026, 2, 1), end=date(2026, 2, 28),
            place_id=(place or world.place).pk, status="done"))


def test_create_agreement_with_parties_and_audit(world):
    a = agreement(world, summary=f"Kontakt {PHONE}")
    assert set(a.parties.values_list("slug", flat=True)) == {"police", "municipality"}
    assert "070" not in a.summary
    [entry] = AuditEntry.objects.filter(object_type="promises.agreement")
    assert entry.action == "create" and len(entry.changes["parties"]) == 2


def test_agreement_problems_named_and_nothing_stored(world):
    with pytest.raises(ValidationFailed) as exc:
        agreement(world, kind="treaty", title=" ", period_start=date(2026, 6, 1),
                  period_end=date(2026, 1, 1), party_ids=[])
    assert set(exc.value.errors) == {"kind", "title", "period_end", "parties"}
    assert Agreement.objects.count() == 0


def test_parties_must_be_of_the_city(world):
    other = factories.make_city("otherby")
    stranger = Organisation.objects.create(city=other, slug="p", name="P", kind="police")
    with pytest.raises(ValidationFailed) as exc:
        agreement(world, party_ids=[world.orgs["police"].pk, stranger.pk])
    assert list(exc.value.errors) == ["parties"]


@pytest.mark.parametrize("role", ["viewer", "reporter", "analyst"])
def test_only_coordinators_keep_agreements(world, role):
    with pytest.raises(PermissionDenied):
        agreement(world, by=f"police_{role}")
    a = agreement(world)
    with pytest.raises(PermissionDenied):
        commit(world, a, by=f"police_{role}")


def test_commitment_by_a_party_with_actions(world):
    a = agreement(world)
    act = an_action(world)
    c = commit(world, a, status="ongoing", action_ids=[act.pk])
    assert list(c.actions.all()) == [act]
    entry = AuditEntry.objects.get(object_type="promises.commitment")
    assert entry.changes["actions"] == [act.pk]


def test_commitment_problems_are_named(world):
    a = agreement(world)
    with pytest.raises(ValidationFailed) as exc:
        commit(world, a, party_id=world.orgs["housing"].pk, text="", status="maybe",
               action_ids=[999_999])
    assert set(exc.value.errors) == {"party", "text", "status", "actions"}
    assert Commitment.objects.count() == 0


@pytest.mark.parametrize("status", ["fulfilled", "not_fulfilled"])
def test_judged_commitment_needs_evidence(world, status):
    a = agreement(world)
    with pytest.raises(ValidationFailed) as exc:
        commit(world, a, status=status, evidence="  ")
    assert list(exc.value.errors) == ["evidence"]
    c = commit(world, a, status=status, evidence=f"Rapport mars, ring {PHONE}")
    assert "070" not in c.evidence


def test_actions_of_another_city_cannot_be_linked(world):
    a = agreement(world)
    other = factories.make_city("otherby")
    org = Organisation.objects.create(city=other, slug="p", name="P", kind="police")
    place = Place.objects.create(city=other, slug="t", name="T", place_type="square",
                                 lon=16.9, lat=59.0)
    coord = viewer_for(factories.make_user("other_coord", org, "coordinator"))
    foreign = an_action(world, city=other, owner=org, place=place, viewer=coord)
    with pytest.raises(ValidationFailed) as exc:
        commit(world, a, action_ids=[foreign.pk])
    assert list(exc.value.errors) == ["actions"]


def test_update_commitment_audits_a_diff(world):
    a = agreement(world)
    c = commit(world, a)
    act = an_action(world)
    services.update_commitment(world.viewer("police_coordinator"), c.pk, CommitmentInput(
        party_id=c.party_id, text=c.text, status="fulfilled",
        evidence="Närvaro 8 av 8 helger", action_ids=[act.pk]))
    entry = AuditEntry.objects.filter(object_type="promises.commitment").latest("id")
    assert entry.action == "update"
    assert set(entry.changes) == {"status", "evidence", "actions"}


def test_party_with_commitments_cannot_be_removed(world):
    a = agreement(world)
    commit(world, a)
    with pytest.raises(ValidationFailed) as exc:
        services.update_agreement(world.viewer("municipality_coordinator"), a.pk,
                                  AgreementInput(kind=a.kind, title=a.title,
                                                 period_start=a.period_start,
                                                 party_ids=[world.orgs["municipality"].pk]))
    assert list(exc.value.errors) == ["parties"]
    a = services.update_agreement(world.viewer("municipality_coordinator"), a.pk,
                                  AgreementInput(kind="cooperation_agreement", title=a.title,
                                                 period_start=a.period_start,
                                                 party_ids=[world.orgs["police"].pk,
                                                            world.orgs["social"].pk]))
    assert set(a.parties.values_list("slug", flat=True)) == {"police", "social"}


def test_remove_commitment(world):
    c = commit(world, agreement(world))
    with pytest.raises(PermissionDenied):
        services.remove_commitment(world.viewer("police_reporter"), c.pk)
    services.remove_commitment(world.viewer("municipality_coordinator"), c.pk)
    assert Commitment.objects.count() == 0
    assert AuditEntry.objects.filter(object_type="promises.commitment",
                                     action="delete").count() == 1


def test_reads_are_for_members_of_the_city(world):
    a = agreement(world)
    c = commit(world, a, status="ongoing")
    commit(world, a, party_id=world.orgs["municipality"].pk, text="Kommunen lagar belysningen")
    groups = selectors.commitments_by_party(a)
    assert [g.party.slug for g in groups] == ["municipality", "police"]
    assert [x.pk for x in groups[1].commitments] == [c.pk]
    counts = {s: n for s, _label, n in selectors.status_counts(a)}
    assert counts == {"not_started": 1, "ongoing": 1, "fulfilled": 0, "not_fulfilled": 0}
    [row] = selectors.agreements_of(world.viewer("housing_viewer"), world.city.pk)
    assert (row.n_commitments, row.n_ongoing) == (2, 1)
    with pytest.raises(NotVisible):
        selectors.get_agreement(world.viewer("outsider"), a.pk)
