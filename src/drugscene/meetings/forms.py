"""Forms of the meeting pages. They parse; :mod:`drugscene.meetings.services` validates."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from drugscene.meetings.services import DecisionInput, MeetingInput, PriorityInput
from drugscene.web.forms import IDENTIFIER_NOTE, DateInput, Form


def _id(value: str) -> int | None:
    return int(value) if value else None


class MeetingForm(Form):
    # Fields the service requires are optional here, so that one submit names every problem.
    iso_week = forms.CharField(
        label=gettext_lazy("Week"), max_length=8, required=False,
        help_text=gettext_lazy("ISO week, for example 2026-W05."),
        widget=forms.TextInput(attrs={"placeholder": "2026-W05", "inputmode": "text",
                                      "autocomplete": "off", "pattern": r"\d{4}-W\d{2}"}))
    date = forms.DateField(label=gettext_lazy("Date of the meeting"), required=False,
                           widget=DateInput())
    chair = forms.ChoiceField(label=gettext_lazy("Chair"), required=False)
    attendees = forms.MultipleChoiceField(label=gettext_lazy("Attending organisations"),
                                          required=False, widget=forms.CheckboxSelectMultiple)
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False,
                            help_text=IDENTIFIER_NOTE,
                            widget=forms.Textarea(attrs={"rows": 6, "maxlength": 8000}))

    def __init__(self, *args, organisations, fixed_week: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(i), n) for i, _s, n in organisations]
        self.fields["chair"].choices = [("", _("No chair recorded"))] + choices
        self.fields["attendees"].choices = choices
        self.fixed_week = fixed_week
        if fixed_week:
            self.fields["iso_week"].disabled = True
            self.fields["iso_week"].help_text = ""
            self.initial["iso_week"] = fixed_week

    def meeting_input(self) -> MeetingInput:
        cd = self.cleaned_data
        return MeetingInput(
            iso_week=self.fixed_week or cd.get("iso_week") or "",
            date=cd.get("date"),
            chair_id=_id(cd.get("chair")),
            attendee_ids=[int(x) for x in cd.get("attendees") or []],
            notes=cd.get("notes") or "",
        )


class DecisionForm(Form):
    text = forms.CharField(label=gettext_lazy("Decision"), help_text=IDENTIFIER_NOTE,
                           required=False,
                           widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}))
    owner = forms.ChoiceField(label=gettext_lazy("Owner"), required=False)
    due = forms.DateField(label=gettext_lazy("Due date"), required=False, widget=DateInput())

    def __init__(self, *args, organisations, **kwargs) -> None:
        kwargs.setdefault("prefix", "decision")
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("No owner"))] + [
            (str(i), n) for i, _s, n in organisations]

    def decision_input(self) -> DecisionInput:
        cd = self.cleaned_data
        return DecisionInput(text=cd.get("text") or "", owner_id=_id(cd.get("owner")),
                             due=cd.get("due"))


class PriorityForm(Form):
    organisation = forms.ChoiceField(label=gettext_lazy("Organisation"), required=False)
    place = forms.ChoiceField(label=gettext_lazy("Place"), required=False)
    area = forms.ChoiceField(label=gettext_lazy("or district"), required=False)
    h3_cell = forms.CharField(
        label=gettext_lazy("or hot-spot cell (H3)"), required=False, max_length=16,
        widget=forms.TextInput(attrs={"list": "hot-cells", "autocomplete": "off",
                                      "spellcheck": "false"}))
    what = forms.CharField(
        label=gettext_lazy("What they will do"), max_length=200, required=False,
        help_text=gettext_lazy("For example: visible presence Friday and Saturday evenings."),
        widget=forms.TextInput(attrs={"maxlength": 200}))

    def __init__(self, *args, organisations, places, areas, **kwargs) -> None:
        kwargs.setdefault("prefix", "priority")
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", _("Choose an organisation"))] + [
            (str(i), n) for i, _s, n in organisations]
        self.fields["place"].choices = [("", _("No place"))] + [
            (str(p.pk), p.name) for p in places]
        self.fields["area"].choices = [("", _("No district"))] + [
            (str(a.pk), a.name) for a in areas]

    def priority_input(self) -> PriorityInput:
        cd = self.cleaned_data
        return PriorityInput(
            organisation_id=_id(cd.get("organisation")),
            what=cd.get("what") or "",
            place_id=_id(cd.get("place")),
            area_id=_id(cd.get("area")),
            h3_cell=cd.get("h3_cell") or None,
        )
