"""Convert the EUDA/SCORE wastewater source data to the indicator CSV import.

Input: the normalised file ``wastewater-euda.csv`` (columns ``country, city, substance, year,
period, value_mg_per_1000_inh_day, note``; see ``shared/data/real/SOURCES.md``). Data:
European Union Drugs Agency (EUDA, formerly EMCDDA) and the SCORE network, "Drugs in
municipal wastewater in Europe"; the publisher allows re-use when EMCDDA and SCORE are
acknowledged, so every converted row names them in its ``source`` (shown on the indicator
page).

The mapping, for one sampling site (the EUDA city label, e.g. ``Stockholm (2)``):

* substance → indicator: cocaine (benzoylecgonine) → ``wastewater-cocaine``, amphetamine,
  methamphetamine, MDMA, cannabis (THC-COOH) → ``wastewater-<name>``; ketamine has no
  indicator in the catalogue and is skipped;
* only the ``weekly mean`` rows (the mean daily load over the year's sampling week, usually in
  March or April) are taken; the period is the year (``2024``) and the note says it is one
  sampled week, not a yearly average;
* an empty value whose note starts with ``below LOQ`` is below the limit of quantification:
  it becomes ``<LOD`` (limit not given) - never 0; an empty value marked *ambiguous* (maybe
  not analysed) is skipped, not guessed;
* the unit is the catalogue's ``mg/1000 inhabitants/day``, the same normalisation.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from drugscene.indicators.catalogue import WASTEWATER_UNIT

ATTRIBUTION = "EUDA (EMCDDA) and SCORE: Drugs in municipal wastewater in Europe"
SUBSTANCES = {
    "cocaine": "wastewater-cocaine",
    "amphetamine": "wastewater-amphetamine",
    "methamphetamine": "wastewater-methamphetamine",
    "mdma": "wastewater-mdma",
    "cannabis": "wastewater-cannabis",
}
PERIOD = "weekly mean"
COLUMNS = ("indicator", "area", "period", "value", "unit", "source", "note")


class EudaError(ValueError):
    pass


@dataclass
class Conversion:
    rows: list[dict[str, str]] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)

    def csv_text(self) -> str:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows)
        return buf.getvalue()


def read(path: str | Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        need = {"country", "city", "substance", "year", "period",
                "value_mg_per_1000_inh_day", "note"}
        if not need <= set(reader.fieldnames or ()):
            raise EudaError(f"{path}: not the normalised EUDA file (columns "
                            f"{', '.join(sorted(need))} expected).")
        return list(reader)


def site_labels(rows: list[dict[str, str]]) -> list[str]:
    return sorted({r["city"] for r in rows})


def convert(rows: list[dict[str, str]], site: str) -> Conversion:
    """The import rows of one site (see the module docstring)."""
    if not any(r["city"] == site for r in rows):
        import difflib

        close = difflib.get_close_matches(site, site_labels(rows), n=5, cutoff=0.5)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise EudaError(f"No site {site!r} in the file.{hint}")
    out = Conversion()
    for r in rows:
        if r["city"] != site:
            continue
        if r["period"] != PERIOD:
            out.skipped["other period"] += 1
            continue
        slug = SUBSTANCES.get(r["substance"].strip().lower())
        if slug is None:
            out.skipped[f"substance {r['substance']}"] += 1
            continue
        raw = r["value_mg_per_1000_inh_day"].strip()
        note = r["note"].strip()
        if raw:
            value = raw
        elif note.startswith("below LOQ"):
            value = "<LOD"
        else:
            out.skipped["empty value, not marked below LOQ"] += 1
            continue
        out.rows.append({
            "indicator": slug, "area": "", "period": r["year"].strip(), "value": value,
            "unit": WASTEWATER_UNIT, "source": ATTRIBUTION,
            "note": f"{site}: mean daily load of one sampling week; {note}"[:2000],
        })
    return out
