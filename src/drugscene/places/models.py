"""The register of places that reports point to (scenes, stairwells, squares...)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from drugscene.cities.models import Area, City


class PlaceType(models.TextChoices):
    SQUARE = "square", _("square / centre")
    TRANSIT_NODE = "transit_node", _("travel centre / transit node")
    METRO_STATION = "metro_station", _("metro station")
    BUS_STOP = "bus_stop", _("bus stop")
    PARK = "park", _("park")
    SCHOOL_YARD = "school_yard", _("school yard")
    PRESCHOOL = "preschool", _("preschool")
    YOUTH_CENTRE = "youth_centre", _("youth centre")
    PLAYGROUND = "playground", _("playground")
    STAIRWELL = "stairwell", _("stairwell")
    LAUNDRY_ROOM = "laundry_room", _("laundry room")
    BASEMENT = "basement", _("basement")
    ATTIC = "attic", _("attic")
    GARAGE = "garage", _("garage")
    BICYCLE_GARAGE = "bicycle_garage", _("bicycle garage")
    CONSTRUCTION_SITE = "construction_site", _("construction site")
    FAST_FOOD = "fast_food", _("fast-food place")
    BAR = "bar", _("bar")
    MALL = "mall", _("mall")
    PETROL_STATION = "petrol_station", _("petrol station")
    COPSE = "copse", _("copse")


class OwnerKind(models.TextChoices):
    MUNICIPAL = "municipal", _("municipality")
    HOUSING_COMPANY = "housing_company", _("housing company")
    PRIVATE = "private", _("private owner")
    STATE = "state", _("state / transport authority")
    UNKNOWN = "unknown", _("unknown")


class PlaceStatus(models.TextChoices):
    """Lifecycle of a scene; transitions and their dates come with the scene register."""

    SUSPECTED = "suspected", _("suspected")
    ACTIVE = "active", _("active")
    UNDER_ACTION = "under_action", _("under action")
    DORMANT = "dormant", _("dormant")
    RESOLVED = "resolved", _("resolved")


class Place(models.Model):
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="places")
    slug = models.SlugField(max_length=80)
    name = models.CharField(_("name"), max_length=160)
    place_type = models.CharField(_("type"), max_length=32, choices=PlaceType.choices)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    geometry = models.JSONField(_("outline (GeoJSON polygon)"), null=True, blank=True)
    area = models.ForeignKey(
        Area, on_delete=models.SET_NULL, null=True, blank=True, related_name="places",
        verbose_name=_("district"),
    )
    owner_kind = models.CharField(
        _("land owner"), max_length=32, choices=OwnerKind.choices, default=OwnerKind.UNKNOWN
    )
    indoor = models.BooleanField(_("indoor"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=PlaceStatus.choices, default=PlaceStatus.ACTIVE
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["city", "slug"], name="place_city_slug")]

    def __str__(self) -> str:
        return self.name
