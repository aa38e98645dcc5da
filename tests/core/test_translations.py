"""The message catalogues (sv, nl, nb) are complete, compiled and in step with the code.

When a test here fails after a change to the code or the templates, run ``scripts/i18n``,
translate the new entries in ``src/drugscene/locale/*/LC_MESSAGES/django.po`` and run
``scripts/i18n --compile``. See docs/translations.md.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.urls import reverse

import drugscene
from drugscene.reports.defaults import DEFAULT_CATEGORIES

PACKAGE = Path(drugscene.__file__).resolve().parent
LOCALE = PACKAGE / "locale"
LANGUAGES = ("sv", "nl", "nb")
PLURAL_FORMS = "nplurals=2; plural=(n != 1);"
HOW_TO_FIX = "run scripts/i18n, translate, then scripts/i18n --compile (docs/translations.md)"

# printf-style (%(name)s, %s, %d, %.1f ...) and str.format-style ({name}, {0}, {}) fields.
# "%%" is a literal percent sign and is removed first; no space flag, so "50 % där" is text.
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0+]*(?:\d+|\*)?(?:\.\d+)?[sdifrxXeEgGc]|\{[^{}\s]*\}")
HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")


def _po(lang: str, domain: str = "django") -> polib.POFile:
    return polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / f"{domain}.po"))


def _fields(text: str) -> Counter:
    text = text.replace("%%", "")
    return Counter(PLACEHOLDER.findall(text)) + Counter(HTML_TAG.findall(text))


def _key(entry: polib.POEntry | polib.MOEntry) -> tuple:
    return (entry.msgctxt or None, entry.msgid, entry.msgid_plural or None)


def _value(entry: polib.POEntry | polib.MOEntry) -> str | tuple:
    if entry.msgid_plural:
        return tuple(v for _k, v in sorted((int(k), v) for k, v in entry.msgstr_plural.items()))
    return entry.msgstr


def _live(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete]


# --- each catalogue is complete and well-formed ---------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_header_names_language_charset_and_plural_forms(lang: str) -> None:
    po = _po(lang)
    assert po.metadata.get("Language") == lang
    assert "charset=UTF-8" in po.metadata.get("Content-Type", "")
    assert po.metadata.get("Plural-Forms") == PLURAL_FORMS
    assert not po.metadata_is_fuzzy, f"{lang}: the header is still marked fuzzy"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(lang: str) -> None:
    po = _po(lang)
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    obsolete = [e.msgid for e in po.obsolete_entries()]
    assert not untranslated, f"{lang}: {len(untranslated)} untranslated: {untranslated}"
    assert not fuzzy, f"{lang}: {len(fuzzy)} fuzzy (check, then remove the flag): {fuzzy}"
    assert not obsolete, f"{lang}: obsolete entries left: {obsolete}; {HOW_TO_FIX}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_entries_have_every_form(lang: str) -> None:
    po = _po(lang)
    nplurals = int(re.search(r"nplurals=(\d+)", po.metadata["Plural-Forms"]).group(1))
    incomplete = [
        e.msgid for e in _live(po) if e.msgid_plural and (
            sorted(int(k) for k in e.msgstr_plural) != list(range(nplurals))
            or not all(e.msgstr_plural.values())
        )
    ]
    assert not incomplete, f"{lang}: plural entries without all {nplurals} forms: {incomplete}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_and_tags_survive_translation(lang: str) -> None:
    wrong = []
    for e in _live(_po(lang)):
        if e.msgid_plural:
            pairs = [(e.msgid if int(i) == 0 else e.msgid_plural, text)
                     for i, text in sorted(e.msgstr_plural.items())]
        else:
            pairs = [(e.msgid, e.msgstr)]
        for source, text in pairs:
            if text and _fields(source) != _fields(text):
                wrong.append(f"{source!r} -> {text!r}")
    assert not wrong, f"{lang}: placeholders or tags differ:\n" + "\n".join(wrong)


# --- the compiled .mo files are what the .po files say -------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalogue_matches_the_source(lang: str) -> None:
    mo_path = LOCALE / lang / "LC_MESSAGES" / "django.mo"
    assert mo_path.exists(), f"{mo_path} is missing: run scripts/i18n --compile"
    po = {_key(e): _value(e) for e in _live(_po(lang)) if e.translated()}
    mo = {_key(e): _value(e) for e in polib.mofile(str(mo_path)) if e.msgid}
    stale = sorted(str(k[1]) for k in po.keys() ^ mo.keys())
    stale += sorted(str(k[1]) for k in po.keys() & mo.keys() if po[k] != mo[k])
    assert not stale, f"{lang}: django.mo is out of date ({stale[:10]} ...): " \
                      "run scripts/i18n --compile"


# --- the catalogue holds exactly the strings the code marks --------------------------------

def _extract(tmp_path: Path, domain: str) -> set[tuple] | None:
    """Run makemessages on a copy of the package; the sv entries it finds (None: no file)."""
    copy = tmp_path / "src" / "drugscene"
    if not copy.exists():
        shutil.copytree(PACKAGE, copy,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "locale", "var"))
        (copy / "locale").mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("DRUGSCENE_") and k != "DATABASE_URL"}
    env.update({
        "DJANGO_SETTINGS_MODULE": "drugscene.settings",
        "DRUGSCENE_TESTING": "1",
        "DRUGSCENE_VAR": str(tmp_path / "var"),
        "PYTHONPATH": os.pathsep.join([str(copy.parent), env.get("PYTHONPATH", "")]),
    })
    args = [sys.executable, "-m", "django", "makemessages", "-d", domain, "-l", "sv",
            "--no-location", "--no-obsolete", "--ignore", "static/vendor/*"]
    if domain == "django":
        args += ["--ignore", "migrations/*"]
    result = subprocess.run(args, cwd=copy, env=env, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    out = copy / "locale" / "sv" / "LC_MESSAGES" / f"{domain}.po"
    if not out.exists():
        return None
    return {_key(e) for e in _live(polib.pofile(str(out)))}


def _require_xgettext() -> None:
    if shutil.which("xgettext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("GNU gettext (xgettext) is needed in CI to check the catalogues.")
        pytest.skip("GNU gettext (xgettext) is not installed; catalogue sync not checked.")


def _diff_message(domain: str, committed: set[tuple], extracted: set[tuple]) -> str:
    missing = sorted(k[1] for k in extracted - committed)
    extra = sorted(k[1] for k in committed - extracted)
    return (f"locale/sv/LC_MESSAGES/{domain}.po is out of step with the code; {HOW_TO_FIX}.\n"
            f"  in the code but not in the catalogue ({len(missing)}): {missing}\n"
            f"  in the catalogue but no longer in the code ({len(extra)}): {extra}")


def test_catalogue_matches_the_marked_strings(tmp_path: Path) -> None:
    _require_xgettext()
    extracted = _extract(tmp_path, "django") or set()
    committed = {_key(e) for e in _live(_po("sv"))}
    assert extracted == committed, _diff_message("django", committed, extracted)


def test_javascript_catalogue_matches_the_marked_strings(tmp_path: Path) -> None:
    """Our scripts take their texts from the page (json_script), so this is empty today."""
    _require_xgettext()
    extracted = _extract(tmp_path, "djangojs") or set()
    path = LOCALE / "sv" / "LC_MESSAGES" / "djangojs.po"
    committed = {_key(e) for e in _live(polib.pofile(str(path)))} if path.exists() else set()
    assert extracted == committed, _diff_message("djangojs", committed, extracted)


def test_default_category_names_are_in_the_catalogue() -> None:
    ids = {e.msgid for e in _live(_po("sv"))}
    missing = [c.name for c in DEFAULT_CATEGORIES if c.name not in ids]
    assert not missing, f"default category names not in the catalogue: {missing}"


# --- pages come out in the visitor's language ------------------------------------------------

@pytest.mark.django_db
def test_sign_in_page_in_swedish(client) -> None:
    response = client.get(reverse("web:login"), HTTP_ACCEPT_LANGUAGE="sv")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="sv">' in html
    assert "Logga in" in html
    assert "Sign in" not in html


def test_tip_page_in_dutch(client, city) -> None:
    response = client.get(reverse("web:tip"), HTTP_ACCEPT_LANGUAGE="nl")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="nl">' in html
    assert "Tip anoniem versturen" in html
    assert f"Laat {city.name} weten wat je hebt gezien" in html


def test_tip_page_in_norwegian(client, city) -> None:
    response = client.get(reverse("web:tip"), HTTP_ACCEPT_LANGUAGE="nb")
    assert response.status_code == 200
    assert "Send tips anonymt" in response.content.decode()


def test_language_switch_makes_pages_swedish(client, world) -> None:
    client.force_login(world.users["police_reporter"])
    before = client.get(reverse("web:report-list")).content.decode()
    assert 'action="/i18n/setlang/"' in before
    assert "Sign out" in before

    response = client.post("/i18n/setlang/", {"language": "sv", "next": "/reports/"})
    assert response.status_code == 302

    after = client.get(reverse("web:report-list")).content.decode()
    assert '<html lang="sv">' in after
    assert "Logga ut" in after
    assert "Ny rapport" in after
    assert "Sign out" not in after
