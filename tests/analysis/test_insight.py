"""Insight metrics on a toy pool with known queries give the known values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from albench.analysis.insight import (
    PoolView,
    batch_geometry,
    cell_insight,
    class_mix,
    first_queries,
    knn_distances,
    paired_claims,
    pca_projection,
    query_overlap,
)

# a pool on a line: dataset rows 100..105 at x = 0, 1, 2, 3, 10, 11; classes 0, 0, 0, 0, 1, 1
POOL = PoolView(
    X=np.array([[0.0], [1.0], [2.0], [3.0], [10.0], [11.0]]),
    y=np.array([0, 0, 0, 0, 1, 1]),
    rows=np.array([100, 101, 102, 103, 104, 105]),
    initial=np.array([0, 5]),
)
KEY = ("toy", "oracle", 0)


def rows(strategy: str, queried: list[list[int]], rep: int = 0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "dataset": "toy",
            "model": "m",
            "strategy": strategy,
            "labeler": "oracle",
            "repetition": rep,
            "round": range(len(queried) + 1),
            "n_labeled": [2 + sum(len(q) for q in queried[:i]) for i in range(len(queried) + 1)],
            "queried": [*queried, []],
        }
    )


def test_positions_map_dataset_rows_to_training_positions():
    assert POOL.positions(np.array([104, 100])).tolist() == [4, 0]
    assert POOL.pool_class_share() == pytest.approx([3 / 4, 1 / 4])  # pool = x 1, 2, 3, 10


def test_class_mix_of_each_batch_against_the_pool():
    mix = class_mix(rows("a", [[104, 101], [102]]), {KEY: POOL})
    r0 = mix[mix["round"] == 0].set_index("class")
    assert r0["batch_share"].tolist() == [0.5, 0.5]
    assert r0["pool_share"].tolist() == pytest.approx([0.75, 0.25])
    assert r0["minority"].tolist() == [False, True]
    assert mix[mix["round"] == 1].set_index("class")["batch_share"].tolist() == [1.0, 0.0]


def test_batch_geometry_by_hand():
    geo = batch_geometry(rows("a", [[104, 101], [102, 103]]), {KEY: POOL}, k=1).set_index("round")
    # round 0: batch x = 10 and 1; labeled x = 0, 11.
    assert geo.loc[0, "mean_pairwise"] == pytest.approx(9.0)
    assert geo.loc[0, "dist_to_labeled"] == pytest.approx((1.0 + 1.0) / 2)
    # pool before the batch: x = 1, 2, 3, 10 at distances 1, 2, 3, 1 from the labels: mean 7/4
    assert geo.loc[0, "exploration"] == pytest.approx(1.0 / (7 / 4))
    # nearest other sample: x=10 -> 11 (1), x=1 -> 0 or 2 (1)
    assert geo.loc[0, "knn_distance"] == pytest.approx(1.0)
    # round 1: batch x = 2, 3; labeled now 0, 1, 10, 11: distances 1 and 3 (3 -> 1 is 2; 3 -> 10 is 7)
    assert geo.loc[1, "dist_to_labeled"] == pytest.approx((1.0 + 2.0) / 2)
    assert geo.loc[1, "mean_pairwise"] == pytest.approx(1.0)
    assert geo.loc[1, "exploration"] == pytest.approx(1.0)  # the batch is the whole remaining pool
    assert geo["batch_size"].tolist() == [2, 2]


def test_knn_distances_written_out():
    assert knn_distances(POOL.X, k=2) == pytest.approx([1.5, 1.0, 1.0, 1.5, 4.0, 4.5])


def test_query_overlap_is_the_jaccard_of_cumulative_sets():
    df = pd.concat([rows("a", [[101, 102], [103]]), rows("b", [[102, 104], [101]])], ignore_index=True)
    ov = query_overlap(df).set_index("round")
    assert ov.loc[0, "jaccard"] == pytest.approx(1 / 3)  # {101,102} vs {102,104}
    assert ov.loc[1, "jaccard"] == pytest.approx(2 / 4)  # {101,102,103} vs {101,102,104}
    assert set(ov["strategy_a"]) == {"a"} and set(ov["strategy_b"]) == {"b"}


def test_cell_insight_and_paired_claims_find_the_strategy_that_queries_the_minority():
    frames, pools = [], {}
    rng = np.random.default_rng(0)
    for rep in range(8):
        pools[("toy", "oracle", rep)] = POOL
        # "minority" always queries a class-1 sample first; "majority" never does
        frames.append(rows("minority", [[104], [101], [rng.choice([102, 103])]], rep))
        frames.append(rows("majority", [[101], [102], [103]], rep))
    df = pd.concat(frames, ignore_index=True)
    mix = class_mix(df, pools)
    cells = cell_insight(mix, batch_geometry(df, pools, k=1), horizon=0.5)
    by = cells.groupby("strategy")["minority_share"].mean()
    # first half of 3 querying rounds (0..2 -> rounds 0 and 1): shares (1 + 0) / 2 and 0
    assert by["minority"] == pytest.approx(0.5) and by["majority"] == 0.0
    assert cells["minority_pool"].tolist() == pytest.approx([0.25] * len(cells))
    claims = paired_claims(cells, "minority_share")
    row = claims.iloc[0]
    assert {row["strategy_a"], row["strategy_b"]} == {"minority", "majority"}
    assert row["n"] == 8
    assert row["p_value"] == pytest.approx(2 / 2**8)  # exact test, all 8 differences positive
    assert row["claim"] in ("majority < minority", "minority > majority")
    # with 3 repetitions no claim can be significant
    few = paired_claims(cells[cells["repetition"] < 3], "minority_share")
    assert few["claim"].tolist() == ["no difference shown"]


def test_pca_projection_and_first_queries():
    X = np.random.default_rng(0).normal(size=(50, 4)) * [10, 1, 0.1, 0.01]
    coords, ratio = pca_projection(X)
    assert coords.shape == (50, 2) and ratio[0] > 0.9 and ratio.sum() <= 1.0 + 1e-12
    assert np.var(coords[:, 0]) > np.var(coords[:, 1])
    df = rows("a", [[104, 101], [102]])
    assert first_queries(df, POOL, KEY, 2)["a"].tolist() == [4, 1]


def test_first_queries_come_from_one_cell_per_strategy():
    # two update policies of the same strategy on the same pool: their queries must not interleave
    refit = rows("a", [[104, 101], [102]]).assign(update="refit")
    incremental = rows("a", [[103, 105], [100]]).assign(update="incremental")
    df = pd.concat([refit, incremental], ignore_index=True)
    assert first_queries(df, POOL, KEY, 3)["a"].tolist() == [4, 1, 2]
