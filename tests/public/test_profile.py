"""City profiles: export (aggregates only), import (validated, clear errors, nothing half
stored), and the round trip through a comparison."""

from __future__ import annotations

import copy
import io
import json

import pytest
from django.core.management import CommandError, call_command

from drugscene.audit.models import AuditEntry
from drugscene.core.errors import ValidationFailed
from drugscene.public.compare import Entry, city_figures
from drugscene.public.models import CityProfile
from drugscene.public.profile import validate
from drugscene.public.render import table
from drugscene.public.services import import_profile
from tests.public.test_compare import build

pytestmark = pytest.mark.django_db


def _export(tmp_path, slug: str = "testby"):
    out = tmp_path / "profile.json"
    call_command("profile", "export", "--city", slug, "--out", str(out))
    return out


def test_round_trip_compares_the_same(world, tmp_path, client) -> None:
    build(world)
    path = _export(tmp_path)
    stdout = io.StringIO()
    call_command("profile", "import", str(path), "--slug", "testby-remote", stdout=stdout)
    assert stdout.getvalue().strip() == "testby-remote"
    profile = CityProfile.objects.get(slug="testby-remote")
    assert profile.data == city_figures(world.city)
    assert AuditEntry.objects.filter(object_type="public.cityprofile",
                                     object_id=str(profile.pk)).exists()
    # the comparison of the city with its own imported profile shows the same numbers
    client.force_login(world.users["municipality_viewer"])
    response = client.get("/compare/data.json?cities=testby,testby-remote")
    local, remote = response.json()["cities"]
    assert local == remote
    sections = table([Entry("testby", "Testby", False, local),
                      Entry("testby-remote", "Testby", True, remote)])
    for s in sections:
        for label, cells in s["rows"]:
            assert cells[0] == cells[1], label
    html = client.get("/compare/?cities=testby,testby-remote").content.decode()
    assert "imported profile" in html


def test_the_profile_holds_aggregates_only(world, tmp_path) -> None:
    build(world)
    data = json.loads(_export(tmp_path).read_text(encoding="utf-8"))
    text = json.dumps(data)
    assert set(data) == {"schema", "version", "generated_on", "period", "city",
                         "places_by_status", "methods", "plan", "indicators"}
    # no report, no place name, no person, no organisation
    for username in world.users:
        assert username not in text
    for org in world.orgs.values():
        assert org.name not in text
    assert "Torget" not in text
    for value in data["places_by_status"].values():
        assert isinstance(value, int)


def _good(world) -> dict:
    build(world)
    return city_figures(world.city)


@pytest.mark.parametrize("change, field", [
    (lambda d: d.update(version=2), "version"),
    (lambda d: d.update(schema="something-else"), "schema"),
    (lambda d: d["city"].update(unemployment_rate=150), "city.unemployment_rate"),
    (lambda d: d["city"].update(ill_health_days=-1), "city.ill_health_days"),
    (lambda d: d["city"].update(population=12.5), "city.population"),
    (lambda d: d["city"].update(slug="Not A Slug"), "city.slug"),
    (lambda d: d["city"].update(name=""), "city.name"),
    (lambda d: d["places_by_status"].update(active=-3), "places_by_status.active"),
    (lambda d: d["places_by_status"].update(hidden=1), "places_by_status.hidden"),
    (lambda d: d["plan"].update(goals_broken_down=9), "plan.goals_broken_down"),
    (lambda d: d["plan"].update(done_share=1.5), "plan.done_share"),
    (lambda d: d["plan"]["actions_by_status"].update(done=0), "plan.actions_by_status"),
    (lambda d: d["indicators"]["overdose-deaths"].update(value="many"),
     "indicators.overdose-deaths.value"),
    (lambda d: d["period"].update(start="2025-13-01"), "period.start"),
    (lambda d: d.update(reports=[{"lon": 16.9, "lat": 59.0}]), "reports"),
    (lambda d: d["city"].update(mayor="A Person"), "city.mayor"),
    (lambda d: d["plan"].update(notes="free text"), "plan.notes"),
    (lambda d: d["indicators"]["reports-drug"].update(points=[1]),
     "indicators.reports-drug.points"),
])
def test_bad_profiles_name_the_field(world, change, field) -> None:
    data = copy.deepcopy(_good(world))
    change(data)
    with pytest.raises(ValidationFailed) as err:
        import_profile(data, slug="elsewhere")
    assert field in err.value.errors, err.value.errors
    assert not CityProfile.objects.exists()


def test_not_an_object(world) -> None:
    with pytest.raises(ValidationFailed) as err:
        import_profile([1, 2], slug="elsewhere")
    assert "profile" in err.value.errors


def test_every_problem_at_once_and_good_data_passes(world) -> None:
    data = copy.deepcopy(_good(world))
    assert validate(copy.deepcopy(data)) == data
    data["city"]["unemployment_rate"] = -1
    data["plan"]["done_share"] = 2
    with pytest.raises(ValidationFailed) as err:
        validate(data)
    assert {"city.unemployment_rate", "plan.done_share"} <= set(err.value.errors)


def test_import_command_reports_errors_and_refuses_local_slugs(world, tmp_path) -> None:
    data = _good(world)
    data["city"]["unemployment_rate"] = 101
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError) as err:
        call_command("profile", "import", str(bad), "--slug", "remote")
    assert "city.unemployment_rate: must be between 0 and 100" in str(err.value)
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not a JSON file"):
        call_command("profile", "import", str(broken))
    good = _export(tmp_path)
    with pytest.raises(CommandError, match="city of this installation"):
        call_command("profile", "import", str(good))  # its own slug is a local city
    assert not CityProfile.objects.exists()
    call_command("profile", "import", str(good), "--slug", "remote", stdout=io.StringIO())
    call_command("profile", "import", str(good), "--slug", "remote", stdout=io.StringIO())
    assert CityProfile.objects.count() == 1
    out = io.StringIO()
    call_command("profile", "list", stdout=out)
    assert out.getvalue().startswith("remote\tTestby\t")
    call_command("profile", "remove", "remote")
    assert not CityProfile.objects.exists()
