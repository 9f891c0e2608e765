"""Postcode (PC4) centroids for the demo region and a vectorised distance.

The coordinates are approximate centroids written from general knowledge of the region (Arnhem and the
surrounding municipalities of the labour-market region Midden-Gelderland, plus the neighbouring cities of
Nijmegen and Ede where some employers sit). They are good to a kilometre or two, which is all the hidden
rule needs. This module is deliberately independent of the matcher's own geo data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

# postcode -> (lat, lon, municipality code, place name)
POSTCODES: dict[str, tuple[float, float, str, str]] = {
    # --- Arnhem ---
    "6811": (51.9830, 5.9100, "arnhem", "Arnhem"),
    "6812": (51.9870, 5.8990, "arnhem", "Arnhem"),
    "6813": (51.9940, 5.8960, "arnhem", "Arnhem"),
    "6814": (51.9900, 5.8830, "arnhem", "Arnhem"),
    "6815": (51.9850, 5.8720, "arnhem", "Arnhem"),
    "6816": (52.0000, 5.8780, "arnhem", "Arnhem"),
    "6821": (51.9870, 5.9250, "arnhem", "Arnhem"),
    "6822": (51.9960, 5.9150, "arnhem", "Arnhem"),
    "6823": (51.9950, 5.9330, "arnhem", "Arnhem"),
    "6824": (52.0040, 5.9250, "arnhem", "Arnhem"),
    "6825": (52.0010, 5.9520, "arnhem", "Arnhem"),
    "6826": (51.9910, 5.9470, "arnhem", "Arnhem"),
    "6827": (51.9820, 5.9530, "arnhem", "Arnhem"),
    "6828": (51.9790, 5.9330, "arnhem", "Arnhem"),
    "6831": (51.9700, 5.8960, "arnhem", "Arnhem"),
    "6832": (51.9680, 5.9150, "arnhem", "Arnhem"),
    "6833": (51.9580, 5.9120, "arnhem", "Arnhem"),
    "6834": (51.9560, 5.8960, "arnhem", "Arnhem"),
    "6835": (51.9480, 5.9080, "arnhem", "Arnhem"),
    "6836": (51.9450, 5.8900, "arnhem", "Arnhem"),
    "6841": (51.9560, 5.8780, "arnhem", "Arnhem"),
    "6842": (51.9600, 5.8650, "arnhem", "Arnhem"),
    "6843": (51.9520, 5.8650, "arnhem", "Arnhem"),
    "6844": (51.9440, 5.8740, "arnhem", "Arnhem"),
    "6845": (51.9400, 5.8600, "arnhem", "Arnhem"),
    "6846": (51.9380, 5.8450, "arnhem", "Arnhem"),
    # --- Rheden ---
    "6881": (51.9950, 5.9780, "rheden", "Velp"),
    "6882": (52.0000, 5.9870, "rheden", "Velp"),
    "6883": (51.9900, 5.9950, "rheden", "Velp"),
    "6991": (52.0100, 6.0300, "rheden", "Rheden"),
    "6994": (52.0180, 6.0580, "rheden", "De Steeg"),
    "6955": (52.0330, 6.0850, "rheden", "Ellecom"),
    "6951": (52.0500, 6.1000, "rheden", "Dieren"),
    "6952": (52.0550, 6.0950, "rheden", "Dieren"),
    "6953": (52.0450, 6.1050, "rheden", "Dieren"),
    "6956": (52.0600, 6.1250, "rheden", "Spankeren"),
    "6957": (52.0750, 6.0850, "rheden", "Laag-Soeren"),
    # --- Rozendaal ---
    "6891": (52.0060, 5.9620, "rozendaal", "Rozendaal"),
    # --- Renkum ---
    "6861": (51.9870, 5.8400, "renkum", "Oosterbeek"),
    "6862": (51.9920, 5.8250, "renkum", "Oosterbeek"),
    "6865": (51.9780, 5.7950, "renkum", "Doorwerth"),
    "6866": (51.9800, 5.7550, "renkum", "Heelsum"),
    "6871": (51.9750, 5.7350, "renkum", "Renkum"),
    "6872": (51.9800, 5.7200, "renkum", "Renkum"),
    "6874": (52.0000, 5.7930, "renkum", "Wolfheze"),
    # --- Westervoort ---
    "6931": (51.9580, 5.9700, "westervoort", "Westervoort"),
    "6932": (51.9620, 5.9800, "westervoort", "Westervoort"),
    # --- Duiven ---
    "6921": (51.9470, 6.0150, "duiven", "Duiven"),
    "6922": (51.9530, 6.0250, "duiven", "Duiven"),
    "6923": (51.9320, 6.0300, "duiven", "Groessen"),
    # --- Zevenaar ---
    "6901": (51.9300, 6.0700, "zevenaar", "Zevenaar"),
    "6902": (51.9250, 6.0800, "zevenaar", "Zevenaar"),
    "6903": (51.9350, 6.0850, "zevenaar", "Zevenaar"),
    "6904": (51.9200, 6.0650, "zevenaar", "Zevenaar"),
    "6941": (51.9400, 6.1300, "zevenaar", "Didam"),
    "6942": (51.9350, 6.1350, "zevenaar", "Didam"),
    "6915": (51.8620, 6.1180, "zevenaar", "Lobith"),
    "6987": (51.9950, 6.0650, "zevenaar", "Giesbeek"),
    # --- Overbetuwe ---
    "6661": (51.9200, 5.8470, "overbetuwe", "Elst"),
    "6662": (51.9150, 5.8350, "overbetuwe", "Elst"),
    "6665": (51.9600, 5.8150, "overbetuwe", "Driel"),
    "6666": (51.9580, 5.7550, "overbetuwe", "Heteren"),
    "6668": (51.9400, 5.7100, "overbetuwe", "Randwijk"),
    "6669": (51.9150, 5.6500, "overbetuwe", "Dodewaard"),
    "6671": (51.9280, 5.7150, "overbetuwe", "Zetten"),
    "6672": (51.9250, 5.7250, "overbetuwe", "Zetten"),
    "6673": (51.9080, 5.7300, "overbetuwe", "Andelst"),
    "6674": (51.9000, 5.7450, "overbetuwe", "Herveld"),
    # --- Lingewaard ---
    "6851": (51.9370, 5.9400, "lingewaard", "Huissen"),
    "6852": (51.9320, 5.9300, "lingewaard", "Huissen"),
    "6687": (51.9180, 5.9560, "lingewaard", "Angeren"),
    "6681": (51.8920, 5.8970, "lingewaard", "Bemmel"),
    "6682": (51.8850, 5.9250, "lingewaard", "Haalderen"),
    "6686": (51.8900, 6.0500, "lingewaard", "Doornenburg"),
    "6691": (51.8750, 5.9700, "lingewaard", "Gendt"),
    # --- Nijmegen (employers only) ---
    "6511": (51.8460, 5.8640, "nijmegen", "Nijmegen"),
    "6512": (51.8400, 5.8600, "nijmegen", "Nijmegen"),
    "6515": (51.8420, 5.8450, "nijmegen", "Nijmegen"),
    "6521": (51.8460, 5.8780, "nijmegen", "Nijmegen"),
    "6522": (51.8400, 5.8800, "nijmegen", "Nijmegen"),
    "6523": (51.8350, 5.8750, "nijmegen", "Nijmegen"),
    "6524": (51.8370, 5.8880, "nijmegen", "Nijmegen"),
    "6525": (51.8200, 5.8650, "nijmegen", "Nijmegen"),
    "6531": (51.8200, 5.8300, "nijmegen", "Nijmegen"),
    "6532": (51.8200, 5.8450, "nijmegen", "Nijmegen"),
    "6533": (51.8150, 5.8200, "nijmegen", "Nijmegen"),
    "6534": (51.8280, 5.8000, "nijmegen", "Nijmegen"),
    "6535": (51.8200, 5.7950, "nijmegen", "Nijmegen"),
    "6536": (51.8150, 5.7900, "nijmegen", "Nijmegen"),
    "6537": (51.8300, 5.7850, "nijmegen", "Nijmegen"),
    "6538": (51.8350, 5.7800, "nijmegen", "Nijmegen"),
    "6541": (51.8500, 5.8300, "nijmegen", "Nijmegen"),
    "6542": (51.8450, 5.8150, "nijmegen", "Nijmegen"),
    "6543": (51.8380, 5.8200, "nijmegen", "Nijmegen"),
    "6544": (51.8250, 5.8100, "nijmegen", "Nijmegen"),
    "6545": (51.8400, 5.8300, "nijmegen", "Nijmegen"),
    "6546": (51.8420, 5.8000, "nijmegen", "Nijmegen"),
    # --- Ede (employers only) ---
    "6711": (52.0430, 5.6650, "ede", "Ede"),
    "6712": (52.0380, 5.6600, "ede", "Ede"),
    "6713": (52.0500, 5.6750, "ede", "Ede"),
    "6714": (52.0450, 5.6500, "ede", "Ede"),
    "6715": (52.0300, 5.6750, "ede", "Ede"),
    "6716": (52.0250, 5.6550, "ede", "Ede"),
    "6717": (52.0350, 5.6350, "ede", "Ede"),
    "6718": (52.0550, 5.6450, "ede", "Ede"),
}

#: The nine municipalities candidates live in, with their share of the register.
MUNICIPALITY_SHARE: dict[str, float] = {
    "arnhem": 0.850,
    "rheden": 0.035,
    "renkum": 0.020,
    "rozendaal": 0.002,
    "westervoort": 0.015,
    "duiven": 0.015,
    "zevenaar": 0.025,
    "overbetuwe": 0.020,
    "lingewaard": 0.018,
}

#: Arnhem neighbourhoods with many people on welfare weigh more (Malburgen, Presikhaaf, Klarendal,
#: Geitenkamp, Arnhem-Zuid); other postcodes weigh 1.
POSTCODE_WEIGHT: dict[str, float] = {
    "6822": 2.0, "6824": 2.2, "6825": 1.6, "6826": 2.4, "6827": 1.8, "6828": 1.4,
    "6831": 2.4, "6832": 2.4, "6833": 1.5, "6834": 1.3, "6841": 1.4, "6843": 1.2,
    "6813": 0.5, "6816": 0.5, "6812": 0.7,
}

#: Road distance is longer than the straight line; the hidden rule uses this factor.
ROAD_FACTOR = 1.3


def postcodes_of(municipality: str) -> list[str]:
    return [pc for pc, (_, _, m, _) in POSTCODES.items() if m == municipality]


def place_of(postcode: str) -> str:
    return POSTCODES[postcode][3]


def latlon(postcodes: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Latitude and longitude arrays (degrees) for a list of postcodes; unknown postcodes get Arnhem centre."""
    lat = np.empty(len(postcodes), dtype=np.float64)
    lon = np.empty(len(postcodes), dtype=np.float64)
    centre = POSTCODES["6811"]
    for i, pc in enumerate(postcodes):
        rec = POSTCODES.get(pc, centre)
        lat[i] = rec[0]
        lon[i] = rec[1]
    return lat, lon


def haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance in km; arguments broadcast against each other."""
    p1 = np.radians(lat1)
    p2 = np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dphi / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2.0) ** 2
    return 2.0 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


#: projection origin (Arnhem centre) for the local flat-earth coordinates used by the hidden rule
ORIGIN = (51.98, 5.91)
KM_PER_DEG_LAT = 111.2


def project_km(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular projection to km around ORIGIN; within 40 km it differs from the great-circle distance by
    well under 1 %."""
    x = (lon - ORIGIN[1]) * KM_PER_DEG_LAT * math.cos(math.radians(ORIGIN[0]))
    y = (lat - ORIGIN[0]) * KM_PER_DEG_LAT
    return x, y


def road_km(pc_a: str, pc_b: str) -> float:
    """Approximate road distance between two postcodes (straight line x ROAD_FACTOR)."""
    a = POSTCODES[pc_a]
    b = POSTCODES[pc_b]
    dphi = math.radians(b[0] - a[0])
    dlmb = math.radians(b[1] - a[1])
    h = math.sin(dphi / 2) ** 2 + math.cos(math.radians(a[0])) * math.cos(math.radians(b[0])) * math.sin(
        dlmb / 2
    ) ** 2
    return ROAD_FACTOR * 2 * 6371.0 * math.asin(math.sqrt(min(1.0, h)))
