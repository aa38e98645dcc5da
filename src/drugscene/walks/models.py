"""Safety walks (Swedish *trygghetsvandring*) and what they find.

Residents and partners walk a route together and note unsafe spots: a broken light,
overgrown bushes, a hidden corner, graffiti, needles. Each finding becomes a task for the
organisation that must fix it and stays on the map until it is done.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from drugscene.accounts.models import Organisation
from drugscene.cities.models import Area, City


class SafetyWalk(models.Model):
    """One safety walk (*trygghetsvandring*): when, where, who took part (counts only)."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="safety_walks")
    date = models.DateField(_("date"))
    area = models.ForeignKey(
        Area, on_delete=models.SET_NULL, null=True, blank=True, related_name="safety_walks",
        verbose_name=_("district"),
    )
    route = models.JSONField(_("route (GeoJSON LineString)"), null=True, blank=True)
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="safety_walks",
        verbose_name=_("participating organisations"),
    )
    residents_count = models.PositiveIntegerField(_("residents taking part"), default=0)
    other_participants_count = models.PositiveIntegerField(_("other participants"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("safety walk")
        verbose_name_plural = _("safety walks")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["city", "date"], name="walk_city_date")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.area or self.city}"


class FindingKind(models.TextChoices):
    BROKEN_LIGHT = "broken_light", _("broken light")
    OVERGROWN_VEGETATION = "overgrown_vegetation", _("overgrown vegetation")
    HIDDEN_CORNER = "hidden_corner", _("hidden corner")
    GRAFFITI = "graffiti", _("graffiti")
    LITTER = "litter", _("litter")
    NEEDLES = "needles", _("needles / syringes")
    DAMAGED_PROPERTY = "damaged_property", _("damaged property")
    POOR_SIGHTLINE = "poor_sightline", _("poor sightline")
    OTHER = "other", _("other")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("open")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    REJECTED = "rejected", _("rejected")


#: Findings that still need work: they are tasks and show on the map.
OPEN_STATUSES = (FindingStatus.OPEN, FindingStatus.IN_PROGRESS)


class Finding(models.Model):
    """An unsafe spot noted on a walk: a task for the organisation that must fix it."""

    walk = models.ForeignKey(SafetyWalk, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(_("kind"), max_length=32, choices=FindingKind.choices)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    note = models.TextField(_("note"), blank=True)
    owner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="walk_findings",
        verbose_name=_("responsible organisation"),
    )
    status = models.CharField(_("status"), max_length=16, choices=FindingStatus.choices,
                              default=FindingStatus.OPEN)
    due = models.DateField(_("due date"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["walk", "id"]
        indexes = [models.Index(fields=["owner", "status"], name="finding_owner_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
