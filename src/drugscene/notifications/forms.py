"""The settings page's form: a delivery per event kind, the e-mail language and the
areas followed for new reports."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from drugscene.notifications.models import Delivery, EventKind
from drugscene.notifications.services import MAX_RADIUS_M, MIN_RADIUS_M, AreasInput
from drugscene.web.forms import Form


class SettingsForm(Form):
    language = forms.ChoiceField(label=_("Language of e-mails"), required=False)
    areas = forms.MultipleChoiceField(label=_("Districts"), required=False,
                                      widget=forms.CheckboxSelectMultiple)
    places = forms.MultipleChoiceField(label=_("Places"), required=False,
                                       widget=forms.CheckboxSelectMultiple)
    keep_radii = forms.MultipleChoiceField(label=_("Circles around places"), required=False,
                                           widget=forms.CheckboxSelectMultiple)
    radius_place = forms.ChoiceField(label=_("Add a circle around"), required=False)
    radius_m = forms.IntegerField(label=_("Radius (m)"), required=False,
                                  min_value=MIN_RADIUS_M, max_value=MAX_RADIUS_M)

    def __init__(self, *args, areas=(), places=(), radii=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in EventKind.choices:
            self.fields[kind] = forms.ChoiceField(
                label=capfirst(label),
                choices=[(v, capfirst(lbl)) for v, lbl in Delivery.choices])
        self.fields["language"].choices = [("", _("The city's language"))] + [
            (code, name) for code, name in settings.LANGUAGES]
        self.fields["areas"].choices = [(str(a.pk), a.name) for a in areas]
        self.fields["places"].choices = [(str(p.pk), p.name) for p in places]
        self.fields["radius_place"].choices = [("", "—")] + [(str(p.pk), p.name)
                                                            for p in places]
        self.fields["keep_radii"].choices = [(f"{s.place_id}:{s.radius_m}", str(s))
                                             for s in radii]

    def kind_fields(self):
        return [self[k] for k in EventKind.values]

    def clean(self):
        data = super().clean()
        if bool(data.get("radius_place")) != bool(data.get("radius_m")):
            self.add_error("radius_m", _("Choose a place and a radius to add a circle."))
        return data

    def deliveries(self) -> dict[str, str]:
        return {k: self.cleaned_data[k] for k in EventKind.values}

    def areas_input(self) -> AreasInput:
        d = self.cleaned_data
        radii = [tuple(int(x) for x in v.split(":")) for v in d.get("keep_radii") or []]
        if d.get("radius_place") and d.get("radius_m"):
            radii.append((int(d["radius_place"]), int(d["radius_m"])))
        return AreasInput(area_ids=[int(a) for a in d.get("areas") or []],
                          place_ids=[int(p) for p in d.get("places") or []], radii=radii)
