"""An external city profile: the comparison figures of a city on another installation,
imported from the file that ``drugscene profile export`` wrote there (aggregates only)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CityProfile(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=120)
    version = models.PositiveSmallIntegerField(_("schema version"))
    #: the validated profile (see drugscene.public.profile)
    data = models.JSONField(_("figures"))
    source = models.CharField(_("imported from"), max_length=200, blank=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)

    class Meta:
        verbose_name = _("external city profile")
        verbose_name_plural = _("external city profiles")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
