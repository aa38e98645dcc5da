"""A city and its districts (areas) with the police classification."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

#: the public page never shows a count below this (a city may choose a higher minimum)
PUBLIC_MIN_COUNT_FLOOR = 5
#: H3 resolutions the public map may use (8: cells of about 0.7 km², 9: about 0.1 km²)
PUBLIC_RESOLUTIONS = ((7, "7"), (8, "8"), (9, "9"))


class City(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=120)
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Stockholm")
    default_language = models.CharField(_("default language"), max_length=8, default="sv")
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    metric_crs = models.CharField(_("metric CRS"), max_length=32, default="EPSG:3006")
    centre_lon = models.FloatField(_("centre longitude"))
    centre_lat = models.FloatField(_("centre latitude"))
    boundary = models.JSONField(_("boundary (GeoJSON polygon)"), null=True, blank=True)

    # --- statistics for comparing cities (as the six-city study does) -----------------
    unemployment_rate = models.FloatField(
        _("unemployment (%)"), null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Share of the labour force that is unemployed, in per cent."))
    ill_health_days = models.FloatField(
        _("ill-health days per person"), null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(366)],
        help_text=_("Days a year with sickness, rehabilitation, activity or sickness "
                    "compensation paid per insured person aged 16-64 (the Swedish "
                    "'ohälsotal')."))
    statistics_year = models.PositiveSmallIntegerField(
        _("year of the statistics"), null=True, blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2200)])

    # --- the public page ------------------------------------------------------------------
    public_enabled = models.BooleanField(
        _("public page enabled"), default=False,
        help_text=_("Show the city's public page (aggregates only, no login)."))
    public_delay_days = models.PositiveSmallIntegerField(
        _("public delay (days)"), default=14, validators=[MaxValueValidator(365)],
        help_text=_("Reports appear on the public map only after this many days."))
    public_min_count = models.PositiveSmallIntegerField(
        _("public minimum count"), default=PUBLIC_MIN_COUNT_FLOOR,
        validators=[MinValueValidator(PUBLIC_MIN_COUNT_FLOOR), MaxValueValidator(1000)],
        help_text=_("Map cells with fewer reports are not shown. Never below 5."))
    public_resolution = models.PositiveSmallIntegerField(
        _("public map resolution (H3)"), default=8, choices=PUBLIC_RESOLUTIONS,
        help_text=_("8: hexagons of about 0.7 km²; 9: about 0.1 km²."))

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(public_min_count__gte=PUBLIC_MIN_COUNT_FLOOR),
                name="city_public_min_count_floor"),
            models.CheckConstraint(
                condition=Q(public_resolution__gte=7) & Q(public_resolution__lte=9),
                name="city_public_resolution_range"),
            models.CheckConstraint(
                condition=Q(unemployment_rate__isnull=True)
                | (Q(unemployment_rate__gte=0) & Q(unemployment_rate__lte=100)),
                name="city_unemployment_range"),
            models.CheckConstraint(
                condition=Q(ill_health_days__isnull=True)
                | (Q(ill_health_days__gte=0) & Q(ill_health_days__lte=366)),
                name="city_ill_health_range"),
        ]

    def __str__(self) -> str:
        return self.name


class PoliceClass(models.TextChoices):
    """Swedish police classification of areas (utsatt / riskområde / särskilt utsatt)."""

    NONE = "none", _("not classified")
    VULNERABLE = "vulnerable", _("vulnerable area")
    RISK = "risk", _("risk area")
    ESPECIALLY_VULNERABLE = "especially_vulnerable", _("especially vulnerable area")


class Area(models.Model):
    """A district of the city (Swedish *stadsdel*), with its outline as GeoJSON."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="areas")
    slug = models.SlugField()
    name = models.CharField(_("name"), max_length=120)
    police_class = models.CharField(
        _("police classification"), max_length=32, choices=PoliceClass.choices,
        default=PoliceClass.NONE,
    )
    geometry = models.JSONField(_("outline (GeoJSON polygon)"))
    min_lon = models.FloatField(editable=False, default=0)
    min_lat = models.FloatField(editable=False, default=0)
    max_lon = models.FloatField(editable=False, default=0)
    max_lat = models.FloatField(editable=False, default=0)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["city", "slug"], name="area_city_slug")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        from drugscene.geo.shapes import geojson_bounds

        self.min_lon, self.min_lat, self.max_lon, self.max_lat = geojson_bounds(self.geometry)
        super().save(*args, **kwargs)
