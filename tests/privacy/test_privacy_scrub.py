"""Scrubbing of personal identifiers from free text (drugscene.privacy.scrub).

Pure Python, no database. Valid identifiers are generated here with small checksum
implementations written independently of the module under test, so a shared mistake in
both would have to be made twice in two different ways.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from drugscene.privacy.scrub import KINDS, PLACEHOLDERS, Finding, ScrubResult, scrub_text

# --- independent checksum helpers -----------------------------------------------------------

_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # digit sum of 2*d, for d = 0..9


def luhn_digit(nine: str) -> str:
    """Check digit for nine digits: the 1st, 3rd, ... 9th are doubled (table lookup)."""
    total = sum(_DOUBLED[int(c)] if i % 2 == 0 else int(c) for i, c in enumerate(nine))
    return str(-total % 10)


def luhn_valid(ten: str) -> bool:
    return luhn_digit(ten[:9]) == ten[9]


def se_number(day: date, serial: int, coordination: bool = False) -> str:
    """Ten digits YYMMDDNNNN of a valid personnummer (or samordningsnummer)."""
    dd = day.day + (60 if coordination else 0)
    nine = f"{day:%y%m}{dd:02d}{serial:03d}"
    return nine + luhn_digit(nine)


def no_number(day: date, individual: int, d_number: bool = False) -> str | None:
    """Eleven digits of a Norwegian fødselsnummer, or None if no control digit exists."""
    dd = day.day + (40 if d_number else 0)
    digits = [int(c) for c in f"{dd:02d}{day:%m%y}{individual:03d}"]
    for weights in ((3, 7, 6, 1, 8, 9, 4, 5, 2), (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)):
        rest = sum(map(lambda a, b: a * b, digits, weights)) % 11
        control = 0 if rest == 0 else 11 - rest
        if control == 10:
            return None
        digits.append(control)
    return "".join(map(str, digits))


def bsn(eight: str) -> str | None:
    """Nine-digit BSN from eight digits (elfproef), or None if d9 would have to be 10."""
    s = sum(int(c) * w for c, w in zip(eight, range(9, 1, -1), strict=True))
    return None if s % 11 == 10 else eight + str(s % 11)


def bsn_valid(nine: str) -> bool:
    return bsn(nine[:8]) == nine


def be_number(day: date, serial: int) -> str:
    """Eleven digits of a Belgian national number (the '2' prefix rule for 2000+)."""
    nine = f"{day:%y%m%d}{serial:03d}"
    base = int(("2" if day.year >= 2000 else "") + nine)
    return f"{nine}{97 - base % 97:02d}"


def be_valid(eleven: str) -> bool:
    body, cc = eleven[:9], int(eleven[9:])
    return cc in {97 - int(body) % 97, 97 - int("2" + body) % 97}


def _no_check(eleven: str) -> bool:
    d = [int(c) for c in eleven]
    for n, weights in ((9, (3, 7, 6, 1, 8, 9, 4, 5, 2)), (10, (5, 4, 3, 2, 7, 6, 5, 4, 3, 2))):
        rest = sum(a * b for a, b in zip(d[:n], weights, strict=True)) % 11
        if (0 if rest == 0 else 11 - rest) != d[n]:
            return False
    return True


def first_valid(make, *candidates):
    return next(v for v in map(make, candidates) if v is not None)


# --- fixed identifiers used in the corpus -----------------------------------------------------

SE = se_number(date(1981, 12, 18), 987)
SE_FMT = f"{SE[:6]}-{SE[6:]}"
SE_12 = "19" + SE
SE_OLD = se_number(date(1919, 3, 4), 123)
SE_PLUS = f"{SE_OLD[:6]}+{SE_OLD[6:]}"
SE_COORD = se_number(date(1990, 5, 7), 456, coordination=True)
SE_COORD_FMT = f"{SE_COORD[:6]}-{SE_COORD[6:]}"
SKV_EXAMPLE = "19121212-1212"  # Skatteverket's well-known example, Luhn-valid

NO = first_valid(lambda i: no_number(date(1985, 7, 9), i), *range(100, 200))
NO_D = first_valid(lambda i: no_number(date(1979, 2, 28), i, d_number=True), *range(300, 400))
NO_SPACED = f"{NO[:6]} {NO[6:]}"

BSN = first_valid(bsn, "12345678", "23456789", "34567890")
BSN_PUBLIC = "123.456.782"  # widely used example BSN, passes the elfproef

BE = be_number(date(1985, 7, 9), 123)
BE_2000 = be_number(date(2003, 11, 30), 45)
BE_2000_FMT = f"{BE_2000[:2]}.{BE_2000[2:4]}.{BE_2000[4:6]}-{BE_2000[6:9]}.{BE_2000[9:]}"

LUHN_BAD = SE[:9] + str((int(SE[9]) + 1) % 10)
_SE_2007 = se_number(date(2007, 1, 23), 456)
LUHN_BAD_ZERO = _SE_2007[:9] + str((int(_SE_2007[9]) + 1) % 10)  # 070123..., phone-like
BSN_BAD = BSN[:8] + str((int(BSN[8]) + 1) % 10)
BAD_DATE = "991399123" + luhn_digit("991399123")  # Luhn-valid, month 13 does not exist
NO_BAD = next(n for n in (f"{x:011d}" for x in range(10987654321, 10987654421))
              if not _no_check(n) and not be_valid(n))
BE_BAD = BE[:9] + f"{(int(BE[9:]) + 1) % 100:02d}"


# --- the corpus -----------------------------------------------------------------------------

# (text, identifiers that must vanish, expected kinds, words that must remain)
CORPUS: list[tuple[str, list[str], set[str], list[str]]] = [
    # Swedish
    ("Såg försäljning vid trappuppgång 3, kontakta mig på 070-123 45 67",
     ["070-123 45 67"], {"phone"}, ["Såg försäljning vid trappuppgång 3, kontakta mig på"]),
    ("Porten 3 070-765 43 21 svarar alltid", ["070-765 43 21"], {"phone"},
     ["Porten 3", "svarar alltid"]),
    ("Bil ABC 123 stod kvar hela kvällen", ["ABC 123"], {"vehicle_plate"},
     ["Bil", "stod kvar hela kvällen"]),
    (f"Man med personnummer {SE_FMT} sålde vid busshållplatsen", [SE_FMT],
     {"se_personal_number"}, ["Man med personnummer", "sålde vid busshållplatsen"]),
    (f"Samordningsnummer {SE_COORD_FMT} uppgavs vid kontrollen", [SE_COORD_FMT],
     {"se_coordination_number"}, ["Samordningsnummer", "uppgavs vid kontrollen"]),
    (f"Anmälare {SKV_EXAMPLE} ringde från 08-123 45 67 i går", [SKV_EXAMPLE, "08-123 45 67"],
     {"se_personal_number", "phone"}, ["Anmälare", "ringde från", "i går"]),
    ("Ring 010-123 45 67 eller mejla fältgruppen@kommun.se", ["010-123 45 67", "kommun.se"],
     {"phone", "email"}, ["Ring", "eller mejla"]),
    (f"Kvinnan född {SE_12} sågs vid Torget kl 22:30", [SE_12], {"se_personal_number"},
     ["Kvinnan född", "sågs vid Torget kl 22:30"]),
    ("Vit Volvo ABC 12A parkerad vid Storgatan 12", ["ABC 12A"], {"vehicle_plate"},
     ["Vit Volvo", "parkerad vid Storgatan 12"]),
    ("Tips: ring +46 70 123 45 67 efter 18", ["+46 70 123 45 67"], {"phone"},
     ["Tips: ring", "efter 18"]),
    (f"Äldre man, {SE_PLUS}, satt på bänken", [SE_PLUS], {"se_personal_number"},
     ["Äldre man,", "satt på bänken"]),
    (f"Uppgav {SE}, nummer 0701234567 till sin kontakt", [SE, "0701234567"],
     {"se_personal_number", "phone"}, ["Uppgav", "nummer", "till sin kontakt"]),
    # Norwegian
    (f"Mann med fødselsnummer {NO} solgte ved Jernbanetorget", [NO], {"no_birth_number"},
     ["Mann med fødselsnummer", "solgte ved Jernbanetorget"]),
    ("Ring meg på tlf 91234567 etter klokka 20", ["91234567"], {"phone"},
     ["Ring meg på tlf", "etter klokka 20"]),
    ("Bil AB 12345 sto parkert ved Vaterland", ["AB 12345"], {"vehicle_plate"},
     ["Bil", "sto parkert ved Vaterland"]),
    (f"D-nummer {NO_D} oppgitt ved kontroll", [NO_D], {"no_birth_number"},
     ["D-nummer", "oppgitt ved kontroll"]),
    ("Kontakt +47 912 34 567 eller 412 34 567 i kveld", ["912 34 567", "412 34 567"],
     {"phone"}, ["Kontakt", "eller", "i kveld"]),
    (f"Skrevet med mellomrom: {NO_SPACED} på lappen", [NO_SPACED, NO[6:]],
     {"no_birth_number"}, ["Skrevet med mellomrom:", "på lappen"]),
    # Dutch
    ("meld gerust: jan@example.nl", ["jan@example.nl"], {"email"}, ["meld gerust:"]),
    ("Bel 06-12345678 als je iets ziet bij het station", ["06-12345678"], {"phone"},
     ["Bel", "als je iets ziet bij het station"]),
    (f"BSN {BSN} gevonden op een pasje bij de ingang", [BSN], {"nl_bsn"},
     ["BSN", "gevonden op een pasje bij de ingang"]),
    ("Auto 12-ABC-3 stond de hele nacht bij portiek 7", ["12-ABC-3"], {"vehicle_plate"},
     ["Auto", "stond de hele nacht bij portiek 7"]),
    (f"BSN {BSN_PUBLIC} en telefoon 020-1234567", [BSN_PUBLIC, "020-1234567"],
     {"nl_bsn", "phone"}, ["BSN", "en telefoon"]),
    ("Scooter AB-123-C reed rondjes, ook XX-99-99 en 99-XX-99", ["AB-123-C", "XX-99-99",
     "99-XX-99"], {"vehicle_plate"}, ["Scooter", "reed rondjes, ook", "en"]),
    ("Dealer belt vanaf +31 (0)6 1234 5678 naar iedereen", ["1234 5678"], {"phone"},
     ["Dealer belt vanaf", "naar iedereen"]),
    # Belgian (Dutch and French)
    (f"Rijksregisternummer {BE} op een briefje gevonden", [BE], {"be_national_number"},
     ["Rijksregisternummer", "op een briefje gevonden"]),
    ("Bel 0470 12 34 56 of +32 470 12 34 56 of 0470/12.34.56", ["0470 12 34 56",
     "470 12 34 56", "0470/12.34.56"], {"phone"}, ["Bel", "of"]),
    ("Wagen 1-ABC-123 en 2XYZ789 geparkeerd aan het plein", ["1-ABC-123", "2XYZ789"],
     {"vehicle_plate"}, ["Wagen", "en", "geparkeerd aan het plein"]),
    (f"Né après 2000: {BE_2000_FMT}, vu près de la gare", [BE_2000_FMT, BE_2000[6:9]],
     {"be_national_number"}, ["Né après 2000:", "vu près de la gare"]),
    # English
    ("Caller left tipster.anon+drugs@mail.example.org and plate XYZ 987",
     ["tipster.anon", "example.org", "XYZ 987"], {"email", "vehicle_plate"},
     ["Caller left", "and plate"]),
    ("Witness reachable on +44 20 7946 0958 after 6 pm", ["7946 0958"], {"phone"},
     ["Witness reachable on", "after 6 pm"]),
    ("Obfuscated address jan(at)example.se in the note", ["example.se"], {"email"},
     ["Obfuscated address", "in the note"]),
    (f"Mixed: pnr {SE_FMT} @ 070-765 43 21, reg ABC 123.", [SE_FMT, "070-765 43 21",
     "ABC 123"], {"se_personal_number", "phone", "vehicle_plate"}, ["Mixed: pnr", "@", "reg"]),
    (f"E-mail {SE}@mail.example.com is one address", [SE, "example.com"], {"email"},
     ["E-mail", "is one address"]),
]

# Text that must come back exactly as written.
UNCHANGED = [
    f"Ordernummer {LUHN_BAD} gäller leveransen",
    f"Ordernr {LUHN_BAD[:6]}-{LUHN_BAD[6:]} i systemet",
    f"Ärendenr {LUHN_BAD_ZERO[:6]}-{LUHN_BAD_ZERO[6:]} stängdes",
    f"BSN-achtig nummer {BSN_BAD} faalt de elfproef",
    f"Ogiltigt datum {BAD_DATE[:6]}-{BAD_DATE[6:]} och {BAD_DATE}",
    f"Ugyldig nummer {NO_BAD} i loggen",
    f"Numéro invalide {BE_BAD[:6]}-{BE_BAD[6:9]}-{BE_BAD[9:]}",
    "År 2024 kostade det 1500 kr, kl 22:30 den 2026-11-24",
    "Ungefär 5 personer vid Storgatan 12, 123 45 Stockholm",
    "Case 2026-1234 är öppnad; 50 % ökning sedan förra året",
    "Koordinater 59.3293, 18.0686 vid uppgången",
    "Möte 05-11-2024 och 05.11.2024 kl 08.00-10.00 eller 0830-1000",
    "GHB 100 ml och SEK 500 i fickan, larmade SOS 112",
    "lowercase abc 123 is not treated as a plate, nor is EUR 250",
    "Postboks i 0150 Oslo, 3 personer, 12 sprøyter",
    "Order 0012345678 and invoice 12345678 were paid",
    "Vi var 25 stycken, 1 200 kr totalt, 3,5 gram",
    "",
]


@pytest.mark.parametrize(("text", "gone", "kinds", "kept"), CORPUS,
                         ids=[c[0][:30] for c in CORPUS])
def test_corpus_removes_identifiers_and_keeps_context(text, gone, kinds, kept) -> None:
    result = scrub_text(text)
    for identifier in gone:
        assert identifier not in result.text, (identifier, result.text)
    for words in kept:
        assert words in result.text, (words, result.text)
    assert set(result.kinds) == kinds
    assert "[" in result.text and "removed]" in result.text


@pytest.mark.parametrize("text", UNCHANGED, ids=[t[:30] or "empty" for t in UNCHANGED])
def test_ordinary_text_is_unchanged(text) -> None:
    result = scrub_text(text)
    assert result == ScrubResult(text=text, findings=())
    assert result.kinds == ()


@pytest.mark.parametrize("text", [c[0] for c in CORPUS] + UNCHANGED)
def test_idempotent(text) -> None:
    once = scrub_text(text).text
    assert scrub_text(once).text == once
    assert scrub_text(once).findings == ()


def test_findings_are_spans_in_the_original() -> None:
    text = f"Pnr {SE_FMT}, tel 070-123 45 67, bil ABC 123, mejl a@b.se."
    result = scrub_text(text)
    got = [(f.kind, text[f.start:f.end]) for f in result.findings]
    assert got == [("se_personal_number", SE_FMT), ("phone", "070-123 45 67"),
                   ("vehicle_plate", "ABC 123"), ("email", "a@b.se")]
    assert result.text == ("Pnr [id number removed], tel [phone removed], "
                           "bil [plate removed], mejl [e-mail removed].")
    assert result.kinds == ("email", "phone", "se_personal_number", "vehicle_plate")
    assert all(isinstance(f, Finding) for f in result.findings)


def test_every_kind_has_a_short_bracketed_placeholder() -> None:
    assert set(PLACEHOLDERS) == set(KINDS)
    for placeholder in PLACEHOLDERS.values():
        assert placeholder.startswith("[") and placeholder.endswith("]")
        assert not any(c.isdigit() for c in placeholder) and len(placeholder) <= 24


def test_the_test_helpers_agree_with_public_examples() -> None:
    assert luhn_valid("1212121212") and luhn_valid(SE) and not luhn_valid(LUHN_BAD)
    assert bsn_valid("123456782") and bsn_valid("111222333") and not bsn_valid("123456789")
    assert be_valid(BE) and be_valid(BE_2000) and not be_valid(BE_BAD)
    assert _no_check(NO) and _no_check(NO_D) and not _no_check(NO_BAD)


# --- property tests (seeded random, no hypothesis) --------------------------------------------

def _random_day(rng: random.Random, start: int = 1900, end: int = 2025) -> date:
    first = date(start, 1, 1)
    return first + timedelta(days=rng.randrange((date(end, 12, 31) - first).days))


def _se_forms(ten: str, day: date) -> list[str]:
    century = f"{day.year // 100}"
    return [f"{ten[:6]}-{ten[6:]}", f"{ten[:6]}+{ten[6:]}", ten, century + ten,
            f"{century}{ten[:6]}-{ten[6:]}"]


def test_random_valid_personnummer_are_removed() -> None:
    rng = random.Random(20261124)
    for _ in range(400):
        day = _random_day(rng)
        coordination = rng.random() < 0.2
        ten = se_number(day, rng.randrange(1000), coordination)
        written = rng.choice(_se_forms(ten, day))
        result = scrub_text(f"Uppgav {written} vid kontroll")
        assert written not in result.text and ten[6:] not in result.text, written
        kind = "se_coordination_number" if coordination else "se_personal_number"
        assert result.kinds == (kind,), written


def test_random_ten_digit_numbers_failing_luhn_are_kept() -> None:
    rng = random.Random(7)
    checked = 0
    while checked < 400:
        ten = str(rng.randrange(1_000_000_000, 10_000_000_000))
        if luhn_valid(ten):
            continue
        text = f"Ordernummer {ten}, även skrivet {ten[:6]}-{ten[6:]}."
        assert scrub_text(text).text == text
        checked += 1


def test_random_valid_foreign_ids_are_removed() -> None:
    rng = random.Random(42)
    for _ in range(200):
        day = _random_day(rng, 1940, 2024)
        no = no_number(day, rng.randrange(500), d_number=rng.random() < 0.3)
        nine = bsn(f"{rng.randrange(10_000_000, 100_000_000)}")
        be = be_number(day, rng.randrange(1, 998))
        for value, kind in ((no, "no_birth_number"), (nine, "nl_bsn"),
                            (be, "be_national_number")):
            if value is None:
                continue
            result = scrub_text(f"Nummer {value} op papier")
            assert value not in result.text, (value, kind)
            # Eleven digits can, by chance, pass both the Norwegian and the Belgian rules.
            alike = {"no_birth_number", "be_national_number"} if len(value) == 11 else set()
            assert len(result.kinds) == 1 and result.kinds[0] in {kind} | alike, (value, kind)


def test_random_nine_digit_numbers_failing_elfproef_are_kept() -> None:
    rng = random.Random(11)
    checked = 0
    while checked < 300:
        nine = str(rng.randrange(100_000_000, 1_000_000_000))
        if bsn_valid(nine):
            continue
        text = f"Factuur {nine} betaald"
        assert scrub_text(text).text == text
        checked += 1


def test_long_input_is_handled_quickly() -> None:
    text = ("Såg 12 personer vid 070-123 45 67 och ABC 123. " * 500) + "9" * 5000 + "a" * 5000
    result = scrub_text(text)
    assert len(result.findings) == 1000
