"""Organisations, people's memberships with roles, and API tokens for partner systems."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from drugscene.cities.models import City


class OrganisationKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("municipality")
    POLICE = "police", _("police")
    SOCIAL_SERVICES = "social_services", _("social services")
    HOUSING_COMPANY = "housing_company", _("housing company")
    SCHOOL = "school", _("school")
    YOUTH_CENTRE = "youth_centre", _("youth centre")
    HARM_REDUCTION = "harm_reduction", _("harm-reduction service")
    BUSINESS = "business", _("business")
    NGO = "ngo", _("NGO")
    CITIZEN_CHANNEL = "citizen_channel", _("citizen channel")


class Organisation(models.Model):
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="organisations")
    slug = models.SlugField()
    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["city", "slug"], name="organisation_city_slug")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """What a member may do. Visibility of reports depends on the organisation, not the role."""

    VIEWER = "viewer", _("viewer")
    REPORTER = "reporter", _("reporter")
    ANALYST = "analyst", _("analyst")
    COORDINATOR = "coordinator", _("coordinator")
    ADMIN = "admin", _("administrator")


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"


class ApiToken(models.Model):
    """A bearer token for a partner system. Only a SHA-256 digest is kept; shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=120, blank=True)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
