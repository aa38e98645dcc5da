"""Writes of the public app: importing an external city profile (validated first, one
transaction, audited)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from drugscene.audit import services as audit
from drugscene.cities.models import City
from drugscene.core.errors import ValidationFailed
from drugscene.public.models import CityProfile
from drugscene.public.profile import SLUG, validate


def import_profile(data: object, *, slug: str | None = None, source: str = "",
                   user_id: int | None = None, channel: str = "cli") -> CityProfile:
    """Store ``data`` (a parsed profile file) as the external profile ``slug`` (default:
    the file's city slug), replacing an earlier import under that slug. A slug of a city
    of this installation is refused, so a name in a comparison always means one thing."""
    profile = validate(data)
    slug = slug or profile["city"]["slug"]
    if not SLUG.match(slug) or len(slug) > 50:
        raise ValidationFailed(_("The slug must be lowercase letters, digits and hyphens."),
                               field="slug")
    if City.objects.filter(slug=slug).exists():
        raise ValidationFailed(
            _("%(slug)s is a city of this installation; import the profile under another "
              "slug.") % {"slug": slug}, field="slug")
    with transaction.atomic():
        obj, created = CityProfile.objects.update_or_create(
            slug=slug, defaults={"name": profile["city"]["name"],
                                 "version": profile["version"], "data": profile,
                                 "source": source[:200]})
        audit.record(action="create" if created else "update", obj=obj,
                     changes={"slug": slug, "source": source[:200],
                              "generated_on": profile.get("generated_on")},
                     user_id=user_id, organisation_id=None, channel=channel)
    return obj


def remove_profile(slug: str, *, user_id: int | None = None, channel: str = "cli") -> bool:
    with transaction.atomic():
        obj = CityProfile.objects.filter(slug=slug).first()
        if obj is None:
            return False
        audit.record(action="delete", obj=obj, changes={"slug": slug}, user_id=user_id,
                     organisation_id=None, channel=channel)
        obj.delete()
    return True


#: city fields the public app sets (statistics for comparisons, public page settings)
CITY_FIELDS = ("unemployment_rate", "ill_health_days", "statistics_year", "public_enabled",
               "public_delay_days", "public_min_count", "public_resolution")


def configure_city(city: City, *, user_id: int | None = None, channel: str = "cli",
                   **values) -> City:
    """Set a city's statistics and public page settings, validated by the model's field
    rules (the public minimum count is never below 5), in one audited transaction."""
    from django.core.exceptions import ValidationError

    from drugscene.audit.services import diff, snapshot

    unknown = set(values) - set(CITY_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown setting: %(names)s.")
                               % {"names": ", ".join(sorted(unknown))}, field="settings")
    with transaction.atomic():
        city = City.objects.select_for_update().get(pk=city.pk)
        before = snapshot(city, list(CITY_FIELDS))
        for k, v in values.items():
            setattr(city, k, v)
        try:
            city.full_clean(exclude=[f.name for f in City._meta.fields
                                     if f.name not in values])
        except ValidationError as exc:
            errors = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            raise ValidationFailed(next(iter(errors.values()))[0], errors=errors) from None
        city.save(update_fields=list(values))
        changes = diff(before, snapshot(city, list(CITY_FIELDS)))
        if changes:
            audit.record(action="update", obj=city, changes=changes, user_id=user_id,
                         organisation_id=None, channel=channel)
    return city


def apply_default_public_categories(city: City, *, user_id: int | None = None,
                                    channel: str = "cli") -> list[str]:
    """Mark the city's default categories public as ``reports.defaults`` says (for a city
    made before the defaults had the flag, and for the demo); returns the slugs changed."""
    from drugscene.reports.defaults import DEFAULT_CATEGORIES
    from drugscene.reports.models import Category

    wanted = {d.slug: d.public for d in DEFAULT_CATEGORIES}
    changed = []
    with transaction.atomic():
        for cat in Category.objects.filter(city=city, slug__in=list(wanted)):
            if cat.public != wanted[cat.slug]:
                cat.public = wanted[cat.slug]
                cat.save(update_fields=["public"])
                audit.record(action="update", obj=cat, changes={"public": [not cat.public,
                                                                           cat.public]},
                             user_id=user_id, organisation_id=None, channel=channel)
                changed.append(cat.slug)
    return changed
