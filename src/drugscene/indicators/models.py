"""Indicators (Swedish *indikator*, Dutch *indicator*): what a city measures to follow its
drug policy, and the measurements themselves.

A definition belongs to a city (the built-in catalogue is copied into each city, like the
report categories). Measurements are typed in, imported from CSV, or - for the system's
own report counts - computed from the reports (``computed`` is then set on the definition).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from drugscene.cities.models import Area, City
from drugscene.places.models import Place


class Direction(models.TextChoices):
    """Which way is good: fewer overdose deaths is good, more treatment places is good."""

    DOWN = "down", _("lower is better")
    UP = "up", _("higher is better")
    NEUTRAL = "neutral", _("neither (context only)")


class Frequency(models.TextChoices):
    WEEK = "week", _("weekly")
    MONTH = "month", _("monthly")
    QUARTER = "quarter", _("quarterly")
    YEAR = "year", _("yearly")


class Level(models.TextChoices):
    CITY = "city", _("city")
    DISTRICT = "district", _("district")
    PLACE = "place", _("place")


class Computed(models.TextChoices):
    """How a computed indicator is derived from the system's own data ("" = typed in)."""

    NONE = "", _("measured (typed in or imported)")
    REPORTS = "reports", _("count of reports")


class Indicator(models.Model):
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="indicators")
    slug = models.SlugField(max_length=80)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=60)
    source = models.CharField(_("source"), max_length=200, blank=True)
    caveat = models.TextField(_("caveat"), blank=True)
    direction = models.CharField(
        _("direction of good"), max_length=8, choices=Direction.choices,
        default=Direction.DOWN,
    )
    frequency = models.CharField(
        _("frequency"), max_length=8, choices=Frequency.choices, default=Frequency.MONTH
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices,
                             default=Level.CITY)
    by_gender = models.BooleanField(_("broken down by gender"), default=False)
    by_age = models.BooleanField(_("broken down by age band"), default=False)
    computed = models.CharField(
        _("computed from"), max_length=12, choices=Computed.choices, default=Computed.NONE,
        blank=True,
    )
    #: for computed report counts: the category counted (its subcategories included);
    #: empty with ``computed == reports`` means every drug-related category
    category = models.ForeignKey(
        "reports.Category", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("category counted"),
    )
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["order", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["city", "slug"], name="indicator_city_slug")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the active language (built-in names are in the message catalogue)."""
        return gettext(self.name)

    @property
    def unit_label(self) -> str:
        """The unit in the active language (``unit`` itself is the code files give)."""
        from drugscene.indicators.catalogue import UNIT_LABELS

        return str(UNIT_LABELS.get(self.unit, self.unit))

    @property
    def source_label(self) -> str:
        """The source in the active language (built-in sources are in the catalogue)."""
        return gettext(self.source) if self.source else ""

    @property
    def caveat_label(self) -> str:
        """The caveat in the active language (built-in caveats are in the catalogue)."""
        return gettext(self.caveat) if self.caveat else ""


class Gender(models.TextChoices):
    ALL = "", _("all")
    FEMALE = "female", _("female")
    MALE = "male", _("male")
    OTHER = "other", _("other or unknown")


class Measurement(models.Model):
    """One value of an indicator for one period and one area (blank area = whole city).

    One value per cell: the database enforces it where no column is empty; the import and
    the services look a cell up first (SQLite treats empty columns as distinct).
    A value below the limit of detection (wastewater) is kept as such: ``below_lod`` is
    true, ``value`` is empty and ``lod`` holds the limit when known - never a zero.
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE,
                                  related_name="measurements")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    area = models.ForeignKey(Area, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", verbose_name=_("district"))
    place = models.ForeignKey(Place, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="+", verbose_name=_("place"))
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, default="",
                              blank=True)
    age_band = models.CharField(_("age band"), max_length=16, blank=True, default="")
    value = models.FloatField(_("value"), null=True, blank=True)
    below_lod = models.BooleanField(_("below the limit of detection"), default=False)
    lod = models.FloatField(_("limit of detection"), null=True, blank=True)
    denominator = models.FloatField(_("denominator or population"), null=True, blank=True)
    ci_low = models.FloatField(_("confidence interval, low"), null=True, blank=True)
    ci_high = models.FloatField(_("confidence interval, high"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["indicator", "period_start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_start", "period_end", "area", "place", "gender",
                        "age_band"],
                name="measurement_unique_cell",
            ),
            models.CheckConstraint(
                condition=models.Q(below_lod=True, value__isnull=True)
                | models.Q(below_lod=False, value__isnull=False),
                name="measurement_value_or_below_lod",
            ),
        ]
        indexes = [models.Index(fields=["indicator", "area", "period_start"],
                                name="measurement_series")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period_start}–{self.period_end}"
