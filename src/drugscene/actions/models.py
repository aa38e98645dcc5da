"""Actions at places or in districts (Swedish *åtgärd*, *insats*; together an
*aktivitetsplan*) and their scheduled follow-ups (*uppföljning*)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from drugscene.accounts.models import Organisation
from drugscene.cities.models import Area, City
from drugscene.places.models import Place
from drugscene.scenes.models import CauseFactor, Factor


class ActionKind(models.TextChoices):
    POLICE_PRESENCE = "police_presence", _("police presence")
    HOTSPOT_PATROL = "hotspot_patrol", _("hot-spot patrol")
    CAMERAS = "cameras", _("cameras")
    LIGHTING = "lighting", _("lighting")
    VEGETATION = "vegetation", _("vegetation")
    GUARDS = "guards", _("guards")
    EVENTS_ACTIVITIES = "events_activities", _("events and activities on the place")
    SOCIAL_OUTREACH = "social_outreach", _("social outreach")
    PARENT_SUPPORT = "parent_support", _("parent support")
    PHYSICAL_REDESIGN = "physical_redesign", _("physical redesign")
    NIGHT_CLOSURE = "night_closure", _("closure at night")
    CLEANING = "cleaning", _("cleaning")
    NEEDLE_CONTAINERS = "needle_containers", _("needle containers")
    OTHER = "other", _("other")


class CptedPrinciple(models.TextChoices):
    """The six CPTED principles as Brå describes them (territorialitet, tillträdeskontroll,
    övervakning, försvårande av brottsgenomförande, image, aktivitetsstöd)."""

    TERRITORIALITY = "territoriality", _("territoriality")
    ACCESS_CONTROL = "access_control", _("access control")
    SURVEILLANCE = "surveillance", _("surveillance")
    TARGET_HARDENING = "target_hardening", _("target hardening")
    IMAGE_MAINTENANCE = "image_maintenance", _("image and maintenance")
    ACTIVITY_SUPPORT = "activity_support", _("activity support")


K, P = ActionKind, CptedPrinciple
#: The CPTED principle an action of a kind usually serves ("" = not a CPTED measure).
DEFAULT_PRINCIPLE: dict[str, str] = {
    K.POLICE_PRESENCE: P.SURVEILLANCE,
    K.HOTSPOT_PATROL: P.SURVEILLANCE,
    K.CAMERAS: P.SURVEILLANCE,
    K.LIGHTING: P.SURVEILLANCE,
    K.VEGETATION: P.SURVEILLANCE,
    K.GUARDS: P.SURVEILLANCE,
    K.EVENTS_ACTIVITIES: P.ACTIVITY_SUPPORT,
    K.SOCIAL_OUTREACH: "",
    K.PARENT_SUPPORT: "",
    K.PHYSICAL_REDESIGN: P.TARGET_HARDENING,
    K.NIGHT_CLOSURE: P.ACCESS_CONTROL,
    K.CLEANING: P.IMAGE_MAINTENANCE,
    K.NEEDLE_CONTAINERS: P.IMAGE_MAINTENANCE,
    K.OTHER: "",
}

#: Kinds whose dosage (minutes per visit, visits per week) is recorded (Koper curve).
PATROL_KINDS = frozenset({K.POLICE_PRESENCE, K.HOTSPOT_PATROL, K.GUARDS})

F = Factor
#: The kind of action a cause usually calls for (prefilled when acting on a cause).
KIND_FOR_FACTOR: dict[str, str] = {
    F.LIGHTING: K.LIGHTING,
    F.SIGHT_LINES: K.VEGETATION,
    F.VEGETATION: K.VEGETATION,
    F.HIDING_STASH: K.PHYSICAL_REDESIGN,
    F.CONSTRUCTION_SITE: K.GUARDS,
    F.ESCAPE_ROUTES: K.PHYSICAL_REDESIGN,
    F.TRANSIT_NODE: K.HOTSPOT_PATROL,
    F.SHOPS_BARS: K.EVENTS_ACTIVITIES,
    F.OTHER: K.OTHER,
}


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    ONGOING = "ongoing", _("ongoing")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


class Action(models.Model):
    """Something an owner organisation does at a place or in a district (*åtgärd*)."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="actions")
    place = models.ForeignKey(Place, on_delete=models.RESTRICT, null=True, blank=True,
                              related_name="actions", verbose_name=_("place"))
    area = models.ForeignKey(Area, on_delete=models.RESTRICT, null=True, blank=True,
                             related_name="actions", verbose_name=_("district"))
    owner = models.ForeignKey(Organisation, on_delete=models.RESTRICT, related_name="actions",
                              verbose_name=_("owner organisation"))
    kind = models.CharField(_("kind"), max_length=24, choices=ActionKind.choices)
    cpted_principle = models.CharField(_("CPTED principle"), max_length=24, blank=True,
                                       choices=CptedPrinciple.choices)
    causes = models.ManyToManyField(CauseFactor, blank=True, related_name="actions",
                                    verbose_name=_("causes addressed"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ActionStatus.choices,
                              default=ActionStatus.PLANNED)
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2, null=True,
                               blank=True)
    patrol_minutes = models.PositiveSmallIntegerField(_("minutes per visit"), null=True,
                                                      blank=True)
    patrol_visits_per_week = models.PositiveSmallIntegerField(_("visits per week"), null=True,
                                                              blank=True)
    plan_action_ref = models.CharField(_("drug-policy plan action"), max_length=64, null=True,
                                       blank=True)
    #: the plan action this work serves (the action form offers the city's plan actions;
    #: ``plan_action_ref`` keeps an older free-text reference)
    plan_action = models.ForeignKey("plans.PlanAction", on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="operational_actions",
                                    verbose_name=_("drug-policy plan action"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["-start", "-id"]
        indexes = [models.Index(fields=["city", "status", "start"], name="action_city_status")]
        constraints = [
            models.CheckConstraint(condition=models.Q(place__isnull=False)
                                   | models.Q(area__isnull=False),
                                   name="action_place_or_area"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_patrol(self) -> bool:
        return self.kind in PATROL_KINDS


class Milestone(models.TextChoices):
    END = "end", _("at the end")
    M3 = "m3", _("3 months after")
    M6 = "m6", _("6 months after")
    M12 = "m12", _("12 months after")


#: months after the action's end at which each follow-up falls due
MILESTONE_MONTHS: dict[str, int] = {Milestone.END: 0, Milestone.M3: 3, Milestone.M6: 6,
                                    Milestone.M12: 12}


class FollowUp(models.Model):
    """The evaluation of an action at a milestone (*uppföljning*): before/after against a
    control, displacement to a buffer (WDQ) and whether the problem came back. Scheduled
    when the action gets an end date; the figures are filled in by the evaluation."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="follow_ups",
                               verbose_name=_("action"))
    milestone = models.CharField(_("milestone"), max_length=4, choices=Milestone.choices)
    due_date = models.DateField(_("due"))
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)
    target_before = models.IntegerField(null=True, blank=True)
    target_after = models.IntegerField(null=True, blank=True)
    control_before = models.IntegerField(null=True, blank=True)
    control_after = models.IntegerField(null=True, blank=True)
    buffer_before = models.IntegerField(null=True, blank=True)
    buffer_after = models.IntegerField(null=True, blank=True)
    rate_ratio = models.FloatField(null=True, blank=True)
    rr_low = models.FloatField(null=True, blank=True)
    rr_high = models.FloatField(null=True, blank=True)
    wdq = models.FloatField(_("WDQ"), null=True, blank=True)
    came_back = models.BooleanField(_("came back"), null=True, blank=True)
    verdict = models.TextField(_("verdict"), blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["action", "due_date"]
        constraints = [
            models.UniqueConstraint(fields=["action", "milestone"], name="follow_up_once"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.milestone} ({self.due_date})"

    @property
    def pending(self) -> bool:
        return self.computed_at is None
