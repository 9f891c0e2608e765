"""The demo region's own "world": occupations, skills, certificates and the ways people write them down.

Everything here is written independently of the matcher's vocabulary (that independence is what makes the
benchmark honest: the matcher has to *recognise* these surface forms, it cannot look them up).

Each occupation and skill has several surface forms: the preferred Dutch label first, then synonyms,
abbreviations and the English words people type. Misspellings are generated on top of those by
:func:`typo` (dropped, doubled or swapped letters, missing or extra spaces, ij/y confusion, lost diacritics,
single/double vowels).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# ---------------------------------------------------------------------------------------------------
# Codes shared with the API contract
# ---------------------------------------------------------------------------------------------------
EDUCATION_LEVELS: tuple[str, ...] = ("geen", "vmbo", "mbo1", "mbo2", "mbo3", "mbo4", "havo", "vwo", "hbo", "wo")
#: ordinal used by the hidden rule (vmbo ~ mbo1 = entree, havo ~ mbo4)
EDUCATION_RANK: dict[str, int] = {
    "geen": 0, "vmbo": 1, "mbo1": 1, "mbo2": 2, "mbo3": 3, "mbo4": 4, "havo": 4, "vwo": 5, "hbo": 6, "wo": 7,
}
DUTCH_LEVELS: tuple[str, ...] = ("A0", "A1", "A2", "B1", "B2", "C1", "C2")
DUTCH_RANK: dict[str, int] = {lvl: i for i, lvl in enumerate(DUTCH_LEVELS)}
SHIFTS: tuple[str, ...] = ("day", "evening", "night", "weekend")
LICENCES: tuple[str, ...] = ("B", "C", "CE", "D")
#: a licence implies the ones listed (CE includes C and B, D includes B)
LICENCE_IMPLIES: dict[str, tuple[str, ...]] = {"B": ("B",), "C": ("C", "B"), "CE": ("CE", "C", "B"), "D": ("D", "B")}
SUPPORT: tuple[str, ...] = ("jobcoach", "jobcarving", "loonkostensubsidie", "proefplaatsing")
RESTRICTION_CODES: tuple[str, ...] = (
    "max_lift_kg", "no_night", "no_evening", "no_weekend", "max_hours_week", "no_prolonged_standing",
    "low_stimulus", "no_customer_contact", "no_heights", "no_driving", "no_outdoor",
)
DEMAND_CODES: tuple[str, ...] = (
    "lift_kg", "night_work", "evening_work", "weekend_work", "standing", "high_stimulus", "customer_contact",
    "heights", "driving", "outdoor",
)
#: restriction code -> the vacancy demand it conflicts with
RESTRICTION_DEMAND: dict[str, str] = {
    "max_lift_kg": "lift_kg",
    "no_night": "night_work",
    "no_evening": "evening_work",
    "no_weekend": "weekend_work",
    "max_hours_week": "hours",  # compared with the vacancy's hours_min
    "no_prolonged_standing": "standing",
    "low_stimulus": "high_stimulus",
    "no_customer_contact": "customer_contact",
    "no_heights": "heights",
    "no_driving": "driving",
    "no_outdoor": "outdoor",
}
AGE_BANDS: tuple[str, ...] = ("18-26", "27-44", "45-54", "55+")
MUNICIPALITIES: tuple[str, ...] = (
    "arnhem", "rheden", "renkum", "rozendaal", "westervoort", "duiven", "zevenaar", "overbetuwe", "lingewaard",
)

# ---------------------------------------------------------------------------------------------------
# Skills: code -> surface forms (preferred Dutch label first)
# ---------------------------------------------------------------------------------------------------
SKILLS: dict[str, tuple[str, ...]] = {
    # logistiek
    "orderpicken": ("orderpicken", "order picken", "orderpicking", "picken", "order picking", "orders verzamelen"),
    "heftruck": ("heftruck rijden", "heftruck", "vorkheftruck", "heftruckrijden", "forklift", "heftruck ervaring"),
    "reachtruck": ("reachtruck rijden", "reachtruck", "reach truck", "reachtrucken", "reachtruckervaring"),
    "ept": ("elektrische pallettruck", "EPT", "palletwagen", "pompwagen", "pallet truck", "stapelaar"),
    "handscanner": ("werken met handscanner", "handscanner", "scanner", "RF scanner", "scannen"),
    "inpakken": ("inpakken", "verpakken", "packing", "inpakwerk", "dozen inpakken"),
    "laden_lossen": ("laden en lossen", "laden/lossen", "lossen", "laden & lossen", "loading", "vrachtwagens lossen"),
    "voorraadbeheer": ("voorraadbeheer", "voorraad tellen", "inventarisatie", "stock control", "inventory",
                       "voorraad bijhouden"),
    "wms": ("WMS", "magazijnbeheersysteem", "warehouse management systeem", "SAP magazijn"),
    "retouren": ("retouren verwerken", "retourverwerking", "returns", "retouren"),
    "sorteren": ("sorteren", "pakketten sorteren", "sorteerwerk", "sorting", "post sorteren"),
    "pallets": ("pallets opbouwen", "pallets stapelen", "stapelen", "palletiseren"),
    "goederenontvangst": ("goederenontvangst", "inslag", "ontvangst goederen", "inbound", "goederen controleren"),
    "expeditie": ("expeditie", "uitslag", "verzendklaar maken", "outbound", "zendingen klaarzetten"),
    # schoonmaak
    "schoonmaken": ("schoonmaken", "schoonmaakwerk", "poetsen", "cleaning", "interieurreiniging",
                    "kantoren schoonmaken"),
    "sanitair": ("sanitair reinigen", "toiletten schoonmaken", "sanitair", "sanitaire ruimtes"),
    "vloeronderhoud": ("vloeronderhoud", "dweilen", "stofzuigen", "vloeren reinigen", "vloeren boenen"),
    "schrobmachine": ("schrobzuigmachine", "schrobmachine", "floor scrubber", "schrob zuig machine"),
    "glasbewassing": ("glazenwassen", "ramen wassen", "glasbewassing", "window cleaning", "ramen lappen"),
    "hoogwerker": ("hoogwerker bedienen", "hoogwerker", "schaarlift", "aerial platform", "werken met hoogwerker"),
    "hygiene": ("hygiënisch werken", "HACCP", "hygiëne", "hygienisch werken", "voedselveiligheid"),
    "strijken": ("strijken", "ironing", "strijkwerk", "kleding strijken"),
    "wassen": ("was verzorgen", "wassen", "wasgoed", "linnen verzorgen", "wasserijwerk"),
    "huishouden": ("huishoudelijk werk", "huishouden", "huishoudelijke taken", "huis schoonhouden"),
    "autowassen": ("auto's wassen", "autowassen", "auto poetsen", "car wash", "wasstraat"),
    # productie
    "machine_bedienen": ("machine bedienen", "machines bedienen", "machinebediening", "machine operating",
                         "machines instellen"),
    "bandwerk": ("werken aan de lopende band", "lopende band", "bandwerk", "assembly line", "aan de band"),
    "kwaliteitscontrole": ("kwaliteitscontrole", "controleren", "QC", "visuele inspectie", "quality check",
                           "producten controleren"),
    "montage": ("monteren", "assembleren", "montagewerk", "assembly", "in elkaar zetten"),
    "solderen": ("solderen", "soldeerwerk", "soldering"),
    "lassen": ("lassen", "MIG/MAG lassen", "mig mag", "welding", "tig lassen", "lasser"),
    "metaalbewerking": ("metaalbewerking", "boren en zagen", "slijpen", "metaal bewerken", "plaatwerk"),
    "cnc": ("CNC", "CNC draaien", "CNC frezen", "cnc programmeren", "CNC machine"),
    "tekening_lezen": ("technische tekening lezen", "tekening lezen", "bouwtekening lezen", "tekeninglezen"),
    "houtbewerking": ("houtbewerking", "hout bewerken", "houtbewerkingsmachines", "woodworking", "zagen en schaven"),
    "vleesverwerking": ("vleesverwerking", "uitbenen", "vlees snijden", "vlees verwerken"),
    "bakken": ("bakken", "brood bakken", "deeg bereiden", "baking", "banket bakken"),
    "drukwerk": ("drukwerk", "drukpers bedienen", "printen", "print", "afwerken drukwerk"),
    "demontage": ("demonteren", "demontage", "uit elkaar halen", "ontmantelen"),
    "lean": ("lean", "5S", "lean werken", "verbeteren werkprocessen"),
    # horeca
    "koken": ("koken", "cooking", "gerechten bereiden", "a la carte koken", "warme keuken"),
    "mise_en_place": ("mise en place", "groenten snijden", "voorbereiden keuken", "prep", "snijwerk"),
    "afwassen": ("afwassen", "afwasmachine", "vaatwasser", "spoelen", "dishwashing", "afwas"),
    "serveren": ("serveren", "bediening", "uitserveren", "serving", "tafels dekken", "bedienen"),
    "tappen": ("tappen", "bier tappen", "koffie maken", "barista", "cocktails maken", "achter de bar"),
    "gastvrijheid": ("gastvrijheid", "gastvrij", "hospitality", "gasten ontvangen", "gastgericht"),
    "frituren": ("frituren", "frituur", "friteuse", "snacks bakken"),
    "broodjes": ("broodjes maken", "lunch bereiden", "broodjes smeren", "sandwiches"),
    "kamers_opmaken": ("kamers opmaken", "bedden opmaken", "housekeeping", "kamers schoonmaken"),
    # retail
    "kassa": ("kassawerk", "kassa", "afrekenen", "cash handling", "pinnen en afrekenen", "kassa draaien"),
    "vakken_vullen": ("vakken vullen", "bijvullen", "shelf stacking", "schappen vullen", "vakkenvullen"),
    "klantvriendelijk": ("klantvriendelijk", "klantgericht", "servicegericht", "customer service", "klantcontact",
                         "vriendelijk naar klanten"),
    "verkoop": ("verkopen", "verkoop", "sales", "klanten adviseren", "advies geven"),
    "winkelpresentatie": ("winkelpresentatie", "spiegelen", "facings", "etaleren", "presentatie winkel"),
    "houdbaarheid": ("houdbaarheid controleren", "THT controleren", "datumcontrole", "houdbaarheidsdatum"),
    "vers": ("versafdeling", "AGF", "vers", "kaas en vleeswaren", "groente en fruit"),
    "prijzen": ("prijzen", "prijskaartjes", "labelen", "prijzen wijzigen", "etiketteren"),
    # zorg & welzijn
    "persoonlijke_verzorging": ("persoonlijke verzorging", "ADL", "wassen en aankleden", "adl zorg", "personal care",
                                "adl-ondersteuning"),
    "medicatie": ("medicatie verstrekken", "medicijnen delen", "medicatie", "medicatie uitzetten"),
    "rapporteren": ("rapporteren", "rapportage", "dossier bijhouden", "reporting", "verslag maken"),
    "tiltechnieken": ("tiltechnieken", "tillift", "transfers", "werken met tillift"),
    "begeleiden": ("begeleiden", "begeleiding cliënten", "ondersteunen cliënten", "coaching", "begeleiding"),
    "dementie": ("omgaan met dementie", "dementie", "psychogeriatrie", "PG zorg", "dementerende ouderen"),
    "activiteiten": ("activiteiten organiseren", "activiteitenbegeleiding", "dagbesteding", "activiteiten begeleiden"),
    "maaltijden": ("maaltijden bereiden", "eten klaarmaken", "maaltijden verzorgen", "koken voor bewoners"),
    "kinderopvang": ("kinderen verzorgen", "kinderopvang", "met kinderen werken", "child care", "kinderen begeleiden",
                     "oppassen"),
    "spelbegeleiding": ("spelactiviteiten", "spelbegeleiding", "knutselen met kinderen", "voorlezen"),
    "dierverzorging": ("dieren verzorgen", "dierverzorging", "dieren voeren", "stal uitmesten", "animal care"),
    # groen
    "snoeien": ("snoeien", "pruning", "snoeiwerk", "heggen knippen", "snoeien van heesters"),
    "maaien": ("maaien", "gras maaien", "grasmaaien", "mowing", "zitmaaier"),
    "beplanten": ("beplanten", "planten", "aanplanten", "poten", "plantwerk"),
    "wieden": ("onkruid wieden", "wieden", "onkruid verwijderen", "schoffelen", "onkruidbestrijding"),
    "bosmaaier": ("bosmaaier", "bosmaaien", "strimmer", "bosmaaier gebruiken"),
    "kettingzaag": ("kettingzaag", "motorzaag", "chainsaw", "werken met kettingzaag"),
    "tuinaanleg": ("tuinaanleg", "tuinen aanleggen", "hovenierswerk", "tuinonderhoud", "tuin aanleg"),
    "oogsten": ("oogsten", "fruit plukken", "plukken", "harvesting", "fruit sorteren"),
    "kaswerk": ("stekken", "oppotten", "verspenen", "kaswerk", "potten"),
    "trekker": ("trekker rijden", "tractor rijden", "trekkerrijden", "tractor"),
    "veegmachine": ("veegmachine", "veegwagen", "veegmachine rijden", "straat vegen"),
    "afval_inzamelen": ("afval inzamelen", "containers legen", "huisvuil ophalen", "afvalinzameling",
                        "vuilnis ophalen"),
    # bouw & techniek
    "bestraten": ("bestraten", "stenen leggen", "straatwerk", "klinkers leggen", "paving", "bestrating"),
    "grondwerk": ("grondwerk", "graven", "grondverzet", "sleuven graven"),
    "opperen": ("opperen", "opperwerk", "materiaal aanvoeren", "specie maken", "sjouwen op de bouw"),
    "metselen": ("metselen", "bricklaying", "voegen", "metselwerk"),
    "timmeren": ("timmeren", "houtconstructies", "kozijnen plaatsen", "carpentry", "timmerwerk"),
    "schilderen": ("schilderen", "verven", "painting", "lakken", "sauzen", "schilderwerk"),
    "behangen": ("behangen", "wallpapering", "behang", "wanden afwerken"),
    "stucen": ("stucen", "stukadoren", "plamuren", "stucwerk"),
    "elektra": ("elektra aanleggen", "bekabeling", "elektrisch installeren", "elektrotechniek", "electrical"),
    "sanitair_installeren": ("sanitair installeren", "leidingwerk", "loodgieterswerk", "plumbing", "cv installaties"),
    "tegelzetten": ("tegelzetten", "tegels leggen", "tiling", "tegelwerk"),
    "steigerbouw": ("steigers bouwen", "steigerbouw", "scaffolding", "steigers opbouwen"),
    "dakwerk": ("dakdekken", "dakbedekking", "bitumen", "dakwerk", "roofing"),
    "slopen": ("slopen", "sloopwerk", "demolition", "strippen"),
    "gereedschap": ("handgereedschap", "elektrisch gereedschap", "gereedschap", "tools", "omgaan met gereedschap"),
    "klussen": ("klussen", "klein onderhoud", "reparaties", "odd jobs", "klusjes"),
    "fietsreparatie": ("fietsreparatie", "fietsen maken", "banden plakken", "bike repair", "fietsonderhoud"),
    "autotechniek": ("autotechniek", "onderhoud auto's", "APK", "banden wisselen", "auto onderhoud"),
    # beveiliging
    "surveilleren": ("surveilleren", "surveillance", "rondes lopen", "patrouilleren", "rondgangen"),
    "toegangscontrole": ("toegangscontrole", "access control", "tassencontrole", "pasjescontrole"),
    "camerabewaking": ("camerabewaking", "CCTV", "meldkamer", "camera's uitkijken"),
    "verkeer_regelen": ("verkeer regelen", "verkeersregelen", "traffic control", "verkeersbegeleiding"),
    "conflicthantering": ("conflicthantering", "de-escaleren", "omgaan met agressie", "conflict handling",
                          "agressie hanteren"),
    "handhaving": ("handhaving", "bekeuren", "parkeercontrole", "toezicht houden", "handhaven"),
    # vervoer
    "bestelbus": ("bestelbus rijden", "busje rijden", "bestelauto", "rijden met bestelbus", "van driver"),
    "vrachtwagen": ("vrachtwagen rijden", "truck rijden", "trekker-oplegger", "combinatie rijden", "vrachtauto"),
    "route": ("route plannen", "navigatie", "routekennis", "routeplanning", "wegen kennen"),
    "bezorgen": ("pakketten bezorgen", "bezorgen", "delivery", "pakketbezorging", "bezorgwerk"),
    "post_bezorgen": ("post bezorgen", "brieven bezorgen", "krant bezorgen", "postbezorging"),
    "tachograaf": ("tachograaf", "rij- en rusttijden", "digitale tachograaf"),
    "fietsen": ("fietsen", "op de fiets bezorgen", "fietsbezorging", "scooter rijden"),
    "personenvervoer": ("personenvervoer", "rolstoelvervoer", "passagiers begeleiden", "leerlingenvervoer",
                        "mensen vervoeren"),
    "bus_rijden": ("bus rijden", "lijnbus", "touringcar", "streekbus"),
    # klantcontact & administratie
    "telefoneren": ("telefoneren", "telefonie", "telefoon aannemen", "inbound calls", "bellen",
                    "telefonisch klantcontact"),
    "klachten": ("klachten afhandelen", "klachtenafhandeling", "complaint handling", "klachten behandelen"),
    "computer": ("computervaardigheden", "computer", "pc vaardig", "digitaal vaardig", "computerkennis"),
    "office": ("MS Office", "Word en Excel", "Office", "Microsoft Office", "word excel", "Office 365"),
    "excel": ("Excel", "spreadsheets", "excell", "excel sheets"),
    "typen": ("typen", "snel typen", "blind typen", "typing", "10-vingersysteem"),
    "data_invoer": ("gegevens invoeren", "data invoeren", "data entry", "invoerwerk", "data-invoer"),
    "archiveren": ("archiveren", "archief bijhouden", "dossiers ordenen", "filing", "archiefwerk"),
    "post_verwerken": ("post verwerken", "postkamer", "poststukken scannen", "documenten scannen", "post openen"),
    "agendabeheer": ("agendabeheer", "agenda bijhouden", "afspraken plannen", "planning maken"),
    "boekhouden": ("boekhouden", "financiële administratie", "bookkeeping", "factureren", "debiteuren en crediteuren"),
    "boekhoudpakket": ("Exact", "Exact Online", "AFAS", "boekhoudpakket", "Twinfield"),
    "bezoekers": ("bezoekers ontvangen", "receptie", "ontvangst bezoekers", "front office", "baliewerk"),
    "ict_support": ("ICT support", "helpdesk", "computers installeren", "storingen oplossen", "IT support"),
    "kopieren": ("kopiëren", "repro", "printwerk", "scannen en printen"),
    # overig
    "kappen": ("knippen", "haren knippen", "kapper", "föhnen", "haar verzorgen"),
    "publiek": ("publieksbegeleiding", "bezoekers begeleiden", "informatie geven", "rondleidingen"),
    "recreatie": ("recreatiewerk", "kampeerders ontvangen", "terreinonderhoud", "animatie"),
    # algemeen
    "samenwerken": ("samenwerken", "teamplayer", "team player", "in team werken", "teamwork", "goede collega"),
    "zelfstandig": ("zelfstandig werken", "zelfstandig", "independent", "zelfstandigheid"),
    "nauwkeurig": ("nauwkeurig", "precies", "accuraat", "secuur", "oog voor detail"),
    "werkhouding": ("harde werker", "gemotiveerd", "betrouwbaar", "flexibel", "hardwerkend", "leergierig"),
    "engels": ("Engels", "english", "Engelse taal", "engels spreken"),
    "duits": ("Duits", "german", "Duitse taal", "duits spreken"),
    "rekenen": ("rekenen", "cijfers", "rekenvaardig", "goed met getallen"),
    "plannen": ("plannen", "organiseren", "planning", "structuur aanbrengen"),
    "punctueel": ("punctueel", "op tijd", "stipt", "altijd op tijd"),
}

GENERAL_SKILLS: tuple[str, ...] = (
    "samenwerken", "zelfstandig", "nauwkeurig", "werkhouding", "engels", "duits", "rekenen", "plannen",
    "punctueel", "computer", "klantvriendelijk",
)

# ---------------------------------------------------------------------------------------------------
# Certificates: code -> (surface forms, hardness). Hardness is the hire-stage penalty in the hidden rule when a
# vacancy requires the certificate and the candidate truly lacks it (obtainable ones are cheap).
# ---------------------------------------------------------------------------------------------------
CERTIFICATES: dict[str, tuple[tuple[str, ...], float]] = {
    "vca_basis": (("VCA", "VCA basis", "vca-b", "B-VCA", "veiligheidscertificaat VCA", "vca diploma",
                   "vca basis"), 0.4),
    "vca_vol": (("VOL-VCA", "VCA VOL", "vol vca", "VCA-VOL certificaat"), 0.6),
    "heftruck": (("heftruckcertificaat", "heftruck certificaat", "certificaat heftruck",
                  "rijvaardigheidsbewijs heftruck",
                  "heftruckdiploma", "forklift certificate"), 0.8),
    "reachtruck": (("reachtruck certificaat", "certificaat reachtruck", "reachtruckdiploma"), 0.8),
    "bhv": (("BHV", "bhv diploma", "bedrijfshulpverlening", "BHV certificaat"), 0.2),
    "ehbo": (("EHBO", "ehbo diploma", "eerste hulp", "first aid", "EHBO certificaat"), 0.2),
    "code95": (("code 95", "code95", "vakbekwaamheid code 95", "chauffeursdiploma code 95"), 2.0),
    "beveiliging": (("diploma beveiliger", "beveiliger 2", "MBO beveiliger", "beveiligingspas",
                     "beveiligingsdiploma"), 2.2),
    "verkeersregelaar": (("verkeersregelaar certificaat", "aanstellingspas verkeersregelaar",
                          "verkeersregelaarspas"), 1.0),
    "hygiene": (("hygiënecode", "hygiene code", "HACCP certificaat", "SVH hygiëne", "haccp"), 0.3),
    "sociale_hygiene": (("sociale hygiëne", "SVH sociale hygiëne", "verklaring sociale hygiene",
                         "sociale hygiene"), 0.9),
    "hoogwerker": (("hoogwerker certificaat", "IPAF", "certificaat hoogwerker", "hoogwerkerpas"), 0.8),
    "boa": (("BOA", "boa pas", "buitengewoon opsporingsambtenaar", "BOA domein 1"), 2.2),
    "kettingzaag": (("kettingzaagcertificaat", "ECC", "motorkettingzaag certificaat",
                     "European Chainsaw Certificate"), 1.0),
    "spuitlicentie": (("spuitlicentie", "bewijs vakbekwaamheid gewasbescherming", "spuit licentie"), 0.8),
    "nen3140": (("NEN 3140", "nen3140", "VP NEN 3140", "vakbekwaam persoon NEN3140"), 1.2),
    "lascertificaat": (("lascertificaat", "NEN-EN-ISO 9606", "lasdiploma", "las certificaat mig/mag"), 1.2),
    "steiger": (("steigerbouwer certificaat", "certificaat steigerbouw", "monteur steigerbouw"), 1.4),
    "vog": (("VOG", "verklaring omtrent gedrag", "vog aanwezig", "VOG aangevraagd"), 0.3),
    "chauffeurskaart": (("chauffeurskaart", "taxipas", "chauffeurspas", "kiwa chauffeurskaart"), 1.5),
}

# ---------------------------------------------------------------------------------------------------
# Occupations
# ---------------------------------------------------------------------------------------------------
FAMILIES: dict[str, tuple[str, ...]] = {
    # family code -> vague phrases people use for "something in this field"
    "logistiek": ("logistiek", "iets in de logistiek", "magazijnwerk", "werk in een magazijn"),
    "schoonmaak": ("schoonmaak", "schoonmaakwerk", "iets met schoonmaken"),
    "productie": ("productie", "productiewerk", "fabriek", "werk in de fabriek"),
    "horeca": ("horeca", "iets in de horeca", "keuken", "restaurant"),
    "detailhandel": ("winkel", "detailhandel", "supermarkt", "retail"),
    "zorg": ("zorg", "iets in de zorg", "ouderenzorg", "zorg en welzijn"),
    "kinderopvang_onderwijs": ("kinderopvang", "iets met kinderen", "onderwijs"),
    "groen": ("groen", "buiten werken", "groenvoorziening", "tuinbouw"),
    "bouw_techniek": ("bouw", "techniek", "iets technisch", "bouw en infra"),
    "beveiliging": ("beveiliging", "security", "toezicht"),
    "vervoer": ("chauffeur", "rijden", "vervoer", "bezorging"),
    "klantcontact": ("klantenservice", "callcenter", "klantcontact"),
    "administratie_facilitair": ("administratie", "kantoorwerk", "facilitair", "iets op kantoor"),
    "overig": ("maakt niet uit", "alles", "iets met mensen"),
}

_DEMAND_ABBR = {
    "st": "standing", "ni": "night_work", "ev": "evening_work", "we": "weekend_work", "hs": "high_stimulus",
    "cc": "customer_contact", "he": "heights", "dr": "driving", "ou": "outdoor",
}


def _demands(spec: str) -> dict[str, float]:
    out = {code: 0.0 for code in _DEMAND_ABBR.values()}
    for part in spec.split():
        key, val = part.split("=")
        out[_DEMAND_ABBR[key]] = float(val)
    return out


def _certs(spec: str) -> tuple[tuple[str, float], ...]:
    if not spec:
        return ()
    out = []
    for part in spec.split():
        key, val = part.split("=")
        out.append((key, float(val)))
    return tuple(out)


@dataclass(frozen=True)
class Occupation:
    code: str
    family: str
    forms: tuple[str, ...]
    skills: tuple[str, ...]  # core skills first
    certs: tuple[tuple[str, float], ...]  # (certificate code, probability a vacancy requires it)
    demands: dict[str, float]  # probability that a vacancy has each boolean demand
    lift_kg: int  # typical lifting demand (0: none)
    education: str
    dutch: str
    cand_weight: float  # how common the occupation is in the register (experience and wishes)
    vac_weight: float  # how common among WSP vacancies
    scalabor_weight: float  # how common among Scalabor vacancies
    hours: tuple[int, int] = (24, 40)
    licence: str | None = None
    licence_p: float = 1.0

    @property
    def label(self) -> str:
        return self.forms[0]


def _o(code: str, family: str, forms: tuple[str, ...], skills: str, certs: str, demands: str, lift: int,
       edu: str, dutch: str, cw: float, vw: float, sw: float, hours: tuple[int, int] = (24, 40),
       licence: str | None = None, licence_p: float = 1.0) -> Occupation:
    return Occupation(code, family, forms, tuple(skills.split()), _certs(certs), _demands(demands), lift, edu,
                      dutch, cw, vw, sw, hours, licence, licence_p)


OCCUPATIONS: tuple[Occupation, ...] = (
    # ----- logistiek -----
    _o("magazijnmedewerker", "logistiek",
       ("magazijnmedewerker", "medewerker magazijn", "magazijn medewerker", "logistiek medewerker",
        "warehouse medewerker", "warehouse worker", "mdw magazijn", "magazijnier"),
       "orderpicken handscanner ept inpakken laden_lossen goederenontvangst expeditie pallets heftruck wms",
       "vca_basis=.15 heftruck=.25", "st=.9 ev=.4 we=.2 ni=.15 hs=.3", 20, "vmbo", "A2", 9, 10, 5, (32, 40)),
    _o("orderpicker", "logistiek",
       ("orderpicker", "order picker", "orderpikker", "medewerker orderpicking", "picker", "orderverzamelaar"),
       "orderpicken handscanner ept pallets inpakken", "", "st=.95 ev=.5 we=.3 ni=.25 hs=.35", 20, "geen", "A1",
       6, 7, 3, (32, 40)),
    _o("heftruckchauffeur", "logistiek",
       ("heftruckchauffeur", "heftruckbestuurder", "heftruck chauffeur", "vorkheftruckchauffeur", "forklift driver",
        "heftrucker"),
       "heftruck laden_lossen pallets goederenontvangst expeditie reachtruck", "heftruck=.85 vca_basis=.2",
       "st=.3 ev=.4 we=.2 ni=.2 hs=.3 ou=.2", 15, "vmbo", "A2", 3, 4, .5, (36, 40)),
    _o("reachtruckchauffeur", "logistiek",
       ("reachtruckchauffeur", "reachtruck bestuurder", "reachtrucker", "reach truck driver", "reachtruck chauffeur"),
       "reachtruck heftruck wms goederenontvangst pallets", "reachtruck=.85 heftruck=.3",
       "st=.2 ev=.4 we=.2 ni=.25 hs=.2", 10, "vmbo", "A2", 1, 2, 0, (36, 40)),
    _o("inpakker", "logistiek",
       ("inpakker", "inpakmedewerker", "medewerker inpak", "packer", "inpakster", "medewerker inpakafdeling"),
       "inpakken bandwerk kwaliteitscontrole pallets", "", "st=.85 ev=.3 we=.1 ni=.05 hs=.2", 10, "geen", "A1",
       5, 4, 8, (16, 40)),
    _o("expeditiemedewerker", "logistiek",
       ("expeditiemedewerker", "medewerker expeditie", "expeditie medewerker", "verzendmedewerker"),
       "expeditie inpakken laden_lossen handscanner ept wms", "heftruck=.15", "st=.8 ev=.3 we=.1 hs=.3", 20,
       "vmbo", "A2", 2, 2, 1, (32, 40)),
    _o("laad_losmedewerker", "logistiek",
       ("laad- en losmedewerker", "medewerker laden en lossen", "losser", "medewerker laden/lossen", "dock worker"),
       "laden_lossen pallets ept handscanner", "vca_basis=.2", "st=.9 ev=.5 we=.3 ni=.3 ou=.4 hs=.3", 25, "geen",
       "A1", 2, 2, 1, (32, 40)),
    _o("voorraadbeheerder", "logistiek",
       ("voorraadbeheerder", "medewerker voorraadbeheer", "inventory medewerker", "magazijnbeheerder"),
       "voorraadbeheer wms computer excel goederenontvangst nauwkeurig", "", "st=.4", 10, "mbo2", "B1",
       1, 1.5, 0, (32, 40)),
    _o("retourmedewerker", "logistiek",
       ("retourmedewerker", "medewerker retouren", "returns medewerker", "medewerker retourafdeling"),
       "retouren handscanner kwaliteitscontrole inpakken sorteren", "", "st=.7 ev=.3 we=.2", 10, "geen", "A2",
       1, 1.5, 3, (16, 38)),
    _o("sorteerder", "logistiek",
       ("sorteerder", "sorteermedewerker", "pakketsorteerder", "medewerker sorteercentrum", "sorteer medewerker"),
       "sorteren handscanner laden_lossen", "", "st=.9 ev=.6 we=.4 ni=.5 hs=.5", 23, "geen", "A1", 3, 4, 3,
       (12, 32)),
    # ----- schoonmaak -----
    _o("schoonmaker", "schoonmaak",
       ("schoonmaker", "schoonmaakster", "schoonmaakmedewerker", "interieurverzorger", "cleaner", "schoonmaak",
        "medewerker schoonmaak"),
       "schoonmaken sanitair vloeronderhoud schrobmachine hygiene zelfstandig", "vca_basis=.05",
       "st=.85 ev=.55 we=.25 ni=.05 cc=.1", 10, "geen", "A1", 10, 8, 12, (8, 30)),
    _o("glazenwasser", "schoonmaak",
       ("glazenwasser", "glazen wasser", "glasbewasser", "gevelreiniger", "window cleaner"),
       "glasbewassing hoogwerker schoonmaken", "vca_basis=.6 hoogwerker=.4", "st=.8 he=.95 ou=.9 cc=.1", 10,
       "geen", "A2", 1, 1.5, 1, (32, 40), "B", .4),
    _o("huishoudelijke_hulp", "schoonmaak",
       ("huishoudelijke hulp", "huishoudelijk medewerker", "hulp bij het huishouden", "thuishulp", "alphahulp",
        "HH medewerker"),
       "huishouden schoonmaken strijken wassen zelfstandig klantvriendelijk", "vog=.4",
       "st=.6 cc=.8", 5, "geen", "A2", 6, 5, 2, (8, 28)),
    _o("schoonmaker_vervoer", "schoonmaak",
       ("treinreiniger", "schoonmaker openbaar vervoer", "busreiniger", "schoonmaker treinen",
        "medewerker reiniging OV"),
       "schoonmaken sanitair vloeronderhoud", "vca_basis=.3", "st=.8 ev=.7 we=.5 ni=.6", 5, "geen", "A1",
       1, 1.5, 1, (20, 36)),
    _o("autowasser", "schoonmaak",
       ("autowasser", "medewerker wasstraat", "car wash medewerker", "autopoetser", "autopoetsen"),
       "autowassen schoonmaken klantvriendelijk", "", "st=.9 we=.6 ou=.5 cc=.3", 5, "geen", "A1", 1.5, 1, 2,
       (12, 36)),
    _o("specialistisch_schoonmaker", "schoonmaak",
       ("specialistisch schoonmaker", "vloerenspecialist", "medewerker specialistische reiniging", "dieptereiniger"),
       "vloeronderhoud schrobmachine schoonmaken hoogwerker", "vca_basis=.5", "st=.8 ev=.4 we=.3 he=.3", 20,
       "vmbo", "A2", 1, 1, 0.5, (32, 40), "B", .5),
    # ----- productie -----
    _o("productiemedewerker", "productie",
       ("productiemedewerker", "productie medewerker", "medewerker productie", "productiewerker", "operator productie",
        "production worker", "fabrieksmedewerker"),
       "machine_bedienen bandwerk kwaliteitscontrole inpakken lean nauwkeurig", "vca_basis=.15",
       "st=.9 ev=.5 we=.2 ni=.35 hs=.4", 15, "geen", "A2", 9, 9, 8, (32, 40)),
    _o("machineoperator", "productie",
       ("machineoperator", "machine operator", "operator", "machinebediende", "procesoperator", "machine-operator"),
       "machine_bedienen kwaliteitscontrole lean tekening_lezen computer", "vca_basis=.25",
       "st=.7 ev=.6 we=.3 ni=.5 hs=.4", 10, "mbo2", "A2", 2, 4, 1, (36, 40)),
    _o("productiemedewerker_food", "productie",
       ("productiemedewerker voedingsmiddelen", "medewerker voedingsindustrie", "lijnmedewerker", "food operator",
        "productiemedewerker food"),
       "bandwerk hygiene inpakken kwaliteitscontrole machine_bedienen", "hygiene=.4",
       "st=.95 ev=.5 we=.3 ni=.3 hs=.4", 15, "geen", "A1", 3, 4, 3, (24, 40)),
    _o("assemblagemedewerker", "productie",
       ("assemblagemedewerker", "medewerker montage", "monteur assemblage", "assembly worker", "montagemedewerker"),
       "montage gereedschap kwaliteitscontrole tekening_lezen nauwkeurig solderen", "",
       "st=.6 ev=.3 hs=.2", 10, "vmbo", "A2", 3, 3, 6, (24, 40)),
    _o("kwaliteitscontroleur", "productie",
       ("kwaliteitscontroleur", "medewerker kwaliteitscontrole", "QC medewerker", "controleur", "quality controller"),
       "kwaliteitscontrole nauwkeurig rapporteren computer tekening_lezen", "", "st=.6 ev=.3", 5, "mbo2", "B1",
       1, 1.5, 1, (32, 40)),
    _o("metaalbewerker", "productie",
       ("metaalbewerker", "medewerker metaalbewerking", "plaatwerker", "metaalbewerker cnc", "constructiebankwerker"),
       "metaalbewerking cnc tekening_lezen gereedschap lassen", "vca_basis=.4", "st=.9 ev=.3 ni=.1 hs=.5", 20,
       "mbo2", "A2", 1.5, 3, 1, (36, 40)),
    _o("lasser", "productie",
       ("lasser", "MIG/MAG lasser", "lasser mig mag", "welder", "constructielasser"),
       "lassen metaalbewerking tekening_lezen gereedschap", "lascertificaat=.5 vca_basis=.5",
       "st=.8 ev=.3 hs=.5 he=.1", 20, "mbo2", "A2", 1, 2.5, 0, (36, 40)),
    _o("houtbewerker", "productie",
       ("houtbewerker", "meubelmaker", "timmerman werkplaats", "medewerker houtbewerking", "interieurbouwer"),
       "houtbewerking gereedschap tekening_lezen montage", "vca_basis=.2", "st=.8 hs=.5", 20, "mbo2", "A2",
       1, 1.5, 2, (32, 40)),
    _o("medewerker_recycling", "productie",
       ("medewerker recycling", "recyclingmedewerker", "sorteerder afval", "medewerker demontage",
        "medewerker afvalsortering"),
       "sorteren demontage gereedschap laden_lossen", "vca_basis=.3", "st=.9 hs=.4 ou=.3", 20, "geen", "A1",
       1, 1, 5, (24, 38)),
    _o("medewerker_drukkerij", "productie",
       ("medewerker drukkerij", "drukker", "print operator", "medewerker afwerking drukwerk", "drukkerijmedewerker"),
       "drukwerk machine_bedienen inpakken kwaliteitscontrole", "", "st=.8 ev=.4 ni=.2 hs=.4", 15, "vmbo", "A2",
       0.7, 1, 2, (32, 40)),
    _o("medewerker_wasserij", "productie",
       ("medewerker wasserij", "wasserijmedewerker", "strijker", "medewerker linnenkamer", "medewerker linnenservice"),
       "wassen strijken sorteren machine_bedienen inpakken", "", "st=.9 hs=.3", 10, "geen", "A1", 1.5, 1, 5,
       (16, 38)),
    _o("vleesverwerker", "productie",
       ("vleesverwerker", "uitbener", "medewerker slachterij", "slager", "medewerker vleesverwerking"),
       "vleesverwerking hygiene bandwerk inpakken", "hygiene=.5", "st=.95 ni=.2 we=.2 hs=.5", 20, "geen", "A1",
       1, 1.5, 1, (36, 40)),
    _o("bakker", "productie",
       ("bakker", "bakkersassistent", "medewerker bakkerij", "broodbakker", "hulpbakker"),
       "bakken hygiene machine_bedienen inpakken", "hygiene=.5", "st=.9 ni=.6 we=.5", 15, "vmbo", "A2",
       1.5, 1.5, 2, (24, 40)),
    # ----- horeca -----
    _o("keukenhulp", "horeca",
       ("keukenhulp", "keuken hulp", "keukenassistent", "kitchen assistant", "medewerker keuken", "hulp in de keuken"),
       "mise_en_place afwassen hygiene broodjes samenwerken", "hygiene=.3", "st=.95 ev=.7 we=.7 hs=.6", 10,
       "geen", "A1", 6, 5, 6, (12, 32)),
    _o("afwasser", "horeca",
       ("afwasser", "afwashulp", "spoeler", "medewerker spoelkeuken", "dishwasher", "afwas medewerker"),
       "afwassen hygiene schoonmaken", "", "st=.95 ev=.8 we=.7 hs=.5", 10, "geen", "A0", 4, 4, 5, (8, 32)),
    _o("kok", "horeca",
       ("kok", "zelfstandig werkend kok", "zwk kok", "leerling kok", "cook", "chef", "hulpkok"),
       "koken mise_en_place hygiene plannen samenwerken", "hygiene=.6", "st=.95 ev=.8 we=.8 hs=.7", 10,
       "mbo2", "A2", 4, 5, 1, (24, 40)),
    _o("bediening", "horeca",
       ("medewerker bediening", "bediening", "serveerster", "ober", "kelner", "waiter", "bedieningsmedewerker"),
       "serveren gastvrijheid kassa tappen klantvriendelijk", "sociale_hygiene=.2",
       "st=.95 ev=.8 we=.85 cc=1 hs=.7", 5, "geen", "B1", 6, 5, 2, (8, 32)),
    _o("barmedewerker", "horeca",
       ("barmedewerker", "barman", "bartender", "barkeeper", "medewerker bar"),
       "tappen kassa gastvrijheid klantvriendelijk", "sociale_hygiene=.5", "st=.95 ev=.95 we=.9 ni=.3 cc=1 hs=.8",
       10, "geen", "B1", 2, 2, 0, (8, 32)),
    _o("medewerker_fastfood", "horeca",
       ("crew member", "medewerker fastfood", "medewerker snackbar", "frituurmedewerker", "crewmember",
        "medewerker restaurant fastfood"),
       "frituren kassa klantvriendelijk hygiene broodjes", "", "st=.95 ev=.8 we=.8 cc=.9 hs=.8", 5, "geen", "A2",
       3, 3, 1, (8, 32)),
    _o("cateringmedewerker", "horeca",
       ("cateringmedewerker", "medewerker bedrijfsrestaurant", "medewerker catering", "kantinemedewerker",
        "medewerker lunchroom"),
       "broodjes kassa hygiene klantvriendelijk afwassen", "hygiene=.3", "st=.9 cc=.8", 10, "geen", "A2",
       3, 3, 4, (16, 32)),
    _o("gastheer", "horeca",
       ("gastheer/gastvrouw", "gastheer", "gastvrouw", "host", "hostess", "medewerker ontvangst"),
       "gastvrijheid klantvriendelijk bezoekers serveren", "", "st=.8 ev=.5 we=.6 cc=1", 5, "vmbo", "B1",
       2, 1.5, 2, (12, 32)),
    _o("housekeeping", "horeca",
       ("housekeeping medewerker", "kamermeisje", "roomattendant", "room attendant", "medewerker huishouding hotel"),
       "kamers_opmaken schoonmaken sanitair wassen", "", "st=.9 we=.7", 10, "geen", "A1", 2, 2, 3, (12, 32)),
    # ----- detailhandel -----
    _o("kassamedewerker", "detailhandel",
       ("kassamedewerker", "kassier", "caissière", "medewerker kassa", "cashier", "kassière", "caissiere"),
       "kassa klantvriendelijk rekenen vakken_vullen", "", "st=.6 ev=.5 we=.7 cc=1 hs=.6", 5, "geen", "A2",
       5, 4, 1, (8, 32)),
    _o("vakkenvuller", "detailhandel",
       ("vakkenvuller", "medewerker vulploeg", "winkelbijvuller", "shelf stacker", "vulploegmedewerker",
        "vakkenvuller supermarkt"),
       "vakken_vullen houdbaarheid winkelpresentatie laden_lossen ept", "", "st=.95 ev=.6 we=.5 ni=.1 hs=.2",
       15, "geen", "A1", 7, 5, 5, (8, 32)),
    _o("winkelmedewerker", "detailhandel",
       ("winkelmedewerker", "verkoopmedewerker", "verkoper", "winkelassistent", "sales assistant", "medewerker winkel",
        "verkoopster"),
       "verkoop klantvriendelijk kassa winkelpresentatie vakken_vullen", "", "st=.9 we=.8 ev=.3 cc=1 hs=.5", 10,
       "vmbo", "B1", 7, 6, 1, (12, 38)),
    _o("medewerker_vers", "detailhandel",
       ("medewerker versafdeling", "versmedewerker", "medewerker AGF", "medewerker vers",
        "medewerker kaas en vleeswaren"),
       "vers hygiene klantvriendelijk houdbaarheid winkelpresentatie", "hygiene=.3", "st=.95 we=.7 ev=.3 cc=.7",
       10, "geen", "A2", 2, 2.5, 1, (12, 36)),
    _o("medewerker_kringloop", "detailhandel",
       ("medewerker kringloopwinkel", "kringloopmedewerker", "medewerker tweedehandswinkel", "medewerker kringloop"),
       "sorteren winkelpresentatie kassa klantvriendelijk laden_lossen", "", "st=.8 we=.5 cc=.6", 20, "geen",
       "A1", 2, 0.5, 8, (12, 32)),
    _o("medewerker_tuincentrum", "detailhandel",
       ("medewerker tuincentrum", "verkoper tuincentrum", "tuincentrum medewerker", "medewerker plantenafdeling"),
       "verkoop beplanten klantvriendelijk kassa vakken_vullen", "", "st=.9 we=.8 ou=.4 cc=.9", 20, "vmbo", "A2",
       1, 1.5, 2, (16, 38)),
    _o("medewerker_bouwmarkt", "detailhandel",
       ("medewerker bouwmarkt", "bouwmarktmedewerker", "verkoper bouwmarkt", "medewerker doe-het-zelf"),
       "verkoop klantvriendelijk vakken_vullen kassa klussen", "heftruck=.1", "st=.9 we=.7 cc=.9", 25, "vmbo",
       "B1", 1, 1.5, 0.5, (16, 38)),
    _o("medewerker_tankstation", "detailhandel",
       ("medewerker tankstation", "tankstationmedewerker", "shopmedewerker tankstation", "pompbediende"),
       "kassa klantvriendelijk vakken_vullen schoonmaken", "", "st=.8 ev=.7 we=.8 ni=.3 cc=1", 5, "geen", "A2",
       1, 1.5, 0, (8, 32)),
    # ----- zorg & welzijn -----
    _o("verzorgende_ig", "zorg",
       ("verzorgende IG", "verzorgende-IG", "VIG", "verzorgende individuele gezondheidszorg", "verzorgende niveau 3",
        "caregiver"),
       "persoonlijke_verzorging medicatie rapporteren tiltechnieken dementie begeleiden", "vog=.8",
       "st=.8 ev=.8 we=.9 ni=.4 cc=1 hs=.4", 15, "mbo3", "B1", 3, 7, 0, (16, 36)),
    _o("helpende_zorg", "zorg",
       ("helpende zorg en welzijn", "helpende", "helpende Z&W", "zorghulp", "helpende niveau 2", "zorgassistent"),
       "persoonlijke_verzorging huishouden maaltijden rapporteren begeleiden", "vog=.7",
       "st=.8 ev=.6 we=.8 cc=1 hs=.4", 15, "mbo2", "B1", 5, 6, 1, (16, 32)),
    _o("persoonlijk_begeleider", "zorg",
       ("persoonlijk begeleider", "woonbegeleider", "begeleider gehandicaptenzorg", "persoonlijk begeleider ggz",
        "ambulant begeleider"),
       "begeleiden rapporteren activiteiten conflicthantering plannen", "vog=.9",
       "ev=.7 we=.8 ni=.3 cc=1 hs=.6", 5, "mbo4", "B2", 2, 4, 0, (24, 36)),
    _o("activiteitenbegeleider", "zorg",
       ("activiteitenbegeleider", "medewerker dagbesteding", "begeleider dagbesteding", "activiteitenbegeleiding"),
       "activiteiten begeleiden spelbegeleiding rapporteren", "vog=.8", "cc=1 hs=.3", 5, "mbo3", "B1",
       2, 2, 1, (16, 32)),
    _o("zorggastvrouw", "zorg",
       ("zorggastvrouw", "gastvrouw zorg", "medewerker welzijn", "facilitair medewerker zorg", "voedingsassistent"),
       "gastvrijheid maaltijden klantvriendelijk schoonmaken afwassen", "vog=.5 hygiene=.3",
       "st=.7 we=.6 ev=.3 cc=1", 5, "mbo1", "A2", 2, 2.5, 4, (12, 32)),
    _o("thuiszorgmedewerker", "zorg",
       ("medewerker thuiszorg", "thuiszorgmedewerker", "thuiszorg", "wijkhelpende"),
       "persoonlijke_verzorging huishouden rapporteren klantvriendelijk", "vog=.8",
       "cc=1 we=.6 ev=.4 dr=.6 ou=.4", 10, "mbo2", "B1", 2, 2.5, 0, (12, 32), "B", .5),
    # ----- kinderopvang & onderwijs -----
    _o("pedagogisch_medewerker", "kinderopvang_onderwijs",
       ("pedagogisch medewerker", "PM'er", "pm-er", "pedagogisch mdw", "medewerker kinderopvang",
        "leidster kinderdagverblijf", "pedagogisch medewerker kinderopvang"),
       "kinderopvang spelbegeleiding rapporteren samenwerken", "vog=1 ehbo=.4", "st=.5 cc=.8 hs=.9", 10,
       "mbo3", "B2", 2.5, 4, 0, (16, 32)),
    _o("assistent_pm", "kinderopvang_onderwijs",
       ("assistent pedagogisch medewerker", "groepshulp kinderopvang", "groepshulp", "assistent kinderopvang",
        "helpende kinderopvang"),
       "kinderopvang spelbegeleiding schoonmaken samenwerken", "vog=1", "st=.5 cc=.6 hs=.9", 10, "mbo2", "B1",
       2, 2, 2, (12, 28)),
    _o("onderwijsassistent", "kinderopvang_onderwijs",
       ("onderwijsassistent", "klassenassistent", "assistent leerkracht", "teaching assistant"),
       "kinderopvang begeleiden spelbegeleiding rapporteren", "vog=1", "cc=.7 hs=.9", 5, "mbo4", "B2",
       1, 1.5, 0, (16, 32)),
    _o("overblijfkracht", "kinderopvang_onderwijs",
       ("overblijfkracht", "overblijfmedewerker", "TSO medewerker", "pleinwacht", "overblijfmoeder"),
       "kinderopvang spelbegeleiding samenwerken", "vog=1", "cc=.5 hs=.9 ou=.5", 0, "geen", "B1", 1, 1, 1, (4, 12)),
    _o("dierverzorger", "kinderopvang_onderwijs",
       ("dierverzorger", "dierenverzorger", "medewerker dierenasiel", "medewerker kinderboerderij",
        "dierenverzorgster"),
       "dierverzorging schoonmaken publiek", "", "st=.8 we=.6 ou=.8 cc=.4", 20, "vmbo", "A2", 2, 1, 3,
       (16, 36)),
    # ----- groen -----
    _o("medewerker_groen", "groen",
       ("medewerker groenvoorziening", "groenvoorziener", "groenmedewerker", "medewerker groen", "plantsoenmedewerker",
        "medewerker groenonderhoud"),
       "maaien snoeien wieden bosmaaier beplanten samenwerken", "vca_basis=.4",
       "st=.8 ou=1 hs=.2", 20, "geen", "A1", 6, 4, 12, (24, 40)),
    _o("hovenier", "groen",
       ("hovenier", "tuinman", "tuinier", "hoveniersmedewerker", "gardener", "tuinaanlegger"),
       "tuinaanleg snoeien bestraten beplanten maaien grondwerk", "vca_basis=.4",
       "st=.8 ou=1 dr=.3 cc=.3", 25, "mbo2", "A2", 3, 3, 2, (32, 40), "B", .4),
    _o("kwekerijmedewerker", "groen",
       ("medewerker kwekerij", "kwekerijmedewerker", "medewerker glastuinbouw", "tuinbouwmedewerker", "kasmedewerker"),
       "kaswerk beplanten oogsten sorteren inpakken", "", "st=.9 we=.2 ou=.4", 15, "geen", "A0", 2, 2.5, 4,
       (24, 40)),
    _o("oogstmedewerker", "groen",
       ("oogstmedewerker", "fruitplukker", "plukker", "medewerker fruitteelt", "seizoenswerker fruit"),
       "oogsten sorteren inpakken snoeien", "", "st=.9 we=.5 ou=1 he=.2", 15, "geen", "A0", 2, 2.5, 2,
       (24, 40)),
    _o("boomverzorger", "groen",
       ("boomverzorger", "boomspecialist", "arborist", "medewerker boomverzorging"),
       "kettingzaag snoeien hoogwerker bosmaaier", "kettingzaag=.8 vca_basis=.7",
       "st=.8 ou=1 he=.9", 25, "mbo2", "A2", 0.5, 1, 0, (36, 40), "B", .6),
    _o("straatreiniger", "groen",
       ("straatreiniger", "medewerker reiniging", "medewerker straatreiniging", "veger", "medewerker buitendienst"),
       "veegmachine afval_inzamelen schoonmaken", "", "st=.9 ou=1 dr=.3", 15, "geen", "A1", 1.5, 1, 5,
       (24, 38)),
    _o("afvalinzamelaar", "groen",
       ("afvalinzamelaar", "belader", "beladder", "vuilnisman", "medewerker afvalinzameling"),
       "afval_inzamelen laden_lossen samenwerken", "vca_basis=.3", "st=.95 ou=1", 25, "geen", "A1", 1.5, 1.5, 2,
       (36, 40)),
    # ----- bouw & techniek -----
    _o("stratenmaker", "bouw_techniek",
       ("stratenmaker", "straatmaker", "stratenmaker in opleiding", "bestrater", "paver", "stratenmakershulp"),
       "bestraten grondwerk opperen gereedschap", "vca_basis=.8", "st=.6 ou=1", 25, "vmbo", "A2", 2, 3, 1,
       (36, 40)),
    _o("bouwplaatsmedewerker", "bouw_techniek",
       ("bouwplaatsmedewerker", "bouwvakker", "opperman", "hulp op de bouw", "construction worker",
        "algemeen medewerker bouw", "bouwhulp"),
       "opperen grondwerk slopen gereedschap samenwerken", "vca_basis=.9", "st=.9 ou=.9 he=.3", 25, "geen", "A1",
       4, 4, 2, (36, 40)),
    _o("schilder", "bouw_techniek",
       ("schilder", "huisschilder", "schildersknecht", "leerling schilder", "painter", "onderhoudsschilder",
        "schilder/behanger"),
       "schilderen behangen stucen gereedschap", "vca_basis=.6", "st=.8 he=.7 ou=.5", 15, "vmbo", "A2",
       3, 3, 2, (32, 40)),
    _o("timmerman", "bouw_techniek",
       ("timmerman", "bouwtimmerman", "carpenter", "allround timmerman", "timmerman bouw"),
       "timmeren tekening_lezen gereedschap houtbewerking", "vca_basis=.8", "st=.8 he=.5 ou=.6", 25, "mbo2",
       "A2", 2, 3, 0.5, (38, 40)),
    _o("metselaar", "bouw_techniek",
       ("metselaar", "bricklayer", "metselaar/voeger", "voeger"),
       "metselen opperen tekening_lezen", "vca_basis=.8", "st=.9 he=.4 ou=.9", 25, "mbo2", "A2", 1, 2, 0,
       (38, 40)),
    _o("elektromonteur", "bouw_techniek",
       ("elektromonteur", "monteur elektra", "elektricien", "electrician", "installatiemonteur elektra"),
       "elektra tekening_lezen gereedschap computer", "vca_basis=.8 nen3140=.6", "st=.5 he=.4", 15, "mbo3", "B1",
       1, 3, 0, (38, 40), "B", .6),
    _o("loodgieter", "bouw_techniek",
       ("loodgieter", "installatiemonteur", "monteur W", "sanitair monteur", "plumber", "cv monteur"),
       "sanitair_installeren tekening_lezen gereedschap klussen", "vca_basis=.7", "st=.5 he=.2 cc=.4", 20,
       "mbo2", "B1", 1, 2.5, 0, (38, 40), "B", .7),
    _o("onderhoudsmedewerker", "bouw_techniek",
       ("onderhoudsmedewerker", "klusjesman", "allround onderhoudsmedewerker", "medewerker technische dienst",
        "handyman", "klusser"),
       "klussen gereedschap schilderen timmeren", "vca_basis=.4", "st=.6 he=.3 cc=.3 ou=.4", 20, "vmbo", "A2",
       3, 2.5, 4, (24, 40), "B", .3),
    _o("dakdekker", "bouw_techniek",
       ("dakdekker", "dakdekkershulp", "roofer", "medewerker dakwerk"),
       "dakwerk gereedschap opperen", "vca_basis=.9", "st=.8 he=1 ou=1", 25, "vmbo", "A2", 0.5, 1, 0, (38, 40)),
    _o("steigerbouwer", "bouw_techniek",
       ("steigerbouwer", "steiger bouwer", "scaffolder", "hulpsteigerbouwer"),
       "steigerbouw gereedschap laden_lossen", "vca_basis=1 steiger=.5", "st=.8 he=1 ou=1", 25, "geen", "A2",
       0.5, 1, 0, (38, 40)),
    _o("sloopmedewerker", "bouw_techniek",
       ("sloopmedewerker", "sloper", "medewerker sloopwerk", "demolition worker"),
       "slopen gereedschap opperen", "vca_basis=.9", "st=.8 ou=.7 he=.3 hs=.5", 25, "geen", "A1", 0.5, 1, 0.5,
       (38, 40)),
    _o("tegelzetter", "bouw_techniek",
       ("tegelzetter", "tegelzetter/vloerlegger", "tiler", "hulp tegelzetter"),
       "tegelzetten gereedschap opperen", "vca_basis=.5", "st=.6", 25, "vmbo", "A2", 0.5, 1, 0, (36, 40)),
    _o("fietsenmaker", "bouw_techniek",
       ("fietsenmaker", "fietsenmonteur", "rijwielhersteller", "bike mechanic", "fietstechnicus"),
       "fietsreparatie gereedschap klantvriendelijk", "", "st=.8 cc=.6 we=.5", 15, "vmbo", "A2", 1.5, 1.5, 4,
       (24, 40)),
    _o("automonteur", "bouw_techniek",
       ("automonteur", "autotechnicus", "APK monteur", "car mechanic", "monteur personenauto's"),
       "autotechniek gereedschap computer", "", "st=.8", 20, "mbo2", "A2", 1, 2, 0, (38, 40), "B", .8),
    # ----- beveiliging -----
    _o("beveiliger", "beveiliging",
       ("beveiliger", "beveiligingsmedewerker", "beveiligingsbeambte", "security", "security guard", "objectbeveiliger",
        "bewaker"),
       "surveilleren toegangscontrole camerabewaking conflicthantering rapporteren", "beveiliging=.95 bhv=.5",
       "st=.7 ev=.8 we=.8 ni=.7 cc=.8 hs=.6", 5, "mbo2", "B1", 3, 4, 0, (24, 40)),
    _o("toezichthouder", "beveiliging",
       ("toezichthouder", "parkeercontroleur", "handhaver", "BOA", "stadswacht", "toezichthouder openbare ruimte"),
       "handhaving surveilleren conflicthantering rapporteren", "boa=.6", "st=.7 ev=.5 we=.6 cc=1 ou=.9 hs=.6",
       5, "mbo3", "B1", 1, 1.5, 1, (24, 36)),
    _o("verkeersregelaar", "beveiliging",
       ("verkeersregelaar", "verkeers regelaar", "evenementen verkeersregelaar", "traffic controller"),
       "verkeer_regelen klantvriendelijk", "verkeersregelaar=.9", "st=.95 ev=.6 we=.8 ou=1 hs=.7 cc=.5", 0,
       "geen", "A2", 1, 1, 1, (4, 24)),
    _o("portier", "beveiliging",
       ("portier", "portier/receptionist", "doorman", "medewerker portiersloge", "slagboommedewerker"),
       "toegangscontrole bezoekers telefoneren camerabewaking", "", "ev=.5 we=.5 ni=.4 cc=.8", 0, "vmbo", "B1",
       1, 1.5, 2, (24, 40)),
    _o("suppoost", "beveiliging",
       ("suppoost", "zaalwacht", "museummedewerker", "medewerker publieksservice", "zaalsuppoost"),
       "publiek toegangscontrole klantvriendelijk", "bhv=.3", "st=.8 we=.8 cc=.8", 0, "vmbo", "B1", 0.5, 1, 2,
       (12, 32)),
    # ----- vervoer -----
    _o("chauffeur_b", "vervoer",
       ("chauffeur B", "bestelbuschauffeur", "koerier", "chauffeur rijbewijs B", "bezorger bestelbus", "driver",
        "busjeschauffeur"),
       "bestelbus route bezorgen laden_lossen klantvriendelijk", "", "dr=1 st=.3 cc=.5 ou=.6 ev=.3", 20, "geen",
       "A2", 4, 4, 2, (24, 40), "B", 1),
    _o("vrachtwagenchauffeur", "vervoer",
       ("vrachtwagenchauffeur", "chauffeur C", "chauffeur groot rijbewijs", "truck driver", "C-chauffeur",
        "vrachtwagen chauffeur"),
       "vrachtwagen tachograaf route laden_lossen", "code95=.95", "dr=1 ev=.4 ni=.4 we=.2 ou=.5", 20, "vmbo",
       "A2", 1.5, 3, 0, (40, 40), "C", 1),
    _o("chauffeur_ce", "vervoer",
       ("chauffeur CE", "CE chauffeur", "chauffeur C+E", "trekker-oplegger chauffeur", "internationaal chauffeur"),
       "vrachtwagen tachograaf route laden_lossen", "code95=1", "dr=1 ev=.5 ni=.6 we=.4 ou=.5", 20, "vmbo", "A2",
       1, 2.5, 0, (40, 40), "CE", 1),
    _o("pakketbezorger", "vervoer",
       ("pakketbezorger", "pakket bezorger", "bezorger", "pakketkoerier", "delivery driver", "parcel delivery"),
       "bezorgen bestelbus route handscanner klantvriendelijk", "", "dr=1 ou=.8 ev=.5 we=.4 cc=.5 hs=.5", 23,
       "geen", "A2", 4, 4, 1, (24, 40), "B", 1),
    _o("postbezorger", "vervoer",
       ("postbezorger", "postbode", "bezorger post", "krantenbezorger", "brievenbesteller", "postman"),
       "post_bezorgen sorteren fietsen route", "", "ou=1 st=.9 we=.3", 10, "geen", "A1", 3, 2, 4, (8, 24)),
    _o("maaltijdbezorger", "vervoer",
       ("maaltijdbezorger", "bezorger pizza", "flitsbezorger", "rider", "fietskoerier", "bezorger maaltijden"),
       "fietsen bezorgen route klantvriendelijk", "", "ou=1 ev=.9 we=.9 cc=.5", 10, "geen", "A1", 3, 2, 0,
       (8, 24)),
    _o("taxichauffeur", "vervoer",
       ("taxichauffeur", "chauffeur leerlingenvervoer", "chauffeur zorgvervoer", "taxi driver",
        "chauffeur doelgroepenvervoer", "chauffeur personenvervoer"),
       "personenvervoer route klantvriendelijk", "chauffeurskaart=.9 vog=.6", "dr=1 cc=1 ev=.4 we=.4", 10,
       "vmbo", "B1", 2, 2.5, 0, (12, 36), "B", 1),
    _o("buschauffeur", "vervoer",
       ("buschauffeur", "chauffeur openbaar vervoer", "bus driver", "buschauffeuse", "chauffeur lijnbus"),
       "bus_rijden route klantvriendelijk conflicthantering", "code95=1", "dr=1 cc=1 ev=.8 we=.8 hs=.6", 0,
       "vmbo", "B1", 1, 1.5, 0, (24, 40), "D", 1),
    # ----- klantcontact -----
    _o("callcentermedewerker", "klantcontact",
       ("callcentermedewerker", "call center medewerker", "callcenter agent", "telemarketeer", "outbound medewerker",
        "telefonisch verkoper"),
       "telefoneren computer typen klantvriendelijk verkoop", "", "cc=1 ev=.5 we=.2 hs=.7", 0, "vmbo", "B2",
       4, 3, 1, (16, 36)),
    _o("klantenservicemedewerker", "klantcontact",
       ("klantenservicemedewerker", "medewerker klantenservice", "customer service medewerker",
        "klantcontactmedewerker",
        "KCC medewerker", "servicedesk medewerker klantcontact"),
       "telefoneren klachten computer typen klantvriendelijk", "", "cc=1 ev=.3 we=.2 hs=.6", 0, "mbo2", "B2",
       4, 3.5, 0.5, (16, 40)),
    _o("receptionist", "klantcontact",
       ("receptionist", "receptioniste", "baliemedewerker", "medewerker receptie", "front office medewerker",
        "telefoniste/receptioniste"),
       "bezoekers telefoneren agendabeheer office klantvriendelijk", "bhv=.3", "cc=1 hs=.4", 0, "mbo2", "B2",
       4, 2, 1, (16, 36)),
    # ----- administratie & facilitair -----
    _o("administratief_medewerker", "administratie_facilitair",
       ("administratief medewerker", "adm. medewerker", "administratief mdw", "medewerker administratie",
        "office assistant", "administratieve kracht"),
       "data_invoer archiveren office computer typen nauwkeurig", "", "cc=.2", 0, "mbo3", "B2", 7, 3, 1.5,
       (16, 38)),
    _o("data_entry", "administratie_facilitair",
       ("data-entry medewerker", "data entry medewerker", "data-invoerder",
        "medewerker gegevensverwerking", "invoerder"),
       "data_invoer typen computer nauwkeurig", "", "", 0, "mbo2", "B1", 2, 1.5, 2, (16, 38)),
    _o("postkamermedewerker", "administratie_facilitair",
       ("medewerker postkamer", "postkamermedewerker", "medewerker documentverwerking", "medewerker postverwerking"),
       "post_verwerken sorteren kopieren archiveren", "", "st=.4", 10, "vmbo", "A2", 1, 1, 3, (16, 36)),
    _o("facilitair_medewerker", "administratie_facilitair",
       ("facilitair medewerker", "medewerker facilitaire dienst", "facilitaire medewerker", "facility medewerker",
        "allround facilitair medewerker"),
       "klussen post_verwerken bezoekers schoonmaken kopieren", "bhv=.4", "st=.5 cc=.5", 15, "mbo2", "B1",
       3, 2.5, 5, (24, 40)),
    _o("concierge", "administratie_facilitair",
       ("conciërge", "concierge", "huismeester", "gebouwbeheerder", "medewerker gebouwbeheer", "conchierge"),
       "klussen toegangscontrole schoonmaken bezoekers", "bhv=.5 vog=.4", "st=.5 cc=.7", 15, "vmbo", "B1",
       2.5, 1.5, 2, (24, 40)),
    _o("financieel_administratief", "administratie_facilitair",
       ("financieel administratief medewerker", "boekhoudkundig medewerker", "medewerker crediteurenadministratie",
        "medewerker debiteuren", "financieel medewerker"),
       "boekhouden boekhoudpakket excel office nauwkeurig", "", "", 0, "mbo4", "B2", 2, 2, 0, (24, 40)),
    _o("secretaresse", "administratie_facilitair",
       ("secretaresse", "secretarieel medewerker", "office manager", "managementassistent"),
       "agendabeheer office telefoneren typen plannen", "", "cc=.5", 0, "mbo4", "C1", 2, 1.5, 0, (24, 36)),
    _o("ict_helpdesk", "administratie_facilitair",
       ("servicedesk medewerker", "helpdeskmedewerker", "ICT support medewerker", "IT helpdesk", "medewerker ICT"),
       "ict_support computer telefoneren klantvriendelijk engels", "", "cc=.8", 0, "mbo4", "B2", 2, 2, 0.5,
       (32, 40)),
    _o("repromedewerker", "administratie_facilitair",
       ("repromedewerker", "reprografisch medewerker", "medewerker repro", "medewerker printservice"),
       "kopieren drukwerk computer post_verwerken", "", "st=.6", 10, "vmbo", "A2", 0.5, 0.5, 2, (16, 36)),
    # ----- overig -----
    _o("kapper", "overig",
       ("kapper", "kapster", "hairdresser", "kappersassistent", "medewerker kapsalon"),
       "kappen klantvriendelijk kassa", "", "st=.9 cc=1 we=.6 ev=.3", 0, "mbo2", "B1", 1.5, 1, 0, (16, 36)),
    _o("recreatiemedewerker", "overig",
       ("recreatiemedewerker", "medewerker camping", "medewerker recreatiepark", "medewerker vakantiepark",
        "medewerker attractiepark"),
       "recreatie klantvriendelijk schoonmaken klussen publiek", "bhv=.3", "we=.8 ev=.4 ou=.7 cc=.8 st=.7", 15,
       "vmbo", "A2", 1, 1.5, 2, (16, 38)),
    _o("medewerker_sportcentrum", "overig",
       ("medewerker sportcentrum", "medewerker zwembad", "baliemedewerker sportschool", "medewerker sporthal"),
       "bezoekers klantvriendelijk schoonmaken kassa", "bhv=.5 ehbo=.4", "ev=.7 we=.7 cc=1", 10, "vmbo", "B1",
       1, 1, 1, (12, 32)),
)

OCC_INDEX: dict[str, int] = {o.code: i for i, o in enumerate(OCCUPATIONS)}
SKILL_CODES: tuple[str, ...] = tuple(SKILLS)
SKILL_INDEX: dict[str, int] = {s: i for i, s in enumerate(SKILL_CODES)}
CERT_CODES: tuple[str, ...] = tuple(CERTIFICATES)
CERT_INDEX: dict[str, int] = {c: i for i, c in enumerate(CERT_CODES)}
FAMILY_CODES: tuple[str, ...] = tuple(FAMILIES)
FAMILY_INDEX: dict[str, int] = {f: i for i, f in enumerate(FAMILY_CODES)}


def _check() -> None:
    for o in OCCUPATIONS:
        assert o.family in FAMILIES, o.code
        assert len(o.skills) >= 2, o.code
        assert o.education in EDUCATION_RANK and o.dutch in DUTCH_RANK, o.code
        for sk in o.skills:
            assert sk in SKILLS, (o.code, sk)
        for c, _ in o.certs:
            assert c in CERTIFICATES, (o.code, c)
        assert o.licence is None or o.licence in LICENCES
    for s in GENERAL_SKILLS:
        assert s in SKILLS
    assert len({o.code for o in OCCUPATIONS}) == len(OCCUPATIONS)


_check()

# ---------------------------------------------------------------------------------------------------
# Messy surface forms
# ---------------------------------------------------------------------------------------------------
_VOWELS = "aeiou"
_DIACRITICS = str.maketrans("ëéèêïíöóüúàá", "eeeeiioouuaa")
_COMPOUND_HEADS = (
    "medewerker", "chauffeur", "bezorger", "certificaat", "machine", "controle", "werker", "wasser", "maker",
    "verzorging", "begeleider", "dienst", "rijden", "werk", "vuller", "hulp", "beheer",
)


def typo(text: str, rng: random.Random) -> str:
    """One realistic typing error; always returns a different string when the text has at least 3 letters."""
    if len(text) < 3:
        return text
    for _ in range(8):
        op = rng.random()
        out = text
        if op < 0.20:  # drop a letter (not the first)
            i = rng.randrange(1, len(text))
            out = text[:i] + text[i + 1:]
        elif op < 0.36:  # double a letter
            i = rng.randrange(1, len(text))
            if text[i].isalpha():
                out = text[:i] + text[i] + text[i:]
        elif op < 0.54:  # swap two adjacent letters
            i = rng.randrange(1, len(text) - 1)
            out = text[:i] + text[i + 1] + text[i] + text[i + 2:]
        elif op < 0.64:  # missing space / joined words
            if " " in text:
                i = rng.choice([k for k, ch in enumerate(text) if ch == " "])
                out = text[:i] + text[i + 1:]
        elif op < 0.72:  # split a compound
            low = text.lower()
            for head in _COMPOUND_HEADS:
                k = low.find(head)
                if k > 2 and text[k - 1] != " ":
                    out = text[:k] + " " + text[k:]
                    break
        elif op < 0.80:  # ij / y confusion
            if "ij" in text:
                out = text.replace("ij", "y", 1)
            elif "y" in text:
                out = text.replace("y", "ij", 1)
        elif op < 0.88:  # lost diacritics or ch/g
            out = text.translate(_DIACRITICS)
            if out == text and "ch" in text:
                out = text.replace("ch", "g", 1)
        else:  # single/double vowel confusion
            for dbl in ("aa", "ee", "oo", "uu"):
                if dbl in text:
                    out = text.replace(dbl, dbl[0], 1)
                    break
            else:
                idx = [k for k, ch in enumerate(text) if ch in _VOWELS and 0 < k < len(text) - 1]
                if idx:
                    k = rng.choice(idx)
                    out = text[:k] + text[k] + text[k:]
        if out != text:
            return out
    return text[:-1]


def pick_form(forms: tuple[str, ...], rng: random.Random, preferred_p: float = 0.4) -> str:
    if len(forms) == 1 or rng.random() < preferred_p:
        return forms[0]
    return forms[rng.randrange(1, len(forms))]


def casing(text: str, rng: random.Random, lower_p: float) -> str:
    r = rng.random()
    if r < lower_p:
        return text.lower()
    if r < lower_p + 0.04:
        return text[:1].upper() + text[1:]
    if r < lower_p + 0.05:
        return text.upper()
    return text


def render(forms: tuple[str, ...], rng: random.Random, *, typo_p: float, lower_p: float = 0.5,
           preferred_p: float = 0.4) -> str:
    s = casing(pick_form(forms, rng, preferred_p), rng, lower_p)
    if rng.random() < typo_p:
        s = typo(s, rng)
    return s


# ---------------------------------------------------------------------------------------------------
# Free-text restrictions (functional limits only, never diagnoses)
# ---------------------------------------------------------------------------------------------------
RESTRICTION_TEXTS: dict[str, tuple[str, ...]] = {
    "max_lift_kg": ("niet zwaar tillen max {v} kilo", "max {v} kg tillen", "mag niet meer dan {v} kg tillen",
                    "tilbeperking {v}kg", "geen zware lasten (max {v} kg)", "rug ontzien, max {v} kilo tillen"),
    "no_night": ("geen nachtdiensten", "niet 's nachts werken", "nachtdienst niet mogelijk", "geen nachtwerk"),
    "no_evening": ("geen avonddiensten", "'s avonds niet beschikbaar", "geen avondwerk ivm kinderen",
                   "alleen overdag"),
    "no_weekend": ("niet in het weekend", "geen weekenddiensten", "za/zo niet beschikbaar", "weekend niet mogelijk"),
    "max_hours_week": ("max {v} uur per week", "belastbaar tot {v} u/wk", "niet meer dan {v} uur",
                       "max {v} uur pw ivm belastbaarheid", "urenbeperking {v} uur"),
    "no_prolonged_standing": ("niet lang staan", "afwisselend zitten/staan", "kan niet de hele dag staan",
                              "staand werk max 2 uur achter elkaar"),
    "low_stimulus": ("liefst rustige werkplek", "prikkelarme omgeving", "geen drukke omgeving",
                     "rustige werkomgeving nodig", "weinig prikkels", "prikkelarm werk"),
    "no_customer_contact": ("liever geen klantcontact", "geen direct klantcontact", "werk achter de schermen",
                            "niet aan de balie"),
    "no_heights": ("niet op hoogte werken", "geen werk op ladders/steigers", "niet op hoogte",
                   "geen hoogtewerk"),
    "no_driving": ("mag niet autorijden", "geen rijtaken", "kan niet rijden", "geen chauffeurswerk"),
    "no_outdoor": ("geen buitenwerk", "alleen binnenwerk", "niet buiten werken", "liefst binnen"),
}

#: how often each restriction occurs (relative weights) and typical values
RESTRICTION_WEIGHTS: dict[str, float] = {
    "max_lift_kg": 22, "no_night": 15, "no_prolonged_standing": 12, "low_stimulus": 12, "max_hours_week": 12,
    "no_weekend": 6, "no_evening": 6, "no_customer_contact": 5, "no_heights": 5, "no_driving": 3, "no_outdoor": 4,
}
LIFT_VALUES: tuple[int, ...] = (5, 10, 10, 15, 15, 20, 25)
HOURS_VALUES: tuple[int, ...] = (8, 12, 16, 20, 20, 24, 24, 28, 32)
