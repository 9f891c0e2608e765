"""Free text -> concept, with a confidence.

Three signals, because Dutch typed in a hurry needs all of them:
- rapidfuzz catches spelling variants ("magezijn medewerker"),
- character n-grams catch compounds and inflections ("schoonmaakster" ~ "schoonmaker"),
- the sentence encoder catches meaning where the letters differ ("interieurverzorger").
An exact hit on any known label (preferred, synonym, misspelling, abbreviation) is certain. Otherwise
each signal proposes its closest labels and the learned blend (`blend.py`: weights fitted on ESCO, one
set per encoder) gives each a probability of being the same thing; below the blend's threshold the text
is kept as an unknown term and still used as text by the matcher.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process
from sklearn.feature_extraction.text import TfidfVectorizer

from matcher.matching.embeddings import Encoder
from matcher.matching.vocabulary import Concept, Vocabulary, holders
from matcher.matching.vocabulary.blend import Blend, for_encoder, pair_features
from matcher.text import fold

SURE = 0.95
CANDIDATES = 5  # closest labels proposed by each signal
CHUNK = 256  # texts scored against all labels at once (a dense row per text and signal)
# Words that negate, restrict or bound a phrase, by what they mean: "geen nachtdiensten" and "alleen
# nachtdiensten" contradict each other, "max 20 uur" and "minimaal 20 uur" too.
POLARITY = {"geen": "niet", "niet": "niet", "nooit": "niet", "alleen": "alleen", "uitsluitend": "alleen",
            "max": "maximaal", "maximaal": "maximaal", "min": "minimaal", "minimaal": "minimaal"}
# The vocabulary kinds a field may hold: a certificate field also holds licences and diplomas.
# Kinds whose labels are short task phrases ("brood bakken", "barcodes scannen"), where one shared word proves
# nothing: a phrase that is a sibling of a concept stays text (`siblings`).
SIBLINGS_APART = frozenset({"skill"})
RELATED_KINDS = {"certificate": ("certificate", "licence", "education", "language"), "skill": ("skill", "language")}


def _polarity(folded: str) -> frozenset[str]:
    return frozenset(POLARITY[w] for w in folded.split() if w in POLARITY)


def _contradicts(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a) and bool(b) and not a & b


# Words that carry no content of a task phrase: "de vaatwasser bedienen" says what "vaatwasser bedienen" says.
FUNCTION_WORDS = frozenset({
    "de", "het", "een", "en", "of", "met", "in", "op", "aan", "bij", "van", "voor", "naar", "uit", "te", "om", "tot",
    "per", "over", "onder", "door", "na", "zonder", "tussen", "je", "jouw", "jij", "hun", "zoals", "ook", "s"})


def _content(folded: str) -> list[str]:
    return [w for w in folded.split() if w not in FUNCTION_WORDS]


def _says(word: str, other: str) -> bool:
    """Does ``word`` say ``other``: the same word, a typo of it (ratio ≥ 80, the same first letter, at most two
    letters longer or shorter: "tekstiel", "teekening"), or a compound that holds it ("vergaderzalen" says
    "zalen", "verpakkingsmachine" says "verpakking")? "uitpakken" does not say "inpakken", nor "werken"
    "netwerken"."""
    return word == other or (abs(len(word) - len(other)) <= 2 and word[0] == other[0]
                             and fuzz.ratio(word, other) >= 80) \
        or (len(other) >= 4 and (word.startswith(other) or word.endswith(other)))


def siblings(phrase: str, label: str, name: str) -> bool:
    """Are a phrase and the concept it matched through one of its labels two different things of one kind,
    which share a word but differ in another: "kinderen begeleiden" and the label "ouderen begeleiden",
    "friet bakken" and the label "bakken" of the concept brood bakken? They are when the phrase shares a
    content word with the label, says one that neither the label nor the concept's name says, and the label
    says one the phrase does not, or the concept's name does where it holds the label and more ("brood
    bakken" holds "bakken"). Not siblings: a phrase more specific than a general concept ("pannen schuren" is
    schuren), one the concept says all of ("vrachtwagens lossen" is laden en lossen), one that shares no word
    with the label (a synonym: "interieurverzorger" is schoonmaker), one word against one. Arguments are
    folded."""
    def alike(a: str, b: str) -> bool:
        return _says(a, b) or _says(b, a)

    words, said, named = _content(phrase), _content(label), _content(name)
    if len(words) + len(said) < 3 or not any(alike(w, s) for w in words for s in said):
        return False
    if all(any(alike(w, s) for s in said + named) for w in words):
        return False
    if all(any(alike(n, s) for n in named) for s in said):
        said = said + named
    words.append("".join(words))  # written apart: "klant vriendelijk", "order pikken"
    return not all(any(_says(w, s) for w in words) for s in said)


_NUMBER = re.compile(r"(\d+(?:[.,]\d+)?)")


@dataclass(frozen=True)
class Match:
    text: str
    concept_id: str | None
    confidence: float
    method: str  # exact | fuzzy | unknown

    @property
    def term(self) -> str:
        """The key the matcher uses: the concept, or the folded text when nothing matched."""
        return self.concept_id or "txt:" + fold(self.text)


class KindNormaliser:
    """Normalises text against the labels of one concept kind (occupation, skill, …)."""

    def __init__(self, concepts: list[Concept], encoder: Encoder | None = None, cache_dir: Path | None = None,
                 blend: Blend | None = None, *, siblings_apart: bool = False) -> None:
        self.encoder = encoder
        # task phrases (skills) that share only a word with a concept are kept apart from it (`siblings`)
        self.names = {c.id: fold(c.nl or c.labels[0].text) for c in concepts if c.nl or c.labels} \
            if siblings_apart else None
        self.cache_dir = cache_dir
        self.blend = blend or for_encoder(encoder.name if encoder else None)
        # A label several concepts have is an exact hit for the one that holds it most strongly (`holders`:
        # "klimatoloog" is the occupation klimatoloog, not meteoroloog, which ESCO also calls "klimatoloog"),
        # the curated one on a tie.
        self.exact = {key: ids[0] for key, ids in holders(concepts).items()}
        labels: list[str] = []
        owners: list[str] = []
        embed: list[int] = []
        ordered = sorted(((lab.kind == "hidden", c.origin == "esco", c.id, lab) for c in concepts for lab in c.labels),
                         key=lambda t: t[:3])
        for hidden, imported, cid, label in ordered:
            key = fold(label.text)
            if not key:
                continue
            if not hidden and (not imported or label.kind == "pref"):
                embed.append(len(labels))  # large imported vocabularies: only preferred labels are embedded
            labels.append(key)
            owners.append(cid)
        self.labels = labels
        self.owners = owners
        self.embed_index = np.array(embed, dtype=np.int64)
        self.ngrams = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
        self.label_ngrams = self.ngrams.fit_transform(labels) if labels else None
        self._label_vectors: np.ndarray | None = None
        self._vectors_lock = threading.Lock()

    def weighted_ngrams(self, a: str, b: str) -> float:
        """The candidate search's n-gram cosine of two folded phrases (n-grams weighted by rarity among the labels)."""
        if self.label_ngrams is None:
            return 0.0
        va, vb = self.ngrams.transform([a, b])
        return float((va @ vb.T).toarray()[0, 0])

    def _vectors(self) -> np.ndarray | None:
        """Label embeddings, with zeros for labels that are matched by letters only."""
        if self.encoder is None or not self.labels:
            return None
        with self._vectors_lock:  # concurrent first requests compute (and cache) them once
            return self._load_vectors()

    def _load_vectors(self) -> np.ndarray | None:
        assert self.encoder is not None
        if self._label_vectors is None:
            texts = [self.labels[i] for i in self.embed_index]
            cache = None
            if self.cache_dir is not None:  # the vocabulary changes rarely: keep its vectors between runs
                key = hashlib.sha256("\n".join([self.encoder.name, *texts]).encode()).hexdigest()[:24]
                cache = self.cache_dir / f"labels-{key}.npy"
            vectors = np.zeros((len(self.labels), self.encoder.dim), dtype=np.float32)
            if cache is not None and cache.exists():
                vectors[self.embed_index] = np.load(cache)
            elif texts:
                vectors[self.embed_index] = self.encoder.encode(texts)
                if cache is not None:
                    _save_atomically(cache, vectors[self.embed_index])
            self._label_vectors = vectors
        return self._label_vectors

    def match(self, text: str) -> Match:
        key = fold(text)
        if not key or not self.labels:
            return Match(text, None, 0.0, "unknown")
        if key in self.exact:
            return Match(text, self.exact[key], 1.0, "exact")
        return self.match_many([text])[0]

    def match_many(self, texts: list[str]) -> list[Match]:
        """Batch version: one call per signal for every few hundred texts that need one."""
        keys = [fold(t) for t in texts]
        results: list[Match | None] = [None] * len(texts)
        todo = []
        for i, key in enumerate(keys):
            if not key or not self.labels:
                results[i] = Match(texts[i], None, 0.0, "unknown")
            elif key in self.exact:
                results[i] = Match(texts[i], self.exact[key], 1.0, "exact")
            else:
                todo.append(i)
        for start in range(0, len(todo), CHUNK):
            part = todo[start:start + CHUNK]
            ngram, spelling, embed = self._signals([keys[i] for i in part])
            for row, i in enumerate(part):
                results[i] = self._best(texts[i], keys[i], ngram[row], spelling[row],
                                        None if embed is None else embed[row])
        return [r for r in results if r is not None]

    def _signals(self, keys: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """For each key and label: character n-gram cosine, rapidfuzz WRatio, embedding cosine (with an
        encoder). One batched call each, on all cores."""
        assert self.label_ngrams is not None
        ngram = (self.ngrams.transform(keys) @ self.label_ngrams.T).toarray()
        spelling = process.cdist(keys, self.labels, scorer=fuzz.WRatio, workers=-1, dtype=np.float32)
        vectors = self._vectors()
        embed = None if vectors is None else self.encoder.encode(keys) @ vectors.T  # type: ignore[union-attr]
        return ngram, spelling, embed

    def _best(self, text: str, key: str, ngram_sim: np.ndarray, spelling: np.ndarray,
              embed_sim: np.ndarray | None) -> Match:
        ranked = self._rank(key, ngram_sim, spelling, embed_sim)
        if ranked and ranked[0][1] >= self.blend.threshold:
            return Match(text, ranked[0][0], round(ranked[0][1], 3), "fuzzy")
        return Match(text, None, round(ranked[0][1], 3) if ranked else 0.0, "unknown")

    def _rank(self, key: str, ngram_sim: np.ndarray, spelling: np.ndarray, embed_sim: np.ndarray | None,
              pool: int = CANDIDATES) -> list[tuple[str, float]]:
        """Concepts by the blend's probability for their best label among the ``pool`` closest labels of each
        signal."""
        candidates = proposed((ngram_sim, spelling, embed_sim), pool)
        polarity = _polarity(key)
        best: dict[str, float] = {}
        for idx in candidates:
            if _contradicts(_polarity(self.labels[idx]), polarity):
                continue  # never map a phrase onto its opposite
            if self.names is not None and siblings(key, self.labels[idx], self.names.get(self.owners[idx], "")):
                continue  # "friet bakken" is no brood bakken: no concept rather than the wrong one
            meaning = None if embed_sim is None else float(embed_sim[idx])
            p = self.blend.probability(pair_features(key, self.labels[idx], meaning, float(ngram_sim[idx])))
            if p > best.get(self.owners[idx], -1.0):
                best[self.owners[idx]] = p
        return sorted(best.items(), key=lambda kv: -kv[1])

    def rank(self, texts: list[str], k: int = 10) -> list[list[tuple[str, float]]]:
        """The k likeliest concepts for each text (an exact label first, with probability 1)."""
        keys = [fold(t) for t in texts]
        out: list[list[tuple[str, float]]] = []
        if not self.labels:
            return [[] for _ in texts]
        for start in range(0, len(keys), CHUNK):
            part = keys[start:start + CHUNK]
            ngram, spelling, embed = self._signals(part)
            for row, key in enumerate(part):
                ranked = self._rank(key, ngram[row], spelling[row], None if embed is None else embed[row],
                                    pool=max(CANDIDATES, k))
                if key in self.exact:
                    ranked = [(self.exact[key], 1.0)] + [r for r in ranked if r[0] != self.exact[key]]
                out.append(ranked[:k])
        return out


def proposed(signals: tuple[np.ndarray | None, ...], pool: int = CANDIDATES) -> set[int]:
    """The labels among the ``pool`` closest by any signal: the candidates the blend scores (in use and when
    the blend is fitted, `learning.blend`)."""
    found: set[int] = set()
    for signal in signals:
        if signal is not None:
            found.update(np.argsort(-signal, kind="stable")[:pool].tolist())
    return found


def _save_atomically(path: Path, array: np.ndarray) -> None:
    """Write to a temporary file and rename it, so another process never reads a half-written cache."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(tmp, "wb") as f:
        np.save(f, array)
    os.replace(tmp, path)


class Normaliser:
    """One normaliser per concept kind, built from the vocabulary the database holds."""

    def __init__(self, vocabulary: Vocabulary, encoder: Encoder | None = None, cache_dir: Path | None = None) -> None:
        self.vocabulary = vocabulary
        self.encoder = encoder
        self.cache_dir = cache_dir
        self.blend = for_encoder(encoder.name if encoder else None)
        self._kinds: dict[str, KindNormaliser] = {}

    def kind(self, kind: str) -> KindNormaliser:
        if kind not in self._kinds:
            self._kinds[kind] = KindNormaliser(self.vocabulary.of_kind(kind), self.encoder, self.cache_dir,
                                               self.blend, siblings_apart=kind in SIBLINGS_APART)
        return self._kinds[kind]

    def match(self, text: str, kind: str) -> Match:
        return self.kind(kind).match(text)

    def warm(self) -> None:
        """Encode (or load from the cache) the label vectors of the kinds that imports normalise."""
        for kind in ("occupation", "skill", "certificate", "restriction"):
            self.kind(kind)._vectors()

    def match_many(self, texts: list[str], kind: str) -> list[Match]:
        return self.kind(kind).match_many(texts)

    def restriction(self, text: str, found: Match | None = None) -> tuple[str | None, float | None, float]:
        """Free-text restriction -> (code, value, confidence); 'max 10 kilo tillen' -> max_lift_kg, 10.
        ``found``: its match, when it was already made in a batch."""
        found = found or self.match(text, "restriction")
        concept = self.vocabulary.get(found.concept_id)
        if concept is None:
            return None, None, found.confidence
        value = None
        number = _NUMBER.search(text)
        if number:
            value = float(number.group(1).replace(",", "."))
        if concept.code in ("max_lift_kg", "max_hours_week") and value is None:
            value = {"max_lift_kg": 10.0, "max_hours_week": 24.0}[concept.code]  # cautious default, documented
        return concept.code, value, found.confidence

    def similarity(self, a: str, b: str, kind: str | None = None) -> float:
        """How alike two job-domain phrases are, in [0, 1]: the vocabulary first, then letters and meaning."""
        fa, fb = fold(a), fold(b)
        if not fa or not fb:
            return 0.0
        if fa == fb:
            return 1.0
        vocab, known_apart = 0.0, False
        kinds = RELATED_KINDS.get(kind, (kind,)) if kind else ("occupation", "skill", "certificate", "restriction")
        for k in kinds:
            ma, mb = self.match(a, k), self.match(b, k)
            if ma.concept_id and ma.concept_id == mb.concept_id:
                vocab = max(vocab, min(ma.confidence, mb.confidence))
            elif ma.concept_id and mb.concept_id and min(ma.confidence, mb.confidence) >= SURE:
                known_apart = True  # the vocabulary knows both, as different concepts
        meaning = None
        if self.encoder is not None:
            va, vb = self.encoder.encode([fa, fb])
            meaning = float(va @ vb)
        weighted = self.kind(kinds[0]).weighted_ngrams(fa, fb)
        letters_and_meaning = self.blend.probability(pair_features(fa, fb, meaning, weighted))
        if _contradicts(_polarity(fa), _polarity(fb)):
            letters_and_meaning *= 0.5  # "geen nachtdiensten" is not "alleen nachtdiensten"
        if known_apart and not vocab:
            letters_and_meaning *= 0.6
        return max(vocab, letters_and_meaning)
