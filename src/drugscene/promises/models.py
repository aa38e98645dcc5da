"""Citizen promises (*medborgarlöfte*) and cooperation agreements
(*samverkansöverenskommelse*): what each party commits to, for a period, and whether it
was fulfilled, with the actions that fulfil it.

The six-city study found that such agreements rarely say which actions will reach their
goals, or who carries them out; listing commitments per party with their status, evidence
and linked actions makes that visible.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from drugscene.accounts.models import Organisation
from drugscene.cities.models import City


class AgreementKind(models.TextChoices):
    CITIZEN_PROMISE = "citizen_promise", _("citizen promise")
    COOPERATION_AGREEMENT = "cooperation_agreement", _("cooperation agreement")


class Agreement(models.Model):
    """A citizen promise or a cooperation agreement between partners, for a period."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="agreements")
    kind = models.CharField(_("kind"), max_length=24, choices=AgreementKind.choices)
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"), null=True, blank=True)
    parties = models.ManyToManyField(Organisation, related_name="agreements",
                                     verbose_name=_("parties"))
    summary = models.TextField(_("summary"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-period_start", "title"]

    def __str__(self) -> str:
        return self.title


class CommitmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("not started")
    ONGOING = "ongoing", _("ongoing")
    FULFILLED = "fulfilled", _("fulfilled")
    NOT_FULFILLED = "not_fulfilled", _("not fulfilled")


class Commitment(models.Model):
    """What one party commits to ("the police commit to …", *polisen åtar sig att …*)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE,
                                  related_name="commitments")
    party = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                              related_name="commitments", verbose_name=_("party"))
    text = models.TextField(_("commitment"))
    status = models.CharField(_("status"), max_length=16, choices=CommitmentStatus.choices,
                              default=CommitmentStatus.NOT_STARTED)
    evidence = models.TextField(_("evidence"), blank=True)
    actions = models.ManyToManyField("actions.Action", blank=True, related_name="commitments",
                                     verbose_name=_("actions that fulfil it"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["agreement", "party__name", "id"]

    def __str__(self) -> str:
        return self.text[:60]
