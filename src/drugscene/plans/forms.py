"""Forms of the plan pages. They parse; :mod:`drugscene.plans.services` validates."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from drugscene.plans.models import PlanActionStatus
from drugscene.plans.services import (
    GoalInput,
    MeetingInput,
    PlanActionInput,
    PlanInput,
    ProgressInput,
    SubGoalInput,
)
from drugscene.web.forms import IDENTIFIER_NOTE, DateInput, Form

MAX_UPLOAD = 5 * 1024 * 1024


def _eur_field(label) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=False, min_value=0, max_digits=14,
                              decimal_places=2,
                              widget=forms.NumberInput(attrs={"step": "0.01",
                                                              "inputmode": "decimal"}))


def _float_field(label) -> forms.FloatField:
    return forms.FloatField(label=label, required=False,
                            widget=forms.NumberInput(attrs={"step": "any"}))


class PlanForm(Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False)
    period_start = forms.DateField(label=gettext_lazy("Period start"), required=False,
                                   widget=DateInput())
    period_end = forms.DateField(label=gettext_lazy("Period end"), required=False,
                                 widget=DateInput())
    approved_on = forms.DateField(label=gettext_lazy("Approval date"), required=False,
                                  widget=DateInput())
    approved_by = forms.CharField(label=gettext_lazy("Approving body"), max_length=200,
                                  required=False)
    yearly_budget_eur = _eur_field(gettext_lazy("Yearly budget (EUR)"))
    summary = forms.CharField(label=gettext_lazy("Summary"), required=False,
                              help_text=IDENTIFIER_NOTE,
                              widget=forms.Textarea(attrs={"rows": 4, "maxlength": 4000}))
    ghent_themes = forms.BooleanField(
        label=gettext_lazy("Start with Ghent's four priority themes"), required=False)

    def plan_input(self, themes: list[tuple[str, str]] | None = None) -> PlanInput:
        cd = self.cleaned_data
        return PlanInput(title=cd.get("title") or "", period_start=cd.get("period_start"),
                         period_end=cd.get("period_end"), approved_on=cd.get("approved_on"),
                         approved_by=cd.get("approved_by") or "",
                         yearly_budget_eur=cd.get("yearly_budget_eur"),
                         summary=cd.get("summary") or "", themes=themes or [])


class ImportForm(Form):
    file = forms.FileField(label=gettext_lazy("CSV or XLSX file of the plan's actions"))
    title = forms.CharField(label=gettext_lazy("Title of the new plan"), max_length=200,
                            required=False)

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Give a .csv or .xlsx file."))
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return f


class ProgressForm(Form):
    text = forms.CharField(label=gettext_lazy("What happened"), required=False,
                           help_text=IDENTIFIER_NOTE,
                           widget=forms.Textarea(attrs={"rows": 3, "maxlength": 4000}))
    status = forms.ChoiceField(label=gettext_lazy("Status"))
    spent_eur = _eur_field(gettext_lazy("Spent so far (EUR)"))
    date = forms.DateField(label=gettext_lazy("Date"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "progress")
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(v, capfirst(label))
                                         for v, label in PlanActionStatus.choices]

    def progress_input(self) -> ProgressInput:
        cd = self.cleaned_data
        return ProgressInput(text=cd.get("text") or "", status=cd.get("status"),
                             spent_eur=cd.get("spent_eur"), date=cd.get("date"))


class MilestoneForm(Form):
    title = forms.CharField(label=gettext_lazy("Milestone"), max_length=200, required=False)
    due = forms.DateField(label=gettext_lazy("Due date"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "milestone")
        super().__init__(*args, **kwargs)


class GoalForm(Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=20, required=False)
    title = forms.CharField(label=gettext_lazy("Goal"), max_length=300, required=False)
    pillar = forms.TypedChoiceField(label=gettext_lazy("Pillar"), required=False, coerce=int,
                                    empty_value=None)

    def __init__(self, *args, pillars, **kwargs) -> None:
        kwargs.setdefault("prefix", "goal")
        super().__init__(*args, **kwargs)
        self.fields["pillar"].choices = [("", _("No pillar"))] + [(p.pk, p.label)
                                                                  for p in pillars]

    def goal_input(self) -> GoalInput:
        cd = self.cleaned_data
        return GoalInput(code=cd.get("code") or "", title=cd.get("title") or "",
                         pillar_id=cd.get("pillar"))


class SubGoalForm(Form):
    title = forms.CharField(label=gettext_lazy("Sub-goal"), max_length=300, required=False)
    indicator = forms.TypedChoiceField(label=gettext_lazy("Indicator"), required=False,
                                       coerce=int, empty_value=None)
    area = forms.TypedChoiceField(label=gettext_lazy("District"), required=False, coerce=int,
                                  empty_value=None)
    baseline = _float_field(gettext_lazy("Baseline"))
    target = _float_field(gettext_lazy("Target"))
    deadline = forms.DateField(label=gettext_lazy("Deadline"), required=False,
                               widget=DateInput())

    def __init__(self, *args, indicators, areas, goals=None, **kwargs) -> None:
        kwargs.setdefault("prefix", "sub")
        super().__init__(*args, **kwargs)
        if goals is not None:
            self.fields["goal"] = forms.TypedChoiceField(
                label=gettext_lazy("Goal"), coerce=int,
                choices=[(g.pk, f"{g.code} {g.title}") for g in goals])
            self.order_fields(["goal"])
        self.fields["indicator"].choices = [("", _("No indicator yet"))] + [
            (i.pk, f"{i.label} ({i.unit})") for i in indicators]
        self.fields["area"].choices = [("", _("Whole city"))] + [(a.pk, a.name)
                                                                 for a in areas]

    def sub_goal_input(self) -> SubGoalInput:
        cd = self.cleaned_data
        return SubGoalInput(title=cd.get("title") or "", indicator_id=cd.get("indicator"),
                            baseline=cd.get("baseline"), target=cd.get("target"),
                            deadline=cd.get("deadline"), area_id=cd.get("area"))


class MeetingForm(Form):
    group = forms.TypedChoiceField(label=gettext_lazy("Group"), coerce=int, required=False,
                                   empty_value=None)
    date = forms.DateField(label=gettext_lazy("Date"), required=False, widget=DateInput())
    open = forms.BooleanField(label=gettext_lazy("Open progress meeting with the field"),
                              required=False)
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False,
                            help_text=IDENTIFIER_NOTE,
                            widget=forms.Textarea(attrs={"rows": 3, "maxlength": 4000}))
    decisions = forms.CharField(label=gettext_lazy("Decisions"), required=False,
                                widget=forms.Textarea(attrs={"rows": 3, "maxlength": 4000}))

    def __init__(self, *args, groups, **kwargs) -> None:
        kwargs.setdefault("prefix", "meeting")
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("Choose a group"))] + [
            (g.pk, g.name) for g in groups]

    def meeting_input(self) -> MeetingInput:
        cd = self.cleaned_data
        return MeetingInput(group_id=cd.get("group"), date=cd.get("date"),
                            open=bool(cd.get("open")), notes=cd.get("notes") or "",
                            decisions=cd.get("decisions") or "")


class PlanActionForm(Form):
    number = forms.CharField(label=gettext_lazy("Number"), max_length=20, required=False)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False)
    pillar = forms.TypedChoiceField(label=gettext_lazy("Pillar"), coerce=int, required=False,
                                    empty_value=None)
    themes = forms.TypedMultipleChoiceField(label=gettext_lazy("Priority themes"), coerce=int,
                                            required=False,
                                            widget=forms.CheckboxSelectMultiple)
    goals = forms.TypedMultipleChoiceField(label=gettext_lazy("Goals served"), coerce=int,
                                           required=False, widget=forms.CheckboxSelectMultiple)
    lead_organisation = forms.TypedChoiceField(label=gettext_lazy("Lead organisation"),
                                               coerce=int, required=False, empty_value=None)
    partners = forms.TypedMultipleChoiceField(label=gettext_lazy("Partners"), coerce=int,
                                              required=False,
                                              widget=forms.CheckboxSelectMultiple)
    working_group = forms.TypedChoiceField(label=gettext_lazy("Working group"), coerce=int,
                                           required=False, empty_value=None)
    budget_eur = _eur_field(gettext_lazy("Budget (EUR)"))
    start = forms.DateField(label=gettext_lazy("Start"), required=False, widget=DateInput())
    end = forms.DateField(label=gettext_lazy("End"), required=False, widget=DateInput())
    description = forms.CharField(label=gettext_lazy("Description"), required=False,
                                  help_text=IDENTIFIER_NOTE,
                                  widget=forms.Textarea(attrs={"rows": 4, "maxlength": 4000}))

    def __init__(self, *args, plan, organisations, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pillar"].choices = [("", _("Choose a pillar"))] + [
            (p.pk, p.label) for p in plan.pillars.all()]
        self.fields["themes"].choices = [(t.pk, t.label) for t in plan.themes.all()]
        self.fields["goals"].choices = [(g.pk, f"{g.code} {g.title}")
                                        for g in plan.goals.order_by("code", "id")]
        orgs = [(o.pk, o.name) for o in organisations]
        self.fields["lead_organisation"].choices = [("", _("No owner yet"))] + orgs
        self.fields["partners"].choices = orgs
        self.fields["working_group"].choices = [("", _("No working group"))] + [
            (g.pk, g.name) for g in plan.groups.filter(kind="working")]

    def plan_action_input(self) -> PlanActionInput:
        cd = self.cleaned_data
        return PlanActionInput(
            number=cd.get("number") or "", title=cd.get("title") or "",
            pillar_id=cd.get("pillar"), description=cd.get("description") or "",
            theme_ids=list(cd.get("themes") or []), goal_ids=list(cd.get("goals") or []),
            lead_organisation_id=cd.get("lead_organisation"),
            partner_ids=list(cd.get("partners") or []),
            working_group_id=cd.get("working_group"), budget_eur=cd.get("budget_eur"),
            start=cd.get("start"), end=cd.get("end"))


class BudgetLineForm(Form):
    label = forms.CharField(label=gettext_lazy("Budget line"), max_length=200, required=False)
    amount_eur = _eur_field(gettext_lazy("Amount (EUR)"))
    year = forms.IntegerField(label=gettext_lazy("Year"), required=False, min_value=2000,
                              max_value=2100,
                              help_text=gettext_lazy("Empty: every year of the plan."))

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "budget")
        super().__init__(*args, **kwargs)
