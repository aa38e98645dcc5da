"""The one rule for reports that may reach the public (keyless OGC and Open311 callers)."""

from __future__ import annotations

import pytest

from drugscene.reports.models import Category, Report
from drugscene.reports.selectors import public_reports
from tests import factories

pytestmark = pytest.mark.django_db


def test_only_public_confirmed_reports_in_public_categories(world) -> None:
    Category.objects.filter(city=world.city).update(public=False)
    Category.objects.filter(city=world.city, slug="open_sale").update(public=True)
    shown = factories.report(world, visibility="public", category="open_sale")
    unconfirmed = factories.report(world, visibility="public", category="open_sale")
    rejected = factories.report(world, visibility="public", category="open_sale")
    partners = factories.report(world, visibility="partners", category="open_sale")
    closed_category = factories.report(world, visibility="public", category="overdose")
    restricted = factories.report(world, visibility="restricted", category="open_sale",
                                  restricted_to=[world.orgs["police"].pk])
    confirmed = [shown, partners, closed_category, restricted]
    Report.objects.filter(pk__in=[r.pk for r in confirmed]).update(review_status="confirmed")
    Report.objects.filter(pk=rejected.pk).update(review_status="rejected")
    assert unconfirmed.review_status == "new"
    assert set(public_reports(world.city.pk).values_list("pk", flat=True)) == {shown.pk}
    other = factories.make_city("annanstad")
    assert not public_reports(other.pk).exists()
