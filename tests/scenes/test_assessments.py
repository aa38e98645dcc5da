"""Assessments (bedömning) and cause analyses (orsaksanalys) through their services."""

from __future__ import annotations

from datetime import timedelta

import pytest

from drugscene.audit.models import AuditEntry
from drugscene.core.errors import PermissionDenied, ValidationFailed
from drugscene.scenes import services
from drugscene.scenes.checks import city_today
from drugscene.scenes.models import Assessment, CauseAnalysis, CauseFactor, Factor
from tests.scenes.conftest import place_at

pytestmark = pytest.mark.django_db


def coordinator(world):
    return world.viewer("municipality_coordinator")


def assessment_input(world, **extra) -> services.AssessmentInput:
    data = {
        "date": city_today(world.city),
        "organisation_id": world.orgs["police"].pk,
        "symptoms": {"nuisance": ("yes", "Klagomål från butiker"), "unsafe": ("yes", ""),
                     "youth_advised_away": ("no", "")},
        "aspects": {"size": ("Torget och busshållplatsen", 2),
                    "surroundings": ("Butiker, förskola, bostäder", None),
                    "dealers_anchored": ("Samma grupp sedan två år", 3)},
        "scene_form": "concentrated",
        "summary": "Etablerad scen",
    }
    data.update(extra)
    return services.AssessmentInput(**data)


def test_assessment_lists_only_facilities_within_500_m_with_distance(world) -> None:
    place_at(world, "Förskolan Solrosen", "preschool", north_m=300)
    place_at(world, "Skolgården", "school_yard", east_m=800)
    place_at(world, "Parken", "park", north_m=100)  # not a sensitive facility
    a = services.record_assessment(coordinator(world), world.place.pk,
                                   assessment_input(world))
    assert [f["name"] for f in a.facilities] == ["Förskolan Solrosen"]
    assert a.facilities[0]["place_type"] == "preschool"
    assert a.facilities[0]["distance_m"] == pytest.approx(300, abs=3)
    assert a.facilities_radius_m == 500


def test_facility_distance_is_measured_to_the_outline(world) -> None:
    from drugscene.geo.shapes import polygon_geojson
    from tests.scenes.conftest import offset

    # a playground whose centre is 560 m away but whose edge comes within ~460 m
    pg = place_at(world, "Lekplatsen", "playground", north_m=560)
    ring = [offset(pg.lon, pg.lat, north_m=dy, east_m=dx)
            for dx, dy in ((-100, -100), (100, -100), (100, 100), (-100, 100))]
    pg.geometry = polygon_geojson(ring)
    pg.save()
    a = services.record_assessment(coordinator(world), world.place.pk,
                                   assessment_input(world))
    assert a.facilities[0]["distance_m"] == pytest.approx(460, abs=3)


def test_snapshot_stays_as_assessed(world) -> None:
    pre = place_at(world, "Förskolan", "preschool", north_m=200)
    a = services.record_assessment(coordinator(world), world.place.pk,
                                   assessment_input(world))
    pre.delete()
    a.refresh_from_db()
    assert a.facilities[0]["name"] == "Förskolan"


def test_assessment_stores_symptoms_aspects_and_scrubbed_text(world) -> None:
    a = services.record_assessment(
        coordinator(world), world.place.pk,
        assessment_input(world, summary="Ring 070-123 45 67",
                         symptoms={"nuisance": ("yes", "mejl a.b@example.com")}))
    a.refresh_from_db()
    assert a.nuisance == "yes" and a.unsafe == "unknown"
    assert "example.com" not in a.nuisance_note and "070" not in a.summary
    assert a.size_rating == 2 and a.dealers_anchored_rating == 3
    assert a.symptoms_yes == 1
    assert [r["answer"] for r in a.symptom_rows()][:2] == ["yes", "unknown"]
    entry = AuditEntry.objects.get(object_type="scenes.assessment", object_id=str(a.pk))
    assert entry.action == "create" and "070-123 45 67" not in str(entry.changes)


def test_assessment_errors_name_fields_and_store_nothing(world) -> None:
    bad = assessment_input(
        world, date=city_today(world.city) + timedelta(days=3), organisation_id=None,
        symptoms={"nuisance": ("maybe", ""), "unsafe": ("yes", "x" * 5000)},
        aspects={"size": ("", 4), "surroundings": ("", 2)}, scene_form="huge")
    with pytest.raises(ValidationFailed) as exc:
        services.record_assessment(coordinator(world), world.place.pk, bad)
    assert {"date", "organisation", "nuisance", "unsafe_note", "size_rating", "surroundings",
            "scene_form"} <= set(exc.value.errors)
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("user", ["police_analyst", "housing_reporter", "municipality_viewer"])
def test_only_coordinators_assess(world, user) -> None:
    with pytest.raises(PermissionDenied):
        services.record_assessment(world.viewer(user), world.place.pk, assessment_input(world))


# --- cause analysis ----------------------------------------------------------------------------

def cause_input(world, **extra) -> services.CauseAnalysisInput:
    data = {
        "date": city_today(world.city),
        "organisation_id": world.orgs["municipality"].pk,
        "factors": {"lighting": (True, "Två lyktstolpar trasiga"),
                    "vegetation": (True, "Buskar vid cykelstället"),
                    "escape_routes": (False, "")},
        "affected": ["residents", "children_youth"],
        "offender_groups": "Lokala säljare 15–20 år",
        "offenders_estimate": 8, "offenders_15_17": 3, "offenders_18_25": 5,
        "event_chain": "Kontakt vid kiosken, överlämning bakom buskarna",
    }
    data.update(extra)
    return services.CauseAnalysisInput(**data)


def test_cause_analysis_has_one_row_per_factor(world) -> None:
    analysis = services.record_cause_analysis(coordinator(world), world.place.pk,
                                              cause_input(world))
    rows = {f.factor: f for f in analysis.factors.all()}
    assert set(rows) == set(Factor.values)
    assert rows["lighting"].present and rows["vegetation"].present
    assert not rows["escape_routes"].present and not rows["other"].present
    assert analysis.affected == ["residents", "children_youth"]
    assert analysis.affected_labels() == ["residents", "children and young people"]
    assert AuditEntry.objects.filter(object_type="scenes.causeanalysis",
                                     action="create").count() == 1


def test_cause_analysis_scrubs_all_free_text(world) -> None:
    analysis = services.record_cause_analysis(
        coordinator(world), world.place.pk,
        cause_input(world, factors={"other": (True, "Bil XYZ 987 kör hit")},
                    event_chain="Ring 0701234567", offender_groups="a.b@example.com",
                    affected_note="Tel +46 70 123 45 67"))
    analysis.refresh_from_db()
    assert "XYZ 987" not in analysis.factors.get(factor="other").note
    for text in (analysis.event_chain, analysis.offender_groups, analysis.affected_note):
        assert "0701234567" not in text and "example.com" not in text and "123 45" not in text


def test_cause_analysis_errors_name_fields(world) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.record_cause_analysis(
            coordinator(world), world.place.pk,
            cause_input(world, affected=["aliens"], offenders_estimate=2, offenders_15_17=3,
                        offenders_18_25=-1, factors={"lighting": (True, "x" * 4001)}))
    assert {"affected", "offenders_18_25", "lighting_note"} <= set(exc.value.errors)
    with pytest.raises(ValidationFailed) as exc:
        services.record_cause_analysis(coordinator(world), world.place.pk,
                                       cause_input(world, offenders_estimate=2))
    assert "offenders_estimate" in exc.value.errors
    assert not CauseAnalysis.objects.exists() and not CauseFactor.objects.exists()
    with pytest.raises(PermissionDenied):
        services.record_cause_analysis(world.viewer("police_reporter"), world.place.pk,
                                       cause_input(world))
