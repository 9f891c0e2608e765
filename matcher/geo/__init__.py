"""Approximate locations of 4-digit postcodes, for straight-line travel distances.

``pc4.csv`` covers the region in detail; ``pc2.csv`` gives a centroid for every 2-digit area so a
postcode elsewhere in the country still gets a rough position. Unknown postcodes give NaN and the
distance feature falls back to neutral. The ground floor: imports nothing of werkmatch.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
EARTH_KM = 6371.0


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, tuple[float, float]], dict[str, tuple[float, float]]]:
    def read(name: str, key: str) -> dict[str, tuple[float, float]]:
        path = HERE / name
        if not path.exists():
            return {}
        with path.open(encoding="utf-8") as fh:
            return {row[key]: (float(row["lat"]), float(row["lon"])) for row in csv.DictReader(fh)}

    return read("pc4.csv", "pc4"), read("pc2.csv", "pc2")


def locate(postcode: str | None) -> tuple[float, float]:
    if not postcode:
        return (np.nan, np.nan)
    pc4, pc2 = _tables()
    code = postcode.strip()[:4]
    return pc4.get(code) or pc2.get(code[:2]) or (np.nan, np.nan)


def distance_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Haversine distance; broadcasts, so (n, 1) against (1, m) gives an (n, m) matrix."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def travel_minutes(km: float) -> int:
    """A rough door-to-door estimate by public transport or bike in this region (documented, not routed)."""
    return round(8 + 2.2 * km)


@lru_cache(maxsize=1)
def _places() -> dict[str, str]:
    path = HERE / "pc4.csv"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as fh:
        return {row["pc4"]: row["place"] for row in csv.DictReader(fh) if row.get("place")}


def places() -> dict[str, str]:
    """Every postcode of the region's table with its place name."""
    return dict(_places())


def place(postcode: str | None) -> str | None:
    """The place (town and neighbourhood) of a 4-digit postcode, where the table knows it."""
    return _places().get(postcode.strip()[:4]) if postcode else None


def postcodes_in_place(text: str) -> list[str]:
    """Postcodes whose place name contains the text (at least 3 letters), so "Velp" finds its postcodes."""
    needle = text.strip().lower()
    if len(needle) < 3:
        return []
    return sorted(pc for pc, name in _places().items() if needle in name.lower())
