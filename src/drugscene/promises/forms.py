"""Forms of the agreement pages. They parse; :mod:`drugscene.promises.services` validates."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from drugscene.promises.models import AgreementKind, CommitmentStatus
from drugscene.promises.services import AgreementInput, CommitmentInput
from drugscene.web.forms import IDENTIFIER_NOTE, DateInput, Form


def _choices(pairs) -> list[tuple[str, str]]:
    return [(value, capfirst(label)) for value, label in pairs]


class AgreementForm(Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), widget=forms.RadioSelect)
    # Required fields are checked by the service too: left optional here so that one
    # submit shows every problem at once.
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False,
                            widget=forms.TextInput(attrs={"maxlength": 200}))
    period_start = forms.DateField(label=gettext_lazy("From"), required=False,
                                   widget=DateInput())
    period_end = forms.DateField(label=gettext_lazy("Until"), required=False,
                                 widget=DateInput())
    parties = forms.MultipleChoiceField(label=gettext_lazy("Parties"), required=False,
                                        widget=forms.CheckboxSelectMultiple)
    summary = forms.CharField(label=gettext_lazy("Summary"), required=False,
                              help_text=IDENTIFIER_NOTE,
                              widget=forms.Textarea(attrs={"rows": 4, "maxlength": 4000}))

    def __init__(self, *args, organisations, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _choices(AgreementKind.choices)
        self.fields["parties"].choices = [(str(i), n) for i, _s, n in organisations]

    def agreement_input(self) -> AgreementInput:
        cd = self.cleaned_data
        return AgreementInput(kind=cd["kind"], title=cd.get("title") or "",
                              period_start=cd.get("period_start"),
                              period_end=cd.get("period_end"),
                              party_ids=[int(x) for x in cd.get("parties") or []],
                              summary=cd.get("summary") or "")


class CommitmentForm(Form):
    party = forms.ChoiceField(label=gettext_lazy("Party"), required=False)
    text = forms.CharField(label=gettext_lazy("Commits to"), help_text=IDENTIFIER_NOTE,
                           required=False,
                           widget=forms.Textarea(attrs={"rows": 3, "maxlength": 4000}))
    status = forms.ChoiceField(label=gettext_lazy("Status"), widget=forms.RadioSelect,
                               initial=CommitmentStatus.NOT_STARTED)
    evidence = forms.CharField(
        label=gettext_lazy("Evidence"), required=False,
        help_text=gettext_lazy("What shows the status: figures, dates, documents. Required "
                               "when judged fulfilled or not fulfilled."),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 4000}))
    actions = forms.MultipleChoiceField(
        label=gettext_lazy("Actions that fulfil it"), required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}))

    def __init__(self, *args, parties, actions, **kwargs) -> None:
        kwargs.setdefault("prefix", "commitment")
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = [("", _("Choose a party"))] + [
            (str(p.pk), p.name) for p in parties]
        self.fields["status"].choices = _choices(CommitmentStatus.choices)
        self.fields["actions"].choices = [
            (str(a.pk), f"{a.title} — {a.owner.name}"
                        f"{' · ' + (a.place or a.area).name if (a.place or a.area) else ''}"
                        f" ({a.start:%Y-%m-%d})")
            for a in actions]

    def commitment_input(self) -> CommitmentInput:
        cd = self.cleaned_data
        return CommitmentInput(party_id=int(cd["party"]) if cd.get("party") else None,
                               text=cd.get("text") or "", status=cd["status"],
                               evidence=cd.get("evidence") or "",
                               action_ids=[int(x) for x in cd.get("actions") or []])
