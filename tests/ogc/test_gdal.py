"""A real client: GDAL's OAPIF driver (the wheel of pyogrio carries GDAL) against a live
server. It must list the collections and read every feature the user may see and no
other — the same reports the REST API gives that user; keyless, only public reports.

GDAL runs in a child process (``gdal_client.py``): pyogrio keeps the GIL while GDAL
fetches the next page, which would stall the live server thread of this process. The
token reaches GDAL as ``GDAL_HTTP_AUTH=BEARER`` with ``GDAL_HTTP_BEARER`` (the OAPIF
driver sets its own ``Accept`` header, which replaces ``GDAL_HTTP_HEADERS``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests import factories
from tests.ogc.conftest import build_scene

CLIENT = Path(__file__).with_name("gdal_client.py")
LAYERS = ["testby-reports", "testby-places", "testby-actions", "testby-hotspots"]


def gdal_read(base: str, layers: list[str], token: str | None = None,
              where: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GDAL_HTTP") and k != "OGR_WHERE"}
    if where:
        env["OGR_WHERE"] = where
    if token:
        env.update(GDAL_HTTP_AUTH="BEARER", GDAL_HTTP_BEARER=token)
    done = subprocess.run([sys.executable, str(CLIENT), base, *layers], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def rest_ids(token: str, query: str = "") -> set[int]:
    """Every report id the REST API gives the token's user (all pages)."""
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url, ids = f"/api/v1/reports?city=testby&page_size=7{query}", set()
    while url:
        page = client.get(url).json()
        ids |= {r["id"] for r in page["results"]}
        url = page["next"]
    return ids


@pytest.mark.django_db(transaction=True)
def test_gdal_reads_exactly_what_each_user_may_see(live_server) -> None:
    world = factories.make_world(factories.make_city())
    scene = build_scene(world, n=30)  # more reports than GDAL's first page of 20
    base = live_server.url.replace("localhost", "127.0.0.1") + "/ogc/"
    seen = {}
    for user in ("police_analyst", "housing_analyst"):
        token = scene.token(user)
        got = gdal_read(base, ["testby-reports", "testby-actions"], token)
        assert got["layers"] == LAYERS
        reports = got["testby-reports"]
        # GDAL takes the integer feature id as the FID
        assert len(reports["fids"]) == len(set(reports["fids"])) == reports["n_geometries"]
        assert set(reports["fids"]) == rest_ids(token)
        assert {"category", "occurred_from", "source_kind"} <= set(reports["fields"])
        assert set(got["testby-actions"]["fids"]) == {a.pk for a in scene.actions}
        seen[user] = set(reports["fids"])
    # two partners with different restricted reports see different sets
    assert scene.ids("police_only") <= seen["police_analyst"]
    assert not scene.ids("police_only") & seen["housing_analyst"]
    assert scene.ids("housing_only") <= seen["housing_analyst"]
    assert not scene.ids("housing_only") & seen["police_analyst"]

    # an attribute filter goes to the server as CQL2 and gives the REST API's answer
    token = scene.token("police_analyst")
    got = gdal_read(base, ["testby-reports"], token,
                    where="category = 'stash_found' AND review_status = 'confirmed'")
    assert set(got["testby-reports"]["fids"]) == rest_ids(token, "&category=stash_found")

    keyless = gdal_read(base, ["testby-reports", "testby-hotspots"])
    assert keyless["layers"] == ["testby-reports", "testby-hotspots"]
    assert set(keyless["testby-reports"]["fids"]) == scene.ids("public")
    assert keyless["testby-hotspots"]["n_geometries"] == len(keyless["testby-hotspots"]["ids"])
