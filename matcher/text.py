"""Text helpers shared by normalisation, hashing and the lexical features."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from typing import Any

_NON_WORD = re.compile(r"[^a-z0-9+ ]+")
_SPACES = re.compile(r"\s+")
_SPLIT = re.compile(r"\s*(?:[,;/|+&]|\ben\b)\s*")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _plain(match: re.Match[str]) -> str:
    return "" if unicodedata.combining(match.group()) else match.group()


def fold(text: str) -> str:
    """Lowercase, strip accents and punctuation: 'Hygiëne-code!' -> 'hygiene code'."""
    text = text.lower()
    if not text.isascii():  # only the other characters can decompose, and only they are looked at
        text = _NON_ASCII.sub(_plain, unicodedata.normalize("NFKD", text))
    return _SPACES.sub(" ", _NON_WORD.sub(" ", text)).strip()


def split_terms(label: str) -> list[str]:
    """'heftruck, orderpicken / scannen' -> three terms; keeps the label whole if nothing splits."""
    parts = [p for p in _SPLIT.split(label) if fold(p)]
    return parts or [label]


def content_hash(payload: Any) -> str:
    """Stable hash of a JSON-able payload: equal content, equal hash, whatever the key order."""
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()
