"""Forms of the indicator pages. They parse; :mod:`drugscene.indicators.services` validates."""

from __future__ import annotations

from django import forms
from django.utils.html import escape
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from drugscene.indicators.models import Gender
from drugscene.indicators.services import MeasurementInput
from drugscene.web.forms import IDENTIFIER_NOTE, Form

_TEXT = {"maxlength": 60}
# help texts are rendered as HTML: these hold "<", so they are escaped when the form is made
VALUE_HELP = gettext_lazy("12.5 or 12,5; <LOD or <0.5 when below the limit of detection")
AGE_HELP = gettext_lazy("15-17, 65+ or <15; empty for all")


class MeasurementForm(Form):
    area = forms.ChoiceField(label=gettext_lazy("Area"), required=False)
    period = forms.CharField(
        label=gettext_lazy("Period"), required=False, widget=forms.TextInput(attrs=_TEXT),
        help_text=gettext_lazy("2025, 2025-Q1, 2025-03, 2025-W07, 2025-03-01 or "
                               "2025-03-01/2025-03-31"))
    value = forms.CharField(
        label=gettext_lazy("Value"), required=False, widget=forms.TextInput(attrs=_TEXT),
        help_text=VALUE_HELP)
    ci_low = forms.CharField(label=gettext_lazy("Confidence interval, low"), required=False,
                             widget=forms.TextInput(attrs=_TEXT))
    ci_high = forms.CharField(label=gettext_lazy("Confidence interval, high"), required=False,
                              widget=forms.TextInput(attrs=_TEXT))
    denominator = forms.CharField(label=gettext_lazy("Denominator or population"),
                                  required=False, widget=forms.TextInput(attrs=_TEXT))
    gender = forms.ChoiceField(label=gettext_lazy("Gender"), required=False)
    age_band = forms.CharField(label=gettext_lazy("Age band"), required=False,
                               help_text=AGE_HELP,
                               widget=forms.TextInput(attrs={"maxlength": 16}))
    source = forms.CharField(label=gettext_lazy("Source"), required=False,
                             widget=forms.TextInput(attrs={"maxlength": 200}))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, help_text=IDENTIFIER_NOTE,
                           widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}))

    def __init__(self, *args, indicator, areas, **kwargs) -> None:
        kwargs.setdefault("prefix", "m")
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("Whole city"))] + [(a.slug, a.name)
                                                                 for a in areas]
        self.fields["gender"].choices = [(v, capfirst(label)) for v, label in Gender.choices]
        self.fields["value"].help_text = escape(str(VALUE_HELP))
        self.fields["age_band"].help_text = escape(str(AGE_HELP))
        if not indicator.by_gender:
            del self.fields["gender"]
        if not indicator.by_age:
            del self.fields["age_band"]

    def measurement_input(self) -> MeasurementInput:
        cd = self.cleaned_data
        return MeasurementInput(**{name: cd.get(name) or "" for name in (
            "area", "period", "value", "ci_low", "ci_high", "denominator", "gender",
            "age_band", "source", "note")})


class ImportForm(Form):
    file = forms.FileField(label=gettext_lazy("CSV file"),
                           help_text=gettext_lazy("Columns indicator,area,period,value,unit,"
                                                  "source; see the guide for the optional "
                                                  "columns."))
