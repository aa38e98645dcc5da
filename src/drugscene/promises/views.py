"""Pages of citizen promises and cooperation agreements: the list, one agreement with its
commitments per party, and the coordinators' forms (all work without JavaScript)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from drugscene.accounts.access import Perm, Viewer
from drugscene.accounts.selectors import organisations_of
from drugscene.actions.selectors import visible_actions
from drugscene.cities.models import City
from drugscene.core.errors import ValidationFailed
from drugscene.promises import selectors, services
from drugscene.promises.forms import AgreementForm, CommitmentForm
from drugscene.promises.models import Agreement, Commitment
from drugscene.web.common import city_tz, pages, render_in, require, viewer_of
from drugscene.web.forms import add_domain_errors

COORDINATE = services.COORDINATE


#: Order of the stacked progress bar: done first, failed last.
STATUS_ORDER = ("fulfilled", "ongoing", "not_started", "not_fulfilled")


def segments(counts: list[tuple[str, int]]) -> list[tuple[str, str, str]]:
    """``(status, x, width)`` in percent for a stacked bar (SVG attributes, not styles)."""
    total = sum(n for _s, n in counts)
    out, x = [], 0.0
    for status, n in counts:
        if n and total:
            w = 100.0 * n / total
            out.append((status, f"{x:.2f}", f"{w:.2f}"))
            x += w
    return out


@pages
def agreement_list(request: HttpRequest) -> HttpResponse:
    viewer, city = require(request, Perm.VIEW_REPORTS)
    agreements = list(selectors.agreements_of(viewer, city.pk))
    for a in agreements:
        a.segments = segments([(s, getattr(a, f"n_{s}")) for s in STATUS_ORDER])
    return render_in(request, city, "promises/list.html", {
        "agreements": agreements,
        "can_edit": viewer.can(COORDINATE, city.pk),
        "today": timezone.localdate(timezone=city_tz(city)),
    })


def _agreement_form_page(request: HttpRequest, agreement: Agreement | None) -> HttpResponse:
    viewer, city = require(request, COORDINATE)
    organisations = organisations_of(city.pk, partners_only=True)
    status = 200
    with timezone.override(city_tz(city)):
        if request.method == "POST":
            form = AgreementForm(request.POST, organisations=organisations)
            if form.is_valid():
                try:
                    if agreement is None:
                        saved = services.create_agreement(viewer, city, form.agreement_input())
                    else:
                        saved = services.update_agreement(viewer, agreement.pk,
                                                          form.agreement_input())
                except ValidationFailed as exc:
                    add_domain_errors(form, exc)
                else:
                    messages.success(request, _("The agreement was saved."))
                    return redirect("promises:detail", agreement_id=saved.pk)
            status = 422
        elif agreement is None:
            form = AgreementForm(organisations=organisations,
                                 initial={"kind": "citizen_promise"})
        else:
            form = AgreementForm(organisations=organisations, initial={
                "kind": agreement.kind, "title": agreement.title,
                "period_start": agreement.period_start, "period_end": agreement.period_end,
                "parties": [str(p.pk) for p in agreement.parties.all()],
                "summary": agreement.summary,
            })
    return render_in(request, city, "promises/form.html", {
        "form": form, "agreement": agreement,
    }, status=status)


@pages
def agreement_new(request: HttpRequest) -> HttpResponse:
    return _agreement_form_page(request, None)


@pages
def agreement_edit(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = selectors.get_agreement(viewer_of(request), agreement_id)
    return _agreement_form_page(request, agreement)


def _actions_for(viewer: Viewer, city_id: int):
    return visible_actions(viewer, city_id=city_id).order_by("owner__name", "-start", "id")


def _commitment_form(viewer: Viewer, agreement: Agreement, data=None, **kwargs
                     ) -> CommitmentForm:
    return CommitmentForm(data, parties=agreement.parties.order_by("name"),
                          actions=_actions_for(viewer, agreement.city_id), **kwargs)


def _detail_context(viewer: Viewer, city: City, agreement: Agreement, *,
                    commitment_form: CommitmentForm | None = None) -> dict:
    groups = selectors.commitments_by_party(agreement)
    can_edit = viewer.can(COORDINATE, city.pk)
    ctx = {
        "agreement": agreement,
        "groups": groups,
        "status_counts": selectors.status_counts(agreement),
        "can_edit": can_edit,
        "today": timezone.localdate(timezone=city_tz(city)),
    }
    if can_edit:
        ctx["commitment_form"] = commitment_form or _commitment_form(viewer, agreement)
    return ctx


@pages
def agreement_detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
    viewer, city = require(request, Perm.VIEW_REPORTS)
    agreement = selectors.get_agreement(viewer, agreement_id)
    return render_in(request, agreement.city, "promises/detail.html",
                     _detail_context(viewer, agreement.city, agreement))


@require_POST
@pages
def commitment_add(request: HttpRequest, agreement_id: int) -> HttpResponse:
    viewer, city = require(request, COORDINATE)
    agreement = selectors.get_agreement(viewer, agreement_id)
    form = _commitment_form(viewer, agreement, request.POST)
    if form.is_valid():
        try:
            services.add_commitment(viewer, agreement.pk, form.commitment_input())
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Commitment added."))
            return redirect(reverse("promises:detail", args=[agreement.pk]) + "#commitments")
    return render_in(request, agreement.city, "promises/detail.html",
                     _detail_context(viewer, agreement.city, agreement, commitment_form=form),
                     status=422)


@pages
def commitment_edit(request: HttpRequest, commitment_id: int) -> HttpResponse:
    viewer, city = require(request, COORDINATE)
    commitment: Commitment = selectors.get_commitment(viewer, commitment_id)
    agreement = commitment.agreement
    status = 200
    if request.method == "POST":
        form = _commitment_form(viewer, agreement, request.POST)
        if form.is_valid():
            try:
                services.update_commitment(viewer, commitment.pk, form.commitment_input())
            except ValidationFailed as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("Commitment saved."))
                return redirect(reverse("promises:detail", args=[agreement.pk])
                                + f"#commitment-{commitment.pk}")
        status = 422
    else:
        form = _commitment_form(viewer, agreement, initial={
            "party": str(commitment.party_id), "text": commitment.text,
            "status": commitment.status, "evidence": commitment.evidence,
            "actions": [str(a) for a in commitment.actions.values_list("pk", flat=True)],
        })
    return render_in(request, agreement.city, "promises/commitment_form.html", {
        "form": form, "commitment": commitment, "agreement": agreement,
    }, status=status)


@require_POST
@pages
def commitment_remove(request: HttpRequest, commitment_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    commitment = selectors.get_commitment(viewer, commitment_id)
    services.remove_commitment(viewer, commitment.pk)
    messages.success(request, _("Commitment removed."))
    return redirect(reverse("promises:detail", args=[commitment.agreement_id]) + "#commitments")
