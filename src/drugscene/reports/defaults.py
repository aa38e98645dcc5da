"""The default category tree (from MISSION.md), created for every new city."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_noop


@dataclass(frozen=True)
class DefaultCategory:
    slug: str
    name: str
    parent: str | None = None
    drug_related: bool = False
    tip_allowed: bool = False


DEFAULT_CATEGORIES: tuple[DefaultCategory, ...] = (
    DefaultCategory("drugs", gettext_noop("Drugs"), None, True),
    DefaultCategory("open_sale", gettext_noop("Open sale"), "drugs", True, True),
    DefaultCategory("open_use", gettext_noop("Open use"), "drugs", True, True),
    DefaultCategory("drug_litter", gettext_noop("Drug litter / syringes"), "drugs", True, True),
    DefaultCategory("stash_found", gettext_noop("Stash found"), "drugs", True, False),
    DefaultCategory("overdose", gettext_noop("Overdose"), "drugs", True, False),
    DefaultCategory("insecurity", gettext_noop("Insecurity"), None),
    DefaultCategory("gathering", gettext_noop("Gathering causing insecurity"), "insecurity",
                    False, True),
    DefaultCategory("unsafe_place", gettext_noop("Unsafe place"), "insecurity", False, True),
    DefaultCategory("crime", gettext_noop("Crime"), None),
    DefaultCategory("violence", gettext_noop("Violence"), "crime"),
    DefaultCategory("robbery", gettext_noop("Robbery"), "crime"),
    DefaultCategory("threat_to_staff", gettext_noop("Threat to staff"), "crime"),
    DefaultCategory("weapon", gettext_noop("Weapon"), "crime"),
    DefaultCategory("shooting", gettext_noop("Shooting"), "crime"),
    DefaultCategory("disorder", gettext_noop("Disorder"), None),
    DefaultCategory("vandalism", gettext_noop("Vandalism"), "disorder", False, True),
    DefaultCategory("graffiti", gettext_noop("Graffiti"), "disorder", False, True),
    DefaultCategory("littering", gettext_noop("Littering"), "disorder", False, True),
)
