"""The licence line of imported data is shown on the city's pages and its public page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from drugscene.imports.models import ImportRun
from drugscene.public.services import configure_city

pytestmark = pytest.mark.django_db

LINE = "Contains public sector information licensed under the Open Government Licence v3.0."


def _run(world, rows: int, attribution: str = LINE) -> ImportRun:
    return ImportRun.objects.create(city=world.city, source=world.orgs["police"],
                                    file_name="street.csv", sha256="0" * 64,
                                    attribution=attribution, rows_imported=rows)


def test_attribution_shows_once_the_data_is_in(client, world) -> None:
    client.force_login(world.users["police_reporter"])
    _run(world, rows=0)
    assert LINE not in client.get(reverse("web:report-list")).content.decode()
    _run(world, rows=12)
    _run(world, rows=3)
    page = client.get(reverse("web:report-list")).content.decode()
    assert page.count(LINE) == 1


def test_public_page_carries_the_attribution(client, world) -> None:
    configure_city(world.city, public_enabled=True)
    _run(world, rows=5)
    page = client.get(reverse("public:page", args=[world.city.slug])).content.decode()
    assert LINE in page
