"""Forms of the action pages. They parse and render; the services validate."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from drugscene.actions.models import ActionKind, ActionStatus, CptedPrinciple
from drugscene.actions.services import ActionInput
from drugscene.scenes.models import CauseFactor
from drugscene.web.forms import DateInput, Form

#: the "principle" choice that takes the kind's default
DEFAULT = ""
#: the "principle" choice for actions that are not CPTED measures
NOT_CPTED = "none"
NOTE = gettext_lazy("Places, not persons: no names, numbers or plates (they are removed).")


def _choices(pairs) -> list[tuple[str, str]]:
    return [(value, capfirst(label)) for value, label in pairs]


def _optional_int(label, *, maximum: int, help_text=None) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=0, max_value=maximum,
                              help_text=help_text,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


def cause_label(c: CauseFactor) -> str:
    note = f": {c.note[:80]}" if c.note else ""
    return f"{capfirst(c.get_factor_display())} ({c.analysis.date.isoformat()}){note}"


class ActionFilterForm(Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    owner = forms.TypedChoiceField(label=gettext_lazy("Owner"), required=False, coerce=int,
                                   empty_value=None)
    place = forms.TypedChoiceField(label=gettext_lazy("Place"), required=False, coerce=int,
                                   empty_value=None)
    flag = forms.ChoiceField(label=gettext_lazy("Deadline"), required=False)

    def __init__(self, data, *, organisations, places) -> None:
        super().__init__(data)
        self.fields["status"].choices = [("", _("Any status")),
                                         *_choices(ActionStatus.choices)]
        self.fields["owner"].choices = [("", _("All organisations"))] + [
            (i, n) for i, _s, n in organisations]
        self.fields["place"].choices = [("", _("All places"))] + [(p.pk, p.name)
                                                                  for p in places]
        self.fields["flag"].choices = [("", _("Any")), ("overdue", _("Overdue")),
                                       ("due", _("Starting soon")),
                                       ("ending", _("Ending soon"))]


class ActionForm(Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    place = forms.TypedChoiceField(label=gettext_lazy("Place"), required=False, coerce=int,
                                   empty_value=None)
    area = forms.TypedChoiceField(label=gettext_lazy("District"), required=False, coerce=int,
                                  empty_value=None)
    owner = forms.TypedChoiceField(label=gettext_lazy("Owner organisation"), coerce=int)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"))
    cpted_principle = forms.ChoiceField(label=gettext_lazy("CPTED principle"),
                                        required=False)
    causes = forms.TypedMultipleChoiceField(label=gettext_lazy("Causes addressed"),
                                            required=False, coerce=int,
                                            widget=forms.CheckboxSelectMultiple)
    description = forms.CharField(label=gettext_lazy("Description"), required=False,
                                  help_text=NOTE,
                                  widget=forms.Textarea(attrs={"rows": 4, "maxlength": 4000}))
    start = forms.DateField(label=gettext_lazy("Start"), widget=DateInput())
    end = forms.DateField(label=gettext_lazy("End"), required=False, widget=DateInput())
    status = forms.ChoiceField(label=gettext_lazy("Status"), initial=ActionStatus.PLANNED)
    cost = forms.DecimalField(label=gettext_lazy("Cost"), required=False, min_value=0,
                              max_digits=12, decimal_places=2)
    patrol_minutes = _optional_int(gettext_lazy("Minutes per visit"), maximum=1440)
    patrol_visits_per_week = _optional_int(gettext_lazy("Visits per week"), maximum=1000)
    plan_action_ref = forms.ChoiceField(label=gettext_lazy("Drug-policy plan action"),
                                        required=False)

    def __init__(self, *args, places, areas, organisations, causes, today: date,
                 plan_actions: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan_action_ref"].choices = [("", _("Not part of the plan"))] + [
            (str(pk), label) for pk, label in plan_actions]
        current = self.initial.get("plan_action_ref")
        if current and not str(current).isdigit():  # an older free-text reference
            self.fields["plan_action_ref"].choices.append((current, current))
        self.fields["place"].choices = [("", _("No place (district action)"))] + [
            (p.pk, p.name) for p in places]
        self.fields["area"].choices = [("", _("No district"))] + [(a.pk, a.name)
                                                                 for a in areas]
        self.fields["owner"].choices = [(i, n) for i, _s, n in organisations]
        self.fields["kind"].choices = [("", _("Choose a kind")),
                                       *_choices(ActionKind.choices)]
        self.fields["cpted_principle"].choices = [
            (DEFAULT, _("Default for the kind")), (NOT_CPTED, _("Not a CPTED measure")),
            *_choices(CptedPrinciple.choices)]
        self.fields["causes"].choices = [(c.pk, cause_label(c)) for c in causes]
        self.fields["status"].choices = _choices(ActionStatus.choices)
        self.initial.setdefault("start", today)

    def to_input(self) -> ActionInput:
        cd = self.cleaned_data
        principle = cd.get("cpted_principle") or DEFAULT
        return ActionInput(
            owner_id=cd["owner"], kind=cd["kind"], title=cd["title"], start=cd["start"],
            place_id=cd.get("place"), area_id=cd.get("area"),
            cpted_principle=None if principle == DEFAULT
            else "" if principle == NOT_CPTED else principle,
            cause_ids=list(cd.get("causes") or []), description=cd.get("description") or "",
            end=cd.get("end"), status=cd["status"], cost=cd.get("cost"),
            patrol_minutes=cd.get("patrol_minutes"),
            patrol_visits_per_week=cd.get("patrol_visits_per_week"),
            plan_action_ref=cd.get("plan_action_ref") or None,
        )


class ActionStatusForm(Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"),
                               choices=_choices(ActionStatus.choices))
    end = forms.DateField(label=gettext_lazy("End"), required=False, widget=DateInput())
