"""Forms of the scene register pages. They parse and render; the services validate."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from drugscene.places.models import OwnerKind, Place, PlaceStatus, PlaceType
from drugscene.scenes.models import (
    ASPECTS,
    SYMPTOMS,
    Affected,
    Answer,
    Assessment,
    CauseAnalysis,
    Factor,
    Rating,
    SceneForm,
)
from drugscene.scenes.services import AssessmentInput, CauseAnalysisInput, PlacePart
from drugscene.web.forms import DateInput, Form


def _choices(pairs) -> list[tuple[str, str]]:
    return [(value, capfirst(label)) for value, label in pairs]


NOTE = gettext_lazy("Places, not persons: no names, numbers or plates (they are removed).")


def _textarea(rows: int = 2, limit: int = 4000) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": limit})


def _date(label) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput())


def _count(label) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=0, max_value=10_000,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


def _coordinate(label) -> forms.FloatField:
    return forms.FloatField(label=label, required=False,
                            widget=forms.NumberInput(attrs={"step": "any"}))


class RegisterFilterForm(Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    district = forms.ChoiceField(label=gettext_lazy("District"), required=False)
    type = forms.ChoiceField(label=gettext_lazy("Type"), required=False)
    sort = forms.ChoiceField(label=gettext_lazy("Sort by"), required=False)

    def __init__(self, data, *, areas) -> None:
        super().__init__(data)
        self.fields["status"].choices = [("", _("Any status")),
                                         *_choices(PlaceStatus.choices)]
        self.fields["district"].choices = [("", _("All districts"))] + [
            (a.slug, a.name) for a in areas]
        self.fields["type"].choices = [("", _("All types")), *_choices(PlaceType.choices)]
        self.fields["sort"].choices = [
            ("reports", _("Reports, last 28 days")), ("change", _("Change")),
            ("status", _("Status")), ("name", _("Name"))]

    def filters(self) -> dict[str, str]:
        cd = self.cleaned_data
        return {"status": cd.get("status") or "", "district": cd.get("district") or "",
                "place_type": cd.get("type") or "", "sort": cd.get("sort") or "reports"}


class PlaceForm(Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=160)
    place_type = forms.ChoiceField(label=gettext_lazy("Type"))
    owner_kind = forms.ChoiceField(label=gettext_lazy("Land owner"), initial=OwnerKind.UNKNOWN)
    indoor = forms.BooleanField(label=gettext_lazy("Indoor (stairwell, basement …)"),
                                required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), initial=PlaceStatus.SUSPECTED)
    date = _date(gettext_lazy("Status since"))
    lat = _coordinate(gettext_lazy("Latitude"))
    lon = _coordinate(gettext_lazy("Longitude"))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, help_text=NOTE,
                           widget=_textarea(3))

    def __init__(self, *args, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place_type"].choices = [("", _("Choose a type")),
                                             *_choices(PlaceType.choices)]
        self.fields["owner_kind"].choices = _choices(OwnerKind.choices)
        self.fields["status"].choices = _choices(PlaceStatus.choices)
        self.initial.setdefault("date", today)

    def clean(self) -> dict:
        cd = super().clean()
        if (cd.get("lon") is None or cd.get("lat") is None) and not self.has_error("lon") \
                and not self.has_error("lat"):
            self.add_error("lon", _("A position is required: click the map or give the "
                                    "coordinates."))
        return cd


class StatusForm(Form):
    status = forms.ChoiceField(label=gettext_lazy("New status"))
    date = _date(gettext_lazy("Date"))
    organisation = forms.TypedChoiceField(label=gettext_lazy("By organisation"), coerce=int)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, help_text=NOTE,
                           widget=_textarea(2))

    def __init__(self, *args, allowed, organisations, today: date, seat_org: int | None,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, capfirst(PlaceStatus(s).label))
                                         for s in PlaceStatus.values if s in allowed]
        self.fields["organisation"].choices = [(i, n) for i, _s, n in organisations]
        self.initial.setdefault("date", today)
        if seat_org:
            self.initial.setdefault("organisation", seat_org)


class AssessmentForm(Form):
    """Seven symptoms (answer and note), the aspects (text and 1–3), the scene's form."""

    date = _date(gettext_lazy("Date of the assessment"))
    organisation = forms.TypedChoiceField(label=gettext_lazy("Assessor organisation"),
                                          coerce=int)
    scene_form = forms.ChoiceField(
        label=gettext_lazy("Concentrated or dispersed"), initial=SceneForm.UNKNOWN,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("EMCDDA: concentrated = many users in one place; dispersed "
                               "= spread over several small places."))
    summary = forms.CharField(label=gettext_lazy("Summary"), required=False,
                              help_text=NOTE, widget=_textarea(3))

    def __init__(self, *args, organisations, today: date, seat_org: int | None,
                 previous: Assessment | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(i, n) for i, _s, n in organisations]
        self.fields["scene_form"].choices = _choices(SceneForm.choices)
        answers = _choices(Answer.choices)
        for key, label in SYMPTOMS:
            self.fields[key] = forms.ChoiceField(label=label, choices=answers,
                                                 initial=Answer.UNKNOWN,
                                                 widget=forms.RadioSelect)
            self.fields[f"{key}_note"] = forms.CharField(
                label=gettext_lazy("Note"), required=False, widget=_textarea(2))
        ratings = [("", _("not rated")), *[(str(v), lbl) for v, lbl in Rating.choices]]
        for key, label, help_text, rated in ASPECTS:
            self.fields[key] = forms.CharField(label=label, required=False,
                                               help_text=help_text, widget=_textarea(2))
            if rated:
                self.fields[f"{key}_rating"] = forms.TypedChoiceField(
                    label=gettext_lazy("Rating"), choices=ratings, coerce=int,
                    empty_value=None, required=False, widget=forms.RadioSelect)
        self.initial.setdefault("date", today)
        if seat_org:
            self.initial.setdefault("organisation", seat_org)
        self.previous = previous
        if previous is not None and not self.is_bound:
            for name in self.fields:
                if name not in ("date", "organisation") and hasattr(previous, name):
                    self.initial[name] = getattr(previous, name)

    def symptom_fields(self) -> list[tuple]:
        return [(self[key], self[f"{key}_note"]) for key, _l in SYMPTOMS]

    def aspect_fields(self) -> list[tuple]:
        return [(self[key], self[f"{key}_rating"] if rated else None)
                for key, _l, _h, rated in ASPECTS]

    def to_input(self) -> AssessmentInput:
        cd = self.cleaned_data
        return AssessmentInput(
            date=cd["date"], organisation_id=cd["organisation"],
            symptoms={k: (cd[k], cd.get(f"{k}_note") or "") for k, _l in SYMPTOMS},
            aspects={k: (cd.get(k) or "", cd.get(f"{k}_rating") if rated else None)
                     for k, _l, _h, rated in ASPECTS},
            scene_form=cd["scene_form"], summary=cd.get("summary") or "",
        )


AGE_FIELDS = ("offenders_under_15", "offenders_15_17", "offenders_18_25", "offenders_26_plus")


class CauseAnalysisForm(Form):
    date = _date(gettext_lazy("Date of the analysis"))
    organisation = forms.TypedChoiceField(label=gettext_lazy("Organisation"), coerce=int)
    affected = forms.MultipleChoiceField(label=gettext_lazy("Who is affected"),
                                         required=False, widget=forms.CheckboxSelectMultiple)
    affected_note = forms.CharField(label=gettext_lazy("How they are affected"),
                                    required=False, widget=_textarea(2))
    offender_groups = forms.CharField(
        label=gettext_lazy("Who offends"), required=False, widget=_textarea(2),
        help_text=gettext_lazy("Groups only (e.g. “local sellers 15–20, runners from other "
                               "districts”). Never names or descriptions of persons."))
    offenders_estimate = _count(gettext_lazy("Estimated number"))
    offenders_under_15 = _count(gettext_lazy("Under 15"))
    offenders_15_17 = _count(gettext_lazy("15–17"))
    offenders_18_25 = _count(gettext_lazy("18–25"))
    offenders_26_plus = _count(gettext_lazy("26 or older"))
    event_chain = forms.CharField(
        label=gettext_lazy("Event chain"), required=False, widget=_textarea(4),
        help_text=gettext_lazy("How it happens: arrival, contact, deal, stash, escape …"))

    def __init__(self, *args, organisations, today: date, seat_org: int | None,
                 previous: CauseAnalysis | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(i, n) for i, _s, n in organisations]
        self.fields["affected"].choices = _choices(Affected.choices)
        for value, label in Factor.choices:
            self.fields[f"{value}_present"] = forms.BooleanField(
                label=capfirst(label), required=False)
            self.fields[f"{value}_note"] = forms.CharField(
                label=gettext_lazy("Note"), required=False, widget=_textarea(2))
        self.initial.setdefault("date", today)
        if seat_org:
            self.initial.setdefault("organisation", seat_org)
        self.previous = previous
        if previous is not None and not self.is_bound:
            for name in ("affected", "affected_note", "offender_groups", "offenders_estimate",
                         *AGE_FIELDS, "event_chain"):
                self.initial[name] = getattr(previous, name)
            for f in previous.factors.all():
                self.initial[f"{f.factor}_present"] = f.present
                self.initial[f"{f.factor}_note"] = f.note

    def factor_fields(self) -> list[tuple]:
        return [(self[f"{v}_present"], self[f"{v}_note"]) for v in Factor.values]

    def age_fields(self) -> list:
        return [self[n] for n in AGE_FIELDS]

    def to_input(self) -> CauseAnalysisInput:
        cd = self.cleaned_data
        return CauseAnalysisInput(
            date=cd["date"], organisation_id=cd["organisation"],
            factors={v: (cd.get(f"{v}_present", False), cd.get(f"{v}_note") or "")
                     for v in Factor.values},
            affected=list(cd.get("affected") or []),
            affected_note=cd.get("affected_note") or "",
            offender_groups=cd.get("offender_groups") or "",
            event_chain=cd.get("event_chain") or "",
            offenders_estimate=cd.get("offenders_estimate"),
            **{n: cd.get(n) for n in AGE_FIELDS},
        )


class MergeForm(Form):
    places = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Places to merge into this one"), coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("They become resolved; their reports stay linked to them and "
                               "count for this place."))
    date = _date(gettext_lazy("Date"))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, help_text=NOTE,
                           widget=_textarea(2))

    def __init__(self, *args, candidates: list[Place], today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["places"].choices = [
            (p.pk, f"{p.name} ({p.area.name if p.area else '–'}, {p.get_status_display()})")
            for p in candidates]
        self.initial.setdefault("date", today)


PARTS = 3


class SplitForm(Form):
    date = _date(gettext_lazy("Date"))
    close_original = forms.BooleanField(
        label=gettext_lazy("Resolve the original place"), required=False, initial=True,
        help_text=gettext_lazy("Untick when the original place goes on as one of the parts."))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, help_text=NOTE,
                           widget=_textarea(2))

    def __init__(self, *args, original: Place, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        types = _choices(PlaceType.choices)
        for n in range(1, PARTS + 1):
            self.fields[f"part{n}_name"] = forms.CharField(
                label=gettext_lazy("Name"), required=False, max_length=160)
            self.fields[f"part{n}_place_type"] = forms.ChoiceField(
                label=gettext_lazy("Type"), choices=types, initial=original.place_type)
            self.fields[f"part{n}_lat"] = _coordinate(gettext_lazy("Latitude"))
            self.fields[f"part{n}_lon"] = _coordinate(gettext_lazy("Longitude"))
            self.initial.setdefault(f"part{n}_lat", round(original.lat, 6))
            self.initial.setdefault(f"part{n}_lon", round(original.lon, 6))
        self.initial.setdefault("date", today)

    def part_fields(self) -> list[list]:
        return [[self[f"part{n}_{f}"] for f in ("name", "place_type", "lat", "lon")]
                for n in range(1, PARTS + 1)]

    def parts(self) -> list[PlacePart]:
        cd = self.cleaned_data
        return [
            PlacePart(name=cd[f"part{n}_name"], place_type=cd[f"part{n}_place_type"],
                      lon=cd.get(f"part{n}_lon"), lat=cd.get(f"part{n}_lat"))
            for n in range(1, PARTS + 1) if (cd.get(f"part{n}_name") or "").strip()
        ]
