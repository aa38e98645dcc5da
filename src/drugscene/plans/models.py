"""Drug-policy plans (Dutch *drugsbeleidsplan*, Swedish *ANDT-plan*, *handlingsplan*): the
city's plan with its pillars, priority themes, goals broken into measurable sub-goals, the
plan actions with owners, budgets, milestones and progress notes, and the groups that steer
it.

Ghent's plan 2020-2025 is the model (seed 003): five pillars, four priority themes, a
steering group, three thematic working groups, 56 actions, a yearly budget plus a line for
pilots. The six-city study (seed 004) finds goals that are never broken into local,
measurable sub-goals and never followed up: a :class:`SubGoal` names its indicator,
baseline, target, deadline and area so that the plan health check can show what is missing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from drugscene.accounts.models import Organisation
from drugscene.cities.models import Area, City

#: Ghent's five pillars (code, English name), in the plan's order.
#: Stored in English; shown translated (:attr:`Pillar.label`).
DEFAULT_PILLARS: tuple[tuple[str, str], ...] = (
    ("prevention", "Prevention"),
    ("early_intervention", "Early intervention"),
    ("care", "Care (treatment and assistance)"),
    ("harm_reduction", "Harm reduction"),
    ("enforcement", "Enforcement"),
)
#: Ghent's four priority themes (code, English name).
GHENT_THEMES: tuple[tuple[str, str], ...] = (
    ("targeted_prevention", "Targeted prevention"),
    ("accessible_care", "A broad range of accessible care"),
    ("crime_and_nuisance", "Firm action on drug-related crime and nuisance"),
    ("inclusive_recovery", "An inclusive city for people in recovery"),
)


def _mark_for_translation() -> None:  # pragma: no cover - makemessages reads the literals
    _("Prevention"), _("Early intervention"), _("Care (treatment and assistance)")
    _("Harm reduction"), _("Enforcement"), _("Targeted prevention")
    _("A broad range of accessible care"), _("Firm action on drug-related crime and nuisance")
    _("An inclusive city for people in recovery")


class Plan(models.Model):
    """A city's drug-policy plan for a period."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="plans")
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    approved_on = models.DateField(_("approval date"), null=True, blank=True)
    approved_by = models.CharField(_("approving body"), max_length=200, blank=True)
    yearly_budget_eur = models.DecimalField(_("yearly budget (EUR)"), max_digits=14,
                                            decimal_places=2, null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("drug-policy plan")
        verbose_name_plural = _("drug-policy plans")
        ordering = ["-period_start", "title"]

    def __str__(self) -> str:
        return self.title


class BudgetLine(models.Model):
    """An extra budget line of a plan (e.g. Ghent's €75,000 a year for pilots)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="budget_lines")
    label = models.CharField(_("label"), max_length=200)
    amount_eur = models.DecimalField(_("amount (EUR)"), max_digits=14, decimal_places=2)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True,
                                            help_text=_("Empty: every year of the plan."))

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["plan", "year", "id"]

    def __str__(self) -> str:
        return self.label


class Pillar(models.Model):
    """One pillar of the plan (prevention, early intervention, care, harm reduction,
    enforcement)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="pillars")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("pillar")
        verbose_name_plural = _("pillars")
        ordering = ["plan", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="pillar_plan_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The name in the active language (the default names are in the catalogue)."""
        return gettext(self.name)


class Theme(models.Model):
    """A cross-cutting priority theme (e.g. targeted prevention, accessible care)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="themes")
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("priority theme")
        verbose_name_plural = _("priority themes")
        ordering = ["plan", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="theme_plan_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return gettext(self.name)


class GroupKind(models.TextChoices):
    STEERING = "steering", _("steering group")
    WORKING = "working", _("working group")


class PlanGroup(models.Model):
    """The steering group or a thematic working group, with member organisations."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="groups")
    kind = models.CharField(_("kind"), max_length=10, choices=GroupKind.choices,
                            default=GroupKind.WORKING)
    name = models.CharField(_("name"), max_length=200)
    members = models.ManyToManyField(Organisation, blank=True, related_name="plan_groups",
                                     verbose_name=_("member organisations"))

    class Meta:
        verbose_name = _("plan group")
        verbose_name_plural = _("plan groups")
        ordering = ["plan", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="group_plan_name")]

    def __str__(self) -> str:
        return self.name


class GroupMeeting(models.Model):
    """A meeting of a plan group; ``open`` marks an open progress meeting with the field."""

    group = models.ForeignKey(PlanGroup, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField(_("date"))
    open = models.BooleanField(_("open progress meeting"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)

    class Meta:
        verbose_name = _("group meeting")
        verbose_name_plural = _("group meetings")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.group} {self.date}"


class Goal(models.Model):
    """An overall goal of the plan, broken into measurable sub-goals."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=300)
    pillar = models.ForeignKey(Pillar, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="goals", verbose_name=_("pillar"))

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["plan", "code", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="goal_plan_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class SubGoal(models.Model):
    """A local, measurable sub-goal: an indicator moves from baseline to target by the
    deadline, in the whole city (``area`` empty) or in one district."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="sub_goals",
                             verbose_name=_("goal"))
    title = models.CharField(_("title"), max_length=300)
    indicator = models.ForeignKey("indicators.Indicator", on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="sub_goals",
                                  verbose_name=_("indicator"))
    baseline = models.FloatField(_("baseline"), null=True, blank=True)
    target = models.FloatField(_("target"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    area = models.ForeignKey(Area, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("district"))

    class Meta:
        verbose_name = _("sub-goal")
        verbose_name_plural = _("sub-goals")
        ordering = ["goal", "id"]

    def __str__(self) -> str:
        return self.title


class PlanActionStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    ONGOING = "ongoing", _("ongoing")
    DONE = "done", _("done")
    DELAYED = "delayed", _("delayed")
    STOPPED = "stopped", _("stopped")


#: statuses of actions that are over (no longer expected to be updated)
CLOSED = (PlanActionStatus.DONE, PlanActionStatus.STOPPED)


class PlanAction(models.Model):
    """One numbered action of the plan (Ghent: 56 of them)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    number = models.CharField(_("number"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    pillar = models.ForeignKey(Pillar, on_delete=models.RESTRICT, related_name="actions",
                               verbose_name=_("pillar"))
    themes = models.ManyToManyField(Theme, blank=True, related_name="actions",
                                    verbose_name=_("priority themes"))
    goals = models.ManyToManyField(Goal, blank=True, related_name="actions",
                                   verbose_name=_("goals served"))
    lead_organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="led_plan_actions", verbose_name=_("lead organisation"))
    partners = models.ManyToManyField(Organisation, blank=True,
                                      related_name="partner_plan_actions",
                                      verbose_name=_("partner organisations"))
    working_group = models.ForeignKey(PlanGroup, on_delete=models.SET_NULL, null=True,
                                      blank=True, related_name="actions",
                                      verbose_name=_("working group"))
    budget_eur = models.DecimalField(_("budget (EUR)"), max_digits=14, decimal_places=2,
                                     null=True, blank=True)
    spent_eur = models.DecimalField(_("spent (EUR)"), max_digits=14, decimal_places=2,
                                    null=True, blank=True)
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=PlanActionStatus.choices,
                              default=PlanActionStatus.PLANNED)
    #: day of the last progress: a progress note or a change of status (empty: never)
    last_progress = models.DateField(_("last progress"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("plan action")
        verbose_name_plural = _("plan actions")
        ordering = ["plan", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_action_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Milestone(models.Model):
    plan_action = models.ForeignKey(PlanAction, on_delete=models.CASCADE,
                                    related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due = models.DateField(_("due date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["plan_action", "due", "id"]

    def __str__(self) -> str:
        return self.title

    def overdue(self, today) -> bool:
        return self.done_on is None and self.due < today


class ProgressNote(models.Model):
    """What happened with a plan action, dated, by a user (text scrubbed of identifiers)."""

    plan_action = models.ForeignKey(PlanAction, on_delete=models.CASCADE,
                                    related_name="notes")
    date = models.DateField(_("date"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                               null=True, blank=True, related_name="+",
                               verbose_name=_("author"))
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+",
                                     verbose_name=_("organisation"))
    text = models.TextField(_("progress"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.plan_action.number} {self.date}"
