"""Known-answer tests of Holm, Wilcoxon, ranks, Friedman and Nemenyi."""

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from albench.analysis import stats


def test_holm_by_hand():
    # sorted: 0.005 * 4 = 0.02, 0.01 * 3 = 0.03, 0.03 * 2 = 0.06, 0.04 * 1 = 0.04 -> max(0.06, 0.04)
    p = [0.01, 0.04, 0.03, 0.005]
    np.testing.assert_allclose(stats.holm(p), [0.03, 0.06, 0.06, 0.02])


def test_holm_nan_and_cap():
    out = stats.holm([0.5, np.nan, 0.4])
    assert np.isnan(out[1])
    np.testing.assert_allclose(out[[0, 2]], [0.8, 0.8])
    assert stats.holm([0.9, 0.8]).max() == 1.0
    assert stats.holm([]).shape == (0,)


def test_holm_matches_definition():
    rng = np.random.default_rng(3)
    p = rng.random(7)
    m = len(p)
    order = np.argsort(p)
    expected = np.empty(m)
    running = 0.0
    for i, j in enumerate(order):
        running = max(running, min(1.0, (m - i) * p[j]))
        expected[j] = running
    np.testing.assert_allclose(stats.holm(p), expected)


def test_wilcoxon_scipy_documented_example():
    # differences from scipy.stats.wilcoxon's docstring (Fisher's data): T = 24, p = 0.041259765625
    d = np.array([6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75])
    stat, p = stats.wilcoxon_test(d, np.zeros_like(d))
    assert stat == 24
    assert p == pytest.approx(0.041259765625)


def test_wilcoxon_edge_cases():
    assert stats.wilcoxon_test([1, 2, 3], [1, 2, 3]) == (0.0, 1.0)
    _, p = stats.wilcoxon_test([2, 3, 4, 5, 6], [1, 1, 1, 1, 1])
    assert p == pytest.approx(0.0625) == stats.min_wilcoxon_p(5)
    assert np.isnan(stats.wilcoxon_test([], [])[1])


def test_rank_rows_average_ties_and_direction():
    t = pd.DataFrame({"a": [0.9, 0.1], "b": [0.8, 0.5], "c": [0.8, 0.9]})
    np.testing.assert_allclose(stats.rank_rows(t, True).to_numpy(), [[1, 2.5, 2.5], [3, 2, 1]])
    np.testing.assert_allclose(stats.rank_rows(t, False).to_numpy(), [[3, 1.5, 1.5], [1, 2, 3]])
    mr = stats.mean_ranks(t, True)
    assert list(mr.index) == ["c", "a", "b"]
    assert mr["a"] == 2.0


def test_friedman_demsar_example():
    # Demsar (2006), section 3.2.2: N = 14 data sets, k = 4, mean ranks 3.143, 2.000, 2.893,
    # 1.964 -> chi2_F = 9.28, F_F = 3.69, and the Nemenyi CD at 0.05 is 1.25.
    chi2, f = stats.friedman_statistic([3.143, 2.000, 2.893, 1.964], 14)
    assert chi2 == pytest.approx(9.28, abs=0.01)
    assert f == pytest.approx(3.69, abs=0.01)
    assert stats.nemenyi_cd(4, 14) == pytest.approx(1.25, abs=0.005)


@pytest.mark.parametrize(("k", "q"), [(2, 1.960), (3, 2.343), (4, 2.569), (5, 2.728), (10, 3.164)])
def test_nemenyi_q_matches_demsar_table(k, q):
    assert stats.nemenyi_q(k) == pytest.approx(q, abs=0.001)


def test_friedman_nemenyi_matches_scipy_and_formula():
    rng = np.random.default_rng(7)
    table = pd.DataFrame(rng.random((12, 5)), columns=list("abcde"))
    table["a"] += 0.5  # a is best
    res = stats.friedman_nemenyi(table)
    expected = sps.friedmanchisquare(*[table[c] for c in table.columns])
    assert res.statistic == pytest.approx(expected.statistic)
    assert res.p_value == pytest.approx(expected.pvalue)
    chi2, f = stats.friedman_statistic(res.mean_ranks.to_numpy(), 12)  # no ties: same statistic
    assert chi2 == pytest.approx(res.statistic)
    assert res.iman_davenport == pytest.approx(f)
    assert res.mean_ranks.index[0] == "a"
    assert res.mean_ranks.sum() == pytest.approx(15.0)  # 1 + 2 + ... + 5
    assert res.cd == pytest.approx(stats.nemenyi_q(5) * np.sqrt(5 * 6 / (6 * 12)))


def test_friedman_drops_incomplete_blocks_and_small_k():
    t = pd.DataFrame({"a": [1.0, 2.0, np.nan, 0.5], "b": [0.5, 1.0, 1.0, 0.7], "c": [0.1, 0.2, 0.3, 0.9]})
    res = stats.friedman_nemenyi(t)
    assert res.n_blocks == 3 and "missing" in res.note
    res2 = stats.friedman_nemenyi(t[["a", "b"]])
    assert np.isnan(res2.statistic) and res2.n_strategies == 2


def test_cd_cliques_by_hand():
    ranks = pd.Series({"a": 1.0, "b": 1.5, "c": 2.9, "d": 3.0})
    assert stats.cd_cliques(ranks, 1.0) == [["a", "b"], ["c", "d"]]
    assert stats.cd_cliques(ranks, 2.5) == [["a", "b", "c", "d"]]
    assert stats.cd_cliques(ranks, 0.05) == []


def test_nemenyi_pvalues_consistent_with_cd():
    ranks = pd.Series({"a": 1.2, "b": 2.0, "c": 2.8})
    n = 10
    cd = stats.nemenyi_cd(3, n)
    p = stats.nemenyi_pvalues(ranks, n)
    for x, y in itertools.combinations(ranks.index, 2):
        assert (p.loc[x, y] < 0.05) == (abs(ranks[x] - ranks[y]) >= cd)


def _cells(diffs: dict[str, np.ndarray], base: np.ndarray, problems=("d1",)) -> pd.DataFrame:
    rows = []
    for dset in problems:
        for r, b in enumerate(base):
            rows.append((dset, "m", "oracle", "random", r, b))
            for s, d in diffs.items():
                rows.append((dset, "m", "oracle", s, r, b + d[r]))
    return pd.DataFrame(rows, columns=["dataset", "model", "labeler", "strategy", "repetition", "aubc"])


def test_paired_comparisons_and_win_tie_loss():
    base = np.linspace(0.5, 0.7, 8)
    up = np.arange(1, 9) * 0.01
    cells = _cells({"good": up, "bad": -up, "same": np.zeros(8)}, base, problems=("d1", "d2"))
    comp = stats.paired_comparisons(cells, "aubc", "accuracy", "random")
    one = comp[comp.dataset == "d1"].set_index("strategy")
    # 8 pairs all of one sign: exact p = 2 / 2**8; Holm over the 3 comparisons of the family
    assert one.loc["good", "p_value"] == pytest.approx(2 / 256)
    assert one.loc["good", "p_holm"] == pytest.approx(3 * 2 / 256)
    assert one.loc["bad", "p_holm"] == pytest.approx(3 * 2 / 256)
    assert one.loc["same", "p_holm"] == 1.0
    assert one["outcome"].to_dict() == {"good": "win", "bad": "loss", "same": "tie"}
    assert one.loc["good", "mean_diff"] == pytest.approx(up.mean())
    wtl = stats.win_tie_loss(comp).set_index("strategy")
    assert wtl.loc["good", ["win", "tie", "loss", "problems"]].tolist() == [2, 0, 0, 2]
    assert wtl.loc["bad", ["win", "tie", "loss"]].tolist() == [0, 0, 2]
    # log loss: lower is better, the same numbers flip the outcome
    comp_ll = stats.paired_comparisons(cells, "aubc", "log_loss", "random")
    assert comp_ll.set_index(["dataset", "strategy"]).loc[("d1", "good"), "outcome"] == "loss"


def test_paired_comparisons_against_best():
    base = np.linspace(0.5, 0.7, 8)
    up = np.arange(1, 9) * 0.01
    comp = stats.paired_comparisons(_cells({"good": up}, base), reference="best")
    assert comp["reference_strategy"].tolist() == ["good"]
    assert comp["strategy"].tolist() == ["random"]
    assert comp["outcome"].tolist() == ["loss"]


def test_block_ranks():
    base = np.linspace(0.5, 0.7, 3)
    cells = _cells({"good": np.full(3, 0.1)}, base)
    br = stats.block_ranks(cells)
    assert set(br.loc[br.strategy == "good", "rank"]) == {1.0}
    assert len(br) == 6


def test_paired_comparisons_skip_missing_values():
    base = np.linspace(0.5, 0.7, 6)
    cells = _cells({"good": np.full(6, 0.1), "nan": np.full(6, np.nan)}, base)
    comp = stats.paired_comparisons(cells, "aubc", "log_loss", "random")
    assert comp["strategy"].tolist() == ["good"]
    all_nan = cells.assign(aubc=np.nan)
    assert stats.paired_comparisons(all_nan, reference="best").empty
