"""Models of the open311 app: the tokens handed out for Open311 requests.

A request posted without an API key is an anonymous tip that awaits review; the caller
gets a random token instead of a request id (GeoReport v2 "batch" services). The token is
stored only as its SHA-256 digest, like the API tokens, and names nothing but the report.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from drugscene.reports.models import Report


class RequestToken(models.Model):
    digest = models.CharField(max_length=64, unique=True)
    report = models.OneToOneField(Report, on_delete=models.CASCADE,
                                  related_name="open311_token")
    #: ``True`` when a partner (with an API key) posted the request: its id is given at once
    by_partner = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Open311 token")
        verbose_name_plural = _("Open311 tokens")

    def __str__(self) -> str:
        return f"token for report {self.report_id}"
