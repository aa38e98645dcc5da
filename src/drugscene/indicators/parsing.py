"""Parse the cells of a measurement (typed in a form or read from a CSV row).

Values: ``12``, ``12.5`` and ``12,5`` (one decimal separator, no thousands separator);
``<LOD`` (also ``<LOQ``, ``< LOD``) for a value below the limit of detection whose limit is
unknown, and ``<0.5`` (or ``<0,5``) for one below a known limit. A value below the limit is
never turned into a number: it is stored as *below the limit* with the limit kept.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
_BELOW = re.compile(r"^<\s*(.*)$")
LOD_WORDS = {"lod", "loq", "dl"}


class CellError(ValueError):
    """A cell that cannot be read; ``str(error)`` is the translated reason."""


@dataclass(frozen=True)
class Value:
    value: float | None
    below_lod: bool = False
    lod: float | None = None


def parse_number(text: str) -> float:
    t = (text or "").strip().replace("\u2212", "-")
    if not _NUMBER.match(t):
        raise CellError(_("“%(text)s” is not a number (write 12.5 or 12,5, without "
                          "thousands separators).") % {"text": text.strip()})
    x = float(t.replace(",", "."))
    if not math.isfinite(x):
        raise CellError(_("The number is too large."))
    return x


def parse_value(text: str) -> Value:
    t = (text or "").strip()
    if not t:
        raise CellError(_("Give a value, or <LOD when it is below the limit of detection."))
    m = _BELOW.match(t)
    if m:
        rest = m[1].strip()
        if rest.lower() in LOD_WORDS:
            return Value(None, True, None)
        lod = parse_number(rest)
        if lod <= 0:
            raise CellError(_("The limit of detection must be above zero."))
        return Value(None, True, lod)
    return Value(parse_number(t))


def value_text(value: float | None, below_lod: bool, lod: float | None) -> str:
    """The value written back in the import's own syntax (for forms and CSV exports)."""
    if below_lod:
        return f"<{lod:g}" if lod is not None else "<LOD"
    return "" if value is None else f"{value:g}"


def same_unit(a: str, b: str) -> bool:
    """Units match ignoring case and spacing ("mg/1000 inhabitants/day")."""
    def norm(u: str) -> str:
        return re.sub(r"\s+", " ", (u or "").strip().casefold()).replace(" / ", "/")
    return norm(a) == norm(b)
