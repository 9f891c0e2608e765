"""Pure logic of the nightly rematch: row-wise top K, merging partial top K, tiling, table subsets."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.batch.rematch import Top, best_per_row, plan, subset
from matcher.config import SettingsError, load_settings
from matcher.matching.ranking import top_k
from matcher.matching.tables import TermSpace, candidate_table


def _reference(row: np.ndarray, k: int) -> list[int]:
    """The k best of a row by a full sort: value descending, then position."""
    return np.lexsort((np.arange(row.size), -row))[:k].tolist()


@pytest.mark.parametrize("k", [1, 3, 7, 12])
def test_best_per_row_breaks_ties_by_position_even_at_the_cut_off(k: int) -> None:
    rng = np.random.default_rng(k)
    key = np.round(rng.normal(size=(200, 9)), 1)  # rounded: plenty of ties, also at the k-th place
    key[rng.random(key.shape) < 0.2] = -np.inf
    chosen = best_per_row(key, min(k, key.shape[1]))
    for row, picked in zip(key, chosen, strict=True):
        assert picked.tolist() == _reference(row, k)


def test_best_per_row_orders_as_the_api_ranking_does() -> None:
    key = np.random.default_rng(0).normal(size=(50, 30))
    for row, picked in zip(key, best_per_row(key, 8), strict=True):
        assert picked.tolist() == top_k(row, 8).tolist()


def _top(key: np.ndarray, pos: np.ndarray) -> Top:
    x = np.repeat(pos[:, :, None].astype(np.float32), 14, axis=2)
    return Top(key=key.astype(np.float64), pos=pos.astype(np.int64), x=x, att=pos.astype(np.int64) * 2)


def test_merging_partials_in_any_order_gives_the_top_k_of_everything() -> None:
    rng = np.random.default_rng(1)
    n, m, k, width = 25, 60, 5, 12
    key = np.round(rng.normal(size=(n, m)), 1)
    key[rng.random(key.shape) < 0.3] = -np.inf
    expected = [_reference(row, k) for row in key]
    blocks = [slice(s, s + width) for s in range(0, m, width)]
    results = []
    for order in (blocks, blocks[::-1], blocks[1::2] + blocks[::2]):
        top = Top.empty(n, k)
        for b in order:
            sel = best_per_row(key[:, b], min(k, width))
            part_key = np.take_along_axis(key[:, b], sel, axis=1)
            top.merge(slice(0, n), _top(part_key, sel + b.start))
        results.append(top)
    for top in results:
        found = np.isfinite(top.key)
        for i in range(n):
            want = [int(j) for j in expected[i] if np.isfinite(key[i, j])]
            assert top.pos[i][found[i]].tolist() == want
            assert top.x[i][found[i]][:, 0].tolist() == want  # features travel with their pair
            assert top.att[i][found[i]].tolist() == [2 * j for j in want]
        assert np.array_equal(top.pos[found], results[0].pos[found])


def test_plan_bounds_the_pairs_per_tile_and_cuts_candidates_in_chunks() -> None:
    chunks, blocks = plan(90_000, 30_000, 128)
    assert max((c.stop - c.start) * 128 for c in chunks) <= 1_200_000
    assert sum(c.stop - c.start for c in chunks) == 90_000
    assert sum(b.stop - b.start for b in blocks) == 30_000 and len(blocks) == 235
    assert plan(9_000, 3_000, 128)[0] == [slice(0, 2250), slice(2250, 4500), slice(4500, 6750), slice(6750, 9000)]
    assert plan(300, 10, 4)[0] == [slice(0, 300)]  # no tiny tiles for a small region
    assert plan(0, 10, 4) == ([], [])


def test_subset_keeps_every_column_in_step() -> None:
    rows = [{"id": 10 + i, "municipality": "arnhem", "postcode": "6811", "trede": i % 6, "hours_min": None,
             "hours_max": 20 + i, "max_travel_km": None, "driving_licences": [], "dutch_level": None,
             "education_level": None, "certificates": [], "desired_occupations": [], "shifts": ["day"],
             "skills": [{"label": f"vaardigheid {i}", "concept_id": None}],
             "experience": [], "restrictions": [{"code": "no_night"}] if i % 2 else [],
             "text": f"profiel {i}", "vector": np.full(4, i, dtype=np.float32)} for i in range(6)]
    table = candidate_table(rows, TermSpace(), {}, 4)
    part = subset(table, np.array([1, 4]))
    assert part.ids.tolist() == [11, 14] and len(part) == 2
    assert part.rows == [{"id": 11}, {"id": 14}]
    assert part.hours_max.tolist() == [21.0, 24.0]
    assert part.restrictions["no_night"].tolist() == [True, False]
    assert part.vectors[:, 0].tolist() == [1.0, 4.0]
    assert part.skills.toarray().tolist() == table.skills[[1, 4]].toarray().tolist()


@pytest.mark.parametrize("address", ["tcp://scheduler:8786", "10.0.0.5:8786", "inproc://abc"])
def test_settings_accept_a_scheduler_address(address: str) -> None:
    assert load_settings(dask_scheduler=address).dask_scheduler == address
    assert load_settings(dask_scheduler="").dask_scheduler is None


def test_settings_refuse_a_nonsense_scheduler_address_naming_the_variable() -> None:
    with pytest.raises(SettingsError, match="MATCHER_DASK_SCHEDULER"):
        load_settings(dask_scheduler="bij de buren")
