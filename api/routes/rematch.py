"""Nightly rematch results: the latest run and what is new since the previous one."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/v1", tags=["rematch"])
