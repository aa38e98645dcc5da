"""Reads of agreements and commitments: shared with every member of the city."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from drugscene.accounts.access import Perm, Viewer
from drugscene.accounts.models import Organisation
from drugscene.actions.models import Action
from drugscene.core.errors import NotVisible
from drugscene.promises.models import Agreement, Commitment, CommitmentStatus


def visible_agreements(viewer: Viewer, *, city_id: int | None = None) -> QuerySet[Agreement]:
    qs = Agreement.objects.select_related("city")
    if city_id is not None:
        qs = qs.filter(city_id=city_id)
    if viewer.is_superuser:
        return qs
    if viewer.is_anonymous:
        return qs.none()
    return qs.filter(city_id__in=viewer.cities_where(Perm.VIEW_REPORTS))


def agreements_of(viewer: Viewer, city_id: int) -> QuerySet[Agreement]:
    """The city's agreements, newest period first, with commitment counts per status."""
    counts = {
        f"n_{status}": Count("commitments", filter=Q(commitments__status=status),
                             distinct=True)
        for status in CommitmentStatus.values
    }
    return (
        visible_agreements(viewer, city_id=city_id)
        .prefetch_related(Prefetch("parties", queryset=Organisation.objects.order_by("name")))
        .annotate(n_commitments=Count("commitments", distinct=True), **counts)
        .order_by("-period_start", "title")
    )


def get_agreement(viewer: Viewer, agreement_id: int) -> Agreement:
    agreement = visible_agreements(viewer).filter(pk=agreement_id).first()
    if agreement is None:
        raise NotVisible(_("Agreement %(id)s not found.") % {"id": agreement_id})
    return agreement


def get_commitment(viewer: Viewer, commitment_id: int) -> Commitment:
    qs = Commitment.objects.select_related("agreement", "agreement__city", "party")
    if not viewer.is_superuser:
        qs = qs.filter(agreement__city_id__in=viewer.cities_where(Perm.VIEW_REPORTS))
    commitment = qs.filter(pk=commitment_id).first()
    if commitment is None:
        raise NotVisible(_("Commitment %(id)s not found.") % {"id": commitment_id})
    return commitment


@dataclass(frozen=True)
class PartyCommitments:
    party: Organisation
    commitments: list[Commitment]


def commitments_by_party(agreement: Agreement) -> list[PartyCommitments]:
    """Each party (by name) with its commitments and their linked actions."""
    commitments = list(
        agreement.commitments.select_related("party")
        .prefetch_related(Prefetch("actions", queryset=Action.objects.select_related(
            "owner", "place", "area").order_by("start", "id")))
        .order_by("id")
    )
    out = []
    for party in agreement.parties.order_by("name"):
        out.append(PartyCommitments(party, [c for c in commitments if c.party_id == party.pk]))
    return out


def status_counts(agreement: Agreement) -> list[tuple[str, str, int]]:
    """``(status, label, count)`` for every status, in lifecycle order."""
    counts = dict(agreement.commitments.order_by().values("status").annotate(n=Count("id"))
                  .values_list("status", "n"))
    return [(s, label, counts.get(s, 0)) for s, label in CommitmentStatus.choices]
