"""Per-round cost of the zhan2021 protocol, plain RBF SVM against GramSVC; CPU-hours of the full grid.

For each set of the zhan2021-binary suite, times a round (standardise, fit, predict the test
set, margin over the pool) at five labeled-set sizes between 20 and the whole training part,
integrates over the rounds of a cell (trapezoid), and adds up the full protocol: 26 sets x
REPS repetitions x (uniform + margin), one BLAS thread. "plain": the published protocol
(standardised on the labeled set every round). "gram": model rbf_svm_gram
(albench.fastsvm.GramRBFSVC, as the loop runs it: feature rows in, looked up in the stored
Gram matrix) with the features standardised once on the training part (the kernel must not
change between rounds) plus its one-time Gram matrix. Uniform rounds are costed without the
pool's decision values.

    python benchmarks/svm_round_costs.py DATA_DIR [REPS=100] [SETS=all]
"""

import sys
import time
import tomllib
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_svmlight_file
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from threadpoolctl import threadpool_limits

from albench.fastsvm import GramRBFSVC

ROOT = Path(__file__).resolve().parents[1]


def suite_sets():
    cards = tomllib.loads((ROOT / "datasets" / "zhan2021.toml").read_text())
    return [d.split(".", 1)[1] for d in cards["suites"]["zhan2021-binary"]["datasets"]]


def _t(f):
    t0 = time.perf_counter()
    out = f()
    return time.perf_counter() - t0, out


def round_costs(X, y, L, gram):
    """Seconds of one round at labeled size L: (fit + predict part, pool decision part)."""
    rng = np.random.default_rng(0)
    Xtr, Xte, ytr, _ = train_test_split(X, y, test_size=0.4, stratify=y, random_state=0)
    order = rng.permutation(len(ytr))
    order = np.concatenate([[np.flatnonzero(ytr == c)[0] for c in np.unique(ytr)], order])
    lab = np.array(list(dict.fromkeys(order.tolist()))[:L])
    pool = np.setdiff1d(np.arange(len(ytr)), lab)
    if gram is not None:
        g, A, B = gram
        prev = np.sort(lab[:-1])
        clone(g).fit(A[prev], ytr[prev])  # the previous round (untimed): this one adds one label
        lab_sorted = np.sort(lab)

        def fit_predict_gram():
            m = clone(g).fit(A[lab_sorted], ytr[lab_sorted])
            m.predict(B)
            return m

        fit, m = _t(fit_predict_gram)
        dec, _ = _t(lambda: m.decision_function(A[pool]) if len(pool) else None)
        return fit, dec

    def fit_predict():
        sc = StandardScaler().fit(Xtr[lab])
        A, B = sc.transform(Xtr), sc.transform(Xte)
        m = SVC(kernel="rbf", gamma="auto", C=1.0).fit(A[lab], ytr[lab])
        m.predict(B)
        return m, A

    fit, (m, A) = _t(fit_predict)
    dec, _ = _t(lambda: m.decision_function(A[pool]) if len(pool) else None)
    return fit, dec


def cell_costs(X, y):
    Xtr, Xte, ytr, _ = train_test_split(X, y, test_size=0.4, stratify=y, random_state=0)
    n = len(ytr)
    sizes = np.unique(np.linspace(20, n, 5).astype(int))
    sc = StandardScaler().fit(Xtr)
    A, B = sc.transform(Xtr), sc.transform(Xte)
    setup, est = _t(lambda: GramRBFSVC(gamma="auto", C=1.0).set_kernel_universe(A, B))
    gram = (est, A, B)
    out = {}
    for name, g in (("plain", None), ("gram", gram)):
        fit, dec = zip(*(round_costs(X, y, int(L), g) for L in sizes), strict=True)
        rounds = n - 20 + 1
        mean_fit = np.trapezoid(fit, sizes) / (sizes[-1] - sizes[0])
        mean_dec = np.trapezoid(dec, sizes) / (sizes[-1] - sizes[0])
        extra = setup if name == "gram" else 0.0
        out[name] = {"uniform": extra + rounds * mean_fit, "margin": extra + rounds * (mean_fit + mean_dec)}
    return n, out


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    sets = sys.argv[3].split(",") if len(sys.argv) > 3 else suite_sets()
    total = {"plain": 0.0, "gram": 0.0}
    print(f"{'set':<14}{'n_train':>8}{'plain s/cell (u, m)':>24}{'gram s/cell (u, m)':>24}{'speed-up':>10}")
    with threadpool_limits(1):
        for name in sets:
            X, y = load_svmlight_file(str(folder / f"{name}-svmstyle.txt"))
            X = X.toarray()
            n, c = cell_costs(X, y)
            for k in total:
                total[k] += reps * (c[k]["uniform"] + c[k]["margin"])
            p, g = c["plain"], c["gram"]
            ratio = (p["uniform"] + p["margin"]) / (g["uniform"] + g["margin"])
            print(
                f"{name:<14}{n:>8}{p['uniform']:>12.1f}{p['margin']:>12.1f}{g['uniform']:>12.1f}{g['margin']:>12.1f}"
                f"{ratio:>9.1f}x",
                flush=True,
            )
    for k, v in total.items():
        print(f"{k}: {v / 3600:.1f} CPU-hours for {len(sets)} sets x {reps} repetitions x (uniform + margin)")
