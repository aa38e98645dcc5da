"""Report services: validation, scrubbing, restriction, review, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from drugscene.audit.models import AuditEntry
from drugscene.core.errors import PermissionDenied, ReportRejected
from drugscene.reports import services
from drugscene.reports.models import Category, Report
from tests import factories


def test_default_categories_are_a_tree(city) -> None:
    services.ensure_default_categories(city)  # idempotent
    cats = {c.slug: c for c in Category.objects.filter(city=city)}
    assert cats["open_sale"].parent == cats["drugs"]
    assert cats["shooting"].parent == cats["crime"]
    assert cats["open_sale"].tip_allowed and not cats["shooting"].tip_allowed
    assert len(cats) == len(services.DEFAULT_CATEGORIES)


def test_place_fills_position_and_district(world) -> None:
    r = factories.report(world, lon=None, lat=None, place_id=world.place.pk)
    assert (r.lon, r.lat) == (world.place.lon, world.place.lat)
    assert r.area.slug == "west"
    assert r.h3_cell > 0


def test_persons_default_to_the_largest_count(world) -> None:
    r = factories.report(world, age_15_17=2, age_18_25=2, gender_male=3)
    assert r.persons == 4


def test_all_problems_reported_at_once(world) -> None:
    with pytest.raises(ReportRejected) as exc:
        factories.report(world, category="nope", lon=500.0,
                         occurred_from=timezone.now() + timedelta(days=2), setting="x")
    assert set(exc.value.errors) >= {"category", "lon", "occurred_from", "setting"}
    assert Report.objects.count() == 0


def test_text_is_scrubbed_before_storage(world) -> None:
    r = factories.report(world, text="Ring 070-123 45 67 eller skriv till a.b@example.com")
    r.refresh_from_db()
    assert "070" not in r.text and "example.com" not in r.text
    assert set(r.scrubbed.split(",")) == {"email", "phone"}
    entry = AuditEntry.objects.get(object_id=str(r.pk), action="create")
    assert "example.com" not in str(entry.changes)


def test_restricted_report_names_organisations(world) -> None:
    r = factories.report(world, visibility="restricted", restricted_to=[world.orgs["police"].pk])
    assert list(r.restricted_to.values_list("slug", flat=True)) == ["police"]


def test_review_by_coordinator_only_and_audited(world) -> None:
    r = factories.report(world)
    with pytest.raises(PermissionDenied):
        services.review_report(world.viewer("police_analyst"), r.pk, "confirmed")
    services.review_report(world.viewer("municipality_coordinator"), r.pk, "rejected")
    r.refresh_from_db()
    assert r.review_status == "rejected"
    assert r.reviewed_by == world.users["municipality_coordinator"]
    entry = AuditEntry.objects.get(object_id=str(r.pk), action="review")
    assert entry.changes["review_status"] == ["new", "rejected"]
    assert entry.organisation == world.orgs["municipality"]


def test_duplicate_needs_a_visible_original(world) -> None:
    hidden = factories.report(world, visibility="restricted",
                              restricted_to=[world.orgs["police"].pk])
    r = factories.report(world)
    coord = world.viewer("municipality_coordinator")
    with pytest.raises(ReportRejected) as exc:
        services.review_report(coord, r.pk, "duplicate", duplicate_of=hidden.pk)
    assert "duplicate_of" in exc.value.errors
    with pytest.raises(ReportRejected):
        services.review_report(coord, r.pk, "duplicate", duplicate_of=r.pk)
