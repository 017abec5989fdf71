"""Record libact's compiled HintSVM decision values for tests/strategies/test_hintsvm.py.

Run with a Python that has libact's ``_hintsvm`` extension (it is not on PyPI in a form that
builds today); how it was built for the stored file::

    apt-get install libopenblas-dev liblapacke-dev pkg-config   # libact's meson asks for them
    git clone https://github.com/ntucllab/libact && cd libact
    pip install numpy scipy scikit-learn six cython meson-python meson ninja
    pip install --no-build-isolation -Csetup-args=-Dvariance_reduction=false .
    python tools/hintsvm_libact_reference.py tests/strategies/data/hintsvm_libact.json

The problems are drawn from seeded generators (written into the file with the values), so
the test recomputes nothing from libact: it compares albench's solver with what the C
extension printed. ``tol`` is set to 1e-6 (libact's default 1e-3 stops SMO early).
"""

from __future__ import annotations

import json
import sys

import numpy as np

# (n_labeled, n_hints, n_features, kernel, gamma, libsvm degree, C, Ch / Cl)
PROBLEMS = [
    (6, 8, 2, "rbf", 0.5, 3, 1.0, 1.0),
    (10, 20, 5, "linear", 0.1, 3, 0.1, 1.0),
    (12, 15, 3, "rbf", 0.2, 1, 1.0, 0.5),
    (12, 15, 3, "rbf", 0.2, 2, 1.0, 2.0),
    (8, 0, 4, "rbf", 0.25, 3, 1.0, 1.0),
    (20, 30, 8, "linear", 0.1, 1, 0.1, 1.0),
    (9, 12, 3, "poly", 0.3, 3, 1.0, 1.0),
]


def main(path: str) -> None:
    """Write the problems and libact's decision values to ``path`` (JSON)."""
    from libact.query_strategies._hintsvm import hintsvm_query

    out = []
    for seed, (n_l, n_h, d, kernel, gamma, degree, C, hw) in enumerate(PROBLEMS):
        r = np.random.default_rng(seed)
        X_l = r.normal(size=(n_l, d))
        y_l = np.where(r.normal(size=n_l) + X_l[:, 0] > 0, 1.0, -1.0)
        y_l[0], y_l[1] = 1.0, -1.0
        X_h = r.normal(size=(n_h, d))
        X_e = r.normal(size=(10, d))
        coef0 = 1.0 if kernel == "poly" else 0.0
        params = {"kernel": kernel, "gamma": gamma, "degree": degree, "coef0": coef0, "C": C, "tol": 1e-6}
        f = hintsvm_query(
            np.ascontiguousarray(np.vstack([X_l, X_h])),
            np.concatenate([y_l, np.zeros(n_h)]),
            np.concatenate([np.ones(n_l), np.full(n_h, hw)]),
            np.ascontiguousarray(X_e),
            params,
        ).ravel()
        out.append(
            {
                "kernel": kernel,
                "gamma": gamma,
                "libsvm_degree": degree,
                "coef0": coef0,
                "C": C,
                "hint_weight": hw,
                "X_labeled": X_l.tolist(),
                "y": y_l.tolist(),
                "X_hints": X_h.tolist(),
                "X_eval": X_e.tolist(),
                "decision": [float(v) for v in f],
            }
        )
    with open(path, "w", encoding="utf-8") as fh:
        source = "libact (ntucllab/libact) _hintsvm.hintsvm_query"
        json.dump({"source": source, "problems": out}, fh, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
