"""GramSVC decides like SVC(kernel="rbf") and, batch 1 by margin, selects the same samples."""

import os
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from albench.errors import AlbenchInputError
from albench.fastsvm import GramSVC, resolve_gamma


def margin_loop(X_train, y_train, X_test, initial, rounds, fast: bool, gamma="auto", C=1.0):
    """Batch-1 margin sampling; returns the queried positions and the test predictions per round."""
    labeled = np.zeros(X_train.shape[0], dtype=bool)
    labeled[initial] = True
    gram = GramSVC(X_train, X_test, gamma=gamma, C=C) if fast else None
    queried, predictions = [], []
    for _ in range(rounds):
        lab = np.flatnonzero(labeled)
        pool = np.flatnonzero(~labeled)
        if fast:
            gram.fit(lab, y_train[lab])
            predictions.append(gram.predict())
            f = gram.decision_function(pool)
        else:
            model = SVC(kernel="rbf", gamma=gamma, C=C).fit(X_train[lab], y_train[lab])
            predictions.append(model.predict(X_test))
            f = model.decision_function(X_train[pool])
        pick = pool[np.argmin(np.abs(f))]
        queried.append(int(pick))
        labeled[pick] = True
    return queried, predictions


def _initial(y, rng, size=20):
    # stratified: both classes present
    idx = np.concatenate([rng.choice(np.flatnonzero(y == c), size // 2, replace=False) for c in (0, 1)])
    return idx


@pytest.mark.parametrize(("gamma", "C"), [("auto", 1.0), (0.05, 10.0)])
def test_decision_values_equal_the_rbf_svc(gamma, C):
    X, y = make_classification(n_samples=300, n_features=10, random_state=0)
    X = StandardScaler().fit_transform(X)
    lab = np.arange(0, 300, 3)
    gram = GramSVC(X, X[:50], gamma=gamma, C=C).fit(lab, y[lab])
    plain = SVC(kernel="rbf", gamma=gamma, C=C).fit(X[lab], y[lab])
    np.testing.assert_allclose(gram.decision_function(np.arange(300)), plain.decision_function(X), atol=1e-8)
    np.testing.assert_allclose(gram.decision_function(), plain.decision_function(X[:50]), atol=1e-8)
    np.testing.assert_array_equal(gram.predict(), plain.predict(X[:50]))


def test_batch_one_margin_selects_the_same_samples_on_synthetic_data():
    X, y = make_classification(n_samples=240, n_features=8, flip_y=0.05, random_state=1)
    Xtr, Xte, ytr, _ = train_test_split(X, y, test_size=0.4, stratify=y, random_state=0)
    sc = StandardScaler().fit(Xtr)
    Xtr, Xte = sc.transform(Xtr), sc.transform(Xte)
    initial = _initial(ytr, np.random.default_rng(0))
    rounds = Xtr.shape[0] - initial.shape[0] - 1
    q_plain, p_plain = margin_loop(Xtr, ytr, Xte, initial, rounds, fast=False)
    q_fast, p_fast = margin_loop(Xtr, ytr, Xte, initial, rounds, fast=True)
    assert q_fast == q_plain
    assert all(np.array_equal(a, b) for a, b in zip(p_plain, p_fast, strict=True))


def _zhan_dir():
    for folder in [
        os.environ.get("ALBENCH_DATA"),
        Path(__file__).resolve().parents[1].parent / "shared" / "data",
    ]:
        if folder:
            for sub in (Path(folder), Path(folder) / "zhan2021"):
                if (sub / "sonar-svmstyle.txt").is_file():
                    return sub
    return None


@pytest.mark.data
@pytest.mark.parametrize("name", ["sonar", "heart", "ionosphere", "wdbc"])
def test_same_selections_on_the_small_zhan2021_sets(name):
    folder = _zhan_dir()
    if folder is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the zhan2021 tests: set ALBENCH_DATA")
        pytest.skip("zhan2021 data not found (set ALBENCH_DATA)")
    from sklearn.datasets import load_svmlight_file

    X, y = load_svmlight_file(str(folder / f"{name}-svmstyle.txt"))
    X = X.toarray()
    y = (y == np.unique(y)[1]).astype(int)
    Xtr, Xte, ytr, _ = train_test_split(X, y, test_size=0.4, stratify=y, random_state=0)
    sc = StandardScaler().fit(Xtr)  # standardize = "train": the kernel is fixed for the cell
    Xtr, Xte = sc.transform(Xtr), sc.transform(Xte)
    initial = _initial(ytr, np.random.default_rng(0))
    rounds = Xtr.shape[0] - initial.shape[0] - 1
    q_plain, _ = margin_loop(Xtr, ytr, Xte, initial, rounds, fast=False)
    q_fast, _ = margin_loop(Xtr, ytr, Xte, initial, rounds, fast=True)
    assert q_fast == q_plain


def test_gamma_must_be_fixed_for_the_cell():
    assert resolve_gamma("auto", 4) == 0.25 and resolve_gamma(0.5, 4) == 0.5
    for bad in ("scale", -1.0, 0, None):
        with pytest.raises(AlbenchInputError, match="gamma = "):
            resolve_gamma(bad, 4)
    with pytest.raises(AlbenchInputError, match="kernel and gamma"):
        GramSVC(np.zeros((3, 2)), kernel="linear")


def test_refit_on_a_set_that_is_not_a_superset_rebuilds_the_block():
    X, y = make_classification(n_samples=200, n_features=6, random_state=2)
    gram = GramSVC(X, X[:40], gamma="auto")
    gram.fit(np.arange(0, 60), y[:60])
    gram.fit(np.arange(0, 62), y[:62])  # grows by two
    grown = gram.decision_function(np.arange(200))
    plain = SVC(kernel="rbf", gamma="auto").fit(X[:62], y[:62])
    np.testing.assert_allclose(grown, plain.decision_function(X), atol=1e-8)
    gram.fit(np.arange(30, 100), y[30:100])  # drops some: rebuilt from the Gram matrix
    plain = SVC(kernel="rbf", gamma="auto").fit(X[30:100], y[30:100])
    np.testing.assert_allclose(gram.decision_function(), plain.decision_function(X[:40]), atol=1e-8)
