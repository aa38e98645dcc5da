"""The scene register: a place's lifecycle, merges and splits, assessments and cause
analyses.

Swedish terms used in the field: *plats* (place), *bedömning* (assessment),
*orsaksanalys* (cause analysis), *kartläggning* (the yearly mapping that merges and splits
scenes). Free text is scrubbed of identifiers before it is stored (places, not persons).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from drugscene.accounts.models import Organisation
from drugscene.places.models import Place, PlaceStatus

# --- lifecycle ---------------------------------------------------------------------------


class PlaceStatusChange(models.Model):
    """One dated step in a place's lifecycle (suspected → active → under action → dormant
    → resolved). The current status is kept on ``Place.status``."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="status_changes",
                              verbose_name=_("place"))
    from_status = models.CharField(_("previous status"), max_length=16, blank=True,
                                   choices=PlaceStatus.choices)
    status = models.CharField(_("status"), max_length=16, choices=PlaceStatus.choices)
    date = models.DateField(_("date"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("by organisation"),
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.place} → {self.status} ({self.date})"


class LinkKind(models.TextChoices):
    MERGED_INTO = "merged_into", _("merged into")
    SPLIT_FROM = "split_from", _("split from")


class PlaceLink(models.Model):
    """Merge and split history (the yearly *kartläggning* merges and splits scenes).

    ``merged_into``: ``from_place`` (now resolved) was merged into ``to_place``.
    ``split_from``: ``from_place`` (a new place) was split off ``to_place``.
    Reports keep pointing at the place they were made for.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=LinkKind.choices)
    from_place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="links_out",
                                   verbose_name=_("from place"))
    to_place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="links_in",
                                 verbose_name=_("to place"))
    date = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("place link")
        verbose_name_plural = _("place links")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.from_place} {self.kind} {self.to_place}"


# --- assessment (bedömning) ----------------------------------------------------------------


class Answer(models.TextChoices):
    YES = "yes", _("yes")
    NO = "no", _("no")
    UNKNOWN = "unknown", _("unknown")


#: The seven symptoms of the Stockholm definition of an open drug scene (Bratthall, 2018):
#: field name and label. Each has a yes/no/unknown field and a ``<name>_note`` field.
SYMPTOMS: tuple[tuple[str, object], ...] = (
    ("nuisance", _("Causes discomfort or nuisance to the public")),
    ("unsafe", _("Perceived as unsafe")),
    ("crime_hot_spot", _("Hot spot for crime")),
    ("attracts_vulnerable", _("Attracts new users and other vulnerable groups")),
    ("youth_advised_away", _("Young people are advised not to go there")),
    ("public_avoids", _("The public avoids it")),
    ("tolerance_zone", _("Informal zone of tolerance for deviant behaviour")),
)

#: Short labels for the compact grid on the place page.
SYMPTOM_SHORT: dict[str, object] = {
    "nuisance": _("Nuisance"),
    "unsafe": _("Unsafe"),
    "crime_hot_spot": _("Crime"),
    "attracts_vulnerable": _("Attracts"),
    "youth_advised_away": _("Youth kept away"),
    "public_avoids": _("Avoided"),
    "tolerance_zone": _("Tolerance"),
}


class Rating(models.IntegerChoices):
    LOW = 1, _("1 – low")
    MEDIUM = 2, _("2 – medium")
    HIGH = 3, _("3 – high")


#: The aspects Stockholm assessed its 59 places on: field name, label, help, rated?
#: Each has a text field ``<name>`` and, where rated, ``<name>_rating`` (1–3).
ASPECTS: tuple[tuple[str, object, object, bool], ...] = (
    ("size", _("Geographic size"),
     _("1 = a doorway or a bench, 2 = a square or a stop, 3 = a block, a park or more."),
     True),
    ("surroundings", _("Composition of the surroundings"),
     _("Housing, shops, schools, transit … what lies around the place."), False),
    ("users_anchored", _("How anchored the users are"),
     _("1 = passing through, 3 = there every day, long established."), True),
    ("dealers_anchored", _("How anchored the dealers are"),
     _("1 = occasional, 3 = organised, territorial, long established."), True),
    ("crime", _("Crime linked to the place"),
     _("Violence, robbery, threats, weapons, vandalism … 1 = little, 3 = serious."), True),
    ("cooperation", _("Existing cooperation and ongoing work"),
     _("1 = none yet, 3 = established cooperation between partners."), True),
    ("development", _("Options for development"),
     _("1 = few, 3 = good (redesign, activities, owners willing …)."), True),
)


class SceneForm(models.TextChoices):
    """EMCDDA: concentrated scenes (many users in one place) versus dispersed ones."""

    CONCENTRATED = "concentrated", _("concentrated")
    DISPERSED = "dispersed", _("dispersed")
    UNKNOWN = "unknown", _("unknown")


def _answer(label):
    return models.CharField(label, max_length=8, choices=Answer.choices, default=Answer.UNKNOWN)


def _rating(label):
    return models.PositiveSmallIntegerField(label, choices=Rating.choices, null=True,
                                            blank=True)


class Assessment(models.Model):
    """A dated assessment of a place by an organisation (Swedish *bedömning*), following
    the Stockholm method book: seven symptoms, the mapping aspects, concentrated or
    dispersed, and the sensitive facilities nearby (a snapshot taken when assessed)."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="assessments",
                              verbose_name=_("place"))
    date = models.DateField(_("date"))
    organisation = models.ForeignKey(Organisation, on_delete=models.RESTRICT,
                                     related_name="assessments",
                                     verbose_name=_("assessor organisation"))

    nuisance = _answer(SYMPTOMS[0][1])
    nuisance_note = models.TextField(_("note"), blank=True)
    unsafe = _answer(SYMPTOMS[1][1])
    unsafe_note = models.TextField(_("note"), blank=True)
    crime_hot_spot = _answer(SYMPTOMS[2][1])
    crime_hot_spot_note = models.TextField(_("note"), blank=True)
    attracts_vulnerable = _answer(SYMPTOMS[3][1])
    attracts_vulnerable_note = models.TextField(_("note"), blank=True)
    youth_advised_away = _answer(SYMPTOMS[4][1])
    youth_advised_away_note = models.TextField(_("note"), blank=True)
    public_avoids = _answer(SYMPTOMS[5][1])
    public_avoids_note = models.TextField(_("note"), blank=True)
    tolerance_zone = _answer(SYMPTOMS[6][1])
    tolerance_zone_note = models.TextField(_("note"), blank=True)

    size = models.TextField(ASPECTS[0][1], blank=True)
    size_rating = _rating(_("size (1–3)"))
    surroundings = models.TextField(ASPECTS[1][1], blank=True)
    users_anchored = models.TextField(ASPECTS[2][1], blank=True)
    users_anchored_rating = _rating(_("users anchored (1–3)"))
    dealers_anchored = models.TextField(ASPECTS[3][1], blank=True)
    dealers_anchored_rating = _rating(_("dealers anchored (1–3)"))
    crime = models.TextField(ASPECTS[4][1], blank=True)
    crime_rating = _rating(_("crime (1–3)"))
    cooperation = models.TextField(ASPECTS[5][1], blank=True)
    cooperation_rating = _rating(_("cooperation (1–3)"))
    development = models.TextField(ASPECTS[6][1], blank=True)
    development_rating = _rating(_("development options (1–3)"))

    scene_form = models.CharField(_("concentrated or dispersed"), max_length=16,
                                  choices=SceneForm.choices, default=SceneForm.UNKNOWN)
    summary = models.TextField(_("summary"), blank=True)
    facilities_radius_m = models.PositiveIntegerField(_("search radius (m)"), default=500)
    #: [{"place_id", "name", "place_type", "distance_m"}, ...] nearest first, as assessed
    facilities = models.JSONField(_("sensitive facilities nearby"), default=list, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.place} {self.date}"

    def symptom_rows(self) -> list[dict]:
        """``key, label, short, answer, answer_label, note`` of the seven symptoms."""
        return [
            {"key": key, "label": label, "short": SYMPTOM_SHORT[key],
             "answer": getattr(self, key), "answer_label": Answer(getattr(self, key)).label,
             "note": getattr(self, f"{key}_note")}
            for key, label in SYMPTOMS
        ]

    def aspect_rows(self) -> list[dict]:
        return [
            {"key": key, "label": label, "text": getattr(self, key),
             "rating": getattr(self, f"{key}_rating") if rated else None}
            for key, label, _help, rated in ASPECTS
        ]

    @property
    def symptoms_yes(self) -> int:
        return sum(getattr(self, key) == Answer.YES for key, _label in SYMPTOMS)


# --- cause analysis (orsaksanalys) --------------------------------------------------------


class Factor(models.TextChoices):
    """Situational factors of a place (CPTED, the six-city study)."""

    LIGHTING = "lighting", _("lighting")
    SIGHT_LINES = "sight_lines", _("sight lines")
    VEGETATION = "vegetation", _("vegetation")
    HIDING_STASH = "hiding_stash", _("hiding and stash spots")
    CONSTRUCTION_SITE = "construction_site", _("construction sites")
    ESCAPE_ROUTES = "escape_routes", _("escape routes")
    TRANSIT_NODE = "transit_node", _("transit node")
    SHOPS_BARS = "shops_bars", _("shops and bars")
    OTHER = "other", _("other")


class Affected(models.TextChoices):
    RESIDENTS = "residents", _("residents")
    PASSERS_BY = "passers_by", _("passers-by and commuters")
    CHILDREN_YOUTH = "children_youth", _("children and young people")
    BUSINESSES = "businesses", _("businesses")
    STAFF = "staff", _("staff (schools, transit, shops)")
    USERS = "users", _("people who use drugs")


class CauseAnalysis(models.Model):
    """Why this place (Swedish *orsaksanalys*): situational factors as rows
    (:class:`CauseFactor`, so that actions can point at them), who is affected, who
    offends — as groups, age bands and counts only, never persons — and the event chain."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="cause_analyses",
                              verbose_name=_("place"))
    date = models.DateField(_("date"))
    organisation = models.ForeignKey(Organisation, on_delete=models.RESTRICT,
                                     related_name="cause_analyses",
                                     verbose_name=_("organisation"))
    affected = models.JSONField(_("who is affected"), default=list, blank=True)
    affected_note = models.TextField(_("who is affected (note)"), blank=True)
    offender_groups = models.TextField(_("who offends (groups, no persons)"), blank=True)
    offenders_estimate = models.PositiveSmallIntegerField(_("offenders (estimated number)"),
                                                          null=True, blank=True)
    offenders_under_15 = models.PositiveSmallIntegerField(_("under 15"), null=True, blank=True)
    offenders_15_17 = models.PositiveSmallIntegerField(_("15–17"), null=True, blank=True)
    offenders_18_25 = models.PositiveSmallIntegerField(_("18–25"), null=True, blank=True)
    offenders_26_plus = models.PositiveSmallIntegerField(_("26 or older"), null=True,
                                                         blank=True)
    event_chain = models.TextField(_("event chain"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cause analysis")
        verbose_name_plural = _("cause analyses")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.place} {self.date}"

    def affected_labels(self) -> list[str]:
        return [str(Affected(a).label) for a in self.affected if a in Affected.values]


class CauseFactor(models.Model):
    """One situational factor of a cause analysis: present or absent, with a note."""

    analysis = models.ForeignKey(CauseAnalysis, on_delete=models.CASCADE,
                                 related_name="factors", verbose_name=_("cause analysis"))
    factor = models.CharField(_("factor"), max_length=24, choices=Factor.choices)
    present = models.BooleanField(_("present"), default=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("cause factor")
        verbose_name_plural = _("cause factors")
        ordering = ["analysis", "id"]
        constraints = [
            models.UniqueConstraint(fields=["analysis", "factor"], name="cause_factor_once"),
        ]

    def __str__(self) -> str:
        return f"{self.analysis.place}: {self.get_factor_display()}"


# --- candidate scenes ----------------------------------------------------------------------


class CandidateStatus(models.TextChoices):
    OPEN = "open", _("open")
    ACCEPTED = "accepted", _("accepted")
    DISMISSED = "dismissed", _("dismissed")


class CandidateScene(models.Model):
    """A cell the emerging hot-spot analysis flags (new, consecutive, intensifying or
    persistent hot spot of drug-related reports) that belongs to no registered place,
    proposed to the coordinator: accept → a new (suspected) place, dismiss → with a
    reason. ``moved_from`` names a nearby registered place that fades meanwhile (a scene
    that may have moved)."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE,
                             related_name="candidate_scenes")
    cell = models.CharField(_("H3 cell"), max_length=16)
    resolution = models.PositiveSmallIntegerField(_("H3 resolution"))
    category_code = models.CharField(_("emerging hot-spot category"), max_length=24)
    trend_z = models.FloatField(_("trend z"))
    reports = models.PositiveIntegerField(_("reports in the analysed period"), default=0)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    analysed_at = models.DateTimeField(_("analysed at"))
    period_end = models.DateField(_("end of the analysed period"))
    status = models.CharField(_("status"), max_length=12, choices=CandidateStatus.choices,
                              default=CandidateStatus.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    place = models.ForeignKey(Place, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="candidates", verbose_name=_("place"))
    moved_from = models.ForeignKey(Place, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("moved from?"))

    class Meta:
        verbose_name = _("candidate scene")
        verbose_name_plural = _("candidate scenes")
        ordering = ["-analysed_at", "-trend_z", "id"]
        constraints = [
            models.UniqueConstraint(fields=["city", "cell"],
                                    condition=models.Q(status="open"),
                                    name="candidate_open_cell_once"),
        ]

    def __str__(self) -> str:
        return f"{self.cell} ({self.category_code}, {self.status})"
