"""Tasks as Dutch vacancy texts state them, named the way a task is named (object first, verb last).

Dutch states work three ways: to the reader ("je verkoopt kaartjes", "ook pak je bestellingen in"), as a
list of infinitives ("groenten snijden, de vaatwasser bedienen") and as nouns ("kassawerk"). The first two
turn on verb forms, which come from simplemma's Dutch dictionary (a lookup table shipped inside the package,
no model): it knows that "pakt" is a form of "pakken" and "onderdelen" the plural of "onderdeel", which no
suffix rule can tell apart, since plural nouns and infinitives both end in -en.
"""

from __future__ import annotations

import re
from functools import lru_cache

from simplemma import is_known, lemmatize

_VOWEL = "aeiouy"
_WORD = r"[^\W\d_]+(?:-[^\W\d_]+)*"  # "e-mail" is one word


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Separable parts of a verb, left at the end of the clause: "geeft toegangspassen uit" (uitgeven).
PARTICLES = _words("aan af bij door in mee na om op terug toe uit voor weg schoon klaar vast samen open dicht neer "
                   "rond langs apart")
PREPOSITIONS = _words("in op aan bij met van voor naar uit over onder door tijdens na per tot zonder tussen achter "
                      "langs rond vanuit tegen om binnen buiten als via volgens")
_LEADING = _words("je jouw jij hun de het een ze die deze dit dat hem hen ook zelf en daarna vervolgens dan soms vaak "
                  "meestal eerst verder daarnaast dagelijks samen wel graag altijd echt gewoon onze ons uw "
                  "tussendoor regelmatig wekelijks bovendien tevens daarbij hierbij vooral voornamelijk later")
ADVERBIALS = _LEADING | _words("'s ’s elke iedere ieder elk")  # open a sentence, name no object
SUBJECTS = _words("ik hij zij wij we ons ze jullie is was wordt werd")  # and the forms of zijn and worden
_NOUN_USE = _words("het een te")
_ARTICLES = _words("de het een")  # "het animeren van", "om ... te maken": no task of its own
MODALS = _words("kunnen moeten gaan willen mogen zullen")
# Verbs that say who the reader is or how the job goes, not what the work is: "je bent", "je spreekt
# Nederlands", "je begint om 7 uur", "je houdt van", "je werkt in een team" (but "je werkt met een heftruck"),
# and lifting, which is a demand; effort and attitude are no work either ("denkt mee", "moet flink doorwerken").
NOT_TASKS = _words("zijn hebben worden komen krijgen vinden zoeken spreken beschikken wonen verdienen beginnen "
                   "starten staan zitten blijven lijken weten voelen solliciteren reageren leren tillen vallen "
                   "meedraaien bijdragen genieten opdoen groeien meedenken doorwerken aanpoten doorpakken")
# A task that names no work of its own: "allerlei voorkomende werkzaamheden uitvoeren", "diverse taken doen".
_VAGUE_OBJECT = _words("werkzaamheden taken taakjes werk dingen zaken activiteiten opdrachten spandiensten")
_VAGUE_WORDS = _VAGUE_OBJECT | _words("allerlei diverse divers verschillende overige voorkomende algemene bijkomende "
                                      "andere ondersteunende uiteenlopende wisselende afwisselende afwisselend leuk "
                                      "leuke gevarieerd gevarieerde uitdagend uitdagende alle de het een die wat veel "
                                      "en of hand spandiensten") | ADVERBIALS
_VAGUE_VERBS = _words("uitvoeren doen verrichten oppakken verzorgen aanpakken afhandelen")
_REFLEXIVE = _words("in aan voor bij thuis op mee uit")
# Verbs that, without an object, say what the reader does with themselves: "(wilt je) ontwikkelen", "aanpassen".
_ABOUT_ONESELF = _words("ontwikkelen aanpassen inzetten bewijzen ontplooien inleven verdiepen specialiseren "
                        "omscholen bijscholen verbeteren")
_ADVERBS = _words("snel goed makkelijk gemakkelijk flexibel steeds voortdurend verder echt altijd")
_WHEN_CLAUSE = _words("als wanneer zodra terwijl voordat nadat")  # a clause that says when, after the task
_CLAUSE_OPENS = _words("de het een je jij er ze zij hij wij we u alles iemand")
_RELATIVE = _words("die dat waar waarmee waarin waarop waarvoor")  # after a noun: which one, not the work
_SUBORDINATE = _words("dat die zodat omdat wanneer waar wat waarin waarbij hoe of")
CONJUNCTIONS = _SUBORDINATE | _WHEN_CLAUSE  # open a clause whose verb stands last: "waar je de bus laadt"
_NO_MANNER = _words("graag samen mee hard er hier daar ook nu dan je jij we wij fulltime parttime vooral veel vaak "
                    "zelf bij volgens")
# Verbs that frame a task named as a noun: "je bent verantwoordelijk voor het ...", "je zorgt voor het ...".
_FRAMES = _words("zijn houden zorgen helpen ondersteunen assisteren")
MAX_WORDS = 8


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    return str(lemmatize(word.lower(), lang="nl"))


@lru_cache(maxsize=65536)
def is_infinitive(word: str) -> bool:
    """Is the word a verb's infinitive ("vouwen", "afvoeren") rather than a plural noun ("onderdelen",
    "klanten")? Yes when its finite form (stem + t: "vouwt", "maakt", "zet") leads back to it, or when it is
    a separable part before such a verb ("af" + "voeren")."""
    word = word.lower()
    if any(lemma(form) == word for form in _third_person(word)):
        return True
    return any(word.startswith(p) and len(word) - len(p) >= 5 and is_infinitive(word[len(p):]) for p in PARTICLES)


_IRREGULAR = {"ben": "zijn", "bent": "zijn", "is": "zijn", "kan": "kunnen", "wil": "willen", "zal": "zullen",
              "zult": "zullen", "sta": "staan", "staat": "staan", "doe": "doen", "doet": "doen", "ga": "gaan",
              "zie": "zien", "ziet": "zien", "sla": "slaan", "slaat": "slaan"}


def infinitive(finite: str) -> str | None:
    """The infinitive of a verb in the present singular ("verkoopt" -> "verkopen", "pak" -> "pakken",
    "rijdt" -> "rijden", "bent" -> "zijn"), or None when the dictionary does not read the word as such a
    form ("post", "leden": a plural, though also a past tense of "lijden")."""
    word = finite.lower()
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    base = lemma(word)
    forms = _third_person(base) if base != word else ()
    if (word in forms or word + "t" in forms) and is_infinitive(base):
        return base
    return _regular(word)


def _regular(word: str) -> str | None:
    """The infinitive of a present singular in -t that the dictionary reads as something else or not at all,
    where a regular verb leads back to it: "portioneert" -> "portioneren" (every -eert is an -eren verb),
    "wijst" -> "wijzen" (the dictionary reads "wijs", wise)."""
    if len(word) >= 8 and word.endswith("eert"):
        return word[:-4] + "eren"
    if len(word) < 5 or not word.endswith("t") or not re.fullmatch(r"[a-z]+", word) \
            or (lemma(word) == word and is_known(word, lang="nl")):  # a word of its own: "markt", "lijst"
        return None
    stem = word[:-1]
    soft = stem[:-1] + {"f": "v", "s": "z"}.get(stem[-1], stem[-1])
    candidates = [stem + "en", soft + "en", stem + stem[-1] + "en"]
    if stem[-2] == stem[-3] and stem[-2] in "aeou":  # "maakt" -> maken
        candidates.append(stem[:-2] + stem[-1] + "en")
    return next((c for c in candidates if word in _third_person(c) and is_known(c, lang="nl")), None)


@lru_cache(maxsize=65536)
def _third_person(word: str) -> tuple[str, ...]:
    """The forms "hij ..." could take, spelled both ways where the stem's vowel may be long or short
    ("maken": maakt, makt); the dictionary decides which is a word."""
    if re.fullmatch(r"[a-z]{2,}en", word):
        stem = word[:-2]
    elif re.fullmatch(r"[a-z]*(aa|oe|ie|ee)n", word):  # gaan, doen, zien
        stem = word[:-1]
    else:
        return ()
    if len(stem) > 1 and stem[-1] == stem[-2] and stem[-1] not in _VOWEL:
        stem = stem[:-1]  # zetten -> zet, pakken -> pak
    stems = {stem}
    if re.search(rf"[^{_VOWEL}][aeou][^{_VOWEL}wj]$", stem):
        stems.add(stem[:-1] + stem[-2] + stem[-1])  # maken -> maak
    forms = []
    for s in sorted(stems):
        s = s[:-1] + {"v": "f", "z": "s"}.get(s[-1], s[-1])  # geven -> geef, lezen -> lees
        forms.append(s if s.endswith("t") else s + "t")
    return tuple(forms)




def as_task(phrase: str) -> str | None:
    """A clause that starts with its finite verb, named as a task: "verkoopt kaartjes" -> "kaartjes verkopen",
    "geeft toegangspassen uit" -> "toegangspassen uitgeven", "voert papier aan bij de pers" -> "papier
    aanvoeren", "gaat orders verzamelen" -> "orders verzamelen". None when the first word is no
    verb form, or a verb that names no work ("bent", "spreekt", "werkt in een team")."""
    words = phrase.split()
    verb = infinitive(words[0]) if len(words) > 1 else None
    rest = words[1:]
    low = [w.lower() for w in rest]
    when = next((i for i in range(1, len(low) - 1) if (low[i] in _WHEN_CLAUSE and low[i + 1] in _CLAUSE_OPENS)
                 or (low[i] in _RELATIVE and not low[i - 1].startswith("er"))), None)
    if when is not None:  # "beantwoordt de telefoon als de collega's in gesprek zijn": the task ends at "als";
        # "helpt klanten die iets zoeken" at "die" (but "zorgt ervoor dat": no task)
        rest, low = rest[:when], low[:when]
    if verb == "houden" and "bezig" in low[:3] and "met" in low:  # "houdt je bezig met de inkoop"
        rest = rest[low.index("met") + 1:]
        return nominal_task(" ".join(rest)) or _named(rest)
    if verb in _FRAMES:  # "bent verantwoordelijk voor het vullen van de schappen", "zorgt voor het inpakken"
        at = next((i for i, w in enumerate(low[:6]) if w == "het"), None)
        if at is not None and (task := nominal_task(" ".join(rest[at:]))):
            return task
        at = next((i for i, w in enumerate(low) if w in ("met", "bij")), None)  # "helpt de kok met groenten snijden"
        if at is not None and verb != "zijn" and low[-1] not in MODALS and is_infinitive(low[-1]) \
                and (len(low) - at > 2 or low[:at] == ["mee"]):  # "helpt mee met opruimen": opruimen; "bent
            # handig met je handen" is no help with a task
            return _named(rest[at + 1:])
    if verb is None or verb in NOT_TASKS:
        return None
    if verb == "kunnen" and ("tegen" in low or "overweg" in low) and not any(map(is_verb, low)):
        return _named([*rest, "kunnen"])  # an ability: "kunt tegen kou", "kunt goed met de computer overweg"
    if verb in MODALS:  # the work is the infinitive the modal governs: "gaat orders verzamelen"
        at = next((i for i in range(len(low) - 1, -1, -1) if is_infinitive(low[i])), None)
        if at is None or _no_work(low[at], low[at + 1:], low[:at]) or _reflexive(low) \
                or (at + 1 < len(low) and low[at + 1] not in PREPOSITIONS):
            return None
        return _named(rest)
    if _no_work(verb, low) or low[0] == "jezelf" or (low[0] == "je" and low[1:2] and low[1] in _REFLEXIVE):
        return None  # "zet je in voor", "voelt je thuis", "ontwikkelt jezelf": about the reader, not the work
    # the separable part stands last, or just before a prepositional phrase: "voert papier aan bij de pers"
    at = next((i for i, w in enumerate(low) if w in PARTICLES
               and (i == len(low) - 1 or low[i + 1] in PREPOSITIONS)), None)
    if at is None:
        return _named(_short([*_without_when(rest), verb]))
    if low[at] + verb in NOT_TASKS:  # "draait mee in het rooster", "neemt deel aan overleg"
        return None
    return _named(_short([*_without_when(rest[:at]), low[at] + verb]))  # what follows says where: "papier aanvoeren
    # (bij de pers)"


def _short(words: list[str]) -> list[str]:
    """A task too long to name, without what says where and how after its object: "(sorteert) het fruit in de
    schuur op maat en kleur (sorteren)" -> "het fruit sorteren"."""
    leading = next((i for i, w in enumerate(words) if w.lower() not in _LEADING), len(words))  # dropped later
    if len(words) - leading <= MAX_WORDS:
        return words
    at = next((i for i, w in enumerate(words[:-1]) if i > 0 and w.lower() in PREPOSITIONS), None)
    return [*words[:at], words[-1]] if at is not None else words


def vague(task: str) -> bool:
    """Does the task name no work of its own: unnamed work, with a generic verb or none ("allerlei voorkomende
    werkzaamheden uitvoeren", "diverse taken in de winkel doen", "afwisselend werk in een gezellig team",
    "hand- en spandiensten"), not "schoonmaakwerkzaamheden uitvoeren" or "administratieve taken doen"?"""
    words = re.findall(_WORD, task.lower())
    obj = words[:-1] if words and words[-1] in _VAGUE_VERBS else words
    at = next((i for i, w in enumerate(obj) if w in PREPOSITIONS), len(obj))  # "(in de winkel)": where
    return bool(set(obj[:at]) & _VAGUE_OBJECT) and set(obj[:at]) <= _VAGUE_WORDS


def _reflexive(low: list[str]) -> bool:
    """Does the modal govern a verb about the reader ("wilt je ontwikkelen", "kunt je snel aanpassen", "moet je
    aan de regels houden"), not "kunt je collega's helpen" (their colleagues)?"""
    return len(low) > 1 and low[0] in ("je", "jezelf", "jou") and (
        is_infinitive(low[1]) or low[1] in _REFLEXIVE | PREPOSITIONS | ADVERBIALS | _ADVERBS)


def _without_when(words: list[str]) -> list[str]:
    """The object without a prepositional phrase before it that says when or where: "(maakt) aan het eind van
    de ochtend de machines (schoon)" -> "de machines". The object starts at the last article that follows no
    preposition."""
    low = [w.lower() for w in words]
    if not low or low[0] not in PREPOSITIONS:
        return words
    at = next((i for i in range(len(low) - 1, 0, -1) if low[i] in _ARTICLES
               and low[i - 1] not in PREPOSITIONS | {"en", "of"}), None)  # not inside "met een scanner en een pc"
    return words[at:] if at is not None else words


def nominal_task(phrase: str) -> str | None:
    """A task named as a noun, as lists and "verantwoordelijk voor" do: "het verzamelen van orders" ->
    "orders verzamelen", "Het schoonhouden van de werkplek" -> "werkplek schoonhouden", "het afwassen" ->
    "afwassen". None for anything else."""
    words = phrase.split()
    if len(words) < 2 or words[0].lower() != "het" or not is_infinitive(words[1].lower()) \
            or words[1].lower() in NOT_TASKS:
        return None
    verb = words[1].lower()
    if len(words) == 2:
        return verb
    if words[2].lower() != "van":
        return None
    return _named([*words[3:], verb])


_HOW_MUCH = _words("deels gedeeltelijk grotendeels half soms vaak meestal regelmatig voornamelijk hoofdzakelijk "
                   "overwegend ook altijd")
# Effort of the body, work only with what it moves or goes round ("rondes lopen"), not with how much of it
_EFFORT = _words("lopen fietsen bukken knielen traplopen klimmen")
_AMOUNT = _HOW_MUCH | _words("veel ongeveer circa zo'n wel km kilometer kilometers per dag de hele uur trappen "
                             "stappen heel flink")
_WORN = re.compile(r"kleding|schoen|helm|handschoen|uniform|bescherming|haarnet|mondkap|bril|oordop|"
                   r"verantwoordelijkheid")
_WHEN = re.compile(r"(de |het )?(hele|gehele|halve) (dag|dienst|nacht|ochtend|middag|avond|week)\b")


def _no_work(verb: str, after: list[str], before: tuple[str, ...] | list[str] = ()) -> bool:
    """A verb that names no work with the words around it: "bent", "werkt in een team", "werkt graag",
    "houdt van koken" ("van aanpakken houden"), "rapporteert aan", "maakt deel uit van", "zorgt dat ...";
    but "werkt met een heftruck" and "werkt hygiënisch" (or "hygiënisch werken") are work."""
    if verb == "werken":  # how much of the time says nothing of how: "werkt deels buiten" is where
        before = [w for w in before if w not in _HOW_MUCH]
        after = [w for w in after if w not in _HOW_MUCH]
        manner = before[-1] if before else (after[0] if after else "")
        return after[:1] != ["met"] and not (manner.isalpha() and manner not in PREPOSITIONS | _NO_MANNER)
    around = [*before, *after]
    if verb in _EFFORT and all(w in _AMOUNT or w.isdigit() for w in around):
        return True  # "loopt veel", "loopt ongeveer 15 kilometer per dag": how hard the work is, not what it is
    if verb == "dragen" and any(_WORN.search(w) for w in around):
        return True  # "draagt beschermende kleding", "draagt de verantwoordelijkheid": a condition, no work
    return verb in NOT_TASKS or (verb, after[:1]) in (("houden", ["van"]), ("rapporteren", ["aan"])) \
        or (verb == "houden" and "van" in before) \
        or (verb in ("maken", "nemen") and "deel" in after[:3]) or (verb == "leveren" and "bijdrage" in after[:3]) \
        or any(w in _SUBORDINATE and (w != "of" or _clause_follows(after[i + 1:])) for i, w in enumerate(after)) \
        or bool(_WHEN.fullmatch(" ".join(after)))  # "zorgt dat de producten ...": the task is in another clause;
    # "loopt de hele dag": how long, a demand (standing), not what


def _clause_follows(words: list[str]) -> bool:
    """Do the words after "of" make a clause ("(controleert) of alles klopt": whether), not one more thing
    ("(met de scooter) of bakfiets": or)?"""
    return any(w in SUBJECTS or w in ("zijn", "hebben", "worden") or _finite(w) for w in words)


def names_no_work(phrase: str) -> bool:
    """Does a short phrase end in a verb that, with the words around it, names no work ("veel lopen",
    "werkschoenen dragen")?"""
    words = re.findall(_WORD, phrase.lower())
    at = next((i for i in range(len(words) - 1, -1, -1) if is_infinitive(words[i])), None)
    return at is not None and _no_work(words[at], words[at + 1:], words[:at])


def infinitive_task(phrase: str) -> str | None:
    """The task a phrase names in the infinitive, up to its verb: "planten inpakken", "Sorteren", "klanten
    helpen in de winkel" -> "klanten helpen" (a prepositional phrase after the verb says where or how; it
    stays where the verb comes first: "werken met handgereedschap"). None for a sentence with a subject or
    a finite verb ("wij bezorgen boodschappen", "het team is klein", "onze klanten zijn scholen": "zijn" after
    the first word is the verb, not "his"), a verb that ends a relative clause ("een zorgboerderij waar
    deelnemers komen werken"), a verb that stands second as after a subject ("inspecteurs wegen inspecteren"),
    an infinitive used as a noun or after "te" ("het plannen van", "om ... te maken", "met vragen"), or a
    capitalised word inside the phrase ("in Zetten": a place)."""
    found = list(re.finditer(_WORD, phrase))
    words = [m.group() for m in found]
    low = [w.lower() for w in words]
    # the last verb that only a prepositional phrase follows ("klanten helpen bij het vinden van producten";
    # "vragen van klanten beantwoorden via chat": "vragen" is its object)
    end = next((i for i in range(len(low) - 1, -1, -1) if len(low) - i <= 8 and is_infinitive(low[i])
                and (i == len(low) - 1 or low[i + 1] in PREPOSITIONS)
                and not (i > 0 and (low[i - 1] in _NOUN_USE or low[i - 1] in PREPOSITIONS))), None)
    if end is None or low[end] in NOT_TASKS or low[end] in MODALS or (end > 0 and words[end][0].isupper()):
        return None
    if low[end - 1:end] == ["kunnen"]:  # "zelfstandig kunnen werken": the work is "zelfstandig werken"
        del found[end - 1], words[end - 1], low[end - 1]
        end -= 1
    after = [w for i, w in enumerate(low[end + 1:], end + 1) if low[i - 1] not in PREPOSITIONS | _ARTICLES]
    if any(w in SUBJECTS or _finite(w) for w in low[:end] + after) or set(low[1:end]) & (_RELATIVE | {"zijn"}) \
            or (end > 1 and low[0] not in _LEADING and is_verb(low[1])) \
            or _no_work(low[end], low[end + 1:], low[:end]):
        return None
    if end == 0:
        return phrase
    named = phrase[:found[end].end()]
    return named if len(found) == len(words) and " kunnen " not in f" {named.lower()} " else \
        " ".join(words[:end + 1])


def is_verb(word: str) -> bool:
    """A word read first as a verb: "afrekenen", "sorteren"; not "liften" (first a plural noun)."""
    return is_infinitive(word) and lemma(word) == word.lower()


def has_verb(phrase: str) -> bool:
    """Does any word of the phrase read as a verb: an infinitive, a finite form, "is"?"""
    return any(w in SUBJECTS or _finite(w) or is_verb(w) for w in re.findall(_WORD, phrase.lower()))


def is_clause(phrase: str) -> bool:
    """Does the phrase have a subject or a finite verb of its own ("het is erg druk", "wij werken met ...")?"""
    return any(w in SUBJECTS or _finite(w) for w in re.findall(_WORD, phrase.lower()))


def _finite(word: str) -> bool:
    """A verb form in the present singular: "is", "werkt", "maak"."""
    return infinitive(word) is not None


def _named(words: list[str]) -> str | None:
    while words:  # "ook", "de", "daarna", "'s ochtends", "elke dag" do not name the work
        first = words[0].lower()
        if first in _LEADING:
            words = words[1:]
        elif first in ("'s", "’s", "elke", "iedere", "ieder", "elk") and len(words) > 2:
            words = words[2:]
        else:
            break
    return " ".join(words) if 1 < len(words) <= MAX_WORDS or (len(words) == 1 and is_infinitive(words[0])
                                                               and words[0].lower() not in _ABOUT_ONESELF) \
        else None
