"""The indicator API: list and series, visibility, the error shape."""

from __future__ import annotations

import pytest

from drugscene.indicators import services
from tests import factories

pytestmark = pytest.mark.django_db
WW = "mg/1000 inhabitants/day"


@pytest.fixture
def data(world, catalogue):
    rows = ["indicator,area,period,value,unit,source"]
    rows += [f"wastewater-mdma,,2025-W{w:02d},{'<LOD' if w == 4 else 10 + w},{WW},Lab"
             for w in range(1, 9)]
    rows += ["syringe-finds,west,2025-03,7,syringes,x", "syringe-finds,,2025-03,9,syringes,x"]
    services.import_csv(world.viewer("municipality_analyst"), world.city, "\n".join(rows))
    return catalogue


def test_list_needs_a_member(client, data, world):
    assert client.get("/api/v1/indicators?city=testby").status_code == 401
    client.force_login(world.users["outsider"])
    assert client.get("/api/v1/indicators?city=testby").status_code == 404


def test_list(client, data, world):
    client.force_login(world.users["housing_viewer"])
    body = client.get("/api/v1/indicators?city=testby").json()
    by_slug = {i["slug"]: i for i in body}
    assert by_slug["wastewater-mdma"]["unit"] == WW
    assert by_slug["wastewater-mdma"]["latest"]["period"] == "2025-W08"
    assert by_slug["wastewater-mdma"]["latest"]["value"] == 18
    assert by_slug["reports-drug"]["computed"] == "reports"
    assert by_slug["police-drug-offences"]["caveat"].startswith("Police figures mirror")


def test_series_keeps_below_lod_and_tests_the_trend(client, data, world):
    client.force_login(world.users["police_reporter"])
    ind = data["wastewater-mdma"]
    body = client.get(f"/api/v1/indicators/{ind.pk}/series").json()
    assert [p["value"] for p in body["points"]] == [11, 12, 13, None, 15, 16, 17, 18]
    assert body["points"][3]["below_lod"] is True
    assert body["trend"]["n"] == 8 and body["trend"]["below_lod"] == 1
    assert body["trend"]["seasonality_removed"] is False
    west = client.get(f"/api/v1/indicators/{data['syringe-finds'].pk}/series?area=west").json()
    assert [p["value"] for p in west["points"]] == [7]
    city = client.get(f"/api/v1/indicators/{data['syringe-finds'].pk}/series?area=testby")
    assert [p["value"] for p in city.json()["points"]] == [9]


def test_series_errors(client, data, world):
    client.force_login(world.users["police_reporter"])
    ind = data["syringe-finds"]
    bad = client.get(f"/api/v1/indicators/{ind.pk}/series?area=nowhere")
    assert bad.status_code == 422 and bad.json()["fields"] == {"area": ["Unknown district: "
                                                                        "nowhere"]}
    assert client.get(f"/api/v1/indicators/{ind.pk}/series?start=2025-13-01"
                      ).status_code == 422
    other = factories.make_city("annanstad")
    services.ensure_default_indicators(other)
    foreign = other.indicators.first()
    assert client.get(f"/api/v1/indicators/{foreign.pk}/series").status_code == 404
