"""The CLI: users --json, token create, export with visibility."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tests import factories


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_users_json(world) -> None:
    rows = json.loads(run("users", "--json"))
    row = next(r for r in rows if r["username"] == "police_analyst")
    assert row["organisation_kind"] == "police" and row["role"] == "analyst"
    assert "demo_password" not in row


def test_token_create_prints_a_working_token(world) -> None:
    raw = run("token", "create", "housing_reporter").strip()
    r = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/categories")
    assert r.status_code == 200


def test_export_respects_visibility(world, tmp_path) -> None:
    secret = factories.report(world, visibility="restricted",
                              restricted_to=[world.orgs["police"].pk])
    open_ = factories.report(world)
    out = tmp_path / "r.csv"
    call_command("export", "reports", "--city", "testby", "--as", "housing_analyst",
                 "--out", str(out), stderr=io.StringIO())
    with out.open() as fh:
        ids = {int(r["id"]) for r in csv.DictReader(fh)}
    assert ids == {open_.pk}
    geo = tmp_path / "r.geojson"
    call_command("export", "reports", "--city", "testby", "--as", "police_analyst",
                 "--format", "geojson", "--out", str(geo), stderr=io.StringIO())
    fc = json.loads(geo.read_text())
    assert {f["id"] for f in fc["features"]} == {open_.pk, secret.pk}


def test_export_refuses_roles_without_export(world) -> None:
    with pytest.raises(CommandError, match="may not export"):
        call_command("export", "reports", "--city", "testby", "--as", "police_reporter",
                     stdout=io.StringIO(), stderr=io.StringIO())
