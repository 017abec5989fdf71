"""Partition a dataset for one repetition: train/test split, initial labeled set, scaling.

These steps depend only on (seed, dataset, repetition), never on the strategy, so every
strategy of a repetition starts from the same pool (DESIGN invariant 1). The simulation and
the full-data ceiling both use them.

The protocol options ``split``, ``test_rounding`` and ``initial_min_per_class`` select the
published variants of each step (docs/reproducing.md maps them to the published code).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import hypergeom
from sklearn.model_selection import GroupShuffleSplit, train_test_split
from sklearn.preprocessing import StandardScaler

from albench.datasets.splits import fixed_split
from albench.errors import AlbenchInputError

MAX_INITIAL_DRAWS = 1000


def count_test_rows(n_samples: int, test_fraction: float, rounding: str = "ceil") -> int:
    """Size of the test set of ``n_samples`` rows.

    Parameters
    ----------
    n_samples : int
        Rows of the dataset.
    test_fraction : float
        Share held out, in (0, 1).
    rounding : {"ceil", "floor"}
        ``"ceil"``: ``ceil(test_fraction * n)``, as scikit-learn's ``train_test_split`` (and, for
        every data set size of the zhan2021 suite, Lu et al.'s ``n - int(n * (1 - f))``).
        ``"floor"``: ``int(test_fraction * n)``, as Zhan et al.'s ``split_data``.
    """
    if rounding == "floor":
        return int(test_fraction * n_samples)
    return int(math.ceil(test_fraction * n_samples))


def split_rows(ds, protocol, split_seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Row numbers of the training part and of the test set, seeded by ``split_seed``.

    ``protocol.split = "stratified"`` keeps the class shares in both parts; ``"random"`` is a
    plain random split (a class may then be rarer, or absent, in one part).
    ``protocol.test_rounding`` sets the test size (:func:`count_test_rows`).
    ``"group"`` and ``"published"``: see :func:`group_split` and :func:`published_split`.
    """
    rounding = getattr(protocol, "test_rounding", "ceil")
    split = getattr(protocol, "split", "stratified")
    if split == "group":
        return group_split(ds, protocol.test_fraction, split_seed)
    if split == "published":
        return published_split(ds, split_seed)
    test_size: float | int = protocol.test_fraction
    if rounding != "ceil":
        test_size = count_test_rows(ds.n_samples, protocol.test_fraction, rounding)
    return train_test_split(
        np.arange(ds.n_samples),
        test_size=test_size,
        stratify=ds.y if split == "stratified" else None,
        random_state=split_seed,
        shuffle=True,
    )


def _require(ds, attribute: str, split: str, what: str) -> np.ndarray:
    values = getattr(ds, attribute, None)
    if values is None:
        raise AlbenchInputError(
            f"protocol.split = {split!r}: dataset {ds.name!r} has no {what}; use split = 'stratified' "
            "or 'random', or a dataset that records them"
        )
    return np.asarray(values)


def group_split(ds, test_fraction: float, split_seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Training and test rows with every group wholly on one side (``protocol.split = "group"``).

    scikit-learn's ``GroupShuffleSplit`` holds out ``ceil(test_fraction * n_groups)`` groups,
    drawn with ``split_seed``; both parts are then put in an order drawn from the same seed
    (as ``train_test_split`` shuffles).

    Raises
    ------
    AlbenchInputError
        When the dataset has no groups, or fewer than two.
    """
    groups = _require(ds, "groups", "group", "groups (a group label per row, e.g. the speaker)")
    n_groups = int(np.unique(groups).shape[0])
    if n_groups < 2:
        raise AlbenchInputError(
            f"protocol.split = 'group': dataset {ds.name!r} has {n_groups} group; needs 2 or more"
        )
    splitter = GroupShuffleSplit(n_splits=1, test_size=test_fraction, random_state=split_seed)
    train, test = next(splitter.split(np.zeros(groups.shape[0]), groups=groups))
    rng = np.random.default_rng(split_seed)
    return rng.permutation(train).astype(np.int64), rng.permutation(test).astype(np.int64)


def published_split(ds, split_seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The dataset's published test part as the test set; every other row is training.

    The training rows are put in an order drawn from ``split_seed`` (so repetitions differ
    in their pool order and initial sets, never in the test set).

    Raises
    ------
    AlbenchInputError
        When the dataset has no published parts, or no part named ``"test"``.
    """
    parts = _require(ds, "parts", "published", "published parts (a train/test file per part)")
    test = np.flatnonzero(parts == "test")
    if test.shape[0] == 0:
        raise AlbenchInputError(
            f"protocol.split = 'published': dataset {ds.name!r} has no part named 'test' "
            f"(its parts: {', '.join(sorted(set(parts.tolist())))})"
        )
    train = np.flatnonzero(parts != "test")
    rng = np.random.default_rng(split_seed)
    return rng.permutation(train).astype(np.int64), test.astype(np.int64)


def planned_split_sizes(ds, protocol) -> tuple[int, int]:
    """(n_train, n_test) the protocol's split gives on ``ds`` (checked before any cell runs).

    For ``"group"`` the sizes are those of seed 0 (other seeds hold out other groups, whose
    sizes may differ); errors of :func:`group_split` and :func:`published_split` surface here.
    """
    split = getattr(protocol, "split", "stratified")
    if split in ("group", "published"):
        train, test = split_rows(ds, protocol, 0)
        return int(train.shape[0]), int(test.shape[0])
    n_test = count_test_rows(ds.n_samples, protocol.test_fraction, getattr(protocol, "test_rounding", "ceil"))
    return ds.n_samples - n_test, n_test


def draw_initial(y_revealed: np.ndarray, n_classes: int, protocol, rng: np.random.Generator) -> np.ndarray:
    """Positions of the initial labeled set within the training part.

    With ``initial_per_class``: that many from each class. With ``initial_size``: a uniform
    draw, re-drawn from the same stream until every class has at least
    ``protocol.initial_min_per_class`` labels (at most ``MAX_INITIAL_DRAWS`` times). Re-drawing
    until the condition holds samples the initial set conditionally on it, as do the published
    scripts (Zhan et al. re-draw; Lu et al. drop the repetitions whose set misses a class).
    """
    n = y_revealed.shape[0]
    if protocol.initial_per_class is not None:
        parts = []
        for c in range(n_classes):
            members = np.flatnonzero(y_revealed == c)
            if members.shape[0] < protocol.initial_per_class:
                raise ValueError(
                    f"class {c} has {members.shape[0]} training samples, fewer than "
                    f"initial_per_class = {protocol.initial_per_class}"
                )
            parts.append(rng.choice(members, size=protocol.initial_per_class, replace=False))
        return np.sort(np.concatenate(parts)).astype(np.int64)
    size = int(protocol.initial_size)
    least = int(getattr(protocol, "initial_min_per_class", 1))
    for _ in range(MAX_INITIAL_DRAWS):
        chosen = rng.choice(n, size=size, replace=False)
        drawn = y_revealed[chosen]
        counts = np.bincount(drawn[(drawn >= 0) & (drawn < n_classes)], minlength=n_classes)
        if counts.min() >= least:
            return np.sort(chosen).astype(np.int64)
    wanted = (
        f"containing all {n_classes} classes"
        if least == 1
        else f"with {least} of each of {n_classes} classes"
    )
    raise ValueError(
        f"no initial set of {size} labels {wanted} in {MAX_INITIAL_DRAWS} draws; use a larger "
        "initial_size or initial_per_class"
    )


def initial_success_probability(
    class_counts: np.ndarray, size: int, least: int, n_sims: int = 20_000, seed: int = 0
) -> float:
    """Chance that a uniform draw of ``size`` labels has ``least`` of every class (estimated).

    Monte Carlo over ``n_sims`` multivariate hypergeometric draws from ``class_counts`` (the
    class sizes of the training part), with a fixed seed so the estimate is reproducible.
    :func:`draw_initial` re-draws at most :data:`MAX_INITIAL_DRAWS` times, so a probability
    far below ``1 / MAX_INITIAL_DRAWS`` means cells would fail.
    """
    counts = np.asarray(class_counts, dtype=np.int64)
    if size > counts.sum() or size < least * counts.shape[0]:
        return 0.0
    draws = np.random.default_rng(seed).multivariate_hypergeometric(counts, size, size=n_sims)
    return float(np.mean(draws.min(axis=1) >= least))


def initial_success_lower_bound(class_counts: np.ndarray, size: int, least: int) -> float:
    """A lower bound on :func:`initial_success_probability`, exact and cheap (no simulation).

    The union bound ``1 - sum_c P(class c gets fewer than least)``, each term a hypergeometric
    tail; 0 when the bound says nothing.
    """
    counts = np.asarray(class_counts, dtype=np.int64)
    total = int(counts.sum())
    if size > total or size < least * counts.shape[0]:
        return 0.0
    miss = hypergeom.cdf(least - 1, total, counts, size).sum()
    return float(max(0.0, 1.0 - miss))


def smallest_feasible_initial_size(class_counts: np.ndarray, least: int, target: float = 0.05) -> int | None:
    """Smallest initial size whose draw meets ``least`` per class with probability >= ``target``.

    ``None`` when even the whole training part does not (a class smaller than ``least``).
    """
    counts = np.asarray(class_counts, dtype=np.int64)
    if counts.min() < least:
        return None
    lo, hi = least * counts.shape[0], int(counts.sum())
    while lo < hi:  # the probability grows with the size: bisect
        mid = (lo + hi) // 2
        if initial_success_probability(counts, mid, least, n_sims=4000) >= target:
            hi = mid
        else:
            lo = mid + 1
    return lo


def standardize(X_train: np.ndarray, X_test: np.ndarray, fit_on: np.ndarray):
    """Scale both parts with a StandardScaler fitted on ``fit_on`` (constant columns kept as 0)."""
    scaler = StandardScaler().fit(fit_on)
    return scaler.transform(X_train), scaler.transform(X_test)


def train_test_rows(ds, protocol, dataset_label: str, repetition: int, split_seed: int):
    """Training and test rows of a (dataset, repetition), and the fixed split they came from.

    From ``protocol.splits_file`` when it is set (the third value is then the fixed split, which
    also holds the initial set), else the stratified random split seeded by ``split_seed``
    (third value ``None``). The cells and the full-data ceiling of a repetition both use it.
    """
    fixed = fixed_split(protocol.splits_file, dataset_label, repetition) if protocol.splits_file else None
    if fixed is not None:
        return fixed.train, fixed.test, fixed
    train_rows, test_rows = split_rows(ds, protocol, split_seed)
    return train_rows, test_rows, None
