"""Notifications: what each user wants to hear about (preferences and areas), what they
were told (the inbox, which is also the record that nothing is sent twice), and signed
webhooks for partner systems with their delivery log.

A notification carries names, codes and counts only (``params``): never a report's free
text and never coordinates, so the same record can be shown in the app, e-mailed or posted
to a partner system.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from drugscene.accounts.models import Organisation
from drugscene.cities.models import Area, City
from drugscene.places.models import Place


class EventKind(models.TextChoices):
    NEW_REPORT = "new_report", _("new report in my areas")
    ACTION_DUE = "action_due", _("action starting or ending soon")
    ACTION_OVERDUE = "action_overdue", _("action overdue")
    FOLLOW_UP_DUE = "follow_up_due", _("follow-up due")
    CAME_BACK = "came_back", _("problem came back after an action")
    WALK_TASK = "walk_task", _("safety-walk task assigned")
    DIGEST = "digest", _("weekly digest")


#: the kinds a partner system can receive by webhook (the digest is for people)
WEBHOOK_KINDS = tuple(k for k in EventKind.values if k != EventKind.DIGEST)


class Delivery(models.TextChoices):
    """How a user wants to get one kind of event."""

    NONE = "none", _("not at all")
    IN_APP = "in_app", _("in the app")
    EMAIL = "email", _("by e-mail")
    BOTH = "both", _("in the app and by e-mail")


def wants_in_app(choice: str) -> bool:
    return choice in (Delivery.IN_APP, Delivery.BOTH)


def wants_email(choice: str) -> bool:
    return choice in (Delivery.EMAIL, Delivery.BOTH)


def _delivery_field(label) -> models.CharField:
    return models.CharField(label, max_length=8, choices=Delivery.choices,
                            default=Delivery.IN_APP)


class NotificationPreference(models.Model):
    """One user's choices in one city: a delivery per event kind and the e-mail language.

    Users without a row get the defaults of their role (``defaults.for_role``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences")
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(_("e-mail language"), max_length=8, blank=True,
                                help_text=_("Empty: the city's language."))
    new_report = _delivery_field(EventKind.NEW_REPORT.label)
    action_due = _delivery_field(EventKind.ACTION_DUE.label)
    action_overdue = _delivery_field(EventKind.ACTION_OVERDUE.label)
    follow_up_due = _delivery_field(EventKind.FOLLOW_UP_DUE.label)
    came_back = _delivery_field(EventKind.CAME_BACK.label)
    walk_task = _delivery_field(EventKind.WALK_TASK.label)
    digest = _delivery_field(EventKind.DIGEST.label)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "city"],
                                               name="notification_pref_once")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.city}"

    def choice(self, kind: str) -> str:
        return getattr(self, kind)


class AreaSubscription(models.Model):
    """An area a user follows for new reports: a district, a place (the reports linked to
    it), or a place with a radius (also every report within that many metres)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="area_subscriptions")
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", verbose_name=_("district"))
    place = models.ForeignKey(Place, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="+", verbose_name=_("place"))
    radius_m = models.PositiveIntegerField(_("radius (m)"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("area subscription")
        verbose_name_plural = _("area subscriptions")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(area__isnull=False, place__isnull=True,
                                    radius_m__isnull=True)
                           | models.Q(area__isnull=True, place__isnull=False)),
                name="subscription_area_or_place"),
        ]

    def __str__(self) -> str:
        if self.area_id:
            return str(self.area)
        if self.radius_m:
            return f"{self.place} + {self.radius_m} m"
        return str(self.place)


class EmailStatus(models.TextChoices):
    NOT_WANTED = "not_wanted", _("not wanted")
    PENDING = "pending", _("waiting to be sent")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    NO_ADDRESS = "no_address", _("no e-mail address")


class Notification(models.Model):
    """One event told to one user. The unique key (user, kind, object, occasion) is the
    record that makes every pass of the worker idempotent."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notifications")
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    object_type = models.CharField(max_length=16)
    object_id = models.BigIntegerField()
    #: what makes a repeat of the same object a new event (a date, a week); "" = once
    occasion = models.CharField(max_length=32, blank=True, default="")
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=300, blank=True)
    in_app = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(_("e-mail"), max_length=12, choices=EmailStatus.choices,
                                    default=EmailStatus.NOT_WANTED)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_next_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "object_type", "object_id",
                                            "occasion"], name="notification_once"),
        ]
        indexes = [
            models.Index(fields=["user", "in_app", "read_at"], name="notification_inbox"),
            models.Index(fields=["email_status", "email_next_at"], name="notification_mail"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_type}:{self.object_id} → {self.user}"

    @property
    def unread(self) -> bool:
        return self.read_at is None


class Cursor(models.Model):
    """How far a scan has read (e.g. the highest report id already considered)."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=32)
    position = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["city", "name"], name="cursor_once")]

    def __str__(self) -> str:
        return f"{self.city} {self.name} @ {self.position}"


def _kinds_default() -> list[str]:
    return list(WEBHOOK_KINDS)


class Webhook(models.Model):
    """A partner system's endpoint: it receives signed JSON for the events its
    organisation may see."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="webhooks",
                                     verbose_name=_("organisation"))
    name = models.CharField(_("name"), max_length=120, blank=True)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=128)
    kinds = models.JSONField(_("event kinds"), default=_kinds_default)
    active = models.BooleanField(_("active"), default=True)
    failure_count = models.PositiveIntegerField(_("failed attempts in a row"), default=0)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("why it was disabled"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["organisation", "id"]

    def __str__(self) -> str:
        return self.name or self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SENT = "sent", _("delivered")
    FAILED = "failed", _("gave up")


class WebhookDelivery(models.Model):
    """One event for one webhook: the exact body sent, and every attempt's outcome."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    object_type = models.CharField(max_length=16)
    object_id = models.BigIntegerField()
    occasion = models.CharField(max_length=32, blank=True, default="")
    body = models.TextField()
    status = models.CharField(max_length=8, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["webhook", "kind", "object_type", "object_id",
                                            "occasion"], name="webhook_delivery_once"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"],
                                name="webhook_delivery_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_type}:{self.object_id} → {self.webhook}"
