"""Production settings pass Django's deployment checks; a missing secret is refused."""

from __future__ import annotations

import os
import subprocess
import sys

from drugscene import settings as production_settings

PRODUCTION_HASHERS = list(production_settings.PASSWORD_HASHERS)


def _run(args: list[str], tmp_path, **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith("DRUGSCENE_") and k != "DATABASE_URL"}
    base.update({"DJANGO_SETTINGS_MODULE": "drugscene.settings",
                 "DRUGSCENE_VAR": str(tmp_path)}, **env)
    return subprocess.run([sys.executable, "-m", "django", *args], env=base,
                          capture_output=True, text=True, timeout=120, check=False)


def test_check_deploy_is_clean_in_production(tmp_path) -> None:
    r = _run(["check", "--deploy", "--fail-level", "WARNING"], tmp_path,
             DRUGSCENE_ENV="production", DRUGSCENE_SECRET_KEY="k" * 20 + "Zq9!x" * 10,
             DRUGSCENE_ALLOWED_HOSTS="drugscene.example.org")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout


def test_production_without_secret_is_refused(tmp_path) -> None:
    r = _run(["check"], tmp_path, DRUGSCENE_ENV="production")
    assert r.returncode != 0
    assert "DRUGSCENE_SECRET_KEY" in r.stderr


def test_local_mode_keeps_a_generated_secret(tmp_path) -> None:
    r = _run(["check"], tmp_path)
    assert r.returncode == 0, r.stderr
    secret = (tmp_path / "secret_key").read_text()
    assert len(secret) >= 50
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_passwords_are_hashed_with_argon2(db, settings) -> None:
    from django.conf import settings as live
    from django.contrib.auth import get_user_model

    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    assert live.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    user = get_user_model().objects.create_user("hashme", password="a-long-password-1")
    assert user.password.startswith("argon2$")
    assert user.check_password("a-long-password-1")
