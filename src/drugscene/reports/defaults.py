"""The default category tree (from MISSION.md), created for every new city.

``public`` marks the categories whose reports may be *counted* on the city's public page
(aggregated per hexagon, delayed, cells below the city's minimum suppressed) and in its
public indicator trends. The rule for choosing them: what residents themselves see in the
street and want to know is being dealt with - drug dealing, drug use, used syringes and
other drug litter, and the disorder a street-cleaning service handles (vandalism,
graffiti, littering). Not public: overdoses (health events of a person), stashes found
(police work in progress), gatherings of young people (stigmatising a group), "unsafe
place" (a feeling, often about a group of people) and every crime category (police data,
often restricted, and small numbers). The parent "Drugs" is public so that reports filed
under it directly are counted; its non-public children are not.
"""

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
    public: bool = False


DEFAULT_CATEGORIES: tuple[DefaultCategory, ...] = (
    DefaultCategory("drugs", gettext_noop("Drugs"), None, True, public=True),
    DefaultCategory("open_sale", gettext_noop("Open sale"), "drugs", True, True, public=True),
    DefaultCategory("open_use", gettext_noop("Open use"), "drugs", True, True, public=True),
    DefaultCategory("drug_litter", gettext_noop("Drug litter / syringes"), "drugs", True, True,
                    public=True),
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
    DefaultCategory("vandalism", gettext_noop("Vandalism"), "disorder", False, True,
                    public=True),
    DefaultCategory("graffiti", gettext_noop("Graffiti"), "disorder", False, True, public=True),
    DefaultCategory("littering", gettext_noop("Littering"), "disorder", False, True, public=True),
)
