"""Forms of the pages. They parse and render; the services validate the domain rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from drugscene.core.errors import DomainError
from drugscene.reports.models import Category, ReviewStatus, Setting, Visibility
from drugscene.reports.services import ReportInput

DEFAULT_DAYS = 28
QUICK_DAYS = (7, 28, 90, 365)
MAX_PERSONS = 500


def _choices(pairs) -> list[tuple[str, str]]:
    return [(value, capfirst(label)) for value, label in pairs]


class Form(forms.Form):
    """Our forms: labels without a trailing colon."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict | None = None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


DATETIME_LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def category_choices(categories: Iterable[Category], *, empty: str | None = None,
                     parents_selectable: bool = True) -> list:
    """Choices grouped under their top category (one ``<optgroup>`` each).

    A top category with sub-categories is offered as "All: <name>" when
    ``parents_selectable`` (a filter on a parent includes its tree). Sub-categories whose
    parent is not offered (tips allow only some) are grouped under the parent's name.
    """
    cats = list(categories)
    by_id = {c.pk: c for c in cats}
    has_kids = {c.parent_id for c in cats if c.parent_id is not None}

    def root_and_depth(c: Category) -> tuple[Category, int]:
        depth = 0
        while c.parent_id is not None:
            depth += 1
            known = by_id.get(c.parent_id)
            c = known if known is not None else c.parent  # a parent not offered
            if depth > 10:  # a cycle would be a data error; do not loop forever
                break
        return c, depth

    groups: dict[int, list[tuple[str, str]]] = {}
    roots: dict[int, Category] = {}
    singles: list[tuple[str, str]] = []
    for c in cats:
        root, depth = root_and_depth(c)
        if depth == 0 and c.pk not in has_kids:
            singles.append((c.slug, c.label))
            continue
        roots.setdefault(root.pk, root)
        group = groups.setdefault(root.pk, [])
        if depth == 0:
            if parents_selectable:
                group.insert(0, (c.slug, _("All: %(name)s") % {"name": c.label}))
        else:
            indent = "\u2003" * (depth - 1)
            group.append((c.slug, f"{indent}{c.label}"))
    choices: list = [("", empty)] if empty is not None else []
    choices += [(roots[pk].label, group) for pk, group in groups.items() if group]
    choices += singles
    return choices


# --- filters shared by the map, the list and the map data --------------------------------

def filter_data(params: Mapping[str, str], today: date) -> QueryDict:
    """The query with defaults: the last 28 days unless ``from`` is given; ``days=N``
    (a quick button) replaces ``from``/``to`` with the last N days."""
    data = QueryDict(mutable=True)
    for key in params:
        data[key] = params.get(key, "")
    days = params.get("days", "")
    if days.isdigit() and 0 < int(days) <= 3660:
        data["from"] = (today - timedelta(days=int(days))).isoformat()
        data["to"] = ""
    elif "from" not in params:
        data["from"] = (today - timedelta(days=DEFAULT_DAYS)).isoformat()
    data.pop("days", None)
    return data


class FilterForm(Form):
    """Time window, category, source, district and review status (all optional)."""

    def __init__(self, data: QueryDict, *, categories, organisations, areas,
                 places=()) -> None:
        super().__init__(data, label_suffix="")
        self.fields["from"] = forms.DateField(
            label=gettext_lazy("From"), required=False, widget=DateInput())
        self.fields["to"] = forms.DateField(
            label=gettext_lazy("To"), required=False, widget=DateInput())
        self.fields["category"] = forms.ChoiceField(
            label=gettext_lazy("Category"), required=False,
            choices=category_choices(categories, empty=_("All categories")))
        self.fields["source"] = forms.ChoiceField(
            label=gettext_lazy("Source organisation"), required=False,
            choices=[("", _("All organisations"))] + [(s, n) for _i, s, n in organisations])
        self.fields["district"] = forms.ChoiceField(
            label=gettext_lazy("District"), required=False,
            choices=[("", _("All districts"))] + [(a.slug, a.name) for a in areas])
        self.fields["place"] = forms.ChoiceField(
            label=gettext_lazy("Registered place"), required=False,
            choices=[("", _("All places"))] + [(str(p.pk), p.name) for p in places])
        self.fields["review"] = forms.ChoiceField(
            label=gettext_lazy("Review status"), required=False,
            choices=[("", _("Any status")), *_choices(ReviewStatus.choices)])

    def params(self) -> dict[str, str]:
        """Cleaned values as the query parameters ``filter_from_params`` reads."""
        cd = self.cleaned_data
        out = {k: cd.get(k) or "" for k in ("category", "source", "district", "place",
                                             "review")}
        out["from"] = cd["from"].isoformat() if cd.get("from") else ""
        out["to"] = cd["to"].isoformat() if cd.get("to") else ""
        return out

    def add_domain_error(self, exc: DomainError) -> None:
        add_domain_errors(self, exc)


def add_domain_errors(form: forms.Form, exc: DomainError) -> None:
    """Put a service's field errors next to the fields (unknown fields on top)."""
    errors = exc.errors or {None: [exc.message]}
    for name, messages in errors.items():
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)


# --- a partner's report ------------------------------------------------------------------

def _count(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, min_value=0, max_value=MAX_PERSONS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": MAX_PERSONS}))


COUNT_FIELDS = ("persons", "age_under_15", "age_15_17", "age_18_25", "age_26_plus",
                "gender_female", "gender_male", "gender_unknown")
AGE_FIELDS = COUNT_FIELDS[1:5]
GENDER_FIELDS = COUNT_FIELDS[5:]

IDENTIFIER_NOTE = gettext_lazy(
    "Do not write names, personal numbers, phone numbers or plates — they are removed "
    "automatically."
)


class PointFields(Form):
    """Where: set by tapping the map, the device position or (partners) a place."""

    lon = forms.FloatField(label=gettext_lazy("Longitude"), required=False,
                           widget=forms.NumberInput(attrs={"step": "any"}))
    lat = forms.FloatField(label=gettext_lazy("Latitude"), required=False,
                           widget=forms.NumberInput(attrs={"step": "any"}))
    accuracy_m = forms.IntegerField(label=gettext_lazy("Accuracy (m)"), required=False,
                                    min_value=0, max_value=100_000,
                                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}))

    def clean(self) -> dict:
        """Say at once that a point is missing (the service checks it again, with the
        city boundary), so that the first submit shows every problem together."""
        cd = super().clean()
        has_point = cd.get("lon") is not None and cd.get("lat") is not None
        if not has_point and not cd.get("place") and not self.has_error("lon") \
                and not self.has_error("lat"):
            self.add_error("lon", _("A position is required: tap the map, use your position "
                                    "or pick a place."))
        return cd


class ReportForm(PointFields):
    category = forms.ChoiceField(label=gettext_lazy("What did you see?"))
    place = forms.ChoiceField(label=gettext_lazy("Registered place"), required=False)
    occurred_from = forms.DateTimeField(
        label=gettext_lazy("When"), required=False, input_formats=DATETIME_LOCAL_FORMATS,
        widget=DateTimeLocalInput())
    occurred_to = forms.DateTimeField(
        label=gettext_lazy("Until (optional)"), required=False,
        input_formats=DATETIME_LOCAL_FORMATS, widget=DateTimeLocalInput())
    setting = forms.ChoiceField(label=gettext_lazy("Indoor or outdoor"),
                                choices=_choices(Setting.choices), initial=Setting.UNKNOWN,
                                widget=forms.RadioSelect)
    persons = _count(gettext_lazy("Persons observed"))
    age_under_15 = _count(gettext_lazy("Under 15"))
    age_15_17 = _count(gettext_lazy("15–17"))
    age_18_25 = _count(gettext_lazy("18–25"))
    age_26_plus = _count(gettext_lazy("26 or older"))
    gender_female = _count(gettext_lazy("Female"))
    gender_male = _count(gettext_lazy("Male"))
    gender_unknown = _count(gettext_lazy("Gender unknown"))
    text = forms.CharField(label=gettext_lazy("What happened?"), required=False,
                           help_text=IDENTIFIER_NOTE,
                           widget=forms.Textarea(attrs={"rows": 4, "maxlength": 4000}))
    visibility = forms.ChoiceField(label=gettext_lazy("Who may see this report?"),
                                   choices=_choices(Visibility.choices),
                                   initial=Visibility.PARTNERS,
                                   widget=forms.RadioSelect)
    restricted_to = forms.MultipleChoiceField(
        label=gettext_lazy("Organisations that may see it"), required=False,
        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, categories, places, organisations, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(
            categories, empty=_("Choose a category"), parents_selectable=False)
        self.fields["place"].choices = [("", _("No registered place"))] + [
            (str(p.pk), p.name) for p in places]
        self.fields["restricted_to"].choices = [(str(i), n) for i, _s, n in organisations]
        if not self.is_bound:
            self.initial.setdefault("occurred_from", timezone.now().replace(second=0,
                                                                          microsecond=0))

    def report_input(self) -> ReportInput:
        cd = self.cleaned_data
        return ReportInput(
            category=cd["category"],
            occurred_from=cd.get("occurred_from"),
            occurred_to=cd.get("occurred_to"),
            lon=cd.get("lon"),
            lat=cd.get("lat"),
            accuracy_m=cd.get("accuracy_m"),
            place_id=int(cd["place"]) if cd.get("place") else None,
            setting=cd["setting"],
            text=cd.get("text") or "",
            visibility=cd["visibility"],
            restricted_to=[int(x) for x in cd.get("restricted_to") or []],
            **{name: cd.get(name) or 0 for name in COUNT_FIELDS},
        )


# --- an anonymous tip --------------------------------------------------------------------

class TipForm(PointFields):
    category = forms.ChoiceField(label=gettext_lazy("What did you see?"))
    occurred_from = forms.DateTimeField(
        label=gettext_lazy("When"), required=False, input_formats=DATETIME_LOCAL_FORMATS,
        widget=DateTimeLocalInput())
    text = forms.CharField(label=gettext_lazy("Describe what you saw (optional)"),
                           required=False, help_text=IDENTIFIER_NOTE,
                           widget=forms.Textarea(attrs={"rows": 4, "maxlength": 4000}))

    def __init__(self, *args, categories, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(
            categories, empty=_("Choose what you saw"), parents_selectable=False)
        if not self.is_bound:
            self.initial.setdefault("occurred_from", timezone.now().replace(second=0,
                                                                          microsecond=0))

    def report_input(self) -> ReportInput:
        cd = self.cleaned_data
        return ReportInput(
            category=cd["category"], occurred_from=cd.get("occurred_from"),
            lon=cd.get("lon"), lat=cd.get("lat"), accuracy_m=cd.get("accuracy_m"),
            text=cd.get("text") or "",
        )


# --- review ------------------------------------------------------------------------------

class ReviewForm(Form):
    status = forms.ChoiceField(choices=[(s, s) for s in (ReviewStatus.CONFIRMED,
                                                         ReviewStatus.REJECTED,
                                                         ReviewStatus.DUPLICATE,
                                                         ReviewStatus.NEW)])
    duplicate_of = forms.IntegerField(label=gettext_lazy("Duplicate of report #"),
                                      required=False, min_value=1)
    next = forms.CharField(required=False)
