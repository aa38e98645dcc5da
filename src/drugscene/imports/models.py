"""Models of the imports app: one row per run of ``drugscene import reports``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from drugscene.accounts.models import Organisation
from drugscene.cities.models import City


class RunStatus(models.TextChoices):
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")
    INTERRUPTED = "interrupted", _("interrupted")


class ImportRun(models.Model):
    """A bulk import of reports from one file into one city, for one source organisation.

    The counters are updated in the same transaction as each chunk of rows, so after a crash
    ``rows_imported`` says exactly how many rows this run wrote. A run whose process died
    stays ``running`` until the next run for the same city and source marks it
    ``interrupted``.
    """

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="import_runs")
    source = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                               related_name="import_runs",
                               verbose_name=_("source organisation"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")
    file_name = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(max_length=64)
    mapping = models.CharField(_("mapping"), max_length=255, blank=True)
    #: the data licence's attribution line (e.g. OGL v3.0 for police.uk), to show with the data
    attribution = models.TextField(_("attribution"), blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=RunStatus.choices,
                              default=RunStatus.RUNNING)
    rows_in_file = models.PositiveIntegerField(_("rows in the file"), default=0)
    rows_filtered = models.PositiveIntegerField(_("rows left out by the mapping's filter"),
                                                default=0)
    rows_invalid = models.PositiveIntegerField(_("invalid rows"), default=0)
    rows_present = models.PositiveIntegerField(_("rows already present"), default=0)
    rows_to_import = models.PositiveIntegerField(_("rows to import"), default=0)
    rows_imported = models.PositiveIntegerField(_("rows imported"), default=0)
    rejects_file = models.CharField(_("rejects file"), max_length=255, blank=True)
    message = models.TextField(_("message"), blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True, editable=False)
    host = models.CharField(max_length=255, blank=True, editable=False)

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["city", "source", "status"], name="importrun_status")]

    def __str__(self) -> str:
        return f"{self.file_name} → {self.city} ({self.status})"
