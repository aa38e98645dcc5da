"""Reports: what a partner (or an anonymous citizen) saw, where and when."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from drugscene.accounts.models import Organisation
from drugscene.cities.models import Area, City
from drugscene.places.models import Place


class Category(models.Model):
    """A configurable, hierarchical category of what was seen (per city)."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="categories")
    slug = models.SlugField(max_length=60)
    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    drug_related = models.BooleanField(_("drug related"), default=False)
    tip_allowed = models.BooleanField(_("allowed in anonymous tips"), default=False)
    #: counted (aggregated, delayed, suppressed below a minimum) on the city's public page
    #: and shown to keyless Open311 callers
    public = models.BooleanField(_("shown on the public page"), default=False)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["order", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["city", "slug"], name="category_city_slug")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the active language (default names are in the message catalogue)."""
        return gettext(self.name)


class Visibility(models.TextChoices):
    PUBLIC = "public", _("public")
    PARTNERS = "partners", _("all partners")
    RESTRICTED = "restricted", _("restricted to named organisations")


class ReviewStatus(models.TextChoices):
    NEW = "new", _("new")
    CONFIRMED = "confirmed", _("confirmed")
    REJECTED = "rejected", _("rejected")
    DUPLICATE = "duplicate", _("duplicate")


class Setting(models.TextChoices):
    UNKNOWN = "unknown", _("unknown")
    OUTDOOR = "outdoor", _("outdoor")
    INDOOR = "indoor", _("indoor")


class Channel(models.TextChoices):
    PARTNER = "partner", _("partner report")
    TIP = "tip", _("anonymous tip")
    API = "api", _("partner system (API)")
    OPEN311 = "open311", _("Open311 request")
    IMPORT = "import", _("import")
    DEMO = "demo", _("demo data")


class Report(models.Model):
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="reports")
    occurred_from = models.DateTimeField(_("occurred (from)"))
    occurred_to = models.DateTimeField(_("occurred (to)"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported at"))
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    accuracy_m = models.PositiveIntegerField(_("accuracy (m)"), null=True, blank=True)
    h3_cell = models.BigIntegerField(editable=False)
    area = models.ForeignKey(
        Area, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports",
        verbose_name=_("district"),
    )
    place = models.ForeignKey(
        Place, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports",
        verbose_name=_("place"),
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="reports", verbose_name=_("category")
    )
    source = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="reports",
        verbose_name=_("source organisation"),
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="reports",
    )
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.PARTNER)
    persons = models.PositiveSmallIntegerField(_("persons observed"), default=0)
    age_under_15 = models.PositiveSmallIntegerField(_("under 15"), default=0)
    age_15_17 = models.PositiveSmallIntegerField(_("15–17"), default=0)
    age_18_25 = models.PositiveSmallIntegerField(_("18–25"), default=0)
    age_26_plus = models.PositiveSmallIntegerField(_("26 or older"), default=0)
    gender_female = models.PositiveSmallIntegerField(_("female"), default=0)
    gender_male = models.PositiveSmallIntegerField(_("male"), default=0)
    gender_unknown = models.PositiveSmallIntegerField(_("gender unknown"), default=0)
    setting = models.CharField(
        _("indoor/outdoor"), max_length=8, choices=Setting.choices, default=Setting.UNKNOWN
    )
    text = models.TextField(_("description"), blank=True)
    scrubbed = models.CharField(max_length=200, blank=True, editable=False)
    visibility = models.CharField(
        _("visibility"), max_length=12, choices=Visibility.choices, default=Visibility.PARTNERS
    )
    restricted_to = models.ManyToManyField(
        Organisation, blank=True, related_name="restricted_reports",
        verbose_name=_("visible to"),
    )
    review_status = models.CharField(
        _("review status"), max_length=12, choices=ReviewStatus.choices,
        default=ReviewStatus.NEW,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    external_id = models.CharField(max_length=120, null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-occurred_from", "-id"]
        indexes = [
            models.Index(fields=["city", "occurred_from"], name="report_city_time"),
            # covers the common read: a time window, a bbox and the visibility test
            models.Index(fields=["city", "occurred_from", "lat", "lon", "visibility", "source"],
                         name="report_city_time_cover"),
            models.Index(fields=["city", "lat", "lon"], name="report_city_latlon"),
            models.Index(fields=["city", "review_status"], name="report_city_review"),
            models.Index(fields=["city", "h3_cell"], name="report_city_h3"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "source", "external_id"], name="report_external_id"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.category} {self.occurred_from:%Y-%m-%d %H:%M}"
