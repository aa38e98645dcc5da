"""The built-in indicator catalogue, copied into every city by
:func:`drugscene.indicators.services.ensure_default_indicators`.

Names, sources and caveats are message ids (``gettext_noop``): they are stored in English
and translated when shown (``Indicator.label``, :func:`caveat_text`), like the default
report categories. The slugs are an interface: plans, the public page and the comparison
of cities look indicators up by them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_lazy, gettext_noop

#: the unit of every wastewater indicator (EUDA/SCORE normalise loads the same way)
WASTEWATER_UNIT = "mg/1000 inhabitants/day"
#: units that count events or people: small values of these are suppressed in public
COUNT_UNITS = frozenset({"reports", "deaths", "syringes", "needles", "visits", "persons",
                         "offences"})
#: how the catalogue's unit codes (typed in CSV files, compared on import) are shown
UNIT_LABELS = {
    "reports": gettext_lazy("reports"), "deaths": gettext_lazy("deaths"),
    "syringes": gettext_lazy("syringes"), "needles": gettext_lazy("needles"),
    "visits": gettext_lazy("visits"), "persons": gettext_lazy("persons"),
    "offences": gettext_lazy("offences"), "%": "%",
    WASTEWATER_UNIT: gettext_lazy("mg/1000 inhabitants/day"),
}


@dataclass(frozen=True)
class Definition:
    slug: str
    name: str
    unit: str
    source: str
    caveat: str
    direction: str = "down"
    frequency: str = "month"
    level: str = "city"
    by_gender: bool = False
    by_age: bool = False


SURVEY_CAVEAT = gettext_noop(
    "A sample survey: every share has a margin of error, often several percentage points "
    "in a district. Compare districts or years only where the confidence intervals do not "
    "overlap. Who answers (and who does not) shapes the result.")
WASTEWATER_CAVEAT = gettext_noop(
    "Drug residues in the sewage of the treatment plant's catchment, which is not the same "
    "as the city and includes commuters and visitors. It measures consumption, not the "
    "number of users or residents. Values below the limit of detection are shown as such, "
    "never as zero. Single weeks are affected by rain, events and sampling.")
REPORTS_CAVEAT = gettext_noop(
    "Counted from the partners' own reports (public and all-partner reports; rejected "
    "reports and duplicates left out). Reports mirror who reports and how much: a "
    "campaign, a new partner or a new patrol raises the count without any change on the "
    "street.")

CATALOGUE: tuple[Definition, ...] = (
    Definition(
        "survey-avoid-places", gettext_noop("Residents who avoid places because of drugs"),
        "%", gettext_noop("Local safety survey of residents"), SURVEY_CAVEAT,
        direction="down", frequency="year", level="district", by_gender=True, by_age=True),
    Definition(
        "survey-unsafe-night", gettext_noop("Residents who feel unsafe outdoors at night"),
        "%", gettext_noop("Local safety survey of residents"), SURVEY_CAVEAT,
        direction="down", frequency="year", level="district", by_gender=True, by_age=True),
    Definition(
        "wastewater-cocaine", gettext_noop("Cocaine in wastewater (benzoylecgonine)"),
        WASTEWATER_UNIT, gettext_noop("Wastewater analysis at the treatment plant"),
        WASTEWATER_CAVEAT, direction="down", frequency="week"),
    Definition(
        "wastewater-amphetamine", gettext_noop("Amphetamine in wastewater"),
        WASTEWATER_UNIT, gettext_noop("Wastewater analysis at the treatment plant"),
        WASTEWATER_CAVEAT, direction="down", frequency="week"),
    Definition(
        "wastewater-methamphetamine", gettext_noop("Methamphetamine in wastewater"),
        WASTEWATER_UNIT, gettext_noop("Wastewater analysis at the treatment plant"),
        WASTEWATER_CAVEAT, direction="down", frequency="week"),
    Definition(
        "wastewater-mdma", gettext_noop("MDMA in wastewater"),
        WASTEWATER_UNIT, gettext_noop("Wastewater analysis at the treatment plant"),
        WASTEWATER_CAVEAT, direction="down", frequency="week"),
    Definition(
        "wastewater-cannabis", gettext_noop("Cannabis in wastewater (THC-COOH)"),
        WASTEWATER_UNIT, gettext_noop("Wastewater analysis at the treatment plant"),
        WASTEWATER_CAVEAT, direction="down", frequency="week"),
    Definition(
        "overdose-deaths", gettext_noop("Drug-induced deaths"), "deaths",
        gettext_noop("Cause-of-death register"),
        gettext_noop("Small numbers: a change of one or two deaths a month is within "
                     "chance, so look at several years. The register lags by a year or "
                     "more, and how deaths are coded differs between countries."),
        direction="down", frequency="month", by_gender=True, by_age=True),
    Definition(
        "syringe-finds", gettext_noop("Syringes found in public places"), "syringes",
        gettext_noop("Street cleaning and harm-reduction services"),
        gettext_noop("The count depends on how often and where staff search: a new "
                     "search route raises it without any change in drug use."),
        direction="down", frequency="month", level="district"),
    Definition(
        "needle-container-collections",
        gettext_noop("Needles collected from public disposal containers"), "needles",
        gettext_noop("Harm-reduction service"),
        gettext_noop("Depends on how many containers there are and where. More needles "
                     "collected can mean safer disposal rather than more injecting."),
        direction="up", frequency="month"),
    Definition(
        "consumption-room-visits", gettext_noop("Visits to the supervised consumption room"),
        "visits", gettext_noop("Consumption room service"),
        gettext_noop("Visits, not persons: one person may come many times. Opening hours "
                     "and capacity cap the count."),
        direction="neutral", frequency="month"),
    Definition(
        "treatment-demand", gettext_noop("People entering drug treatment"), "persons",
        gettext_noop("Treatment services (treatment demand indicator)"),
        gettext_noop("Follows treatment capacity and waiting lists, not only need. A "
                     "person treated by two services may be counted twice."),
        direction="neutral", frequency="quarter", by_gender=True, by_age=True),
    Definition(
        "police-drug-offences", gettext_noop("Drug offences recorded by the police"),
        "offences", gettext_noop("Police recorded crime"),
        gettext_noop("Police figures mirror police activity: more patrols and searches "
                     "record more offences. A rise can mean more enforcement, not more "
                     "drugs."),
        direction="neutral", frequency="month", level="district"),
)

#: the catalogue's computed indicator of all drug-related reports
REPORTS_ALL = Definition(
    "reports-drug", gettext_noop("Drug-related reports"), "reports",
    gettext_noop("drugscene: partners' reports"), REPORTS_CAVEAT,
    direction="down", frequency="month", level="district")

#: names of the computed indicators of the default drug categories (by category slug);
#: another category's indicator takes the category's own name
REPORT_NAMES: dict[str, str] = {
    "drugs": gettext_noop("Reports in the category Drugs"),
    "open_sale": gettext_noop("Reports of open sale"),
    "open_use": gettext_noop("Reports of open use"),
    "drug_litter": gettext_noop("Reports of drug litter or syringes"),
    "stash_found": gettext_noop("Reports of stashes found"),
    "overdose": gettext_noop("Reports of overdoses"),
}


def report_indicator_slug(category_slug: str) -> str:
    return f"reports-{category_slug}"[:80]


def caveat_text(message: str) -> str:
    """A stored caveat in the active language (built-in ones are in the catalogue)."""
    return gettext(message) if message else ""
