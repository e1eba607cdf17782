"""Distances between positions on the Earth, and the one rule that marks a visit as far from its shop.

Plain Python: no Django, so that the rule reads the same wherever it is used.
"""

from __future__ import annotations

import math

# The mean radius of the Earth (IUGG), in metres.
EARTH_RADIUS_METRES = 6_371_008.8


def distance_metres(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The great-circle (haversine) distance between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lng2 - lng1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_METRES * math.asin(min(1.0, math.sqrt(a)))


def is_far(distance: float, *, accuracy: float, threshold: float) -> bool:
    """Farther than the threshold even when the fix is given the benefit of its reported accuracy."""
    return distance > threshold + accuracy
