"""Statistics over per-cell values: paired Wilcoxon tests with Holm, ranks, Friedman, Nemenyi.

Every strategy of a repetition starts from the same split and initial set (common random
numbers), so values of two strategies on one problem are *paired* by repetition. A
*problem* is a (dataset, model, labeler) combination: the block of the Friedman test.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as sps

from albench.analysis.common import PROBLEM_COLUMNS, higher_is_better


def holm(pvalues: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment of a family of p-values (Holm 1979).

    The i-th smallest of m p-values becomes ``max_{j <= i} min(1, (m - j + 1) p_(j))``.
    NaN entries are left NaN and do not count in m.

    Parameters
    ----------
    pvalues : array-like of float

    Returns
    -------
    ndarray
        Adjusted p-values, in the input order.
    """
    p = np.asarray(pvalues, dtype=np.float64)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = ok.shape[0]
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    scaled = (m - np.arange(m)) * p[order]
    out[order] = np.minimum(1.0, np.maximum.accumulate(scaled))
    return out


def wilcoxon_test(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Two-sided Wilcoxon signed-rank test of paired samples ``x`` and ``y``.

    Zero differences are dropped (Wilcoxon's convention). When no difference is non-zero the
    samples are indistinguishable: statistic 0 and p-value 1. SciPy picks the exact null
    distribution for small samples without ties, a normal approximation otherwise. With n
    pairs the smallest attainable two-sided exact p-value is ``2 / 2**n`` (0.0625 for n = 5).

    Returns
    -------
    statistic, p_value : float
    """
    d = np.asarray(x, dtype=np.float64) - np.asarray(y, dtype=np.float64)
    d = d[~np.isnan(d)]
    if d.shape[0] == 0:
        return float("nan"), float("nan")
    if not np.any(d != 0):
        return 0.0, 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sps.wilcoxon(d, zero_method="wilcox", alternative="two-sided")
    return float(res.statistic), float(res.pvalue)


def min_wilcoxon_p(n: int) -> float:
    """Smallest two-sided p-value the exact Wilcoxon signed-rank test can give with ``n`` pairs."""
    return min(1.0, 2.0 / 2.0**n) if n > 0 else 1.0


def _wide(cells: pd.DataFrame, value: str) -> dict[tuple, pd.DataFrame]:
    """Per problem: repetition x strategy table of ``value``."""
    out = {}
    for key, group in cells.groupby(PROBLEM_COLUMNS, sort=True):
        out[key] = group.pivot_table(index="repetition", columns="strategy", values=value, aggfunc="mean")
    return out


def paired_comparisons(
    cells: pd.DataFrame,
    value: str = "aubc",
    metric: str = "accuracy",
    reference: str = "random",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Each strategy against a reference on every problem: Wilcoxon signed-rank, Holm-adjusted.

    Parameters
    ----------
    cells : DataFrame
        One row per cell: dataset, model, labeler, strategy, repetition and ``value``.
    value : str
        Column compared (e.g. ``aubc``).
    metric : str
        The metric ``value`` is computed from; decides whether higher is better.
    reference : str
        A strategy name (e.g. ``"random"``), or ``"best"``: the strategy with the best mean
        ``value`` on that problem.
    alpha : float
        Level at which a Holm-adjusted p-value is called significant.

    Returns
    -------
    DataFrame
        dataset, model, labeler, reference, reference_strategy, strategy, n (pairs),
        mean_diff (strategy minus reference), statistic, p_value, p_holm, outcome
        (``win``/``tie``/``loss`` of the strategy: significant after Holm at ``alpha`` and
        better/worse on mean, else ``tie``). The Holm family is the comparisons of one problem
        against one reference. Problems without the reference strategy, and strategies with
        no pair of values, are skipped.
    """
    sign = 1.0 if higher_is_better(metric) else -1.0
    rows = []
    for key, wide in _wide(cells, value).items():
        means = wide.mean(axis=0)
        if reference == "best":
            if means.dropna().empty:
                continue
            ref = (means * sign).idxmax()
        else:
            ref = reference
        if ref not in wide.columns:
            continue
        block = []
        for strategy in wide.columns:
            if strategy == ref:
                continue
            pair = wide[[strategy, ref]].dropna()
            if pair.empty:  # e.g. log loss of a model without probabilities: nothing to compare
                continue
            stat, p = wilcoxon_test(pair[strategy].to_numpy(), pair[ref].to_numpy())
            diff = float((pair[strategy] - pair[ref]).mean()) if len(pair) else float("nan")
            block.append([*key, reference, ref, strategy, len(pair), diff, stat, p])
        if not block:
            continue
        adjusted = holm(np.array([b[-1] for b in block]))
        for b, ph in zip(block, adjusted, strict=True):
            diff = b[7]
            if not np.isnan(ph) and ph < alpha and diff * sign > 0:
                outcome = "win"
            elif not np.isnan(ph) and ph < alpha and diff * sign < 0:
                outcome = "loss"
            else:
                outcome = "tie"
            rows.append([*b, ph, outcome])
    columns = [
        *PROBLEM_COLUMNS,
        "reference",
        "reference_strategy",
        "strategy",
        "n",
        "mean_diff",
        "statistic",
        "p_value",
        "p_holm",
        "outcome",
    ]
    return pd.DataFrame(rows, columns=columns)


def win_tie_loss(comparisons: pd.DataFrame, metric: str = "accuracy") -> pd.DataFrame:
    """Count, per strategy and reference, the problems it wins, ties and loses.

    Parameters
    ----------
    comparisons : DataFrame
        Output of :func:`paired_comparisons` (one or several references concatenated).
    metric : str
        Decides whether a positive ``mean_diff`` is better.

    Returns
    -------
    DataFrame
        reference, strategy, win, tie, loss (significant after Holm), better_on_mean (problems
        where the strategy's mean is better, significant or not), problems.
    """
    sign = 1.0 if higher_is_better(metric) else -1.0
    cols = ["reference", "strategy", "win", "tie", "loss", "better_on_mean", "problems"]
    if comparisons.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for (ref, strategy), g in comparisons.groupby(["reference", "strategy"], sort=False):
        counts = g["outcome"].value_counts()
        rows.append(
            [
                ref,
                strategy,
                int(counts.get("win", 0)),
                int(counts.get("tie", 0)),
                int(counts.get("loss", 0)),
                int((g["mean_diff"] * sign > 0).sum()),
                len(g),
            ]
        )
    return pd.DataFrame(rows, columns=cols)


def problem_table(cells: pd.DataFrame, value: str = "aubc") -> pd.DataFrame:
    """Mean ``value`` over repetitions: one row per problem, one column per strategy."""
    return cells.pivot_table(index=PROBLEM_COLUMNS, columns="strategy", values=value, aggfunc="mean")


def rank_rows(table: pd.DataFrame, higher_better: bool = True) -> pd.DataFrame:
    """Rank the strategies (columns) within each row: 1 is best, ties get their average rank.

    NaN entries stay NaN and are not ranked.
    """
    return table.rank(axis=1, ascending=not higher_better, method="average")


def mean_ranks(table: pd.DataFrame, higher_better: bool = True, complete: bool = True) -> pd.Series:
    """Mean rank per strategy over the rows of ``table``, best first.

    Parameters
    ----------
    table : DataFrame
        Rows are blocks (problems), columns strategies.
    higher_better : bool
        Direction of the values.
    complete : bool
        Use only rows where every strategy has a value (the Friedman design).
    """
    t = table.dropna(axis=0, how="any") if complete else table
    return rank_rows(t, higher_better).mean(axis=0).sort_values()


@dataclass
class FriedmanResult:
    """Friedman test over blocks with the Nemenyi critical difference."""

    statistic: float
    p_value: float
    iman_davenport: float
    iman_davenport_p: float
    n_blocks: int
    n_strategies: int
    mean_ranks: pd.Series
    cd: float
    alpha: float
    cliques: list[list[str]] = field(default_factory=list)
    note: str = ""


def friedman_statistic(mean_rank: np.ndarray, n_blocks: int) -> tuple[float, float]:
    """Friedman's chi-square and the Iman-Davenport F from mean ranks (no tie correction).

    ``chi2 = 12 N / (k (k + 1)) * (sum_j R_j^2 - k (k + 1)^2 / 4)`` and
    ``F = (N - 1) chi2 / (N (k - 1) - chi2)`` (Demsar 2006, eq. 1-2).
    """
    r = np.asarray(mean_rank, dtype=np.float64)
    k, n = r.shape[0], n_blocks
    chi2 = 12.0 * n / (k * (k + 1)) * (np.sum(r**2) - k * (k + 1) ** 2 / 4.0)
    denom = n * (k - 1) - chi2
    f = (n - 1) * chi2 / denom if denom > 0 else float("inf")
    return float(chi2), float(f)


def nemenyi_q(k: int, alpha: float = 0.05) -> float:
    """Critical value q_alpha of the Nemenyi test: studentized range quantile / sqrt(2).

    For alpha = 0.05: 1.960 (k = 2), 2.343 (3), 2.569 (4), 2.728 (5), 3.164 (10) as tabulated
    by Demsar (2006, table 5a).
    """
    return float(sps.studentized_range.ppf(1.0 - alpha, k, np.inf) / np.sqrt(2.0))


def nemenyi_cd(k: int, n_blocks: int, alpha: float = 0.05) -> float:
    """Nemenyi critical difference of mean ranks: ``q_alpha * sqrt(k (k + 1) / (6 N))``."""
    if k < 2 or n_blocks < 1:
        return float("nan")
    return nemenyi_q(k, alpha) * float(np.sqrt(k * (k + 1) / (6.0 * n_blocks)))


def nemenyi_pvalues(ranks: pd.Series, n_blocks: int) -> pd.DataFrame:
    """Pairwise Nemenyi p-values from mean ranks (studentized range of the rank difference)."""
    k = len(ranks)
    se = np.sqrt(k * (k + 1) / (6.0 * n_blocks))
    r = ranks.to_numpy()
    diff = np.abs(r[:, None] - r[None, :]) / se
    p = sps.studentized_range.sf(diff * np.sqrt(2.0), k, np.inf)
    np.fill_diagonal(p, 1.0)
    return pd.DataFrame(p, index=ranks.index, columns=ranks.index)


def cd_cliques(ranks: pd.Series, cd: float) -> list[list[str]]:
    """Maximal groups of strategies whose mean ranks all lie within ``cd`` of each other.

    These are the bars of a critical-difference diagram; singletons are omitted.
    """
    r = ranks.sort_values()
    names, values = list(r.index), r.to_numpy()
    groups = []
    for i in range(len(values)):
        j = i
        while j + 1 < len(values) and values[j + 1] - values[i] < cd:
            j += 1
        if j > i and not any(gi <= i and j <= gj for gi, gj in groups):
            groups.append((i, j))
    return [names[i : j + 1] for i, j in groups]


def friedman_nemenyi(table: pd.DataFrame, higher_better: bool = True, alpha: float = 0.05) -> FriedmanResult:
    """Friedman test across problems and the Nemenyi critical difference.

    Parameters
    ----------
    table : DataFrame
        Rows are problems (blocks), columns strategies (e.g. mean AUBC); rows with a missing
        strategy are dropped (the test needs complete blocks).
    higher_better : bool
        Direction of the values.
    alpha : float
        Level of the critical difference.

    Returns
    -------
    FriedmanResult
        The chi-square statistic and p-value come from :func:`scipy.stats.friedmanchisquare`
        (with its tie correction); NaN when there are fewer than 3 strategies or 2 blocks.
    """
    complete = table.dropna(axis=0, how="any")
    n, k = complete.shape
    ranks = mean_ranks(complete, higher_better)
    note = ""
    if len(complete) < len(table):
        note = f"{len(table) - len(complete)} problem(s) with a missing strategy left out. "
    chi2 = p = f = fp = float("nan")
    if k >= 3 and n >= 2:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = sps.friedmanchisquare(*[complete[c].to_numpy() for c in complete.columns])
        chi2, p = float(res.statistic), float(res.pvalue)
        denom = n * (k - 1) - chi2
        f = (n - 1) * chi2 / denom if denom > 0 else float("inf")
        fp = float(sps.f.sf(f, k - 1, (k - 1) * (n - 1))) if np.isfinite(f) else 0.0
    else:
        note += "The Friedman test needs at least 3 strategies and 2 complete problems. "
    cd = nemenyi_cd(k, n, alpha)
    cliques = cd_cliques(ranks, cd) if np.isfinite(cd) else []
    return FriedmanResult(chi2, p, f, fp, n, k, ranks, cd, alpha, cliques, note.strip())


def block_ranks(cells: pd.DataFrame, value: str = "aubc", metric: str = "accuracy") -> pd.DataFrame:
    """Rank of each strategy within every (problem, repetition): the rank distribution.

    Returns
    -------
    DataFrame
        dataset, model, labeler, repetition, strategy, rank (1 is best).
    """
    wide = cells.pivot_table(
        index=[*PROBLEM_COLUMNS, "repetition"], columns="strategy", values=value, aggfunc="mean"
    )
    ranks = rank_rows(wide, higher_is_better(metric))
    return ranks.stack().rename("rank").reset_index()
