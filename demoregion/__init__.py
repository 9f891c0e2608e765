"""Synthetic demo region for werkmatch: a realistic, messy candidate and vacancy population for the
Arnhem labour-market region plus a hidden ground truth ("who would really be hired and stay") and an outcome
simulator.

Deliberately standalone: it imports nothing from ``matcher`` or ``api``, so the matcher can never read the truth.
See RULE.md for the hidden rule.
"""

from .generate import GENERATOR_VERSION, generate
from .outcomes import propose_probability, simulate
from .truth import Truth

__all__ = ["GENERATOR_VERSION", "Truth", "generate", "propose_probability", "simulate"]
