"""Forms of the safety-walk pages. They parse; :mod:`drugscene.walks.services` validates."""

from __future__ import annotations

import json

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from drugscene.walks.models import FindingKind, FindingStatus
from drugscene.walks.services import FindingInput, WalkInput
from drugscene.web.forms import IDENTIFIER_NOTE, DateInput, Form

EXTRA_FINDINGS = 3


def _id(value: str) -> int | None:
    return int(value) if value else None


def _count(label) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=0, max_value=10_000,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric",
                                                              "min": 0}))


class WalkForm(Form):
    # Fields the service requires are optional here, so one submit shows every problem.
    date = forms.DateField(label=gettext_lazy("Date of the walk"), required=False,
                           widget=DateInput())
    area = forms.ChoiceField(label=gettext_lazy("District"), required=False)
    organisations = forms.MultipleChoiceField(
        label=gettext_lazy("Participating organisations"), required=False,
        widget=forms.CheckboxSelectMultiple)
    residents_count = _count(gettext_lazy("Residents taking part"))
    other_participants_count = _count(gettext_lazy("Other participants"))
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False,
                            help_text=IDENTIFIER_NOTE,
                            widget=forms.Textarea(attrs={"rows": 4, "maxlength": 8000}))
    route = forms.CharField(
        label=gettext_lazy("Route (GeoJSON LineString)"), required=False,
        help_text=gettext_lazy("Drawn on the map; or paste a GeoJSON LineString, or leave "
                               "empty."),
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "class": "mono"}))

    def __init__(self, *args, organisations, areas, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("No district"))] + [
            (str(a.pk), a.name) for a in areas]
        self.fields["organisations"].choices = [(str(i), n) for i, _s, n in organisations]

    def clean_route(self) -> dict | None:
        raw = (self.cleaned_data.get("route") or "").strip()
        if not raw:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            raise forms.ValidationError(_("The route is not valid JSON.")) from None
        if isinstance(value, dict) and value.get("type") == "Feature":
            value = value.get("geometry")
        return value

    def walk_input(self) -> WalkInput:
        cd = self.cleaned_data
        return WalkInput(
            date=cd.get("date"),
            area_id=_id(cd.get("area")),
            route=cd.get("route"),
            organisation_ids=[int(x) for x in cd.get("organisations") or []],
            residents_count=cd.get("residents_count") or 0,
            other_participants_count=cd.get("other_participants_count") or 0,
            notes=cd.get("notes") or "",
        )


class FindingForm(Form):
    kind = forms.ChoiceField(label=gettext_lazy("What was found"), required=False)
    owner = forms.ChoiceField(label=gettext_lazy("Responsible organisation"), required=False)
    lat = forms.FloatField(label=gettext_lazy("Latitude"), required=False,
                           widget=forms.NumberInput(attrs={"step": "any"}))
    lon = forms.FloatField(label=gettext_lazy("Longitude"), required=False,
                           widget=forms.NumberInput(attrs={"step": "any"}))
    due = forms.DateField(label=gettext_lazy("Fix by"), required=False, widget=DateInput())
    note = forms.CharField(label=gettext_lazy("Note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}))

    def __init__(self, *args, organisations=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Choose"))] + [
            (v, capfirst(label)) for v, label in FindingKind.choices]
        self.fields["owner"].choices = [("", _("Choose"))] + [
            (str(i), n) for i, _s, n in organisations]

    def finding_input(self) -> FindingInput:
        cd = self.cleaned_data
        return FindingInput(kind=cd.get("kind") or "", lon=cd.get("lon"), lat=cd.get("lat"),
                            owner_id=_id(cd.get("owner")), note=cd.get("note") or "",
                            due=cd.get("due"))


class BaseFindingFormSet(forms.BaseFormSet):
    def __init__(self, *args, organisations=(), **kwargs) -> None:
        self.organisations = organisations
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "organisations": self.organisations}

    def filled_forms(self) -> list[FindingForm]:
        """The forms somebody filled in (blank extra rows are skipped)."""
        return [f for f in self.forms if f.has_changed() and f.is_valid()]


FindingFormSet = forms.formset_factory(FindingForm, formset=BaseFindingFormSet,
                                       extra=EXTRA_FINDINGS, max_num=50, validate_max=True)


class StatusForm(Form):
    status = forms.ChoiceField(choices=FindingStatus.choices)
    next = forms.CharField(required=False)
