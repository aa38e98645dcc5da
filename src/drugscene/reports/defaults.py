"""The default category tree (from MISSION.md), created for every new city."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_noop as N_


@dataclass(frozen=True)
class DefaultCategory:
    slug: str
    name: str
    parent: str | None = None
    drug_related: bool = False
    tip_allowed: bool = False


DEFAULT_CATEGORIES: tuple[DefaultCategory, ...] = (
    DefaultCategory("drugs", N_("Drugs"), None, True),
    DefaultCategory("open_sale", N_("Open sale"), "drugs", True, True),
    DefaultCategory("open_use", N_("Open use"), "drugs", True, True),
    DefaultCategory("drug_litter", N_("Drug litter / syringes"), "drugs", True, True),
    DefaultCategory("stash_found", N_("Stash found"), "drugs", True, False),
    DefaultCategory("overdose", N_("Overdose"), "drugs", True, False),
    DefaultCategory("insecurity", N_("Insecurity"), None),
    DefaultCategory("gathering", N_("Gathering causing insecurity"), "insecurity", False, True),
    DefaultCategory("unsafe_place", N_("Unsafe place"), "insecurity", False, True),
    DefaultCategory("crime", N_("Crime"), None),
    DefaultCategory("violence", N_("Violence"), "crime"),
    DefaultCategory("robbery", N_("Robbery"), "crime"),
    DefaultCategory("threat_to_staff", N_("Threat to staff"), "crime"),
    DefaultCategory("weapon", N_("Weapon"), "crime"),
    DefaultCategory("shooting", N_("Shooting"), "crime"),
    DefaultCategory("disorder", N_("Disorder"), None),
    DefaultCategory("vandalism", N_("Vandalism"), "disorder", False, True),
    DefaultCategory("graffiti", N_("Graffiti"), "disorder", False, True),
    DefaultCategory("littering", N_("Littering"), "disorder", False, True),
)
