"""Remove personal identifiers from free text before it is stored ("places, not persons").

Reports describe places and what happens there; the people involved must not end up in
the database. :func:`scrub_text` finds national identity numbers, e-mail addresses, phone
numbers and vehicle plates and replaces each with a short neutral placeholder. Only the
scrubbed text is meant to be stored; the original never is.

How it works:

1. Every detector scans the *original* text and proposes spans. National identity numbers
   are accepted only if their checksum and birth date hold (see
   :mod:`drugscene.privacy.national_ids`), so ordinary numbers survive.
2. Overlaps are resolved by priority (identity numbers, then e-mail, phone, plates). A
   lower-priority span wins only when it strictly encloses the spans it overlaps (an e-mail
   address whose local part happens to be a personal number is removed as a whole).
3. The output is rebuilt once from the surviving spans, so no replacement can corrupt
   another. Placeholders contain no digits, so scrubbing is idempotent.

Deliberate limits, chosen for precision on everyday report text:

* Plates must be written in upper case ("ABC 123" is caught, "abc 123" is not), and a
  short list of codes that precede numbers (currencies, drug abbreviations, "SOS", ...)
  never counts as plate letters.
* Phone numbers need a phone-like shape: a leading ``+``/``00`` or trunk ``0``, 8-10 digits
  nationally (8-13 internationally), and an unbroken run of digits only for the Swedish,
  Dutch and Belgian mobile prefixes. Norwegian numbers without ``+47`` count when grouped
  like a mobile number (912 34 567, 41 23 45 67) or when preceded by a word such as "tlf".
  A lone trailing digit group of length one is never taken as part of a number.
* A digit string with a leading zero and a phone-like length is treated as a phone number,
  except in the personnummer shape 070123-4567 (which failed the checks above). A number
  after another number and a space still counts ("rum 3 070-123 45 67"): leaking a phone
  is worse than removing a group from an unrelated long number.
* Not covered: IBANs and other account numbers, "0046..." written without any separator,
  lower-case plates, names and street addresses of persons.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from drugscene.privacy.national_ids import (
    be_national_number_ok,
    nl_bsn_ok,
    no_birth_number_ok,
    se_personal_number_kind,
)

__all__ = ["KINDS", "PLACEHOLDERS", "Finding", "ScrubResult", "scrub_text"]

KINDS = (
    "se_personal_number",
    "se_coordination_number",
    "no_birth_number",
    "nl_bsn",
    "be_national_number",
    "email",
    "phone",
    "vehicle_plate",
)

_ID = "[id number removed]"
PLACEHOLDERS: dict[str, str] = {
    "se_personal_number": _ID,
    "se_coordination_number": _ID,
    "no_birth_number": _ID,
    "nl_bsn": _ID,
    "be_national_number": _ID,
    "email": "[e-mail removed]",
    "phone": "[phone removed]",
    "vehicle_plate": "[plate removed]",
}


@dataclass(frozen=True)
class Finding:
    """One identifier found: its kind and its span ``[start, end)`` in the original text."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class ScrubResult:
    """The scrubbed text and what was removed from it (spans refer to the original)."""

    text: str
    findings: tuple[Finding, ...]

    @property
    def kinds(self) -> tuple[str, ...]:
        """Distinct kinds that were found, sorted alphabetically."""
        return tuple(sorted({f.kind for f in self.findings}))


# --- patterns ------------------------------------------------------------------------------

# A number must not continue a word or a longer number ("12.121212-1212", "x121212-1212").
_LEFT = r"(?<!\w)(?<!\d[.,:/+-])"
_RIGHT = r"(?!\w)(?![.,:/+-]\d)"

_SE_ID = re.compile(_LEFT + r"(?P<date>\d{8}|\d{6})(?P<sep>[-+ ]?)(?P<serial>\d{4})" + _RIGHT)
_NO_ID = re.compile(_LEFT + r"\d{6} ?\d{5}" + _RIGHT)
_NL_BSN = re.compile(
    _LEFT + r"(?:\d{9}|\d{3}(?P<s>[. ])\d{3}(?P=s)\d{3}|\d{4}\.\d{2}\.\d{3})" + _RIGHT
)
_BE_ID = re.compile(_LEFT + r"\d{2}(?P<s>\.?)\d{2}(?P=s)\d{2}[-. ]?\d{3}[-. ]?\d{2}" + _RIGHT)

# Also catches the common obfuscations "jan(at)example.nl" and "jan [at] example.nl".
_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]*\w(?:@|[ ]?[\[(](?i:at)[\])][ ]?)(?:[\w-]+\.)+[A-Za-z]{2,}(?!\w)"
)

# Between digit groups: one space, a dash or slash (optionally spaced), a bare dot, "(0)".
_SEP = r"(?:[ ]?[-/][ ]?|\.|[ ]|[ ]?\(0\)[ ]?)"
_PHONE_INTL = re.compile(r"(?<![\w+])(?P<prefix>\+|(?<!\d)00)[1-9]\d*(?:" + _SEP + r"\d+)*")
_PHONE_NATIONAL = re.compile(
    r"(?<![\w+])(?<!\d[.,:/-])(?:\(0[1-9]\d{0,3}\)[ ]?\d+|0[1-9]\d*)(?:" + _SEP + r"\d+)*"
)
_PHONE_NO_GROUPED = re.compile(
    r"(?<![\w+])(?<!\d[.,:/-])(?:[49]\d{2} \d{2} \d{3}|[49]\d(?: \d{2}){3})(?!\w)(?![-/.,]\d)"
)
_PHONE_NO_KEYWORD = re.compile(
    r"(?i:\b(?:tlf|tel|telefon|mobil|mob|ring|sms)\b)\.?:?[ ]*(?:(?i:nr)\.?:?[ ]*)?"
    r"(?P<num>[2-9]\d{7}|[2-9]\d(?: \d{2}){3}|[2-9]\d{2} \d{2} \d{3})(?!\w)(?![-/.,]\d)"
)
_MOBILE_UNBROKEN = re.compile(r"07[02369]\d{7}|06\d{8}|04[5-9]\d{7}")
_PNR_SHAPED = re.compile(r"\d{6}[-+]\d{4}")  # failed the personnummer checks: not a phone
_DATE_LIKE = re.compile(r"\d{1,2}(?P<s>[-./])\d{1,2}(?P=s)\d{2,4}")
_TIME_RANGE = re.compile(r"(?P<h1>\d{2})[.:]?(?P<m1>\d{2}) ?- ?(?P<h2>\d{2})[.:]?(?P<m2>\d{2})")
_DIGIT_RUN = re.compile(r"\d+")
# Longest plausible number (digits after "+") for a few neighbouring country codes.
_INTL_MAX = {"46": 11, "47": 10, "45": 10, "31": 11, "32": 11}

# Dutch "sidecodes": three dash-separated groups of letters (L) and digits (D).
_NL_SIDECODES = (
    "LL-DD-DD", "DD-DD-LL", "DD-LL-DD", "LL-DD-LL", "LL-LL-DD", "DD-LL-LL", "DD-LLL-D",
    "D-LLL-DD", "LL-DDD-L", "L-DDD-LL", "LLL-DD-L", "L-DD-LLL", "D-LL-DDD", "DDD-LL-D",
)


def _sidecode(shape: str) -> str:
    return "-".join(f"[A-Z]{{{len(g)}}}" if g[0] == "L" else f"\\d{{{len(g)}}}"
                    for g in shape.split("-"))


_PLATE = re.compile(
    r"(?<![\w-])(?:"
    r"[A-Z]{3}[ -]?\d{2}[A-Z\d]"          # Sweden ABC 123 / ABC 12A, Belgium (old) ABC-123
    r"|[A-Z]{2} ?[1-9]\d{4}"              # Norway AB 12345
    r"|[1-9](?:-[A-Z]{3}-|[A-Z]{3})\d{3}"  # Belgium 1-ABC-123 / 1ABC123
    r"|" + "|".join(_sidecode(s) for s in _NL_SIDECODES) +  # Netherlands
    r")(?!\w)(?!-\w)"
)
# Letter groups that precede ordinary numbers and must never make a plate.
_NOT_PLATE_LETTERS = frozenset({
    "SEK", "NOK", "DKK", "EUR", "USD", "GBP", "CHF", "ISK", "PLN",  # currencies
    "SOS", "TEL", "TLF", "FAX", "REF", "NUM", "CET", "UTC", "GMT",  # codes, time zones
    "THC", "GHB", "GBL", "LSD", "CBD", "PCP", "DMT",  # substances ("GHB 100 ml")
    "NR", "KL", "KR", "ID", "NO", "SE", "NL", "BE", "DK",  # "NR 12345", "SE 12345"
})
_LETTERS = re.compile(r"[A-Z]+")


# --- detectors -----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Span:
    priority: int
    kind: str
    start: int
    end: int


def _scan(
    pattern: re.Pattern[str], text: str, accept: Callable[[re.Match[str]], bool]
) -> Iterator[re.Match[str]]:
    """Accepted matches of ``pattern``; a rejected match does not hide one overlapping it."""
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        if accept(m):
            yield m
            pos = m.end()
        else:
            pos = m.start() + 1


def _digits(s: str) -> str:
    return "".join(c for c in s if c.isdigit())


def _se_kind(m: re.Match[str]) -> str | None:
    if m["sep"] == "+" and len(m["date"]) == 8:
        return None  # "+" (aged 100 or more) only belongs to the ten-digit form
    return se_personal_number_kind(m["date"], m["serial"])


def _ids(text: str) -> Iterator[_Span]:
    for m in _scan(_SE_ID, text, lambda m: _se_kind(m) is not None):
        yield _Span(0, _se_kind(m) or "", *m.span())
    checks: tuple[tuple[int, str, re.Pattern[str], Callable[[str], bool]], ...] = (
        (1, "no_birth_number", _NO_ID, no_birth_number_ok),
        (2, "nl_bsn", _NL_BSN, nl_bsn_ok),
        (3, "be_national_number", _BE_ID, be_national_number_ok),
    )
    for priority, kind, pattern, ok in checks:
        def accept(m: re.Match[str], ok: Callable[[str], bool] = ok) -> bool:
            return ok(_digits(m[0]))

        for m in _scan(pattern, text, accept):
            yield _Span(priority, kind, *m.span())


def _emails(text: str) -> Iterator[_Span]:
    for m in _EMAIL.finditer(text):
        yield _Span(4, "email", *m.span())


def _trim_phone(text: str, start: int, end: int, skip: int, limit: int) -> int | None:
    """End of the phone number in ``text[start:end]`` after trimming, or None if too short.

    Trailing digit groups are dropped while the number is longer than ``limit`` digits or
    ends in a single-digit group ("ring 070-123 45 67 5 ggr"). ``skip`` digits (an "00"
    prefix) do not count. A "(0)" trunk marker never counts.
    """
    runs = [r for r in _DIGIT_RUN.finditer(text, start, end)
            if not (r[0] == "0" and text[max(r.start() - 1, 0):r.end() + 1] == "(0)")]
    total = sum(len(r[0]) for r in runs) - skip
    while len(runs) > 1 and (total > limit or len(runs[-1][0]) == 1):
        total -= len(runs.pop()[0])
    return runs[-1].end() if 8 <= total <= limit else None


def _phones(text: str) -> Iterator[_Span]:
    for m in _PHONE_INTL.finditer(text):
        skip = 2 if m["prefix"] == "00" else 0
        if skip and m[0].isdigit():
            continue  # "0012345678" is an ordinary number, not "00 12 ..."
        cc = _digits(m[0])[skip:]
        limit = next((v for k, v in _INTL_MAX.items() if cc.startswith(k)), 13)
        end = _trim_phone(text, m.start(), m.end(), skip, limit)
        if end is not None:
            yield _Span(5, "phone", m.start(), end)
    for m in _PHONE_NATIONAL.finditer(text):
        end = _trim_phone(text, m.start(), m.end(), 0, 10)
        if end is None:
            continue
        candidate = text[m.start():end]
        if candidate.isdigit() and not _MOBILE_UNBROKEN.fullmatch(candidate):
            continue
        if any(p.fullmatch(candidate) for p in (_DATE_LIKE, _PNR_SHAPED)):
            continue
        if _is_time_range(candidate):
            continue
        yield _Span(5, "phone", m.start(), end)
    for m in _PHONE_NO_GROUPED.finditer(text):
        yield _Span(5, "phone", *m.span())
    for m in _PHONE_NO_KEYWORD.finditer(text):
        yield _Span(5, "phone", *m.span("num"))


def _is_time_range(s: str) -> bool:
    """"08.00-10.00" or "0830-1000": two valid clock times, not a phone number."""
    m = _TIME_RANGE.fullmatch(s)
    if m is None:
        return False
    return all(int(m[h]) < 24 and int(m[n]) < 60 for h, n in (("h1", "m1"), ("h2", "m2")))


def _plates(text: str) -> Iterator[_Span]:
    for m in _PLATE.finditer(text):
        if not any(g in _NOT_PLATE_LETTERS for g in _LETTERS.findall(m[0])):
            yield _Span(6, "vehicle_plate", *m.span())


_DETECTORS = (_ids, _emails, _phones, _plates)


# --- assembly ------------------------------------------------------------------------------

def _resolve(spans: list[_Span]) -> list[_Span]:
    """Non-overlapping spans: higher priority first, unless a later span strictly encloses."""
    accepted: list[_Span] = []
    for span in sorted(spans, key=lambda s: (s.priority, s.start, s.start - s.end)):
        hits = [a for a in accepted if a.start < span.end and span.start < a.end]
        if not hits:
            accepted.append(span)
        elif all(span.start <= a.start and a.end <= span.end and (a.start, a.end) != (
                span.start, span.end) for a in hits):
            accepted = [a for a in accepted if a not in hits] + [span]
    return sorted(accepted, key=lambda s: s.start)


def scrub_text(text: str) -> ScrubResult:
    """Replace every personal identifier in ``text`` by a placeholder from PLACEHOLDERS.

    Returns the scrubbed text together with the findings (kind and span in the original
    text). Text without identifiers comes back unchanged with no findings.
    """
    if not text:
        return ScrubResult(text=text, findings=())
    spans = _resolve([s for detect in _DETECTORS for s in detect(text)])
    parts: list[str] = []
    pos = 0
    for s in spans:
        parts += [text[pos:s.start], PLACEHOLDERS[s.kind]]
        pos = s.end
    parts.append(text[pos:])
    findings = tuple(Finding(s.kind, s.start, s.end) for s in spans)
    return ScrubResult(text="".join(parts), findings=findings)
