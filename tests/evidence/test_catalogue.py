"""The catalogue's data: every kind has an entry or a decision, every entry has dated
sources, the measures the issue names are there, and every text has its translations."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.utils import translation
from django.utils.functional import Promise

from drugscene.actions.models import ActionKind
from drugscene.evidence import catalogue
from drugscene.evidence.catalogue import BY_KEY, ENTRIES, NO_SUMMARY, Citation

LOCALE = Path(catalogue.__file__).resolve().parents[1] / "locale"
TEXT_FIELDS = ("summary", "conditions", "displacement", "caveats")


def test_every_kind_has_an_entry_or_an_explicit_decision() -> None:
    kinds_with_entry = {e.kind for e in ENTRIES if e.kind}
    for kind in ActionKind.values:
        assert (kind in kinds_with_entry) != (kind in NO_SUMMARY), kind
    assert set(NO_SUMMARY) <= set(ActionKind.values)
    for kind, reason in NO_SUMMARY.items():
        assert isinstance(reason, Promise) and len(str(reason)) > 40, kind


def test_plan_level_measures_are_there() -> None:
    for key in ("drug_consumption_rooms", "needle_syringe_programmes", "naloxone",
                "citizen_involvement", "cpted", "drug_market_analysis"):
        assert key in BY_KEY and BY_KEY[key].is_measure


def test_keys_are_unique_url_safe_and_kind_entries_use_the_kind() -> None:
    keys = [e.key for e in ENTRIES]
    assert len(keys) == len(set(keys))
    for e in ENTRIES:
        assert re.fullmatch(r"[a-z_]+", e.key), e.key
        assert type(e.key) is str
        if e.kind:
            assert e.key == e.kind and e.kind in ActionKind.values
        assert e.key not in ActionKind.values or e.kind == e.key


def test_every_entry_has_dated_citations_and_valid_badges() -> None:
    for e in ENTRIES:
        assert e.citations, e.key
        for c in e.citations:
            assert isinstance(c.year, int) and 1950 <= c.year <= 2026, (e.key, c)
            assert c.authors and c.title and c.venue, (e.key, c)
            assert not c.doi or c.doi.startswith("10."), c
        assert e.direction in catalogue.Direction.values
        assert e.strength in catalogue.Strength.values
        assert e.group in catalogue.Group.values
        for f in TEXT_FIELDS:
            value = getattr(e, f)
            if f == "displacement" and value is None:
                continue
            assert isinstance(value, Promise) and len(str(value)) > 30, (e.key, f)
        for r in e.related:
            assert r in BY_KEY, (e.key, r)


def test_every_cited_source_is_used_once_in_the_reference_list() -> None:
    used = {c for e in ENTRIES for c in e.citations}
    assert used == set(catalogue.CITATIONS.values())
    refs = catalogue.all_citations()
    assert len(refs) == len(set(refs)) == len(catalogue.CITATIONS)


@pytest.mark.parametrize("short", [
    "Braga et al. 2019", "Weisburd et al. 2006", "Koper 1995", "Weisburd & Green 1995",
    "Welsh & Farrington 2008", "Welsh & Farrington 2009", "Piza et al. 2019",
    "Cozens et al. 2005", "Potier et al. 2014", "Kennedy et al. 2017", "Aspinall et al. 2014",
    "Fernandes et al. 2017", "Bennett et al. 2008", "Braga et al. 2015",
])
def test_the_sources_the_issue_names_are_cited(short) -> None:
    assert short in {c.short for c in catalogue.CITATIONS.values()}


def test_short_form() -> None:
    assert Citation("Koper, C. S.", 1995, "t", "v").short == "Koper 1995"
    assert Citation("Weisburd, D. & Green, L.", 1995, "t", "v").short == "Weisburd & Green 1995"
    assert Citation("Kelling, G. L., Pate, T., Dieckman, D. & Brown, C. E.", 1974, "t",
                    "v").short == "Kelling et al. 1974"
    assert Citation("de Montigny, L., Vernez Moudon, A. et al.", 2010, "t",
                    "v").short == "de Montigny et al. 2010"
    assert Citation("Some Agency AB", 2021, "t", "v").short == "Some Agency AB 2021"
    c = Citation("A, B.", 2000, "Title", "Venue 1(2)", "10.1/x")
    assert str(c) == "A, B. (2000). Title. Venue 1(2). doi:10.1/x"
    assert c.url == "https://doi.org/10.1/x"


def _msgids() -> set[str]:
    out = set()
    with translation.override("en"):
        for e in ENTRIES:
            for f in ("title", *TEXT_FIELDS):
                value = getattr(e, f)
                if isinstance(value, Promise):
                    out.add(str(value))
        out.update(str(v) for v in NO_SUMMARY.values())
        out.update(str(label) for label in catalogue.Direction.labels)
        out.update(str(label) for label in catalogue.Strength.labels)
        out.update(str(label) for label in catalogue.Group.labels)
    return out


def test_every_catalogue_text_is_translated_into_swedish_dutch_and_norwegian() -> None:
    catalogues = {
        lang: {e.msgid: e.msgstr for e in polib.pofile(
            str(LOCALE / lang / "LC_MESSAGES" / "django.po")) if not e.msgctxt}
        for lang in ("sv", "nl", "nb")}
    with translation.override("en"):  # kind labels are translated with the actions
        kind_labels = {str(label) for label in ActionKind.labels}
    for msgid in _msgids() - kind_labels:
        for lang in ("sv", "nl", "nb"):
            text = catalogues[lang].get(msgid)
            assert text and text != msgid, (lang, msgid)
            # names and years in parentheses stay as they are
            for cite in re.findall(r"\(([^()]*\d{4})\)", msgid):
                assert cite.split()[-1] in text, (lang, msgid, cite)
