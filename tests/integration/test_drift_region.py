"""The drift scenario of the demo region gives the matcher something to learn: against the hidden truth, the best
additive model over the matcher's own features (the oracle of `bench.oracle`, fitted on the truth of other
vacancies) ranks clearly better than the shipped prior, and the prior ranks worse under the drift rule than under
the default one (same people, same vacancies)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.oracle import Pool, oracle, pool
from demoregion import Truth, generate
from matcher.cli.demo import load
from matcher.service import Service


def test_the_oracle_beats_the_prior_on_the_drift_region(service: Service, tmp_path: Path) -> None:
    region = tmp_path / "drift"
    generate(region, candidates=240, vacancies=80, seed=42, scenario="drift")
    load(service, region)
    with service.db.connection() as conn:
        ids = [r["id"] for r in conn.execute("SELECT id FROM vacancies WHERE status = 'open' ORDER BY id")]
        prior = service.champion(conn)
    found_ndcg: dict[str, dict[str, float]] = {}
    for scenario in ("default", "drift"):
        found = pool(service, Truth.load(region / "truth", scenario=scenario), ids)
        half = np.arange(len(ids)) % 2 == 0

        def part(mask: np.ndarray, found: Pool = found) -> Pool:
            return Pool([v for v, m in zip(ids, mask, strict=True) if m], found.X[:, mask], found.feasible[:, mask],
                        found.relevance[:, mask])

        best, held_out = oracle(part(half)), part(~half)
        found_ndcg[scenario] = {"prior": float(held_out.ndcg(prior).mean()),
                                "oracle": float(held_out.ndcg(best).mean())}
    drift, default = found_ndcg["drift"], found_ndcg["default"]
    assert drift["oracle"] - drift["prior"] > 0.03, found_ndcg  # there is something to learn …
    assert drift["prior"] < default["prior"], found_ndcg  # … because the prior fits these employers worse
