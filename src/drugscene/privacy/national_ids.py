"""Checksum and date rules for the national identity numbers that the scrubber recognises.

Every validator takes only the digits (separators already stripped) and answers whether
the digits form a plausible identity number. The checksums are what let ordinary numbers
(order numbers, case numbers, amounts) survive scrubbing: a random digit string of the
right length passes them only rarely.

Sources of the rules, summarised in our own words at each function:

* Swedish personnummer and samordningsnummer: Skatteverket, brochure SKV 704
  ("Personnummer") and the description of the coordination number.
* Norwegian fødselsnummer, D-nummer and H-nummer: Skatteetaten's description of the
  11-digit national identity number (Folkeregisteret).
* Dutch burgerservicenummer (BSN): the "elfproef" as published by Rijksoverheid / the
  Dutch government's BSN specification.
* Belgian rijksregisternummer / numéro de registre national: the check-digit rule of the
  Belgian national register (Rijksregister / Registre national), including the variant
  for people born in 2000 or later.

Pure standard library: no Django, usable from a notebook or a script.
"""

from __future__ import annotations

import calendar

__all__ = [
    "be_national_number_ok",
    "luhn_ok",
    "nl_bsn_ok",
    "no_birth_number_ok",
    "se_personal_number_kind",
]

# Weights of the two Norwegian control digits (Skatteetaten).
_NO_WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_NO_WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _date_ok(year: int, month: int, day: int) -> bool:
    """True if ``year-month-day`` exists in the Gregorian calendar."""
    if not 1 <= month <= 12 or day < 1:
        return False
    return day <= calendar.monthrange(year, month)[1]


def _date_ok_two_digit_year(yy: int, month: int, day: int) -> bool:
    """Date check when only the last two digits of the year are known.

    The century is unknown, so 29 February is accepted whenever ``yy`` is divisible by
    four (2000 was a leap year even though 1900 was not). Being lenient here only ever
    removes slightly more, never less.
    """
    return _date_ok(2000 + yy, month, day)


def luhn_ok(digits: str) -> bool:
    """Luhn (mod 10) check: double every second digit from the right, sum the digits.

    Skatteverket (SKV 704) uses this for the last digit of the personnummer, computed over
    the ten-digit form YYMMDDNNNN.
    """
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def se_personal_number_kind(date_part: str, serial: str) -> str | None:
    """Classify a Swedish personnummer or samordningsnummer, or return None.

    ``date_part`` is YYMMDD or YYYYMMDD, ``serial`` the four digits NNNN (three-digit birth
    number plus the check digit). Rules (Skatteverket, SKV 704):

    * the date must exist; with a four-digit year it is checked exactly, and only the
      centuries 18, 19 and 20 are accepted;
    * a coordination number (samordningsnummer) carries the birth day plus 60, so days
      61-91 mean a coordination number for day 1-31;
    * the Luhn check runs over the ten digits YYMMDDNNNN, never over the century.

    Returns ``"se_personal_number"``, ``"se_coordination_number"`` or None.
    """
    if len(date_part) == 8:
        if date_part[:2] not in ("18", "19", "20"):
            return None
        year = int(date_part[:4])
        yymmdd = date_part[2:]
    elif len(date_part) == 6:
        year = None
        yymmdd = date_part
    else:
        return None
    if len(serial) != 4:
        return None
    month, day = int(yymmdd[2:4]), int(yymmdd[4:6])
    kind = "se_personal_number"
    if day > 60:
        kind, day = "se_coordination_number", day - 60
    if year is None:
        if not _date_ok_two_digit_year(int(yymmdd[:2]), month, day):
            return None
    elif not _date_ok(year, month, day):
        return None
    return kind if luhn_ok(yymmdd + serial) else None


def _mod11_control(digits: str, weights: tuple[int, ...]) -> int | None:
    """One Norwegian control digit: 11 minus the weighted sum mod 11; 11 means 0, 10 is void."""
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    control = 11 - remainder
    if control == 11:
        return 0
    if control == 10:
        return None
    return control


def no_birth_number_ok(digits: str) -> bool:
    """True for a valid Norwegian fødselsnummer, D-nummer or H-nummer (DDMMYYIIICC).

    Rules (Skatteetaten / Folkeregisteret):

    * DDMMYY is the birth date; a D-number adds 40 to the day, an H-number adds 40 to the
      month. The date must exist (century treated leniently, see above).
    * III is the individual number, CC two control digits. The first is computed over the
      first nine digits with weights 3 7 6 1 8 9 4 5 2, the second over the first ten with
      weights 5 4 3 2 7 6 5 4 3 2. For each: 11 - (sum mod 11); a result of 11 becomes 0 and
      a result of 10 means that no valid number exists with those digits.
    """
    if len(digits) != 11 or not digits.isdigit():
        return False
    day, month, yy = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    if day > 40:
        day -= 40
    elif month > 40:
        month -= 40
    if not _date_ok_two_digit_year(yy, month, day):
        return False
    first = _mod11_control(digits[:9], _NO_WEIGHTS_1)
    if first is None or first != int(digits[9]):
        return False
    second = _mod11_control(digits[:10], _NO_WEIGHTS_2)
    return second is not None and second == int(digits[10])


def nl_bsn_ok(digits: str) -> bool:
    """True for a Dutch burgerservicenummer that passes the "elfproef" (Rijksoverheid).

    With digits d1..d9: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 must be divisible by 11. The
    all-zero string passes the arithmetic but is not a number anyone holds, so it is refused.
    """
    if len(digits) != 9 or not digits.isdigit() or digits == "000000000":
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 == 0


def be_national_number_ok(digits: str) -> bool:
    """True for a Belgian national number (rijksregisternummer), YYMMDD SSS CC.

    Rules of the national register:

    * CC equals 97 minus (the first nine digits as a number, mod 97). For people born in
      2000 or later the nine digits get a "2" in front before taking mod 97. The century is
      not written in the number, so either variant is accepted.
    * YYMMDD is the birth date. When the date is not known the month and/or day may be 00.
      Bis numbers (for people not in the register) add 20 or 40 to the month.
    """
    if len(digits) != 11 or not digits.isdigit():
        return False
    yy, month, day = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    if month in range(20, 33) or month in range(40, 53):
        month %= 20
    if month > 12 or day > 31:
        return False
    if month and day and not _date_ok_two_digit_year(yy, month, day):
        return False
    body, check = int(digits[:9]), int(digits[9:])
    return check in (97 - body % 97, 97 - (2_000_000_000 + body) % 97)
