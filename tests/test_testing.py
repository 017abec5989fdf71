"""The conformance kit: built-ins pass it, and each check fails on a strategy that breaks it."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from albench.errors import AlbenchInputError
from albench.registry import STRATEGIES
from albench.strategies.base import PROBA, Strategy, StrategyContractError, check_int, check_query_result
from albench.strategies.kernels import select_top_k
from albench.testing import check_dataset, check_model, check_strategy

#: Parameters that keep the expensive built-ins fast.
FAST = {
    "eer_zero_one": {"n_candidates": 6},
    "eer_log": {"n_candidates": 6},
    "albl": {"strategies": ["margin", "coreset", "random"]},
    "qbc_kl": {"n_members": 3},
    "qbc_vote_entropy": {"n_members": 3},
    "bso": {"num_beam": 1, "horizon": 1},
}


@pytest.mark.parametrize("name", STRATEGIES.names())
def test_every_registered_strategy_passes_the_kit(name):
    results = check_strategy(STRATEGIES.get(name).obj, params=FAST.get(name))
    assert len(results) == 8 and all(r.passed for r in results)


def test_the_hidden_label_check_catches_a_peeking_strategy_unless_it_declares_the_oracle():
    """A strategy that reads the labels without declaring ORACLE_LABELS finds none (ctx.true_labels
    refuses); one that declares it is an oracle and is not held to the hidden-label check."""
    from albench.strategies.base import ORACLE_LABELS

    class Peeker(Strategy):
        needs = frozenset({ORACLE_LABELS})

        def query(self, ctx, batch_size, rng):
            order = np.argsort(ctx.true_labels(), kind="stable")
            return ctx.pool[order[: min(batch_size, len(ctx.pool))]]

    class Undeclared(Peeker):
        needs = frozenset()

    assert all(r.passed for r in check_strategy(Peeker, raise_on_failure=False))
    failed = [r.name for r in check_strategy(Undeclared, raise_on_failure=False) if not r.passed]
    assert "batch size respected, distinct pool positions" in failed


class Good(Strategy):
    needs = frozenset({PROBA})

    def __init__(self, power=1):
        self.power = power

    def validate(self):
        check_int("power", self.power, minimum=1)

    def query(self, ctx, batch_size, rng):
        scores = 1.0 - ctx.predict_proba().max(axis=1) ** self.power
        return ctx.pool[select_top_k(scores, min(batch_size, len(ctx.pool)), rng)]


class IndicesIntoPool(Good):
    def query(self, ctx, batch_size, rng):
        scores = 1.0 - ctx.predict_proba().max(axis=1)
        return select_top_k(scores, min(batch_size, len(ctx.pool)), rng)


class GlobalRandom(Good):
    def query(self, ctx, batch_size, rng):
        return np.random.choice(ctx.pool, min(batch_size, len(ctx.pool)), replace=False)  # noqa: NPY002


class ChangesItsParameter(Good):
    def __init__(self, power=1):
        self.power = power * 2


class TakesAnything(Good):
    def __init__(self, power=1, **kwargs):
        self.power = power


class NoValidation(Good):
    def validate(self):
        pass


class Mutates(Good):
    def query(self, ctx, batch_size, rng):
        ctx.pool[:] = ctx.pool[::-1].copy()
        return ctx.pool[: min(batch_size, len(ctx.pool))]


class Undeclared(Good):
    needs = frozenset()


class PeeksAtLabels(Good):
    """Cheats by reading a variable named ``y`` from a calling frame."""

    def query(self, ctx, batch_size, rng):
        frame = sys._getframe(1)
        while frame is not None and "y" not in frame.f_locals:
            frame = frame.f_back
        y = frame.f_locals["y"]
        scores = y[ctx.pool].astype(float) + np.arange(len(ctx.pool)) * 1e-6
        return ctx.pool[select_top_k(scores, min(batch_size, len(ctx.pool)), rng)]


def _failed(cls, **kw):
    return {r.name: r.message for r in check_strategy(cls, raise_on_failure=False, **kw) if not r.passed}


def test_a_correct_plugin_passes_and_raising_is_the_default():
    assert _failed(Good, bad_params={"power": 0}) == {}
    with pytest.raises(AssertionError, match="IndicesIntoPool fails 4 conformance check"):
        check_strategy(IndicesIntoPool)


@pytest.mark.parametrize(
    ("cls", "kwargs", "check", "words"),
    [
        (IndicesIntoPool, {}, "batch size respected, distinct pool positions", "ctx.pool[idx]"),
        (GlobalRandom, {}, "deterministic under a seed", "use only the rng argument"),
        (ChangesItsParameter, {"params": {"power": 2}}, "__init__ only stores parameters", "'power'"),
        (TakesAnything, {}, "unknown parameters rejected", "**kwargs"),
        (NoValidation, {"bad_params": {"power": 0}}, "bad parameter values rejected", "power=0"),
        (Mutates, {}, "does not modify the context", "ctx.pool"),
        (PeeksAtLabels, {}, "no access to hidden labels", "hidden labels"),
        (Undeclared, {}, "batch size respected, distinct pool positions", "PROBA"),
    ],
)
def test_each_check_fails_on_the_strategy_that_breaks_it(cls, kwargs, check, words):
    failed = _failed(cls, **kwargs)
    assert check in failed, failed
    assert words in failed[check]


def test_check_query_result_says_what_was_returned_and_expected():
    pool = np.array([10, 11, 12, 13, 14])
    assert check_query_result([12, 10], pool, 2, "s").tolist() == [12, 10]
    with pytest.raises(StrategyContractError) as exc:
        check_query_result(np.array([0, 1]), pool, 2, "s")
    msg = str(exc.value)
    assert "[0, 1]" in msg and "look like indices into ctx.pool" in msg and "ctx.pool[idx]" in msg
    with pytest.raises(StrategyContractError, match="returned 1 value"):
        check_query_result([10], pool, 2, "s")
    with pytest.raises(StrategyContractError, match=r"duplicates \[10\]"):
        check_query_result([10, 10], pool, 2, "s")
    with pytest.raises(StrategyContractError, match="float64"):
        check_query_result(np.array([10.0, 11.0]), pool, 2, "s")
    with pytest.raises(StrategyContractError) as exc:
        check_query_result([99, 10], pool, 2, "s")
    assert "look like indices" not in str(exc.value) and "e.g. [99]" in str(exc.value)


def test_check_model_and_check_dataset():
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    from albench.datasets.base import Dataset

    assert check_model(lambda random_state=None: LogisticRegression(random_state=random_state))
    with pytest.raises(AssertionError, match="random_state"):
        check_model(lambda: LogisticRegression())

    def unseeded(random_state=None):
        return MLPClassifier(hidden_layer_sizes=(3,), max_iter=5, random_state=None)

    with pytest.raises(AssertionError, match="predict differently"):
        check_model(unseeded)

    rng = np.random.default_rng(0)

    def noisy():
        X = rng.normal(size=(20, 2))
        return Dataset(name="noisy", X=X, y=np.arange(20) % 2, classes=np.array([0, 1]))

    with pytest.raises(AssertionError, match="different data"):
        check_dataset(noisy)
    with pytest.raises(AssertionError, match="not albench"):
        check_dataset(lambda: (np.zeros((2, 2)), np.zeros(2)))


def test_check_int_names_the_parameter():
    with pytest.raises(AlbenchInputError, match="power = 0: must be an integer >= 1"):
        Good(power=0).validate()


GOOD_PLUGIN = """
from albench import register_strategy
from albench.strategies.base import PROBA, Strategy
from albench.strategies.kernels import select_top_k


@register_strategy("least_sure", description="lowest top probability")
class LeastSure(Strategy):
    needs = frozenset({PROBA})

    def query(self, ctx, batch_size, rng):
        scores = 1.0 - ctx.predict_proba().max(axis=1)
        return ctx.pool[select_top_k(scores, min(batch_size, len(ctx.pool)), rng)]
"""


def test_check_plugin_command(tmp_path):
    from cli_helpers import run_cli

    good = tmp_path / "good.py"
    good.write_text(GOOD_PLUGIN)
    proc = run_cli("check-plugin", str(good))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("PASS strategy least_sure") == 8 and "all checks passed" in proc.stdout
    bad = tmp_path / "bad.py"
    bad.write_text(
        GOOD_PLUGIN.replace("return ctx.pool[select_top_k(", "return (select_top_k(").replace(
            "rng)]", "rng))"
        )
    )
    proc = run_cli("check-plugin", str(bad))
    assert (
        proc.returncode == 1 and "FAIL strategy least_sure" in proc.stdout and "ctx.pool[idx]" in proc.stdout
    )
    empty = tmp_path / "empty.py"
    empty.write_text("x = 1\n")
    proc = run_cli("check-plugin", str(empty))
    assert proc.returncode == 2 and "registers no strategy" in proc.stderr
    broken = tmp_path / "broken.py"
    broken.write_text("x = (\n")
    proc = run_cli("check-plugin", str(broken))
    assert proc.returncode == 2 and "broken.py:1" in proc.stderr
