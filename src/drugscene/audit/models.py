"""The audit trail: every write, by whom, from which organisation, what changed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("who"),
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("organisation"),
    )
    channel = models.CharField(_("channel"), max_length=16, default="web")
    action = models.CharField(_("action"), max_length=32)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    changes = models.JSONField(_("changes"), default=dict)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"
