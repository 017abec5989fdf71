import math

import numpy as np
import pytest

from albench.config import parse_config
from albench.datasets.base import make_dataset
from albench.grid import expand_grid, load_dataset, split_sizes
from albench.partition import draw_initial
from albench.registry import STRATEGIES
from albench.simulation import TIMING_COLUMNS, StrategyContractError, cell_seeds, run_cell, split_cell
from albench.strategies.base import Strategy


def experiment(**kw):
    raw = {
        "seed": 3,
        "repetitions": 2,
        "protocol": {"test_fraction": 0.3, "initial_size": 6, "batch_size": 4, "budget": 10},
        "grid": {"datasets": ["iris"], "strategies": ["random", "margin", "entropy"]},
    }
    for k, v in kw.items():
        raw[k] = {**raw.get(k, {}), **v} if isinstance(v, dict) else v
    return parse_config(raw)


def test_rounds_budget_and_partial_last_batch():
    cell = expand_grid(experiment())[1]
    df = run_cell(cell)
    budget, b = 10, 4
    assert len(df) == math.ceil(budget / b) + 1
    assert df["round"].tolist() == [0, 1, 2, 3]
    assert df["n_labeled"].tolist() == [6, 10, 14, 16]
    sizes = [len(q) for q in df["queried"]]
    assert sizes == [4, 4, 2, 0]


def test_queried_rows_are_dataset_rows_outside_the_test_set_and_never_repeated():
    cell = expand_grid(experiment())[0]
    df = run_cell(cell)
    queried = np.concatenate([np.asarray(q, dtype=np.int64) for q in df["queried"]])
    assert queried.shape[0] == 10 and np.unique(queried).shape[0] == 10
    ds = load_dataset(cell.dataset)
    from albench.partition import split_rows

    train_rows, test_rows = split_rows(ds, cell.protocol, cell_seeds(cell).split)
    assert np.isin(queried, train_rows).all() and not np.isin(queried, test_rows).any()
    assert (0 <= queried).all() and (queried < ds.n_samples).all()


def test_rows_carry_identity_and_parameters():
    df = run_cell(expand_grid(experiment())[0])
    row = df.iloc[0]
    assert (row.dataset, row.model, row.strategy, row.labeler, row.query_model) == (
        "iris",
        "logistic_regression",
        "random",
        "oracle",
        "logistic_regression",
    )
    assert '"C":1.0' in row.model_params
    for col in (
        "accuracy",
        "balanced_accuracy",
        "f1_macro",
        "log_loss",
        "fit_seconds",
        "query_seconds",
        "evaluate_seconds",
    ):
        assert col in df.columns
    assert df["query_seconds"].iloc[-1] >= 0.0


def test_common_random_numbers_round_zero_identical_across_strategies():
    cells = expand_grid(experiment())
    for rep in (0, 1):
        rounds0 = [run_cell(c).iloc[0] for c in cells if c.repetition == rep]
        metrics = [(r.accuracy, r.f1_macro, r.log_loss, r.n_labeled) for r in rounds0]
        assert len(set(metrics)) == 1
    seeds = [cell_seeds(c) for c in cells if c.repetition == 0]
    assert len({s.split for s in seeds}) == 1 and len({s.model for s in seeds}) == 1
    assert len({s.strategy.random() for s in seeds}) == len(seeds)  # each strategy its own stream
    assert len({s.labeler.random() for s in seeds}) == 1  # same labeler noise for every strategy


def test_repetitions_use_different_splits():
    cells = [c for c in expand_grid(experiment()) if c.strategy.name == "random"]
    assert cell_seeds(cells[0]).split != cell_seeds(cells[1]).split


def test_run_cell_is_a_pure_function_of_the_spec():
    cell = expand_grid(experiment())[2]
    a = run_cell(cell).drop(columns=["fit_seconds", "query_seconds", "evaluate_seconds"])
    b = run_cell(expand_grid(experiment())[2]).drop(
        columns=["fit_seconds", "query_seconds", "evaluate_seconds"]
    )
    assert a.equals(b)


def test_initial_set_is_redrawn_until_every_class_is_present():
    rng = np.random.default_rng(0)
    y = np.array([0] * 95 + [1] * 3 + [2] * 2)

    class P:
        initial_per_class = None
        initial_size = 5

    for _ in range(20):
        chosen = draw_initial(y, 3, P, rng)
        assert set(y[chosen]) == {0, 1, 2} and len(chosen) == 5 and len(set(chosen)) == 5


def test_initial_per_class_takes_exactly_that_many_of_each():
    y = np.repeat(np.arange(4), 10)

    class P:
        initial_per_class = 3
        initial_size = None

    chosen = draw_initial(y, 4, P, np.random.default_rng(1))
    assert np.bincount(y[chosen]).tolist() == [3, 3, 3, 3]


def test_impossible_initial_set_raises_clearly():
    y = np.array([0] * 50 + [1] * 5)  # class 2 is absent from the training part

    class P:
        initial_per_class = None
        initial_size = 4

    with pytest.raises(ValueError, match="containing all 3 classes in 1000 draws"):
        draw_initial(y, 3, P, np.random.default_rng(0))


def test_query_model_drives_queries_but_metrics_are_the_evaluation_models():
    exp = experiment(grid={"strategies": ["margin", {"name": "margin", "query_model": "gaussian_nb"}]})
    cells = [c for c in expand_grid(exp) if c.repetition == 0]
    plain, other = run_cell(cells[0]), run_cell(cells[1])
    assert other["query_model"].iloc[0] == "gaussian_nb" and other["model"].iloc[0] == "logistic_regression"
    assert plain.iloc[0].accuracy == other.iloc[0].accuracy  # same initial set, same evaluation model
    assert plain["queried"].iloc[0] != other["queried"].iloc[0]


def _rounds_by_hand(
    cell, df, scale_on: str, rounds: int = 2
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Replay the cell's first rounds outside the loop: (labeled positions, X_train, X_test) per
    round, features scaled by a StandardScaler fitted on ``scale_on`` ("train": the training
    part once, "labeled": the labeled set of the round, "none": not scaled); the labeled set
    grows by the rows the cell queried."""
    from sklearn.preprocessing import StandardScaler

    ds = load_dataset(cell.dataset)
    train_rows, test_rows, _, initial = split_cell(cell, ds, cell_seeds(cell))
    position = {int(r): i for i, r in enumerate(train_rows)}
    labeled = np.sort(initial)
    out = []
    for rnd in range(rounds):
        X_train, X_test = ds.X[train_rows], ds.X[test_rows]
        fit_on = {"train": X_train, "labeled": X_train[labeled], "none": None}[scale_on]
        if fit_on is not None:
            scaler = StandardScaler().fit(fit_on)
            X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        out.append((labeled, X_train, X_test))
        labeled = np.sort(np.concatenate([labeled, [position[int(r)] for r in df["queried"].iloc[rnd]]]))
    return out


def test_model_without_probabilities_records_nan_log_loss_and_uses_decision_margin():
    from sklearn.svm import LinearSVC

    exp = experiment(grid={"models": ["linear_svm"], "strategies": ["margin"]})
    cell = expand_grid(exp)[0]
    df = run_cell(cell)
    assert df["log_loss"].isna().all() and df["accuracy"].notna().all()
    ds = load_dataset(cell.dataset)
    train_rows, _, answers, _ = split_cell(cell, ds, cell_seeds(cell))
    # every round: the batch is the pool samples with the smallest gap between the two largest
    # one-vs-rest decision values of LinearSVC refitted on the labeled set (iris: 3 classes)
    for rnd, (labeled, X_train, _) in enumerate(_rounds_by_hand(cell, df, "train", rounds=len(df) - 1)):
        svm = LinearSVC(random_state=cell_seeds(cell).model).fit(X_train[labeled], answers[labeled])
        pool = np.setdiff1d(np.arange(train_rows.shape[0]), labeled)
        top2 = np.sort(svm.decision_function(X_train[pool]), axis=1)[:, -2:]
        gap = top2[:, 1] - top2[:, 0]
        k = len(df["queried"].iloc[rnd])
        if k < pool.shape[0]:
            assert np.sort(gap)[k - 1] < np.sort(gap)[k]  # no tie at the cut
        expected = np.sort(train_rows[pool[np.argsort(gap)[:k]]])
        np.testing.assert_array_equal(np.sort(np.asarray(df["queried"].iloc[rnd])), expected)


def test_standardize_modes_scale_on_what_they_name():
    """Round 0 and round 1 log loss equal a logistic regression refitted by hand on features
    scaled as the mode says; the three modes give three different curves."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss

    after_first_batch = {}
    for mode in ("train", "labeled", "none"):
        cells = expand_grid(experiment(protocol={"standardize": mode}))
        # margin: the queries depend on the model, so on the scaling
        cell = next(c for c in cells if c.strategy.name == "margin" and c.repetition == 0)
        df = run_cell(cell)
        assert len(df) == 4
        ds = load_dataset(cell.dataset)
        _, test_rows, answers, _ = split_cell(cell, ds, cell_seeds(cell))
        for rnd, (labeled, X_train, X_test) in enumerate(_rounds_by_hand(cell, df, mode)):
            model = LogisticRegression(max_iter=1000).fit(X_train[labeled], answers[labeled])
            by_hand = log_loss(ds.y[test_rows], model.predict_proba(X_test), labels=np.arange(ds.n_classes))
            assert df["log_loss"].iloc[rnd] == pytest.approx(by_hand, rel=1e-9), (mode, rnd)
        after_first_batch[mode] = df["log_loss"].iloc[1]
    values = sorted(after_first_batch.values())
    assert np.diff(values).min() > 1e-6, after_first_batch


def test_noisy_labeler_changes_what_the_model_learns():
    clean = experiment(protocol={"budget": 60, "batch_size": 20})
    noisy = experiment(
        protocol={"budget": 60, "batch_size": 20}, grid={"labelers": [{"name": "noisy", "noise_rate": 0.5}]}
    )
    a = run_cell(expand_grid(clean)[0])
    b = run_cell(expand_grid(noisy)[0])
    assert b["labeler"].iloc[0] == "noisy(noise_rate=0.5)"
    assert a["accuracy"].iloc[-1] > b["accuracy"].iloc[-1]


class _Duplicates(Strategy):
    def query(self, ctx, batch_size, rng):
        return np.repeat(ctx.pool[:1], batch_size)


class _Labeled(Strategy):
    def query(self, ctx, batch_size, rng):
        return ctx.labeled[:batch_size]


@pytest.mark.parametrize(("cls", "message"), [(_Duplicates, "duplicate"), (_Labeled, "not in ctx.pool")])
def test_contract_violations_are_caught(cls, message):
    STRATEGIES.add(f"broken_{cls.__name__}", cls, description="test only", replace=True)
    exp = experiment(grid={"strategies": [f"broken_{cls.__name__}"]})
    with pytest.raises(StrategyContractError, match=message):
        run_cell(expand_grid(exp)[0])


def test_split_is_stratified():
    ds = make_dataset("s", np.arange(40.0).reshape(-1, 1), [0] * 30 + [1] * 10)
    from albench.partition import split_rows

    class P:
        test_fraction = 0.25

    train, test = split_rows(ds, P, 5)
    assert (len(train), len(test)) == split_sizes(40, 0.25)
    assert np.bincount(ds.y[test]).tolist() == [7, 3] or np.bincount(ds.y[test]).tolist() == [8, 2]


def loop_axes_experiment():
    return experiment(
        grid={
            "models": ["sgd_classifier"],
            "labelers": [{"name": "abstain", "rate": 0.3}, {"name": "confident", "threshold": 0.9}],
            "updates": ["warm_start", {"name": "incremental", "n_passes": 2}],
            "rebalancing": ["none"],
        }
    )


def test_cells_with_the_new_axes_are_pure_functions_of_their_spec():
    first, again = expand_grid(loop_axes_experiment()), expand_grid(loop_axes_experiment())
    for i in range(0, len(first), 5):
        assert first[i].key == again[i].key
        a = run_cell(first[i]).drop(columns=list(TIMING_COLUMNS))
        b = run_cell(again[i]).drop(columns=list(TIMING_COLUMNS))
        assert a.equals(b)


def test_new_axes_enter_the_key_but_no_seed_of_the_split_or_labeler():
    cells = expand_grid(loop_axes_experiment())
    assert len({c.key for c in cells}) == len(cells)
    same_rep = [c for c in cells if c.repetition == 0 and c.labeler.name == "abstain"]
    assert {c.update.name for c in same_rep} == {"warm_start", "incremental"}
    assert len({cell_seeds(c).split for c in same_rep}) == 1
    assert len({cell_seeds(c).labeler.random() for c in same_rep}) == 1
    assert all("update" in c.spec() for c in cells)


def test_only_an_oracle_strategy_gets_the_true_labels_and_the_test_part(monkeypatch):
    """The loop fills ``oracle_labels`` / ``oracle_test`` only for a strategy declaring them."""
    from albench.partition import train_test_rows
    from albench.strategies.oracle import BeamSearchOracle
    from albench.strategies.random_sampling import RandomSampling

    seen: dict[str, list] = {"random": [], "bso": []}

    def spy(cls, key):
        original = cls.query

        def query(self, ctx, batch_size, rng):
            seen[key].append(ctx)
            return original(self, ctx, batch_size, rng)

        monkeypatch.setattr(cls, "query", query)

    spy(RandomSampling, "random")
    spy(BeamSearchOracle, "bso")
    exp = experiment(
        repetitions=1,
        grid={
            "datasets": ["iris"],
            "models": ["gaussian_nb"],
            "strategies": ["random", {"name": "bso", "num_beam": 1, "horizon": 4}],
        },
    )
    cells = expand_grid(exp)
    for cell in cells:
        run_cell(cell)
    assert seen["random"] and seen["bso"]
    for ctx in seen["random"]:
        assert ctx.oracle_labels is None and ctx.oracle_test is None
        with pytest.raises(Exception, match="ORACLE_LABELS"):
            ctx.true_labels()
    cell = next(c for c in cells if c.strategy.name == "bso")
    ds = load_dataset(cell.dataset)
    train_rows, test_rows, _ = train_test_rows(
        ds, cell.protocol, cell.dataset.label, 0, cell_seeds(cell).split
    )
    for ctx in seen["bso"]:
        np.testing.assert_array_equal(ctx.oracle_labels, ds.y[train_rows])
        X_test, y_test = ctx.test_part()
        np.testing.assert_array_equal(y_test, ds.y[test_rows])
        assert X_test.shape == (test_rows.shape[0], ctx.X.shape[1])
        assert not ctx.oracle_labels.flags.writeable
