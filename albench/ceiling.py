"""The full-data ceiling: the evaluation model trained on the whole training part.

Computed once per (dataset, model, repetition) with the same split, standardisation and
random_state as the cells of that repetition, and with true labels. It is the reference
line of every learning curve: what labeling the whole pool would reach.
"""

from __future__ import annotations

import hashlib
import time
import warnings
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from albench.components import ComponentSpec, canonical_json
from albench.config import Experiment, Protocol
from albench.evaluation import evaluate
from albench.featurize import cell_features
from albench.formats import RESULT_FORMAT_VERSION
from albench.grid import load_dataset
from albench.models import build_model_for_data
from albench.partition import standardize, train_test_rows
from albench.seeding import derive_int


@dataclass(frozen=True, eq=False)
class CeilingTask:
    """One ceiling computation: a (dataset, model, repetition) of an experiment."""

    experiment: str
    seed: int
    protocol: Protocol
    dataset: ComponentSpec
    model: ComponentSpec
    repetition: int

    def spec(self) -> dict:
        """What the ceiling depends on (hashed into its key).

        A dataset with a feature pipeline adds ``"features": "cell"``: its ceiling is fitted on
        the pipeline's output, as the cells are. Ceilings keyed without it were fitted on the
        raw samples; their keys differ, so they are recomputed, never mixed in.
        """
        p = self.protocol
        extra = {"features": "cell"} if self.dataset.extra.get("features") is not None else {}
        return {
            **extra,
            "format": RESULT_FORMAT_VERSION,
            "kind": "ceiling",
            "seed": self.seed,
            "protocol": {
                "test_fraction": p.test_fraction,
                "standardize": p.standardize,
                "metrics": list(p.metrics),
                "splits_sha256": p.splits_sha256 if p.splits_file else None,
                **p.split_options(),
            },
            "dataset": self.dataset.identity(),
            "model": self.model.identity(),
            "repetition": self.repetition,
        }

    @cached_property
    def key(self) -> str:
        """First 20 hex digits of the SHA-256 of the canonical spec."""
        return "ceiling-" + hashlib.sha256(canonical_json(self.spec()).encode()).hexdigest()[:20]

    def describe(self) -> str:
        """Human-readable one-liner."""
        return f"ceiling {self.dataset.label} / {self.model.label} / rep {self.repetition}"


def ceiling_tasks(exp: Experiment) -> list[CeilingTask]:
    """One task per (dataset, model, repetition) of the experiment."""
    return [
        CeilingTask(exp.name, exp.seed, exp.protocol, d, m, r)
        for d in exp.datasets
        for m in exp.models
        for r in range(exp.repetitions)
    ]


def run_ceiling(task: CeilingTask) -> pd.DataFrame:
    """Fit the evaluation model on the whole training part (true labels); one row of test metrics."""
    p = task.protocol
    ds = load_dataset(task.dataset)
    s, d, r = task.seed, task.dataset.seed_name(), task.repetition
    train_rows, test_rows, _ = train_test_rows(ds, p, task.dataset.label, r, derive_int(s, d, r, "split"))
    # the cells' features: the dataset's pipeline fitted on the training part (invariant 11)
    X_train, X_test, info = cell_features(ds, task.dataset.extra.get("features"), train_rows, test_rows)
    if p.standardize != "none" and info["pipeline"] is None:  # labeled set = whole training part
        X_train, X_test = standardize(X_train, X_test, X_train)
    model = build_model_for_data(
        task.model,
        derive_int(s, d, r, "model"),
        X_train.shape[1],
        ds.n_classes,
        info["sample_shape"],
        info["vocab_size"],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        model.fit(X_train, ds.y[train_rows])
        t1 = time.perf_counter()
        scores = evaluate(model, X_test, ds.y[test_rows], ds.n_classes, p.metrics)
    return pd.DataFrame(
        [
            {
                "experiment": task.experiment,
                "ceiling_key": task.key,
                "dataset": task.dataset.label,
                "model": task.model.label,
                "repetition": task.repetition,
                "n_labeled": int(train_rows.shape[0]),
                **scores,
                "fit_seconds": t1 - t0,
            }
        ]
    )
