"""Helpers for the scene register tests: signed-in clients and places at a distance."""

from __future__ import annotations

import math

import pytest

from drugscene.places.models import Place


@pytest.fixture
def as_user(client, world):
    """``as_user("municipality_coordinator")`` signs the test client in and returns it."""

    def sign_in(name: str):
        client.force_login(world.users[name])
        return client

    return sign_in


def offset(lon: float, lat: float, *, north_m: float = 0.0, east_m: float = 0.0
           ) -> tuple[float, float]:
    """The point ``north_m`` / ``east_m`` metres from (lon, lat) (spherical earth)."""
    r = 6_371_008.8
    dlat = math.degrees(north_m / r)
    dlon = math.degrees(east_m / (r * math.cos(math.radians(lat))))
    return lon + dlon, lat + dlat


def place_at(world, name: str, place_type: str, *, north_m: float = 0.0,
             east_m: float = 0.0, **extra) -> Place:
    lon, lat = offset(world.place.lon, world.place.lat, north_m=north_m, east_m=east_m)
    return Place.objects.create(city=world.city, slug=name.lower().replace(" ", "-"),
                                name=name, place_type=place_type, lon=lon, lat=lat, **extra)
