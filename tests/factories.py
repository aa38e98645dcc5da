"""Builders of test data through the real services where a service exists."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from drugscene.accounts.access import Viewer, viewer_for
from drugscene.accounts.models import Membership, Organisation, OrganisationKind, Role
from drugscene.cities.models import Area, City
from drugscene.geo.shapes import polygon_geojson
from drugscene.places.models import Place
from drugscene.reports import services
from drugscene.reports.models import Report

# A 2 x 1 km city around (16.90, 59.00), split into a west and an east district.
WEST = [(16.88, 58.99), (16.90, 58.99), (16.90, 59.01), (16.88, 59.01)]
EAST = [(16.90, 58.99), (16.92, 58.99), (16.92, 59.01), (16.90, 59.01)]
OUTLINE = [(16.88, 58.99), (16.92, 58.99), (16.92, 59.01), (16.88, 59.01)]
PASSWORD = "correct-horse-battery-staple"


def make_city(slug: str = "testby") -> City:
    city = City.objects.create(
        slug=slug, name=slug.capitalize(), timezone="Europe/Stockholm",
        centre_lon=16.90, centre_lat=59.00, boundary=polygon_geojson(OUTLINE),
    )
    Area.objects.create(city=city, slug="west", name="Väster", police_class="vulnerable",
                        geometry=polygon_geojson(WEST))
    Area.objects.create(city=city, slug="east", name="Öster", police_class="none",
                        geometry=polygon_geojson(EAST))
    services.ensure_default_categories(city)
    return city


def make_user(username: str, org: Organisation | None, role: str | None,
              **extra) -> object:
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
    if org is not None and role is not None:
        Membership.objects.create(user=user, organisation=org, role=role)
    return user


@dataclass
class World:
    city: City
    orgs: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, object] = field(default_factory=dict)
    place: Place | None = None

    def viewer(self, name: str) -> Viewer:
        return viewer_for(self.users[name])


ORG_KINDS = {
    "municipality": OrganisationKind.MUNICIPALITY,
    "police": OrganisationKind.POLICE,
    "housing": OrganisationKind.HOUSING_COMPANY,
    "social": OrganisationKind.SOCIAL_SERVICES,
}


def make_world(city: City) -> World:
    w = World(city)
    for slug, kind in ORG_KINDS.items():
        w.orgs[slug] = Organisation.objects.create(city=city, slug=slug, name=slug.title(),
                                                   kind=kind)
    for org in ORG_KINDS:
        for role in Role.values:
            w.users[f"{org}_{role}"] = make_user(f"{org}_{role}", w.orgs[org], role)
    w.users["outsider"] = make_user("outsider", None, None)
    w.place = Place.objects.create(city=city, slug="torget", name="Torget", place_type="square",
                                   lon=16.895, lat=59.0, owner_kind="municipal",
                                   area=Area.objects.get(city=city, slug="west"))
    return w


def report(world: World, by: str = "police_reporter", **kw) -> Report:
    """Create a report through the service, as user ``by``."""
    data = {"category": "open_sale", "lon": 16.895, "lat": 59.0,
                "occurred_from": timezone.now() - timedelta(hours=1)}
    data.update(kw)
    return services.create_report(world.viewer(by), world.city, services.ReportInput(**data))
