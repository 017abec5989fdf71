"""Query insight: what each strategy queried, and paired statistics on it.

Pure functions over the results DataFrame (its ``queried`` column: the dataset rows labeled
in each round) and the pool each cell saw (:class:`PoolView`: the training part's features as
the strategies saw them, its true labels, and the initial labeled set). Nothing here reads
files or refits models; :mod:`albench.insight_data` recomputes the pools of a results folder.

Per batch (one round's queries):

- class mix: the share of each class in the batch, against the initial pool's class mix;
- ``mean_pairwise``: mean Euclidean distance between the batch's samples (diversity; NaN for
  a batch of one);
- ``dist_to_labeled``: mean distance from each queried sample to the nearest sample labeled
  before the batch (how far from what is known the strategy looks);
- ``knn_distance``: mean distance from each queried sample to its ``k`` nearest neighbours in
  the training part (small = dense region, i.e. representative; large = outlying);
- ``exploration``: ``dist_to_labeled`` divided by the mean nearest-labeled distance of the
  whole pool before the batch: above 1 the strategy explores regions far from the labels,
  below 1 it exploits regions near them (e.g. around the decision boundary).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
from scipy.spatial.distance import pdist
from sklearn.decomposition import PCA
from sklearn.metrics import pairwise_distances_chunked
from sklearn.neighbors import NearestNeighbors

from albench.analysis.common import CELL_COLUMNS, PROBLEM_COLUMNS
from albench.analysis.stats import holm, wilcoxon_test

#: Key of a pool: (dataset label, labeler label, repetition). Splits depend on nothing else.
PoolKey = tuple[str, str, int]


@dataclass(frozen=True)
class PoolView:
    """The training part of one (dataset, labeler, repetition), as every strategy of it saw it.

    Attributes
    ----------
    X : ndarray of shape (n_train, n_features)
        Features of the training part (standardised as the cell's protocol says).
    y : ndarray of shape (n_train,)
        True classes (0..K-1) of the training part.
    rows : ndarray of shape (n_train,)
        Dataset row number of each training position (what ``queried`` holds).
    initial : ndarray of int
        Positions of the initial labeled set.
    """

    X: np.ndarray
    y: np.ndarray
    rows: np.ndarray
    initial: np.ndarray

    def positions(self, rows: np.ndarray) -> np.ndarray:
        """Training positions of dataset row numbers."""
        order = np.argsort(self.rows)
        pos = np.searchsorted(self.rows, rows, sorter=order)
        return order[pos]

    @property
    def n_classes(self) -> int:
        return int(self.y.max()) + 1 if self.y.shape[0] else 0

    def pool_class_share(self) -> np.ndarray:
        """Class shares of the initial pool (training part minus the initial set)."""
        mask = np.ones(self.y.shape[0], dtype=bool)
        mask[self.initial] = False
        counts = np.bincount(self.y[mask], minlength=self.n_classes)
        return counts / max(1, counts.sum())


def pool_key(row: pd.Series | dict) -> PoolKey:
    """The :data:`PoolKey` of a results row."""
    return (str(row["dataset"]), str(row["labeler"]), int(row["repetition"]))


def _cells(df: pd.DataFrame):
    for key, cell in df.sort_values("round").groupby(CELL_COLUMNS, sort=True):
        yield dict(zip(CELL_COLUMNS, key, strict=True)), cell


def _batches(cell: pd.DataFrame, pool: PoolView):
    for rnd, queried in zip(cell["round"], cell["queried"], strict=True):
        q = np.asarray(queried if queried is not None else [], dtype=np.int64)
        if q.shape[0]:
            yield int(rnd), pool.positions(q)


def class_mix(df: pd.DataFrame, pools: dict[PoolKey, PoolView]) -> pd.DataFrame:
    """Share of each class in every batch, next to the class's share of the initial pool.

    Returns
    -------
    DataFrame
        cell columns, round, n_labeled, class, batch_share, pool_share, minority (whether
        the class is the pool's least frequent one). Cells without a pool are skipped.
    """
    rows = []
    for ident, cell in _cells(df):
        pool = pools.get(pool_key(ident))
        if pool is None:
            continue
        share = pool.pool_class_share()
        minority = int(np.argmin(share))
        n_lab = dict(zip(cell["round"], cell["n_labeled"], strict=True))
        for rnd, pos in _batches(cell, pool):
            counts = np.bincount(pool.y[pos], minlength=pool.n_classes) / pos.shape[0]
            for c in range(pool.n_classes):
                rows.append(
                    {
                        **ident,
                        "round": rnd,
                        "n_labeled": int(n_lab[rnd]),
                        "class": c,
                        "batch_share": float(counts[c]),
                        "pool_share": float(share[c]),
                        "minority": c == minority,
                    }
                )
    return pd.DataFrame(rows)


def knn_distances(X: np.ndarray, k: int = 10) -> np.ndarray:
    """Mean distance of every sample to its ``k`` nearest other samples (small = dense region)."""
    n = X.shape[0]
    k = min(k, n - 1)
    if k < 1:
        return np.zeros(n)
    dist, _ = NearestNeighbors(n_neighbors=k + 1).fit(X).kneighbors(X)
    return dist[:, 1:].mean(axis=1)


def _min_distance(X: np.ndarray, to: np.ndarray) -> np.ndarray:
    """Distance of every row of X to the nearest row of ``to`` (chunked: no N x N matrix)."""
    out = np.empty(X.shape[0])
    start = 0
    for chunk in pairwise_distances_chunked(X, to, reduce_func=lambda d, s: d.min(axis=1)):
        out[start : start + chunk.shape[0]] = chunk
        start += chunk.shape[0]
    return out


def batch_geometry(df: pd.DataFrame, pools: dict[PoolKey, PoolView], k: int = 10) -> pd.DataFrame:
    """Diversity, representativeness and exploration of every batch (see the module's notes).

    Parameters
    ----------
    df : DataFrame
        Results rows (``queried`` per round).
    pools : dict
        :class:`PoolView` per :data:`PoolKey`.
    k : int
        Neighbours of the density estimate.

    Returns
    -------
    DataFrame
        cell columns, round, n_labeled, batch_size, mean_pairwise, dist_to_labeled,
        knn_distance, exploration, pool_knn_median (the median k-NN distance of the training
        part: a unit to compare distances across datasets).
    """
    rows = []
    knn_cache: dict[PoolKey, np.ndarray] = {}
    for ident, cell in _cells(df):
        key = pool_key(ident)
        pool = pools.get(key)
        if pool is None:
            continue
        if key not in knn_cache:
            knn_cache[key] = knn_distances(pool.X, k)
        knn = knn_cache[key]
        labeled = np.zeros(pool.X.shape[0], dtype=bool)
        labeled[pool.initial] = True
        nearest = _min_distance(pool.X, pool.X[pool.initial])
        n_lab = dict(zip(cell["round"], cell["n_labeled"], strict=True))
        for rnd, pos in _batches(cell, pool):
            d_lab = float(nearest[pos].mean())
            pool_mean = float(nearest[~labeled].mean())
            rows.append(
                {
                    **ident,
                    "round": rnd,
                    "n_labeled": int(n_lab[rnd]),
                    "batch_size": int(pos.shape[0]),
                    "mean_pairwise": float(pdist(pool.X[pos]).mean()) if pos.shape[0] > 1 else np.nan,
                    "dist_to_labeled": d_lab,
                    "knn_distance": float(knn[pos].mean()),
                    "exploration": d_lab / pool_mean if pool_mean > 0 else np.nan,
                    "pool_knn_median": float(np.median(knn)),
                }
            )
            labeled[pos] = True
            nearest = np.minimum(nearest, _min_distance(pool.X, pool.X[pos]))
    return pd.DataFrame(rows)


def query_overlap(df: pd.DataFrame) -> pd.DataFrame:
    """Jaccard overlap of the queried sets of every pair of strategies on the same repetition.

    After each round, the sets compared are all samples each strategy has queried so far
    (the initial set excluded); with common random numbers both started from the same pool.

    Returns
    -------
    DataFrame
        dataset, model, labeler, repetition, strategy_a, strategy_b, round, n_labeled,
        jaccard.
    """
    rows = []
    for key, group in df.groupby([*PROBLEM_COLUMNS, "repetition"], sort=True):
        so_far: dict[str, list[set]] = {}
        n_lab: dict[str, list[int]] = {}
        for strategy, cell in group.sort_values("round").groupby("strategy", sort=True):
            acc: set = set()
            sets = []
            for q in cell["queried"]:
                acc = acc | set(np.asarray(q if q is not None else [], dtype=np.int64).tolist())
                sets.append(acc)
            so_far[strategy] = sets
            n_lab[strategy] = cell["n_labeled"].tolist()
        for a, b in combinations(sorted(so_far), 2):
            for i in range(min(len(so_far[a]), len(so_far[b]))):
                sa, sb = so_far[a][i], so_far[b][i]
                union = len(sa | sb)
                rows.append(
                    {
                        **dict(zip([*PROBLEM_COLUMNS, "repetition"], key, strict=True)),
                        "strategy_a": a,
                        "strategy_b": b,
                        "round": i,
                        "n_labeled": n_lab[a][i],
                        "jaccard": len(sa & sb) / union if union else np.nan,
                    }
                )
    return pd.DataFrame(rows)


def _early(frame: pd.DataFrame, horizon: float) -> pd.DataFrame:
    """Rows of each cell's first ``horizon`` share of its querying rounds (at least one)."""
    last = frame.groupby(CELL_COLUMNS)["round"].transform("max")
    first = frame.groupby(CELL_COLUMNS)["round"].transform("min")
    cut = first + np.floor((last - first) * horizon)
    return frame[frame["round"] <= cut]


def cell_insight(mix: pd.DataFrame, geometry: pd.DataFrame, horizon: float = 0.5) -> pd.DataFrame:
    """One row per cell: the insight metrics averaged over the first ``horizon`` of its batches.

    Early batches are where strategies differ: a run that labels the whole pool ends with
    every strategy having queried the same samples.

    Returns
    -------
    DataFrame
        cell columns, minority_share (minority share of the early queries), minority_pool
        (its share of the pool), and the means of mean_pairwise, dist_to_labeled,
        knn_distance and exploration.
    """
    parts = []
    if not mix.empty:
        m = _early(mix[mix["minority"]], horizon)
        parts.append(
            m.groupby(CELL_COLUMNS).agg(
                minority_share=("batch_share", "mean"), minority_pool=("pool_share", "first")
            )
        )
    if not geometry.empty:
        g = _early(geometry, horizon)
        parts.append(
            g.groupby(CELL_COLUMNS)[
                ["mean_pairwise", "dist_to_labeled", "knn_distance", "exploration"]
            ].mean()
        )
    if not parts:
        return pd.DataFrame(columns=CELL_COLUMNS)
    return pd.concat(parts, axis=1).reset_index()


def paired_claims(cells: pd.DataFrame, value: str, alpha: float = 0.05) -> pd.DataFrame:
    """Is strategy A's ``value`` larger than B's? Paired Wilcoxon tests for every pair.

    The pairs are the (dataset, model, labeler, repetition) blocks both strategies ran
    (common random numbers: same pool, same initial set); the two-sided p-values of all
    strategy pairs form one Holm family.

    Returns
    -------
    DataFrame
        strategy_a, strategy_b, n (pairs), mean_diff (A minus B), p_value, p_holm, claim
        (``"A > B"``, ``"A < B"`` when significant after Holm at ``alpha``, else ``"no
        difference shown"``).
    """
    cols = ["strategy_a", "strategy_b", "n", "mean_diff", "p_value", "p_holm", "claim"]
    if cells.empty or value not in cells.columns:
        return pd.DataFrame(columns=cols)
    wide = cells.pivot_table(
        index=[*PROBLEM_COLUMNS, "repetition"], columns="strategy", values=value, aggfunc="mean"
    )
    rows = []
    for a, b in combinations(list(wide.columns), 2):
        pair = wide[[a, b]].dropna()
        if pair.empty:
            continue
        _, p = wilcoxon_test(pair[a].to_numpy(), pair[b].to_numpy())
        rows.append([a, b, len(pair), float((pair[a] - pair[b]).mean()), p])
    if not rows:
        return pd.DataFrame(columns=cols)
    adjusted = holm(np.array([r[-1] for r in rows], dtype=np.float64))
    out = []
    for r, ph in zip(rows, adjusted, strict=True):
        if not np.isnan(ph) and ph < alpha and r[3] != 0:
            claim = f"{r[0]} {'>' if r[3] > 0 else '<'} {r[1]}"
        else:
            claim = "no difference shown"
        out.append([*r, float(ph), claim])
    return pd.DataFrame(out, columns=cols)


def pca_projection(X: np.ndarray, random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """2-D PCA of ``X``: coordinates of every row and the share of variance of each axis."""
    n_comp = min(2, X.shape[1], X.shape[0])
    pca = PCA(n_components=n_comp, random_state=random_state).fit(X)
    coords = pca.transform(X)
    if n_comp < 2:
        coords = np.column_stack([coords, np.zeros(X.shape[0])])
    ratio = np.zeros(2)
    ratio[:n_comp] = pca.explained_variance_ratio_
    return coords, ratio


def first_queries(df: pd.DataFrame, pool: PoolView, key: PoolKey, n: int) -> dict[str, np.ndarray]:
    """Positions of the first ``n`` samples each strategy queried on one pool.

    Each strategy's queries come from one cell: its first model, update policy, rebalancer
    and query model on that pool (the cells of other models or policies would interleave
    their own queries by round).
    """
    ds, lab, rep = key
    sub = df[(df["dataset"] == ds) & (df["labeler"] == lab) & (df["repetition"] == rep)]
    cell_columns = [c for c in ("model", "update", "rebalance", "query_model") if c in sub.columns]
    out = {}
    for strategy, runs in sub.groupby("strategy", sort=False):
        first = runs.iloc[0]
        same = np.ones(len(runs), dtype=bool)
        for column in cell_columns:
            same &= (runs[column].astype(str) == str(first[column])).to_numpy()
        cell = runs[same].sort_values("round")
        rows = [r for q in cell["queried"] for r in (q if q is not None else [])][:n]
        out[strategy] = pool.positions(np.asarray(rows, dtype=np.int64))
    return out
