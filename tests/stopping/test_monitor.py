"""Configured criteria over a cell: columns, parsing, the stop set, and observers changing nothing."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from albench.config import parse_config
from albench.errors import AlbenchInputError
from albench.stopping import (
    RoundObservation,
    StoppingMonitor,
    draw_stop_set,
    parse_stopping,
    stopping_columns,
)


def test_stopping_columns_one_value_per_round_and_fresh_state():
    specs = parse_stopping(
        ["stabilizing_predictions", {"name": "fixed_budget", "labels": 5, "label": "five"}]
    )
    seq = [
        RoundObservation(
            round=r, n_labeled=10 + 5 * r, spent=5 * r, budget=10, n_classes=2, stop_pred=[0, 1, 1]
        )
        for r in range(5)
    ]
    cols = stopping_columns(specs, seq)
    assert list(cols) == [
        "stop_stabilizing_predictions_value",
        "stop_stabilizing_predictions",
        "stop_five_value",
        "stop_five",
    ]
    assert cols["stop_five"] == [False, True, True, True, True]
    assert cols["stop_stabilizing_predictions"] == [False, False, False, True, True]
    # a second call starts from scratch (no state shared between cells)
    assert stopping_columns(specs, seq) == cols
    assert StoppingMonitor(specs).columns == list(cols)


def test_stop_set_depends_only_on_seed_dataset_repetition():
    pool = np.arange(100, 5100)
    a = draw_stop_set(0, "ds", 1, pool, 2000)
    assert a.shape == (2000,) and np.all(np.diff(a) > 0) and np.isin(a, pool).all()
    assert np.array_equal(a, draw_stop_set(0, "ds", 1, pool, 2000))
    assert not np.array_equal(a, draw_stop_set(0, "ds", 2, pool, 2000))
    assert not np.array_equal(a, draw_stop_set(1, "ds", 1, pool, 2000))
    assert np.array_equal(draw_stop_set(0, "ds", 1, pool[:50], 2000), pool[:50])
    with pytest.raises(ValueError, match="stop set size"):
        draw_stop_set(0, "ds", 1, pool, 0)


def cfg(stopping, **extra):
    return {"grid": {"datasets": ["iris"]}, "protocol": {"stopping": stopping, **extra}}


def test_config_parses_names_and_tables_and_keys_follow_resolved_parameters():
    exp = parse_config(cfg(["stabilizing_predictions", {"name": "predicted_change_f", "window": 4}]))
    labels = [s.label for s in exp.protocol.stopping]
    assert labels == ["stabilizing_predictions", "predicted_change_f_window_4"]
    assert exp.protocol.stopping[1].params == {"window": 4, "threshold": 0.05}
    # round trip through to_dict
    again = parse_config({"grid": {"datasets": ["iris"]}, "protocol": exp.protocol.to_dict()})
    assert again.protocol.identity() == exp.protocol.identity()
    # writing a default out is the same criterion (same identity) but a different label
    explicit = parse_config(
        cfg([{"name": "stabilizing_predictions", "window": 3, "label": "stabilizing_predictions"}])
    )
    plain = parse_config(cfg(["stabilizing_predictions"]))
    assert explicit.protocol.identity() == plain.protocol.identity()
    # no criteria: the protocol's identity has no stopping key (old cell keys stay valid)
    assert "stopping" not in parse_config(cfg([])).protocol.identity()


@pytest.mark.parametrize(
    ("stopping", "message"),
    [
        (
            ["stabilizing_prediction"],
            "protocol.stopping[0] = 'stabilizing_prediction': unknown stopping rule. Did you mean "
            "'stabilizing_predictions'?",
        ),
        (["nope"], "Registered stopping rules: classification_change, fixed_budget"),
        (
            [{"name": "stabilizing_predictions", "windw": 3}],
            "has no parameter 'windw'; its parameters are: window",
        ),
        (
            [{"name": "stabilizing_predictions", "threshold": 2}],
            "threshold = 2: must be a number in [0.0, 1.0]",
        ),
        ([{"window": 3}], "protocol.stopping[0] = {'window': 3}: a table entry needs a string 'name' key"),
        ([3], "protocol.stopping[0] = 3: must be a criterion name"),
        (["fixed_budget", "fixed_budget"], "protocol.stopping[1]: 'fixed_budget' appears twice"),
        ([{"name": "fixed_budget", "label": "a b"}], "protocol.stopping[0].label = 'a b'"),
        (7, "protocol.stopping = 7: must be a list"),
    ],
)
def test_bad_stopping_configs_name_field_value_and_allowed(stopping, message):
    with pytest.raises(AlbenchInputError) as info:
        parse_config(cfg(stopping))
    assert message in str(info.value)


def test_bad_stop_set_size():
    with pytest.raises(AlbenchInputError, match="protocol.stop_set_size = 0: must be an integer >= 1"):
        parse_config(cfg(["fixed_budget"], stop_set_size=0))


# ----------------------------------------------------------------------------------------------
# Observers change no row. The loop itself is tested in test_loop_observers.py; this small
# fake driver has the loop's shape
# (fit, evaluate, observe, query, label) and checks the monitor alone.


def fake_driver(specs, seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(120, 2))
    y = (X[:, 0] + 0.5 * X[:, 1] + rng.normal(scale=0.5, size=120) > 0).astype(int)
    X_test, y_test = X[80:], y[80:]
    labeled = np.zeros(80, dtype=bool)
    labeled[[0, 1, 2, 3, 4, 5]] = True
    stop_set = draw_stop_set(seed, "toy", 0, np.flatnonzero(~labeled), 30)
    monitor = StoppingMonitor(specs)
    query_rng = np.random.default_rng(seed + 1)
    rows = []
    for rnd in range(6):
        idx = np.flatnonzero(labeled)
        model = LogisticRegression().fit(X[idx], y[idx])
        row = {"round": rnd, "n_labeled": int(idx.shape[0]), "accuracy": float(model.score(X_test, y_test))}
        pool = np.flatnonzero(~labeled)
        proba = model.predict_proba(X[pool])
        row.update(
            monitor.observe(
                RoundObservation(
                    round=rnd,
                    n_labeled=idx.shape[0],
                    spent=idx.shape[0] - 6,
                    budget=25,
                    n_classes=2,
                    stop_pred=model.predict(X[stop_set]),
                    pool=pool,
                    pool_pred=model.predict(X[pool]),
                    pool_proba=proba,
                )
            )
        )
        margin = np.abs(proba[:, 1] - proba[:, 0]) + 1e-9 * query_rng.random(pool.shape[0])
        chosen = pool[np.argsort(margin)[:5]]
        labeled[chosen] = True
        row["queried"] = chosen.tolist()
        rows.append(row)
    return rows


def test_adding_criteria_only_adds_columns_in_a_loop_shaped_driver():
    plain = fake_driver(parse_stopping([]))
    observed = fake_driver(
        parse_stopping(
            [
                "stabilizing_predictions",
                "classification_change",
                "overall_uncertainty",
                "min_expected_error",
                "max_uncertainty",
                "predicted_change_f",
                "fixed_budget",
            ]
        )
    )
    for a, b in zip(plain, observed, strict=True):
        assert {k: b[k] for k in a} == a
        assert set(b) - set(a) and all(k.startswith("stop_") for k in set(b) - set(a))
    assert any(not math.isnan(r["stop_stabilizing_predictions_value"]) for r in observed)


def test_a_plugin_criterion_carries_its_origin_into_the_cell_keys():
    """Editing a plugin's stopping criterion re-runs its cells: its origin is part of each key."""
    from albench.grid import expand_grid
    from albench.registry import STOPPING, registering_from
    from albench.stopping.criteria import FixedBudget

    def keys() -> set[str]:
        exp = parse_config(
            {
                "grid": {"datasets": ["iris"], "strategies": ["margin"]},
                "protocol": {"budget": 10, "stopping": ["_prov_stop", "fixed_budget"]},
            }
        )
        return {cell.key for cell in expand_grid(exp)}

    class ProvStop(FixedBudget):  # a plugin's own class (albench's classes never take an origin)
        pass

    with registering_from({"sha256": "ab" * 32}):
        STOPPING.add("_prov_stop", ProvStop, description="test")
    try:
        (plugin, builtin) = parse_stopping(["_prov_stop", "fixed_budget"])
        assert plugin.identity()["origin"] == {"sha256": "ab" * 32}
        assert "origin" not in builtin.identity()
        first = keys()
        edited = {"sha256": "cd" * 32}
        STOPPING.add("_prov_stop", ProvStop, description="test", origin=edited, replace=True)
        assert plugin.identity()["origin"] == {"sha256": "cd" * 32}
        second = keys()
        assert first and second and first.isdisjoint(second)
    finally:
        STOPPING._entries.pop("_prov_stop")
