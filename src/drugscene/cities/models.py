"""A city and its districts (areas) with the police classification."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["name"]

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
