"""Every write of citizen promises and cooperation agreements: validated, scrubbed, one
transaction, one audit entry. Coordinators keep the agreements and their commitments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from drugscene.accounts.access import Perm, Viewer
from drugscene.accounts.models import Organisation, OrganisationKind
from drugscene.actions.selectors import visible_actions
from drugscene.audit import services as audit
from drugscene.cities.models import City
from drugscene.core.errors import PermissionDenied
from drugscene.core.validation import Problems, scrubbed, seat_organisation
from drugscene.promises import selectors
from drugscene.promises.models import Agreement, AgreementKind, Commitment, CommitmentStatus

COORDINATE = Perm.MANAGE_PLACES
MAX_TITLE = 200
MAX_TEXT = 4000
#: A commitment judged fulfilled or not fulfilled says on what grounds.
JUDGED = (CommitmentStatus.FULFILLED, CommitmentStatus.NOT_FULFILLED)


def _require_coordinator(viewer: Viewer, city_id: int) -> None:
    if not viewer.can(COORDINATE, city_id):
        raise PermissionDenied(_("Only coordinators keep the agreements."))


def _text(errors: Problems, name: str, value: str, limit: int, *, required: bool,
          missing: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        errors.add(name, missing or _("This field is required."))
    elif len(value) > limit:
        errors.add(name, _("At most %(n)s characters.") % {"n": limit})
    return value


# --- agreements -----------------------------------------------------------------------------

@dataclass
class AgreementInput:
    kind: str
    title: str
    period_start: date | None
    period_end: date | None = None
    party_ids: list[int] = field(default_factory=list)
    summary: str = ""


def _agreement_snapshot(agreement: Agreement) -> dict[str, object]:
    data = audit.snapshot(agreement)
    data.pop("updated_at", None)
    data["parties"] = sorted(agreement.parties.values_list("pk", flat=True))
    return data


def _clean_agreement(city: City, data: AgreementInput,
                     agreement: Agreement | None = None) -> dict:
    errors = Problems()
    if data.kind not in AgreementKind.values:
        errors.add("kind", _("Choose the kind of agreement."))
    title = _text(errors, "title", data.title, MAX_TITLE, required=True,
                  missing=_("Give the agreement a title."))
    if data.period_start is None:
        errors.add("period_start", _("Give the start of the period."))
    elif data.period_end is not None and data.period_end < data.period_start:
        errors.add("period_end", _("The period ends before it starts."))
    wanted = set(data.party_ids or [])
    parties = list(Organisation.objects.filter(city=city, pk__in=wanted)
                   .exclude(kind=OrganisationKind.CITIZEN_CHANNEL))
    if not wanted:
        errors.add("parties", _("Name the parties."))
    elif len(parties) != len(wanted):
        errors.add("parties", _("Unknown organisation."))
    elif agreement is not None:
        committed = set(agreement.commitments.values_list("party_id", flat=True))
        if committed - wanted:
            errors.add("parties", _("A party with commitments cannot be removed; remove its "
                                    "commitments first."))
    summary = _text(errors, "summary", data.summary, MAX_TEXT, required=False)
    errors.raise_if_any()
    return {"kind": data.kind, "title": scrubbed(title), "period_start": data.period_start,
            "period_end": data.period_end, "summary": scrubbed(summary), "parties": parties}


def create_agreement(viewer: Viewer, city: City, data: AgreementInput) -> Agreement:
    _require_coordinator(viewer, city.pk)
    clean = _clean_agreement(city, data)
    parties = clean.pop("parties")
    with transaction.atomic():
        agreement = Agreement.objects.create(city=city, **clean)
        agreement.parties.set(parties)
        audit.record(action="create", obj=agreement, changes=_agreement_snapshot(agreement),
                     user_id=viewer.user_id, organisation_id=seat_organisation(viewer, city.pk))
    return agreement


def update_agreement(viewer: Viewer, agreement_id: int, data: AgreementInput) -> Agreement:
    agreement = selectors.get_agreement(viewer, agreement_id)
    city = agreement.city
    _require_coordinator(viewer, city.pk)
    clean = _clean_agreement(city, data, agreement)
    parties = clean.pop("parties")
    with transaction.atomic():
        before = _agreement_snapshot(agreement)
        for name, value in clean.items():
            setattr(agreement, name, value)
        agreement.save()
        agreement.parties.set(parties)
        changes = audit.diff(before, _agreement_snapshot(agreement))
        if changes:
            audit.record(action="update", obj=agreement, changes=changes,
                         user_id=viewer.user_id, organisation_id=seat_organisation(viewer, city.pk))
    return agreement


# --- commitments ----------------------------------------------------------------------------

@dataclass
class CommitmentInput:
    party_id: int | None
    text: str
    status: str = CommitmentStatus.NOT_STARTED
    evidence: str = ""
    action_ids: list[int] = field(default_factory=list)


def _commitment_snapshot(commitment: Commitment) -> dict[str, object]:
    data = audit.snapshot(commitment)
    data.pop("updated_at", None)
    data["actions"] = sorted(commitment.actions.values_list("pk", flat=True))
    return data


def _clean_commitment(viewer: Viewer, agreement: Agreement, data: CommitmentInput) -> dict:
    errors = Problems()
    party = None
    if data.party_id is None:
        errors.add("party", _("Choose the party that commits."))
    else:
        party = agreement.parties.filter(pk=data.party_id).first()
        if party is None:
            errors.add("party", _("Only a party to the agreement can commit."))
    text = _text(errors, "text", data.text, MAX_TEXT, required=True,
                 missing=_("Write what the party commits to."))
    if data.status not in CommitmentStatus.values:
        errors.add("status", _("Unknown value."))
    evidence = _text(errors, "evidence", data.evidence, MAX_TEXT, required=False)
    if data.status in JUDGED and not evidence:
        errors.add("evidence", _("Say on what grounds the commitment is judged %(status)s.")
                   % {"status": CommitmentStatus(data.status).label})
    wanted = set(data.action_ids or [])
    actions = list(visible_actions(viewer, city_id=agreement.city_id).filter(pk__in=wanted))
    if len(actions) != len(wanted):
        errors.add("actions", _("Unknown action."))
    errors.raise_if_any()
    return {"party": party, "text": scrubbed(text), "status": data.status,
            "evidence": scrubbed(evidence), "actions": actions}


def add_commitment(viewer: Viewer, agreement_id: int, data: CommitmentInput) -> Commitment:
    agreement = selectors.get_agreement(viewer, agreement_id)
    _require_coordinator(viewer, agreement.city_id)
    clean = _clean_commitment(viewer, agreement, data)
    actions = clean.pop("actions")
    with transaction.atomic():
        commitment = Commitment.objects.create(agreement=agreement, **clean)
        commitment.actions.set(actions)
        audit.record(action="create", obj=commitment,
                     changes=_commitment_snapshot(commitment), user_id=viewer.user_id,
                     organisation_id=seat_organisation(viewer, agreement.city_id))
    return commitment


def update_commitment(viewer: Viewer, commitment_id: int, data: CommitmentInput) -> Commitment:
    commitment = selectors.get_commitment(viewer, commitment_id)
    agreement = commitment.agreement
    _require_coordinator(viewer, agreement.city_id)
    clean = _clean_commitment(viewer, agreement, data)
    actions = clean.pop("actions")
    with transaction.atomic():
        before = _commitment_snapshot(commitment)
        for name, value in clean.items():
            setattr(commitment, name, value)
        commitment.save()
        commitment.actions.set(actions)
        changes = audit.diff(before, _commitment_snapshot(commitment))
        if changes:
            audit.record(action="update", obj=commitment, changes=changes,
                         user_id=viewer.user_id,
                         organisation_id=seat_organisation(viewer, agreement.city_id))
    return commitment


def remove_commitment(viewer: Viewer, commitment_id: int) -> None:
    commitment = selectors.get_commitment(viewer, commitment_id)
    city_id = commitment.agreement.city_id
    _require_coordinator(viewer, city_id)
    with transaction.atomic():
        audit.record(action="delete", obj=commitment,
                     changes=_commitment_snapshot(commitment), user_id=viewer.user_id,
                     organisation_id=seat_organisation(viewer, city_id))
        commitment.delete()
