"""The weekly partner meeting of the EST method (*Effektiv samordning för trygghet*).

Every week the partners meet (*veckomöte*), look at the situational picture (*lägesbild*),
take decisions (*beslut*) and agree the priority list for next week: which place, district
or hot-spot cell each organisation targets (as Helsingborg does). The following meeting
checks whether the priorities were acted on.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from drugscene.accounts.models import Organisation
from drugscene.cities.models import Area, City
from drugscene.places.models import Place


class Meeting(models.Model):
    """One EST meeting of a city, at most one per ISO week (*EST-möte*)."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="meetings")
    iso_week = models.CharField(_("week"), max_length=8, help_text=_("YYYY-Www"))
    date = models.DateField(_("date"))
    chair = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("chair"),
    )
    attendees = models.ManyToManyField(
        Organisation, blank=True, related_name="meetings_attended",
        verbose_name=_("attending organisations"),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-iso_week"]
        constraints = [
            models.UniqueConstraint(fields=["city", "iso_week"], name="meeting_city_week"),
        ]

    def __str__(self) -> str:
        return f"{self.city} {self.iso_week}"


class Decision(models.Model):
    """A decision of the meeting (*beslut*), with an owner and a due date."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))
    owner = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("owner"),
    )
    due = models.DateField(_("due date"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class Priority(models.Model):
    """One line of the priority list for next week (*prioriteringslista*): what an
    organisation targets, at a registered place, a district or a hot-spot cell (H3)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="priorities")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="meeting_priorities",
        verbose_name=_("organisation"),
    )
    place = models.ForeignKey(
        Place, on_delete=models.PROTECT, null=True, blank=True, related_name="meeting_priorities",
        verbose_name=_("place"),
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="meeting_priorities",
        verbose_name=_("district"),
    )
    h3_cell = models.CharField(_("hot-spot cell (H3)"), max_length=16, null=True, blank=True)
    what = models.CharField(_("what"), max_length=200)
    for_week = models.CharField(_("for week"), max_length=8, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        ordering = ["organisation__name", "id"]
        constraints = [
            # exactly one target: a place, a district or a cell
            models.CheckConstraint(
                condition=(
                    Q(place__isnull=False, area__isnull=True, h3_cell__isnull=True)
                    | Q(place__isnull=True, area__isnull=False, h3_cell__isnull=True)
                    | Q(place__isnull=True, area__isnull=True, h3_cell__isnull=False)
                ),
                name="priority_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.for_week} {self.organisation}: {self.what}"

    @property
    def target_kind(self) -> str:
        if self.place_id:
            return "place"
        if self.area_id:
            return "area"
        return "cell"
