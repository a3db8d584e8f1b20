"""The grammar of trade news, compiled once: numbers and units, directions, trade cues,
bases, periods, ranks and sentence breaks.

Everything here is a compiled pattern or a small table; the modules of
:mod:`mineralflow.claims` apply them. Names looked up in the catalogs (partners, product
terms, tariff codes) are in :mod:`mineralflow.claims.names`; vocabulary that is a catalog lives
in ``data/catalog/`` (product terms, country aliases, qualifiers, ``claim_terms.csv``).
"""

from __future__ import annotations

import re
from functools import cache

from ..reconcile.intervals import qualifiers

MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
MONTH_NAMES = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
)
# Capitalised only: "may" is a verb, "march" a noun.
_MONTH_ALT = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
)
MONTH = rf"(?:{_MONTH_ALT})\b\.?"

WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "twenty": 20,
}
WORDNUM = "|".join(sorted(WORD_NUMBERS, key=len, reverse=True))
# What an ordinal counts: "a third straight month", "the fifth-largest buyer".
_ORDINAL_NOUN = (
    r"(?:(?:consecutive|straight|successive|running|continuous|sequential|monthly|annual|"
    r"quarterly|year|month)\b|(?:time|month|year|quarter|week|day|session|place|round|batch)s?\b|"
    r"(?:largest|biggest|top|leading|highest|lowest)\b)"
)
ORDINALS = {
    "primary": 1,
    "leading": 1,
    "main": 1,
    "principal": 1,
    "largest": 1,
    "biggest": 1,
    "top": 1,
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
    "5th": 5,
    "6th": 6,
    "7th": 7,
    "8th": 8,
    "9th": 9,
    "10th": 10,
}

# -- numbers ------------------------------------------------------------------------------
# A number as outlets write it: thousands commas ("3,188"), decimal points ("157.5") and, in
# translated copies, decimal commas ("18,9%"). A comma followed by exactly three digits is a
# thousands separator; followed by one or two digits it is a decimal comma.
NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])|\d+,\d{1,2}(?![\d,])|\d+(?:\.\d+)?"
_SCALE = r"million|mln|thousand|billion"
_TUNIT = (
    r"metric\s+tonnes|metric\s+tons|metric\s+tonne|metric\s+ton|short\s+tons|short\s+ton|"
    r"tonnes|tonne|tons|ton|mt|t|kilograms|kilogram|kilos|kilo|kg"
)
QUANTITY = re.compile(
    r"(?<![\w.,/$€£¥-])(?:(?P<sign>[-−–+])(?=\d))?(?P<num>" + NUM + r")"
    r"(?:"
    r"(?P<pct>\s?%|\s?(?:percent|per\s+cent|pct)\b)"
    r"|(?:\s|-)(?:(?P<scale>" + _SCALE + r")\s+)?(?P<tunit>" + _TUNIT + r")(?![\w])"
    r"|[\s-]?(?P<fold>fold)\b"
    r"|\s+(?P<times>times)(?=\s+(?:the|its|their|that|what|as|higher|larger|more|bigger|"
    + _MONTH_ALT
    + r")\b)"
    r")"
)
WORD_MULTIPLIER = re.compile(
    r"\b(?:(?P<wnum>" + WORDNUM + r")(?:[\s-]?(?P<fold>fold)\b|\s+(?P<times>times)"
    r"(?=\s+(?:the|its|their|that|what|as|higher|larger|more|bigger|" + _MONTH_ALT + r")\b))"
    r"|(?P<verb>doubled|tripled|trebled|quadrupled|halved)\b"
    # "first half of the year" is a period, not a fall by half
    r"|(?<!first\s)(?<!second\s)(?<!first-)(?<!second-)(?P<half>half)\s+"
    r"(?!of\s+(?:the\s+)?(?:year|(?:19|20)\d{2})\b)"
    r"(?=(?:of\s+)?(?:what|the|its|their|that|last|a\s+year|" + _MONTH_ALT + r")\b)"
    r"|(?:by\s+)(?P<byhalf>half)\b"
    # "a third", "a fifth": fractions, unless an ordinal ("a fifth consecutive month").
    r"|(?P<frac>(?:a|one)[\s-](?:third|quarter|fifth))\b(?!\s+of\b)(?![\s-]+" + _ORDINAL_NOUN + r")"
    r"|(?P<twice>twice|double)(?=\s+(?:the|its|their|that|what|as)\b))",
    re.I,
)
# An article that writes "18,9%" writes decimal commas: its "22.319 tons" is 22,319 t.
TONS_WORD = re.compile(r"\b(?:metric\s+)?(?:tons|tonnes)\b", re.I)
DECIMAL_COMMA = re.compile(r"(?<![\d,.])\d{1,3},\d{1,2}\s?%")
SCALES = {"million": 10**6, "mln": 10**6, "thousand": 10**3, "billion": 10**9}

# -- qualifiers (one source of truth: data/catalog/qualifiers.csv) ------------------------


@cache
def qualifier_pattern() -> re.Pattern[str]:
    """The qualifier words, longest first, ending right where a number starts."""
    words = {w: q.name for q in qualifiers().values() for w in q.words}
    alt = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?:^|(?<=[\s(]))(?P<q>{alt})\s+$", re.I)


@cache
def qualifier_words() -> dict[str, str]:
    return {w.casefold(): q.name for q in qualifiers().values() for w in q.words}


# -- changes ------------------------------------------------------------------------------
_UP = (
    r"rose|rise|rises|rising|risen|increased|increase|increases|increasing|up|surged|surge|"
    r"surges|surging|jumped|jump|jumps|jumping|climbed|climb|climbs|climbing|grew|grow|grows|"
    r"growing|grown|gained|gain|gains|soared|soar|soaring|rebounded|rebound|rebounding|"
    r"skyrocketed|skyrocket|spiked|spike|higher|expanded|boosted|accelerated|more|growth|"
    r"hike|leapt|leaped|leap|advanced|above|added|plus"
)
_DOWN = (
    r"fell|fall|falls|falling|fallen|dropped|drop|drops|dropping|declined|decline|declines|"
    r"declining|decreased|decrease|decreases|decreasing|down|slumped|slump|slumps|plunged|"
    r"plunge|plunges|plummeted|plummet|slid|slide|slides|shrank|shrink|shrunk|contracted|"
    r"contraction|tumbled|tumble|lower|less|dipped|dip|dips|sank|sink|eased|retreated|lost|"
    r"slipped|slip|reduction|cut|below|fewer"
)
DIRECTION_AFTER = re.compile(
    rf"\s*(?:[\w/-]+\s+){{0,2}}?(?:(?P<up>{_UP})|(?P<down>{_DOWN}))\b", re.I
)
DIRECTION_BEFORE = re.compile(rf"\b(?:(?P<up>{_UP})|(?P<down>{_DOWN}))\b", re.I)
# A percentage that is a share, a rate or a price, not a change of the flow.
NOT_A_CHANGE_AFTER = re.compile(
    r"\s*(?:of\b|(?:[\w-]+\s+)?(?:share|stake|tariffs?|duty|duties|levy|tax|rate|rates|pure|purity|"
    r"margin|yield|chance|probability|interest|owned|stake|majority|drawn)\b)",
    re.I,
)
NOT_A_CHANGE_BEFORE = re.compile(
    r"\b(?:tariffs?|duty|duties|levy|tax|rate|share|stake|purity|grade|accounting\s+for|"
    r"accounted\s+for|"
    r"accounts\s+for|makes?\s+up|made\s+up|represent(?:s|ed|ing)?\s+(?!a\b))\s+(?:of\s+)?"
    r"(?:[\w-]+\s+){0,2}$",
    re.I,
)
NOT_A_CHANGE_HINT = re.compile(
    r"tariff|dut|levy|tax|rate|share|stake|account|made|make|represent|purity|grade", re.I
)
VALUE_WORDS = re.compile(
    r"(?:\bvalue\b|\bworth\b|\brevenues?\b|\bprices?\b|\bpriced\b|US\$|\$|€|¥|\byuan\b|"
    r"\bdollars?\b|\bprofits?\b|\bearnings\b|\bstocks?\b|\bshares\b|\bindex\b)",
    re.I,
)
# A tonnage that is not a flow: output, capacity, quotas, stocks.
NOT_A_FLOW = re.compile(
    r"\b(?:production|produced|output|capacity|quotas?|mined|mining|reserves|smelting|"
    r"refining|consumption|demand|inventor(?:y|ies)|stockpiles?|deposits?)\b",
    re.I,
)
AVERAGE = re.compile(r"\b(?:average|averaged|mean)\s+(?:of\s+)?(?:about\s+|around\s+)?$", re.I)
FORECAST = re.compile(
    r"\b(?:expects?|expected|forecasts?|forecasted|projected|projects|predicts?|predicted|"
    r"could|would|will|might|targets?|aims?\s+to|plans?\s+to)\b",
    re.I,
)

# -- trade cues ---------------------------------------------------------------------------
TRADE = re.compile(
    r"\b(?:export(?:s|ed|ing)?(?!\s+(?:controls?|restrictions?|curbs?|licen[cs]es?|bans?|"
    r"quotas?|permits?|rules?|regime|applications?))|exporters?|"
    r"import(?:s|ed|ing)?(?!\s+(?:tariffs?|duties|controls?|restrictions?|bans?))|importers?|"
    r"shipments?|shipped|shipping|sold|sales\s+to|deliver(?:ies|ed|y)|supplied|outbound|"
    r"destinations?|buyers?|went\s+to|sent\s+to|overseas\s+sales|outflows?|received|"
    r"left\s+the\s+country|cleared\s+(?:\w+\s+)?customs|(?<!trading\s)volumes?)\b"
    # "June's total": the month's flow, named by its month.
    r"|\b(?:" + _MONTH_ALT + r")(?:'s|’s)\s+(?:total|tally|volume|figure)\b",
    re.I,
)
ANAPHORA = re.compile(
    r"\b(?:(?:this|that|the)\s+(?:figure|number|volume|amount|level|total|increase|surge|"
    r"rise|jump|rebound|drop|decline|fall|gain|tally))\b"
    r"|^\W*(?:However,?\s+|But\s+|Still,?\s+|Even\s+so,?\s+)?(?:This|That|It)\s+"
    r"(?:represents|marks|is|was|remains|remained|stood|came|means|amounts|compared|compares)\b",
    re.I,
)
WORLD = re.compile(
    r"\b(?:globally|worldwide|abroad|overseas|to\s+the\s+world|all\s+destinations|in\s+total|"
    r"total|overall|"
    r"global\s+(?:exports|shipments|sales)|all\s+markets)\b",
    re.I,
)
CHINA_CUSTOMS = re.compile(
    r"\b(?:General\s+Administration\s+of\s+Customs|GAC|Chinese\s+customs|China(?:'s|’s)?\s+"
    r"customs|Beijing(?:'s|’s)?\s+customs)\b",
    re.I,
)
FROM_CHINA = re.compile(
    r"\b(?:from\s+(?:China|mainland\s+China|the\s+PRC)|(?:from|of)\s+Chinese)\b"
)
IMPORT_WORD = re.compile(r"\bimport(?:s|ed|ing)?\b", re.I)
EXPORT_WORD = re.compile(r"\bexport(?:s|ed|ing)?\b|\bshipments?\b|\bshipped\b", re.I)
# China's own imports ("China's rare earth imports fell", "imports into China"): the other way.
CHINA_IMPORTS = re.compile(
    r"\b(?:China|Beijing)(?:'s|’s)\s+(?:[\w-]+\s+){0,3}?imports\b|\bChina\s+imported\b|"
    r"\b(?i:imports?)\s+(?:in)?to\s+China\b|\bChinese\s+(?:[\w-]+\s+){0,2}?imports\b"
)
# Commodities outside the catalog: a figure for them is no catalog product's.
OTHER_GOODS = re.compile(
    r"\b(?:soybeans?|steel|alumin(?:i)?um|copper|coal|crude|oil|LNG|natural\s+gas|iron\s+ore|"
    r"cars|vehicles|chips|semiconductors|solar\s+panels|wafers|nickel|cobalt|gold|silver|"
    r"wheat|corn|pork|beef|textiles|smartphones|uranium|fertili[sz]ers?|polysilicon)\b",
    re.I,
)

# -- periods and bases --------------------------------------------------------------------
_YEAR = r"(?:19|20)\d{2}"
_QTY_IN_BASE = r"(?:" + NUM + r")\s*(?:metric\s+)?(?:tonnes|tons|tonne|ton|t)\s+(?:in|of|for)\s+"
# "the June level of 4,260 kilograms": a level stated after its base month.
_QTY_OF_BASE = r"(?:" + NUM + r")\s*(?:(?:metric\s+)?(?:tonnes|tons|tonne|ton|t)|kilograms|kg)\b"
MOM = re.compile(
    r"\b(?:month[- ]on[- ]month|month[- ]over[- ]month|m/m|MoM|sequentially|on\s+a\s+monthly\s+"
    r"basis|(?:from|than|compared\s+(?:to|with)|over|versus|vs\.?|against)\s+(?:a|one)\s+month\s+"
    r"(?:earlier|before|ago)|(?:from|than|compared\s+(?:to|with)|over|versus|vs\.?|against|"
    r"on)\s+(?:the\s+)?(?:previous|prior|preceding|last)\s+month|(?:from|than)\s+the\s+month\s+"
    r"before"
    # Without a comparison word, as in "305 tons the month before", "4,900 tons a month earlier".
    r"|(?:a|one)\s+month\s+(?:earlier|before|ago)|the\s+month\s+before|"
    r"the\s+(?:previous|prior|preceding)\s+month)\b",
    re.I,
)
YOY = re.compile(
    r"\b(?:year[- ]on[- ]year|year[- ]over[- ]year|y/y|yoy|on\s+the\s+year|annually|"
    r"on\s+an\s+annual\s+basis|(?:from|than|compared\s+(?:to|with)|over|versus|vs\.?|against)\s+(?:a|one)\s+year\s+"
    r"(?:earlier|ago|before)|(?:from|than|compared\s+(?:to|with)|over|versus|vs\.?|against|on)\s+"
    r"(?:last|the\s+previous|the\s+prior)\s+year|(?:the\s+)?(?:same|corresponding)\s+(?:month|"
    r"period|time|months)(?:\s+(?:a\s+year\s+(?:earlier|ago|before)|(?:of\s+)?last\s+year|"
    r"(?:in|of)\s+(?P<sy>" + _YEAR + r")|(?:of\s+)?the\s+(?:previous|prior)\s+year))?"
    r"|(?:from|than|compared\s+(?:to|with)|versus|vs\.?|over|against)\s+(?:in\s+)?"
    r"(?P<sy2>" + _YEAR + r")(?!\s*[-–/]\s*\d)"
    # "32% higher than the 3,326 tonnes in 2024": the same month of that year, with its level
    r"|(?:from|than|compared\s+(?:to|with)|versus|vs\.?|against)\s+(?:the\s+)?"
    r"(?:" + NUM + r")\s*(?:metric\s+)?(?:tonnes|tons|tonne|ton|t)\s+(?:in|of)\s+"
    r"(?P<sy4>" + _YEAR + r")(?!\s*[-–/]\s*\d)"
    # "compared to the first half of 2024": the same span a year before
    r"|(?:from|than|compared\s+(?:to|with)|versus|vs\.?|over|against)\s+(?:in\s+)?(?:the\s+)?"
    r"(?:first\s+half|second\s+half|first\s+quarter|first\s+three\s+quarters|"
    r"first\s+(?:" + WORDNUM + r"|\d{1,2})\s+months|H1|H2|Q[1-4])\s+(?:of\s+)?"
    r"(?P<sy3>" + _YEAR + r")"
    r"|(?:a|one)\s+year\s+(?:earlier|before)|the\s+(?:previous|prior)\s+year)\b",
    re.I,
)
BASE_MONTH = re.compile(
    r"\b(?i:from|than|compared\s+(?:to|with)|versus|vs\.?|over|against|times|on|above|below|"
    r"double|twice)\s+(?:in\s+)?(?:the\s+)?"
    r"(?:levels?\s+(?:of|in)\s+)?(?:" + _QTY_IN_BASE + r")?(?P<bm>" + MONTH + r")(?:'s|’s)?"
    r"(?:,?\s+(?P<by>" + _YEAR + r")|\s+(?P<bly>last\s+year|a\s+year\s+(?:earlier|ago)))?"
    r"(?:\s+(?:levels?|figures?|totals?|volumes?)(?:\s+of\s+" + _QTY_OF_BASE + r")?)?"
    r"(?!\s+\d{1,2}\b)"
    r"|\b(?:in|from)\s+(?P<bm2>" + MONTH + r")\s+(?P<bly2>last\s+year|a\s+year\s+(?:earlier|ago))"
)
# A tonnage inside a base phrase ("from 1,238 tons in May") is that month's level.
MONTH_PERIOD = re.compile(
    r"(?<![\d/])\b(?P<m>" + MONTH + r")(?:'s|’s)?(?:,?\s+(?P<y>" + _YEAR + r"))?"
    r"(?!\s+\d{1,2}\b(?!\d))"
)
DATE_DAY_BEFORE = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\s+$")
SPAN_PERIOD = re.compile(
    r"\b(?:(?P<fm>" + MONTH + r")\s*(?:-|–|to|through|until)\s*(?P<lm>" + MONTH + r")"
    r"(?:,?\s+(?P<ry>" + _YEAR + r"))?"
    # "in January and February combined": China's joint release of the first two months
    r"|(?P<am>" + MONTH + r")\s+and\s+(?P<an>" + MONTH + r")(?:,?\s+(?P<ay>" + _YEAR + r"))?"
    r"\s+(?:combined|together)"
    r"|(?:the\s+)?first\s+(?P<nm>" + WORDNUM + r"|\d{1,2})\s+months(?:\s+of(?:\s+the\s+year)?)?"
    r"(?:\s+(?P<ny>" + _YEAR + r"))?"
    r"|(?:the\s+)?(?P<part>first\s+half|second\s+half|first\s+quarter|first\s+three\s+quarters|"
    r"first\s+nine\s+months)(?:\s+of(?:\s+the\s+year)?)?(?:\s+(?P<py>" + _YEAR + r"))?"
    r"|(?P<h>H1|H2|Q1|Q2|Q3|Q4|1H|1Q)(?:\s+(?P<hy>" + _YEAR + r"))?"
    r"|(?P<ytd>year[- ]to[- ]date|so\s+far\s+this\s+year|this\s+year\s+so\s+far)"
    # "year-to-date exports for 2024": the year is the span's, not a span of its own
    r"(?:\s+(?:[\w-]+\s+){0,2}?(?:for|in|of)\s+(?P<yy>" + _YEAR + r"))?"
    r"|(?:in|during|for|throughout|over)\s+(?:all\s+of\s+)?(?:the\s+)?"
    r"(?:(?:full|whole|entire)\s+)?(?:year\s+)?(?:of\s+)?(?P<fy>" + _YEAR + r")\b"
    r"(?!\s*(?:-|–)\s*\d)"
    r"|(?:full|calendar)[- ]year\s+(?P<fy2>" + _YEAR + r")\b"
    r"|(?:in|during|for|throughout|over)\s+(?P<ly>all\s+of\s+last\s+year|last\s+year)"
    # "Last year, exports gained 7%": opening the sentence, the year is its period
    r"|^(?P<ly2>last\s+year)(?=\s*,))\b",
    re.I,
)
PARTS = {
    "first half": (1, 6),
    "second half": (7, 12),
    "first quarter": (1, 3),
    "first three quarters": (1, 9),
    "first nine months": (1, 9),
    "h1": (1, 6),
    "1h": (1, 6),
    "h2": (7, 12),
    "q1": (1, 3),
    "1q": (1, 3),
    "q2": (4, 6),
    "q3": (7, 9),
    "q4": (10, 12),
}
# A month named for context, not as a figure's period: "the highest since January", "after
# Beijing curbed shipments in April", "controls imposed in April". The words run from the
# cue to the month (no number between); figures inside that clause still take the month.
CONTEXT_CUE = re.compile(
    r"\b(?:since|until|till|before|after|prior\s+to|ahead\s+of|as\s+of|as\s+early\s+as|"
    r"following|starting|beginning|back|imposed|introduced|announced|unveiled|tightened|"
    r"curbed|restricted|banned|took\s+effect|came\s+into\s+(?:force|effect)|agreed|signed)\b"
    r"(?P<between>[^\d%.,;:]{0,70})$",
    re.I,
)
# A tonnage right before a base phrase is the base's level: "305 tons the month before",
# "the 3,326 tons in the same month of 2024".
BASE_LEVEL_GAP = re.compile(
    r"\s+(?:(?:recorded|registered|reported|seen|shipped|exported)\s+)?"
    r"(?:(?:in|of|for|during|over)\s+)?|\s*,\s*"
)
LAST_MONTH = re.compile(r"\b(?:last|past)\s+month\b", re.I)
# "controls came in April, and shipments plunged the following month": the month after
NEXT_MONTH = re.compile(r"\b(?:the\s+(?:following|next)\s+month|a\s+month\s+later)\b", re.I)
# An adverb of comparison, not a time the figure before it belongs to ("climbed 4.8% to 16,001
# tons year-on-year": 16,001 t is the quarter's own total, not the year-earlier one).
ADVERB_BASE = re.compile(
    r"(?:year|month)[- ](?:on|over)[- ](?:year|month)|[ym]/[ym]|yoy|mom|sequentially|annually|"
    r"on\s+the\s+year|on\s+an?\s+(?:annual|monthly)\s+basis",
    re.I,
)

# -- ranks --------------------------------------------------------------------------------
_ORD = "|".join(sorted(ORDINALS, key=len, reverse=True))
RANK_NOUN = r"(?:destination|buyer|importer|market|recipient|customer|purchaser)s?"
ORDINAL_RANK = re.compile(
    rf"\b(?:the\s+)?(?P<ord>{_ORD})(?:[\s-](?:largest|biggest|top|leading))?\s+(?:export\s+)?"
    rf"{RANK_NOUN}\b",
    re.I,
)
_TOP_N = (
    r"(?:(?P<n0>" + WORDNUM + r"|\d{1,2})\s+)?(?:top|largest|biggest|leading|main|major)"
    r"(?:\s+(?P<n>" + WORDNUM + r"|\d{1,2}))?"
)
_TOP_NOUN = r"(?:[\w-]+\s+){0,5}?(?:destinations|buyers|importers|markets|recipients|customers)\b"
# "the top five destinations were A, B, C, D and E" (the list follows) ...
TOP_LIST = re.compile(
    r"\b(?:the\s+)?"
    + _TOP_N
    + r"\s+"
    + _TOP_NOUN
    + r"(?P<mid>[^.;:]{0,60}?)(?:\s+(?:were|are|was)\b|\s*:)\s+",
    re.I,
)
# ... and "A, B, C, D and E were the top five destinations" (the list comes first).
LIST_TOP = re.compile(
    r"\s+(?:were|are|was|remained|ranked\s+as)\s+(?:the\s+|China['’]s\s+)?"
    + _TOP_N
    + r"\s+"
    + _TOP_NOUN,
    re.I,
)
FOLLOWED_BY = re.compile(r",?\s*followed\s+by\s+", re.I)
DESCENDING = re.compile(r"\bin\s+(?:descending\s+)?order\b", re.I)

# -- sentences ----------------------------------------------------------------------------
SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
ABBREVIATION = re.compile(
    r"(?:\b(?:U\.S|U\.K|U\.N|E\.U|U\.S\.A|Mr|Mrs|Ms|Dr|St|No|Co|Corp|Inc|Ltd|Jan|Feb|Mar|Apr|"
    r"Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|approx|vs|e\.g|i\.e|etc|Gov|Sen|Rep|Gen|[A-Z])\.)$"
)
# After "U.S." these words start a new sentence; any other capitalised word continues it.
STARTERS = frozenset(
    {
        "The", "This", "That", "It", "However", "But", "In", "On", "China", "Chinese",
        "Exports", "Shipments", "Total", "Meanwhile", "Analysts", "Data", "Customs",
        "According", "Last", "Beijing", "Washington", "Germany", "Japan",
    }
)  # fmt: skip
CHUNK_BREAK = re.compile(
    r",\s+|;\s+|:\s+|\s+[—–]\s+|\s+-\s+|\s+(?=(?:while|whereas|but|although|though|yet)\b)"
)
BOILERPLATE_LINE = re.compile(
    r"^\s*(?:related(?:\s+(?:articles|stories|news|content|posts))?|read\s+more|more\s+from.*|"
    r"comments?|latest\s+news|most\s+(?:visited|read|popular)|try\s+our\s+ai\s+features|"
    r"hashtags|live\s+tv|coverage\s+details|recommended(?:\s+for\s+you)?|you\s+may\s+also\s+"
    r"like|\d+\s+articles|advertisement|share\s+this(?:\s+article)?)\s*$",
    re.I | re.M,
)


# -- cheap tests --------------------------------------------------------------------------
# Cheap tests that let a sentence skip a costly pattern that cannot match it.
MULTIPLIER_HINT = re.compile(
    r"fold|times|doubl|tripl|trebl|quadrupl|halv|half|twice|third|quarter|fifth|double", re.I
)
RANK_HINT = re.compile(r"destination|buyer|importer|market|recipient|customer|purchaser", re.I)
SPAN_HINT = re.compile(
    r"first|half|\b[HQ][1-4]\b|\b1[HQ]\b|to[- ]date|so\s+far|\b(?:19|20)\d{2}\b|"
    r"(?:" + _MONTH_ALT + r")\.?\s*(?:-|–|to\b|through\b|until\b)|combined|together",
    re.I,
)
BASE_HINT = re.compile(r"month|m/m|mom|sequential|year|y/y|yoy|annual|same|corresponding", re.I)
