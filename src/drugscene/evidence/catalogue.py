"""The evidence catalogue: what research says about each kind of action and about the
plan-level measures of a drug-policy plan, in short summaries written for this project
(in our own words) with full citations.

Each :class:`Entry` carries a *direction* (what the research finds the measure does), a
*strength* (the design of the studies the finding rests on), whether a systematic review
or meta-analysis exists, the conditions under which it tends to work, what is known about
displacement and diffusion of benefits, and caveats. Texts are translatable; citations are
not. Every :class:`~drugscene.actions.models.ActionKind` either has an entry or an explicit
"no summary yet" decision in :data:`NO_SUMMARY` (a test checks it).

To add an entry: write the texts with ``gettext_lazy``, add the sources to
:data:`CITATIONS` (author, year, title, venue; a DOI only when it is certain), append the
entry to :data:`ENTRIES`, and add the translations to ``i18n-drafts/evidence.json``. The
guide ``docs/guides/evidence.md`` explains how to judge direction and strength.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from drugscene.actions.models import ActionKind


class Direction(models.TextChoices):
    """What the research finds the measure does to the problem it targets."""

    REDUCES = "reduces", _("reduces the problem")
    MIXED = "mixed", _("mixed results")
    NO_CLEAR_EFFECT = "no_clear_effect", _("no clear effect")
    INCREASES = "increases", _("can make it worse")
    HARM_REDUCTION = "harm_reduction", _("reduces harm; no crime effect shown")
    UNCLEAR = "unclear", _("too little research to say")


class Strength(models.TextChoices):
    """The design of the studies the finding rests on, strongest first."""

    RCT = "rct", _("randomised experiments")
    QUASI = "quasi", _("quasi-experimental studies")
    OBSERVATIONAL = "observational", _("observational studies")
    WEAK = "weak", _("weak: few or uncontrolled studies")


#: strongest first (for sorting and for the guide)
STRENGTH_ORDER = (Strength.RCT, Strength.QUASI, Strength.OBSERVATIONAL, Strength.WEAK)


class Group(models.TextChoices):
    """How the list is grouped; each group belongs to one of Ghent's five pillars."""

    ENFORCEMENT = "enforcement", _("Enforcement")
    PLACE = "place", _("Situational prevention at the place")
    SOCIAL = "social", _("Prevention and early intervention")
    HARM_REDUCTION = "harm_reduction", _("Harm reduction")


#: the plan pillar (``plans.models.DEFAULT_PILLARS`` code) a group belongs to
GROUP_PILLAR: dict[str, str] = {
    Group.ENFORCEMENT: "enforcement",
    Group.PLACE: "prevention",
    Group.SOCIAL: "prevention",
    Group.HARM_REDUCTION: "harm_reduction",
}


_INITIALS = re.compile(r"(?:[A-Z][a-z]?\.[\s-]*)+")


@dataclass(frozen=True)
class Citation:
    """One source. Not translated: authors, title and venue stay as published."""

    authors: str
    year: int
    title: str
    venue: str
    doi: str = ""

    @property
    def short(self) -> str:
        """``Weisburd & Green 1995``, ``Braga et al. 2019``; an organisation as written."""
        if "," not in self.authors:
            return f"{self.authors} {self.year}"
        etal = "et al." in self.authors
        tokens = re.split(r",\s*|\s+&\s+", self.authors.replace("et al.", ""))
        names = [t.strip() for t in tokens
                 if t.strip() and not _INITIALS.fullmatch(t.strip())]
        if etal or len(names) > 2:
            return f"{names[0]} et al. {self.year}"
        return f"{' & '.join(names)} {self.year}"

    @property
    def url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""

    def __str__(self) -> str:
        doi = f" doi:{self.doi}" if self.doi else ""
        return f"{self.authors} ({self.year}). {self.title}. {self.venue}.{doi}"


@dataclass(frozen=True)
class Entry:
    """One summary. ``kind`` is the :class:`ActionKind` it describes ("" for plan-level
    measures, which have their own ``key``)."""

    key: str
    title: Promise | str
    group: str
    direction: str
    strength: str
    reviewed: bool
    summary: Promise
    conditions: Promise
    displacement: Promise | None
    caveats: Promise
    citations: tuple[Citation, ...]
    kind: str = ""
    related: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        # enum members (ActionKind.X) become plain strings for URLs and lookups
        object.__setattr__(self, "key", str(self.key))
        object.__setattr__(self, "kind", str(self.kind))

    @property
    def is_measure(self) -> bool:
        return not self.kind

    def get_direction_display(self) -> str:
        return Direction(self.direction).label

    def get_strength_display(self) -> str:
        return Strength(self.strength).label

    def get_group_display(self) -> str:
        return Group(self.group).label


def _c(authors: str, year: int, title: str, venue: str, doi: str = "") -> Citation:
    return Citation(authors, year, title, venue, doi)


#: Every source the catalogue cites, by a short handle.
CITATIONS: dict[str, Citation] = {
    "kelling1974": _c(
        "Kelling, G. L., Pate, T., Dieckman, D. & Brown, C. E.", 1974,
        "The Kansas City Preventive Patrol Experiment: A Summary Report",
        "Police Foundation, Washington, DC"),
    "sherman1995": _c(
        "Sherman, L. W. & Weisburd, D.", 1995,
        "General deterrent effects of police patrol in crime “hot spots”: "
        "A randomized, controlled trial",
        "Justice Quarterly 12(4), 625–648"),
    "koper1995": _c(
        "Koper, C. S.", 1995,
        "Just enough police presence: Reducing crime and disorderly behavior by optimizing "
        "patrol time in crime hot spots",
        "Justice Quarterly 12(4), 649–672"),
    "weisburd1995": _c(
        "Weisburd, D. & Green, L.", 1995,
        "Policing drug hot spots: The Jersey City drug market analysis experiment",
        "Justice Quarterly 12(4), 711–735", "10.1080/07418829500096261"),
    "braga2014": _c(
        "Braga, A. A., Papachristos, A. V. & Hureau, D. M.", 2014,
        "The effects of hot spots policing on crime: An updated systematic review and "
        "meta-analysis",
        "Justice Quarterly 31(4), 633–663", "10.1080/07418825.2012.673632"),
    "braga2019": _c(
        "Braga, A. A., Turchan, B., Papachristos, A. V. & Hureau, D. M.", 2019,
        "Hot spots policing of small geographic areas effects on crime",
        "Campbell Systematic Reviews 15(3), e1046", "10.1002/cl2.1046"),
    "weisburd2006": _c(
        "Weisburd, D., Wyckoff, L. A., Ready, J., Eck, J. E., Hinkle, J. C. & Gajewski, F.",
        2006,
        "Does crime just move around the corner? A controlled study of spatial displacement "
        "and diffusion of crime control benefits",
        "Criminology 44(3), 549–592", "10.1111/j.1745-9125.2006.00057.x"),
    "weisburd2010": _c(
        "Weisburd, D., Telep, C. W., Hinkle, J. C. & Eck, J. E.", 2010,
        "Is problem-oriented policing effective in reducing crime and disorder? Findings "
        "from a Campbell systematic review",
        "Criminology & Public Policy 9(1), 139–172"),
    "mazerolle2006": _c(
        "Mazerolle, L., Soole, D. W. & Rombouts, S.", 2006,
        "Street-level drug law enforcement: A meta-analytical review",
        "Journal of Experimental Criminology 2(4), 409–435", "10.1007/s11292-006-9017-6"),
    "welsh2008": _c(
        "Welsh, B. C. & Farrington, D. P.", 2008,
        "Effects of improved street lighting on crime",
        "Campbell Systematic Reviews 4(1)", "10.4073/csr.2008.13"),
    "chalfin2022": _c(
        "Chalfin, A., Hansen, B., Lerner, J. & Parker, L.", 2022,
        "Reducing crime through environmental design: Evidence from a randomized experiment "
        "of street lighting in New York City",
        "Journal of Quantitative Criminology 38(1), 127–157"),
    "welsh2009": _c(
        "Welsh, B. C. & Farrington, D. P.", 2009,
        "Public area CCTV and crime prevention: An updated systematic review and "
        "meta-analysis",
        "Justice Quarterly 26(4), 716–745"),
    "piza2019": _c(
        "Piza, E. L., Welsh, B. C., Farrington, D. P. & Thomas, A. L.", 2019,
        "CCTV surveillance for crime prevention: A 40-year systematic review with "
        "meta-analysis",
        "Criminology & Public Policy 18(1), 135–159", "10.1111/1745-9133.12419"),
    "welsh2010": _c(
        "Welsh, B. C., Mudge, M. E. & Farrington, D. P.", 2010,
        "Reconceptualizing public area surveillance and crime prevention: Security guards, "
        "place managers and defensible space",
        "Security Journal 23(4), 299–319"),
    "sidebottom2018": _c(
        "Sidebottom, A., Tompson, L., Thornton, A., Bullock, K., Tilley, N., Bowers, K. & "
        "Johnson, S. D.", 2018,
        "Gating alleys to reduce crime: A meta-analysis and realist synthesis",
        "Justice Quarterly 35(1), 55–86"),
    "guerette2009": _c(
        "Guerette, R. T. & Bowers, K. J.", 2009,
        "Assessing the extent of crime displacement and diffusion of benefits: A review of "
        "situational crime prevention evaluations",
        "Criminology 47(4), 1331–1368"),
    "cozens2005": _c(
        "Cozens, P. M., Saville, G. & Hillier, D.", 2005,
        "Crime prevention through environmental design (CPTED): A review and modern "
        "bibliography",
        "Property Management 23(5), 328–356"),
    "urban2021": _c(
        "Urban Utveckling & Samhällsplanering AB", 2021,
        "Öppna drogscener – en kartläggning av öppna drogscener i medelstora svenska städer",
        "Final report of an evaluation funded by Brå (Brottsförebyggande rådet); section 3.4 "
        "sets out Brå's six CPTED principles"),
    "jacobs1961": _c(
        "Jacobs, J.", 1961, "The Death and Life of Great American Cities",
        "Random House, New York"),
    "kuo2001": _c(
        "Kuo, F. E. & Sullivan, W. C.", 2001,
        "Environment and crime in the inner city: Does vegetation reduce crime?",
        "Environment and Behavior 33(3), 343–367"),
    "branas2018": _c(
        "Branas, C. C. et al.", 2018,
        "Citywide cluster randomized trial to restore blighted vacant land and its effects "
        "on violence, crime, and fear",
        "Proceedings of the National Academy of Sciences 115(12), 2946–2951"),
    "wilson1982": _c(
        "Wilson, J. Q. & Kelling, G. L.", 1982,
        "Broken windows: The police and neighborhood safety",
        "The Atlantic Monthly, March 1982"),
    "keizer2008": _c(
        "Keizer, K., Lindenberg, S. & Steg, L.", 2008, "The spreading of disorder",
        "Science 322(5908), 1681–1685"),
    "braga2015": _c(
        "Braga, A. A., Welsh, B. C. & Schnell, C.", 2015,
        "Can policing disorder reduce crime? A systematic review and meta-analysis",
        "Journal of Research in Crime and Delinquency 52(4), 567–588"),
    "bennett2008": _c(
        "Bennett, T., Holloway, K. & Farrington, D. P.", 2008,
        "The effectiveness of neighborhood watch",
        "Campbell Systematic Reviews 4(1)"),
    "waal2014": _c(
        "Waal, H., Clausen, T., Gjersing, L. & Gossop, M.", 2014,
        "Open drug scenes: responses of five European cities",
        "BMC Public Health 14, 853", "10.1186/1471-2458-14-853"),
    "houborg2014": _c(
        "Houborg, E., Frank, V. A. & Bjerge, B.", 2014,
        "From zero tolerance to non-enforcement: Creating new space for drug policing in "
        "Copenhagen, Denmark",
        "Contemporary Drug Problems 41(2)", "10.1177/009145091404100206"),
    "potier2014": _c(
        "Potier, C., Laprévote, V., Dubois-Arber, F., Cottencin, O. & Rolland, B.", 2014,
        "Supervised injection services: What has been demonstrated? A systematic literature "
        "review",
        "Drug and Alcohol Dependence 145, 48–68"),
    "kennedy2017": _c(
        "Kennedy, M. C., Karamouzian, M. & Kerr, T.", 2017,
        "Public health and public order outcomes associated with supervised drug consumption "
        "facilities: A systematic review",
        "Current HIV/AIDS Reports 14(5), 161–183", "10.1007/s11904-017-0363-y"),
    "aspinall2014": _c(
        "Aspinall, E. J., Nambiar, D., Goldberg, D. J., Hickman, M., Weir, A., "
        "Van Velzen, E., Palmateer, N., Doyle, J. S., Hellard, M. E. & Hutchinson, S. J.",
        2014,
        "Are needle and syringe programmes associated with a reduction in HIV transmission "
        "among people who inject drugs: a systematic review and meta-analysis",
        "International Journal of Epidemiology 43(1), 235–248"),
    "fernandes2017": _c(
        "Fernandes, R. M., Cary, M., Duarte, G., Jesus, G., Alarcão, J., Torre, C., "
        "Costa, S., Costa, J. & Carneiro, A. V.", 2017,
        "Effectiveness of needle and syringe programmes in people who inject drugs – "
        "An overview of systematic reviews",
        "BMC Public Health 17, 309", "10.1186/s12889-017-4210-2"),
    "tookes2012": _c(
        "Tookes, H. E., Kral, A. H., Wenger, L. D. et al.", 2012,
        "A comparison of syringe disposal practices among injection drug users in a city "
        "with versus a city without needle and syringe programs",
        "Drug and Alcohol Dependence 123(1–3)"),
    "demontigny2010": _c(
        "de Montigny, L., Vernez Moudon, A., Leigh, B. C. et al.", 2010,
        "Assessing a drop box programme: A spatial analysis of discarded needles",
        "International Journal of Drug Policy 21(3)"),
    "mcdonald2016": _c(
        "McDonald, R. & Strang, J.", 2016,
        "Are take-home naloxone programmes effective? Systematic review utilizing "
        "application of the Bradford Hill criteria",
        "Addiction 111(7), 1177–1187"),
    "walley2013": _c(
        "Walley, A. Y. et al.", 2013,
        "Opioid overdose rates and implementation of overdose education and nasal naloxone "
        "distribution in Massachusetts: interrupted time series analysis",
        "BMJ 346, f174"),
    "koutakis2008": _c(
        "Koutakis, N., Stattin, H. & Kerr, M.", 2008,
        "Reducing youth alcohol drinking through a parent-targeted intervention: the Örebro "
        "Prevention Program",
        "Addiction 103(10)"),
    "bodin2011": _c(
        "Bodin, M. C. & Strandberg, A. K.", 2011,
        "The Örebro prevention programme revisited: a cluster-randomized effectiveness "
        "trial of programme effects on youth drinking",
        "Addiction 106(12), 2134–2143", "10.1111/j.1360-0443.2011.03540.x"),
    "foxcroft2011": _c(
        "Foxcroft, D. R. & Tsertsvadze, A.", 2011,
        "Universal family-based prevention programs for alcohol misuse in young people",
        "Cochrane Database of Systematic Reviews, CD009308"),
}


def _cites(*keys: str) -> tuple[Citation, ...]:
    return tuple(CITATIONS[k] for k in keys)


K, D, S, G = ActionKind, Direction, Strength, Group

ENTRIES: tuple[Entry, ...] = (
    # --- enforcement -----------------------------------------------------------------------
    Entry(
        key=K.POLICE_PRESENCE, kind=K.POLICE_PRESENCE, title=K.POLICE_PRESENCE.label,
        group=G.ENFORCEMENT, direction=D.NO_CLEAR_EFFECT, strength=S.RCT, reviewed=False,
        summary=_(
            "Police presence spread evenly over a large area, without a focus on the places "
            "where problems cluster, has not been shown to reduce crime. In the Kansas City "
            "preventive patrol experiment, adding or removing routine car patrols in whole "
            "patrol beats made no clear difference to crime or to residents' fear. Presence "
            "does work when it is concentrated on small hot spots and well dosed: see "
            "hot-spot patrol."),
        conditions=_(
            "Concentrate presence on the few streets, corners or squares where the reports "
            "cluster, at the hours when things happen. Short, irregular stops of about 10 to "
            "15 minutes use the time best (the Koper curve)."),
        displacement=_(
            "When presence is focused on hot spots, the streets around them more often "
            "improve than get worse (diffusion of benefits)."),
        caveats=_(
            "Visible presence can make people feel safer without changing crime, and "
            "heavy-handed presence can cost trust, above all among young people in "
            "vulnerable areas. Recorded drug offences mostly mirror police activity: more "
            "presence gives more recorded offences."),
        citations=_cites("kelling1974", "sherman1995", "koper1995"),
        related=(K.HOTSPOT_PATROL,),
    ),
    Entry(
        key=K.HOTSPOT_PATROL, kind=K.HOTSPOT_PATROL, title=K.HOTSPOT_PATROL.label,
        group=G.ENFORCEMENT, direction=D.REDUCES, strength=S.RCT, reviewed=True,
        summary=_(
            "Crime and disorder concentrate in a few small places. Systematic reviews of "
            "randomised and quasi-experimental studies find that focusing police attention "
            "on such hot spots reduces crime and disorder there. The average effect is "
            "modest, and it is larger when the police solve problems with the place's "
            "owners than when they only add patrols. Drug markets were among the hot spots "
            "studied."),
        conditions=_(
            "Choose the places from data and keep them small: a street segment, a corner, a "
            "square, not a whole district. Dose the visits: in Koper's analysis of "
            "Minneapolis patrols, stops of about 10 to 15 minutes, repeated at irregular "
            "times, kept disorder away longest after the officers left. Combine presence "
            "with problem-solving."),
        displacement=_(
            "Studies that measured it found that crime seldom just moved around the corner; "
            "more often the surrounding streets improved as well. A controlled study of a "
            "drug market and a prostitution market in Jersey City observed this directly in "
            "the surrounding areas (Weisburd et al. 2006)."),
        caveats=_(
            "The effect fades when the presence stops, so plan how to keep it up. "
            "Aggressive tactics such as mass stops and searches can damage the police's "
            "legitimacy. Most studies are from the United States."),
        citations=_cites("braga2019", "braga2014", "sherman1995", "koper1995",
                         "weisburd2006"),
        related=("drug_market_analysis", K.POLICE_PRESENCE),
    ),
    Entry(
        key="drug_market_analysis", title=_("Drug-market analysis and problem-oriented "
                                            "policing"),
        group=G.ENFORCEMENT, direction=D.REDUCES, strength=S.RCT, reviewed=True,
        summary=_(
            "In the Jersey City Drug Market Analysis Experiment, 56 drug hot spots were "
            "randomly assigned either to a structured approach or to the usual, unsystematic "
            "enforcement. The structured approach analysed each market, worked with the "
            "owners of the places and with residents, cracked down, and then kept the "
            "pressure up with patrols. It gave larger drops in disorder calls at the markets, "
            "and the blocks around them improved too (Weisburd & Green 1995). Systematic "
            "reviews find that problem-oriented policing reduces crime and disorder on "
            "average, and a meta-analysis of street-level drug enforcement favoured focused "
            "work in partnership over unfocused enforcement."),
        conditions=_(
            "A plan for each market, owned by a team; the owners of the places and local "
            "businesses involved; and a maintenance phase after the crackdown, which is the "
            "phase most often skipped."),
        displacement=_(
            "Jersey City found diffusion of benefits rather than displacement around the "
            "treated markets."),
        caveats=_(
            "The experiment ran for seven months in one American city in the early 1990s. "
            "Enforcement against people who use drugs also carries health risks, such as "
            "rushed injecting and overdose, which the study did not measure."),
        citations=_cites("weisburd1995", "weisburd2010", "mazerolle2006"),
        related=(K.HOTSPOT_PATROL,),
    ),
    # --- situational prevention at the place ----------------------------------------------
    Entry(
        key="cpted", title=_("CPTED as a whole"),
        group=G.PLACE, direction=D.MIXED, strength=S.QUASI, reviewed=False,
        summary=_(
            "Crime prevention through environmental design (CPTED) shapes places so that "
            "crime becomes harder and ordinary use easier. Brå describes it with six "
            "principles: territoriality (someone feels responsible for the place), access "
            "control, surveillance (natural and formal), target hardening (making the act "
            "itself harder), image and maintenance, and activity support. Several single "
            "measures have reasonable support, such as lighting, street closures, alley gates "
            "and cameras in car parks, but CPTED as a package is hard to evaluate and the "
            "evidence for it rests mostly on case studies."),
        conditions=_(
            "Start from a cause analysis of the place and a safety walk with residents and "
            "owners; use several principles together; keep the measures up over time."),
        displacement=_(
            "See the single measures. Across evaluations of situational measures, "
            "displacement was found less often than feared, and when it occurred it was "
            "usually smaller than the gain (Guerette & Bowers 2009)."),
        caveats=_(
            "CPTED can slide into excluding people. Design for everyone who uses the place, "
            "including the most vulnerable."),
        citations=_cites("urban2021", "cozens2005", "guerette2009"),
        related=(K.LIGHTING, K.VEGETATION, K.PHYSICAL_REDESIGN, K.NIGHT_CLOSURE, K.CLEANING,
                 K.EVENTS_ACTIVITIES),
    ),
    Entry(
        key=K.CAMERAS, kind=K.CAMERAS, title=K.CAMERAS.label,
        group=G.PLACE, direction=D.MIXED, strength=S.QUASI, reviewed=True,
        summary=_(
            "Camera surveillance (CCTV) is followed on average by a modest drop in crime, but "
            "the effect depends strongly on the setting. The Campbell review found the "
            "clearest effects in car parks and small, non-significant effects in city "
            "centres and public housing (Welsh & Farrington 2009). A review of 40 years of "
            "studies confirmed a modest overall effect, again largest in car parks and "
            "residential areas, and larger when the cameras were actively monitored and "
            "combined with other measures (Piza et al. 2019)."),
        conditions=_(
            "Cameras help most in places with a clear, defined crime problem, when someone "
            "watches the images live and can send staff or police, and together with other "
            "measures such as lighting or guards."),
        displacement=_(
            "Where studies measured it, displacement was not common and some found diffusion "
            "of benefits. Drug dealing needs little space and can move just out of view: "
            "check the surroundings in the city's own follow-up."),
        caveats=_(
            "Cameras in public places need a legal basis and a privacy assessment. Recorded "
            "crime can rise at first because more is detected."),
        citations=_cites("welsh2009", "piza2019"),
        related=("cpted", K.LIGHTING),
    ),
    Entry(
        key=K.LIGHTING, kind=K.LIGHTING, title=K.LIGHTING.label,
        group=G.PLACE, direction=D.REDUCES, strength=S.QUASI, reviewed=True,
        summary=_(
            "The Campbell review of street lighting found that improved lighting was "
            "followed by less crime in the lit areas than in comparison areas, and that "
            "crime fell in daylight as well as after dark. That points to more use of the "
            "place and more pride in it, not only to better visibility. A randomised "
            "experiment in New York public housing found less serious outdoor crime at night "
            "where extra lighting was placed (Chalfin et al. 2022)."),
        conditions=_(
            "Light the paths and spots where people actually walk and stay, repair broken "
            "lamps quickly, and avoid glare and deep shadows. Lighting helps most where the "
            "place is also used and overlooked."),
        displacement=_(
            "Displacement was not a common finding; several studies saw neighbouring areas "
            "improve as well."),
        caveats=_(
            "Most studies are British or American, many are decades old, and they measured "
            "crime in general rather than drug dealing. Lighting can also make a hidden spot "
            "usable after dark: combine it with open sight lines and activity."),
        citations=_cites("welsh2008", "chalfin2022"),
        related=("cpted", K.VEGETATION),
    ),
    Entry(
        key=K.VEGETATION, kind=K.VEGETATION, title=K.VEGETATION.label,
        group=G.PLACE, direction=D.MIXED, strength=S.OBSERVATIONAL, reviewed=False,
        summary=_(
            "Dense shrubs that block the view give cover for dealing, stashing and using; "
            "cutting them back to open sight lines is a CPTED surveillance measure. Research "
            "does not support removing greenery as such. In Chicago public housing, "
            "buildings with more well-kept trees and grass had less crime (Kuo & Sullivan "
            "2001), and a randomised trial in Philadelphia found that cleaning and greening "
            "vacant lots reduced gun violence around them (Branas et al. 2018). The aim is "
            "open, tended greenery with high tree crowns and low shrubs, not bare ground."),
        conditions=_(
            "Keep shrubs low and tree crowns high along paths and entrances, remove stash "
            "spots, and keep it up: regrowth brings the problem back within a season."),
        displacement=_(
            "Not well studied for this measure. Stashes and dealing may move to the next "
            "hidden corner: check the surroundings in the follow-up."),
        caveats=_(
            "The evidence on pruning itself comes from correlational studies and practice. "
            "Greenery matters to residents, so involve them in what is cut."),
        citations=_cites("kuo2001", "branas2018", "cozens2005"),
        related=("cpted", K.LIGHTING, K.CLEANING),
    ),
    Entry(
        key=K.GUARDS, kind=K.GUARDS, title=K.GUARDS.label,
        group=G.PLACE, direction=D.UNCLEAR, strength=S.WEAK, reviewed=True,
        summary=_(
            "Few controlled evaluations of guards exist. A systematic review of public-area "
            "surveillance other than cameras and lighting judged security guards promising "
            "in car parks against vehicle crime, and found the effect of place managers "
            "(staff who keep an eye on a place as part of their job) unknown. There is no "
            "good evidence on guards at open drug scenes."),
        conditions=_(
            "Guards patrol the way police do, so the findings on hot spots and the Koper "
            "curve apply: short, repeated visits at the right hours. Give them a clear task, "
            "a line to the police and social services, and training in meeting people who "
            "use drugs."),
        displacement=_(
            "Not measured in the studies of guards. Expect the same pattern as for other "
            "presence at hot spots, but check the surroundings."),
        caveats=_(
            "Guards have limited powers. Moving people on without offering help can push "
            "vulnerable people to more hidden and riskier places."),
        citations=_cites("welsh2010", "koper1995"),
        related=(K.HOTSPOT_PATROL, K.CAMERAS),
    ),
    Entry(
        key=K.PHYSICAL_REDESIGN, kind=K.PHYSICAL_REDESIGN, title=K.PHYSICAL_REDESIGN.label,
        group=G.PLACE, direction=D.REDUCES, strength=S.QUASI, reviewed=True,
        summary=_(
            "Changing the place itself, for example removing hiding and stash spots, closing "
            "through-routes and escape routes, or changing fences, seating and entrances, is "
            "situational crime prevention. Evaluations of such measures often find fewer of "
            "the targeted crimes. Closing streets or alleys to through-traffic has the most "
            "consistent evidence: street closures and barriers in inner-city neighbourhoods "
            "(Welsh, Mudge & Farrington 2010) and alley gates against burglary (Sidebottom "
            "et al. 2018)."),
        conditions=_(
            "Base the redesign on a cause analysis of this place, involve the owner and the "
            "residents, and plan the upkeep so the design stays as intended."),
        displacement=_(
            "Across many evaluations of situational measures, displacement was found in a "
            "minority of cases and was usually smaller than the gain; diffusion of benefits "
            "was about as common (Guerette & Bowers 2009)."),
        caveats=_(
            "Design that shuts people out, such as hostile benches or closed shelters, moves "
            "vulnerable people without helping them and can meet resistance. Be clear about "
            "who the place is for."),
        citations=_cites("welsh2010", "sidebottom2018", "guerette2009", "cozens2005"),
        related=("cpted", K.NIGHT_CLOSURE),
    ),
    Entry(
        key=K.NIGHT_CLOSURE, kind=K.NIGHT_CLOSURE, title=K.NIGHT_CLOSURE.label,
        group=G.PLACE, direction=D.REDUCES, strength=S.QUASI, reviewed=True,
        summary=_(
            "Closing a park, yard, garage or passage at night is access control in CPTED "
            "terms. There are no good evaluations of night closure at drug scenes, so the "
            "evidence is indirect: gating alleys gave modest but significant drops in "
            "burglary with little displacement (Sidebottom et al. 2018), and street closures "
            "have fairly consistent evidence (Welsh, Mudge & Farrington 2010)."),
        conditions=_(
            "Suits places with no legitimate use at night that can really be closed: gates "
            "locked, fences whole. Someone must own the daily locking and opening."),
        displacement=_(
            "Studies of access control saw little displacement, but the people at a drug "
            "scene need somewhere to go: check the nearest open places in the follow-up and "
            "combine closure with services."),
        caveats=_(
            "Closing places where homeless people or people who use drugs shelter moves the "
            "harm elsewhere, and using alone and out of sight raises the risk of a fatal "
            "overdose."),
        citations=_cites("sidebottom2018", "welsh2010", "guerette2009"),
        related=("cpted", K.PHYSICAL_REDESIGN),
    ),
    Entry(
        key=K.CLEANING, kind=K.CLEANING, title=K.CLEANING.label,
        group=G.PLACE, direction=D.MIXED, strength=S.RCT, reviewed=True,
        summary=_(
            "Removing litter, graffiti and needles and repairing damage quickly is the CPTED "
            "principle of image and maintenance, and the core of the broken-windows idea "
            "that visible disorder invites more disorder and crime. Field experiments show "
            "that signs of disorder lead people to break other rules too (Keizer, Lindenberg "
            "& Steg 2008), and restoring vacant lots reduced violence in a randomised trial "
            "(Branas et al. 2018). A meta-analysis of policing disorder found that it reduced "
            "crime when it took a community problem-solving approach, but not through "
            "aggressive order-maintenance arrests (Braga, Welsh & Schnell 2015)."),
        conditions=_(
            "Clean often and fast, on a schedule guided by the reports (needles first), and "
            "repair rather than only tidy. Cleaning is a task for the owner of the place, "
            "the municipality or the housing company, not an enforcement campaign."),
        displacement=_(
            "Not well measured for cleaning. It changes how a place looks and is used rather "
            "than pushing people away."),
        caveats=_(
            "Cleaning can also hide a problem: fewer visible syringes can mean fewer reports "
            "rather than less use. Keep that in mind when reading the follow-up."),
        citations=_cites("wilson1982", "keizer2008", "branas2018", "braga2015"),
        related=("cpted", K.NEEDLE_CONTAINERS, K.VEGETATION),
    ),
    Entry(
        key=K.EVENTS_ACTIVITIES, kind=K.EVENTS_ACTIVITIES, title=K.EVENTS_ACTIVITIES.label,
        group=G.PLACE, direction=D.UNCLEAR, strength=S.WEAK, reviewed=False,
        summary=_(
            "Bringing ordinary activity to a place, such as markets, sport, cafés or cultural "
            "events, is the CPTED principle of activity support: more people using the place "
            "means more eyes on the street and less room for dealing. The idea goes back to "
            "Jane Jacobs and is widely used, but controlled evaluations of its effect on "
            "crime or drug dealing are scarce."),
        conditions=_(
            "Choose activities that residents want and that recur; a single event rarely "
            "changes how a place is used. Combine them with physical measures that make the "
            "place pleasant to stay in."),
        displacement=_("Unknown from research: follow the surroundings."),
        caveats=_(
            "Activities can draw crowds that bring other problems, such as drinking at "
            "night. The effect lasts only as long as the activity does."),
        citations=_cites("jacobs1961", "cozens2005"),
        related=("cpted",),
    ),
    # --- prevention and early intervention ------------------------------------------------
    Entry(
        key=K.SOCIAL_OUTREACH, kind=K.SOCIAL_OUTREACH, title=K.SOCIAL_OUTREACH.label,
        group=G.SOCIAL, direction=D.UNCLEAR, strength=S.WEAK, reviewed=False,
        summary=_(
            "Outreach workers meet people on the street and connect them with care, housing "
            "and support. Research on outreach is mostly descriptive, and controlled studies "
            "of its effect on crime or on the scene itself are few. Studies of how European "
            "cities responded to open drug scenes conclude that enforcement alone did not "
            "end a scene; lasting change came from combining policing with treatment, "
            "housing and harm reduction, with outreach as a link between them."),
        conditions=_(
            "Regular presence at the same times, trust built over months, and somewhere to "
            "refer people to without a waiting list: treatment, shelter, harm reduction."),
        displacement=_(
            "Outreach does not aim to move people; workers can follow them if the scene "
            "moves."),
        caveats=_(
            "Outreach next to heavy enforcement is hard, because people avoid workers they "
            "see with the police. Count contacts and referrals, not only reports."),
        citations=_cites("waal2014", "houborg2014"),
        related=("drug_consumption_rooms", "needle_syringe_programmes"),
    ),
    Entry(
        key=K.PARENT_SUPPORT, kind=K.PARENT_SUPPORT, title=K.PARENT_SUPPORT.label,
        group=G.SOCIAL, direction=D.MIXED, strength=S.RCT, reviewed=True,
        summary=_(
            "Programmes that support the parents of teenagers aim to delay and reduce young "
            "people's use of alcohol and drugs. A Cochrane review of family-based programmes "
            "for all families found small but fairly consistent effects on alcohol misuse. A "
            "Swedish programme that asked parents to hold a clear line against underage "
            "drinking showed effects in its first study (Koutakis et al. 2008), but a later "
            "cluster-randomised trial found no clear effect (Bodin & Strandberg 2011)."),
        conditions=_(
            "Use programmes that have been tested, and reach the parents of the young people "
            "most at risk."),
        displacement=None,
        caveats=_(
            "Parent support is not a measure at a place, so its effect will not show in a "
            "place's follow-up. Measure it with surveys among young people instead."),
        citations=_cites("foxcroft2011", "koutakis2008", "bodin2011"),
    ),
    Entry(
        key="citizen_involvement", title=_("Citizen involvement and neighbourhood watch"),
        group=G.SOCIAL, direction=D.MIXED, strength=S.QUASI, reviewed=True,
        summary=_(
            "Neighbourhood watch, the best-studied form of citizen involvement in crime "
            "prevention, was on average followed by less crime in a Campbell systematic "
            "review, though the studies were of mixed quality and the results varied. Safety "
            "walks, citizen promises and public hearings involve residents in finding "
            "problems and choosing actions; their effect on crime has been little "
            "evaluated."),
        conditions=_(
            "Residents need to hear back: show what was done with what they reported, and "
            "give them a real say in the activity plan."),
        displacement=None,
        caveats=_(
            "Participation is usually highest where problems are smallest, and people in the "
            "most affected areas may fear reprisals. Make sure citizens report places and "
            "situations, not persons."),
        citations=_cites("bennett2008"),
    ),
    # --- harm reduction ---------------------------------------------------------------------
    Entry(
        key=K.NEEDLE_CONTAINERS, kind=K.NEEDLE_CONTAINERS, title=K.NEEDLE_CONTAINERS.label,
        group=G.HARM_REDUCTION, direction=D.HARM_REDUCTION, strength=S.QUASI,
        reviewed=False,
        summary=_(
            "Public needle containers give people who inject a safe place to get rid of "
            "used syringes. A before-and-after study in a Montréal neighbourhood found far "
            "fewer discarded needles after containers were installed, with the largest drop "
            "close to them and a measurable drop up to about 200 metres away (de Montigny "
            "et al. 2010)."),
        conditions=_(
            "Place containers where people inject and where needles are found (use the "
            "syringe finds on the map), empty and check them regularly, and combine them "
            "with a needle and syringe programme."),
        displacement=_(
            "The aim is to change how needles are disposed of, not to move people; needle "
            "finds nearby are the outcome to follow."),
        caveats=_(
            "Containers do not reduce drug use or dealing, and no effect on crime is "
            "expected. Some residents read them as a sign of tolerance, so explain their "
            "purpose."),
        citations=_cites("demontigny2010", "tookes2012"),
        related=("needle_syringe_programmes", K.CLEANING),
    ),
    Entry(
        key="drug_consumption_rooms", title=_("Drug consumption rooms"),
        group=G.HARM_REDUCTION, direction=D.HARM_REDUCTION, strength=S.OBSERVATIONAL,
        reviewed=True,
        summary=_(
            "Supervised drug consumption rooms let people use drugs they bring with them "
            "under the eye of trained staff. Systematic reviews of mostly observational "
            "studies find that they reduce injecting in public and discarded syringes "
            "nearby, that staff deal with overdoses on the spot, and that they bring "
            "hard-to-reach people into contact with care. The reviews found no increase in "
            "crime or drug dealing around the facilities."),
        conditions=_(
            "Placed where the scene is, because people will not walk far; open at the hours "
            "of use; a low threshold; links to treatment and social services; and an "
            "agreement with the police about the surroundings."),
        displacement=_(
            "Studies of the surroundings found no rise in crime; some found less public "
            "drug use and fewer discarded syringes."),
        caveats=_(
            "Much of the evidence comes from a few facilities, above all in Vancouver and "
            "Sydney, and from observational designs. They are not allowed in every country; "
            "Sweden has none. Queues and crowds at the entrance need managing."),
        citations=_cites("potier2014", "kennedy2017"),
        related=("needle_syringe_programmes", "naloxone", K.SOCIAL_OUTREACH),
    ),
    Entry(
        key="needle_syringe_programmes", title=_("Needle and syringe programmes"),
        group=G.HARM_REDUCTION, direction=D.HARM_REDUCTION, strength=S.OBSERVATIONAL,
        reviewed=True,
        summary=_(
            "Needle and syringe programmes hand out sterile injecting equipment and take "
            "used equipment back. A meta-analysis found them associated with less HIV "
            "transmission among people who inject drugs (Aspinall et al. 2014), and an "
            "overview of systematic reviews found them effective against HIV transmission "
            "and risky injecting, with mixed results for hepatitis C, although most of the "
            "underlying studies were of low quality (Fernandes et al. 2017). A "
            "comparison of two American cities found fewer unsafely discarded syringes in "
            "the city that had such programmes (Tookes et al. 2012)."),
        conditions=_(
            "Enough sterile equipment for every injection, easy access in time and place, "
            "and a route into testing and treatment."),
        displacement=None,
        caveats=_(
            "These programmes do not aim to change crime or the scene; judge them on health "
            "outcomes and syringe finds."),
        citations=_cites("aspinall2014", "fernandes2017", "tookes2012"),
        related=(K.NEEDLE_CONTAINERS, "drug_consumption_rooms"),
    ),
    Entry(
        key="naloxone", title=_("Naloxone"),
        group=G.HARM_REDUCTION, direction=D.HARM_REDUCTION, strength=S.OBSERVATIONAL,
        reviewed=True,
        summary=_(
            "Naloxone reverses an opioid overdose. Take-home naloxone programmes give it, "
            "with training, to people who use opioids, to their family and friends and to "
            "front-line staff. A systematic review concluded that such programmes reduce "
            "overdose deaths (McDonald & Strang 2016), and a study in Massachusetts found "
            "lower opioid overdose death rates in communities where overdose education and "
            "naloxone distribution were introduced (Walley et al. 2013)."),
        conditions=_(
            "Reach the people most at risk, for example after release from prison or after "
            "treatment ends, and the people around them; train police, guards, outreach "
            "and shelter staff; replace used kits quickly."),
        displacement=None,
        caveats=_(
            "Naloxone does not treat dependence, and its effect can wear off before that of "
            "a long-acting opioid, so call an ambulance as well. No effect on crime is "
            "expected."),
        citations=_cites("mcdonald2016", "walley2013"),
        related=("drug_consumption_rooms",),
    ),
)

#: Kinds with no summary, and why (a deliberate decision, not an oversight).
NO_SUMMARY: dict[str, Promise] = {
    K.OTHER: _(
        "Actions of the kind “other” are too varied for one summary. If an action fits a "
        "measure in the catalogue, name that measure in its description."),
}

BY_KEY: dict[str, Entry] = {e.key: e for e in ENTRIES}


def entry(key: str) -> Entry | None:
    """The entry with this key (an action kind or a measure), or ``None``."""
    return BY_KEY.get(key)


def entries_by_group() -> list[tuple[str, str, list[Entry]]]:
    """``(group, label, entries)`` in the list's order; kinds before plan-level measures."""
    out = []
    for group in Group:
        items = [e for e in ENTRIES if e.group == group]
        items.sort(key=lambda e: e.is_measure)
        out.append((group.value, group.label, items))
    return out


def all_citations() -> list[Citation]:
    """Every cited source once, sorted by author and year (the reference list)."""
    return sorted(CITATIONS.values(),
                  key=lambda c: (c.authors.split(",")[0].lower(), c.year, c.authors))
