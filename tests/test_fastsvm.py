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


# ------------------------------------------------------- the loop's model: rbf_svm_gram
from sklearn.base import clone  # noqa: E402

from albench.config import parse_config  # noqa: E402
from albench.datasets.datadir import set_data_dir  # noqa: E402
from albench.fastsvm import GramRBFSVC  # noqa: E402
from albench.grid import check_feasible, expand_grid  # noqa: E402
from albench.models import build_model  # noqa: E402
from albench.simulation import run_cell  # noqa: E402


def _experiment(datasets, model, standardize="train", strategies=("margin",), budget="pool", data_dir=None):
    raw = {
        "name": "gram",
        "seed": 3,
        "repetitions": 1,
        "protocol": {
            "test_fraction": 0.4,
            "initial_size": 20,
            "batch_size": 1,
            "budget": budget,
            "standardize": standardize,
            "metrics": ["accuracy", "f1_macro"],
        },
        "grid": {"datasets": list(datasets), "models": [model], "strategies": list(strategies)},
    }
    if data_dir is not None:
        raw["data_dir"] = str(data_dir)
    return parse_config(raw)


PLAIN = {"name": "rbf_svm", "gamma": "auto", "C": 1.0}
GRAM = {"name": "rbf_svm_gram", "gamma": "auto", "C": 1.0}


def _same_runs(datasets, strategies=("margin", "random"), budget="pool", data_dir=None):
    plain = expand_grid(_experiment(datasets, PLAIN, strategies=strategies, budget=budget, data_dir=data_dir))
    gram = expand_grid(_experiment(datasets, GRAM, strategies=strategies, budget=budget, data_dir=data_dir))
    assert len(plain) == len(gram) > 0
    set_data_dir(data_dir, "set by the test")  # run_cell reads the process's data directory
    try:
        pairs = [(a, run_cell(a), run_cell(b)) for a, b in zip(plain, gram, strict=True)]
    finally:
        set_data_dir(None)
    for a, ra, rb in pairs:
        assert ra["queried"].tolist() == rb["queried"].tolist(), a.dataset.label
        np.testing.assert_array_equal(ra["accuracy"], rb["accuracy"])
        np.testing.assert_array_equal(ra["f1_macro"], rb["f1_macro"])
        assert len(ra) > 10


def test_rbf_svm_gram_runs_the_same_cell_as_rbf_svm():
    _same_runs(["breast_cancer"], budget=60)


def test_rbf_svm_gram_multiclass_runs_the_same_cell_as_rbf_svm():
    _same_runs(["wine"], strategies=("margin",), budget=40)


@pytest.mark.data
def test_rbf_svm_gram_selects_the_same_samples_on_small_zhan2021_sets():
    folder = _zhan_dir()
    if folder is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the zhan2021 tests: set ALBENCH_DATA")
        pytest.skip("zhan2021 data not found (set ALBENCH_DATA)")
    _same_runs(["zhan2021.sonar", "zhan2021.heart", "zhan2021.ionosphere", "zhan2021.wdbc"], data_dir=folder)


def test_rbf_svm_gram_needs_fixed_features_and_a_fixed_gamma():
    with pytest.raises(
        AlbenchInputError, match="standardize = 'labeled'.*use standardize = 'train' or 'none'"
    ):
        check_feasible(_experiment(["breast_cancer"], GRAM, standardize="labeled"))
    check_feasible(_experiment(["breast_cancer"], GRAM, standardize="none"))
    with pytest.raises(AlbenchInputError, match="gamma"):
        _experiment(["breast_cancer"], {"name": "rbf_svm_gram", "gamma": "scale"})
    with pytest.raises(AlbenchInputError, match="kernel"):
        build_model("rbf_svm_gram", {"kernel": "linear"}, random_state=0)


def test_clones_share_the_gram_matrix_and_unknown_rows_get_their_kernel():
    X, y = make_classification(n_samples=150, n_features=5, random_state=4)
    est = GramRBFSVC(C=2.0).set_kernel_universe(X[:100], X[100:130])
    twin = clone(est)
    assert twin._store is est._store and twin.get_params() == est.get_params()
    lab = np.arange(0, 100, 2)
    twin.fit(X[lab], y[lab])
    plain = SVC(kernel="rbf", gamma="auto", C=2.0).fit(X[lab], y[lab])
    for rows in (X[:100], X[100:130], X[130:], X[[5, 140, 101]]):  # train, test, neither, mixed
        np.testing.assert_allclose(twin.decision_function(rows), plain.decision_function(rows), atol=1e-8)
        np.testing.assert_array_equal(twin.predict(rows), plain.predict(rows))
    alone = GramRBFSVC(C=2.0).fit(X[lab], y[lab])  # no universe: the plain kernel
    np.testing.assert_allclose(alone.decision_function(X), plain.decision_function(X), atol=1e-8)


def test_fit_pairs_each_row_with_its_own_label_in_any_order():
    X, y = make_classification(n_samples=120, n_features=4, random_state=5)
    est = GramRBFSVC().set_kernel_universe(X, X[:10])
    lab = np.random.default_rng(0).permutation(80)
    est.fit(X[lab], y[lab])
    plain = SVC(kernel="rbf", gamma="auto").fit(X[np.sort(lab)], y[np.sort(lab)])
    np.testing.assert_allclose(est.decision_function(X), plain.decision_function(X), atol=1e-8)


def test_cli_rejects_rbf_svm_gram_with_per_round_standardisation_before_any_work(tmp_path):
    from click.testing import CliRunner

    from albench.cli import main

    cfg = tmp_path / "exp.toml"
    cfg.write_text(
        'name = "g"\nrepetitions = 1\n[protocol]\nstandardize = "labeled"\nbudget = 10\n'
        '[grid]\ndatasets = ["breast_cancer"]\nmodels = [{name = "rbf_svm_gram"}]\nstrategies = ["margin"]\n'
    )
    out = tmp_path / "results"
    res = CliRunner().invoke(main, ["run", str(cfg), "--out", str(out)], catch_exceptions=False)
    assert res.exit_code == 2, res.output
    assert "rbf_svm_gram" in res.output and "standardize" in res.output
    assert not out.exists() or not any(out.rglob("*.parquet"))


# ------------------------------------------------------- duplicated rows (spambase, phishing)
from albench.fastsvm import RowIndex  # noqa: E402


def test_assign_gives_each_copy_of_a_row_its_own_position_in_order():
    a, b, c, d = [0.0, 1.0], [2.0, 3.0], [4.0, 5.0], [6.0, 7.0]
    index = RowIndex(np.array([a, b, a, c, a]))  # a at positions 0, 2 and 4
    assert index.find(np.array([a, a])).tolist() == [0, 0]
    assert index.assign(np.array([b, a, c, a])).tolist() == [1, 2, 3, 4]  # increasing, as listed
    assert index.assign(np.array([a, b])).tolist() == [0, 1]
    assert index.assign(np.array([c, a])).tolist() == [3, 4]
    assert index.assign(np.array([a, a, a])).tolist() == [0, 2, 4]
    assert index.assign(np.array([c, a, a, a])).tolist() == [3, 4, 0, 2]  # out of order: still distinct
    assert index.assign(np.array([a, a, a, a])) is None  # more copies than the index holds
    assert index.assign(np.array([b, b])) is None
    assert index.assign(np.array([a, d])) is None  # not indexed
    assert RowIndex(np.array([a, b])).assign(np.array([b, a])).tolist() == [1, 0]


def _with_duplicates(seed=6):
    X, y = make_classification(n_samples=160, n_features=5, flip_y=0.1, random_state=seed)
    rng = np.random.default_rng(seed)
    copies = rng.choice(160, 40, replace=False)
    X[copies[:20]] = X[copies[20:]]  # 20 rows get a twin; some twins' labels disagree
    return X, y


def test_fit_on_duplicated_rows_uses_the_gram_matrix_and_equals_the_rbf_svc():
    X, y = _with_duplicates()
    est = GramRBFSVC().set_kernel_universe(X[:120], X[120:])
    lab = np.arange(0, 120, 2)
    dup = [p for p in range(120) if (X[p] == X[lab]).all(axis=1).sum() > 0 and p not in lab]
    lab = np.sort(np.r_[lab, dup[:5]])  # labeled copies of labeled rows
    assert np.unique(X[lab], axis=0).shape[0] < lab.shape[0]
    est.fit(X[lab], y[lab])
    assert est._X_fit is None  # the stored kernel, not the plain fallback
    plain = SVC(kernel="rbf", gamma="auto").fit(X[lab], y[lab])
    np.testing.assert_allclose(est.decision_function(X), plain.decision_function(X), atol=1e-8)


def test_rbf_svm_gram_on_duplicated_rows_runs_the_same_cell_without_falling_back(monkeypatch, tmp_path):
    import albench.fastsvm as fastsvm

    X, y = _with_duplicates(7)
    data = tmp_path / "twins.csv"
    np.savetxt(
        data,
        np.c_[X, y],
        delimiter=",",
        header=",".join([f"f{i}" for i in range(5)] + ["label"]),
        comments="",
    )
    fallbacks = []
    real_svc = fastsvm.SVC

    def counting_svc(**params):
        if params.get("kernel") != "precomputed":
            fallbacks.append(params)
        return real_svc(**params)

    monkeypatch.setattr(fastsvm, "SVC", counting_svc)
    spec = {"name": "file", "path": str(data), "target": "label"}
    _same_runs([spec], budget=60)
    assert fallbacks == []
