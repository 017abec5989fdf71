"""Labels with a price, and annotators who refuse."""

from __future__ import annotations

import numpy as np

from albench.errors import AlbenchInputError
from albench.labelers.base import Labeler, LabelerState
from albench.registry import LABELERS
from albench.strategies.base import check_choice, check_float, check_int

#: Queries of one position whose refusals are drawn up front; later attempts reuse them cyclically.
REFUSAL_ATTEMPTS = 8


@LABELERS.register(
    "cost",
    description="Exact answers with a cost per label: constant, per class (class_costs), or read from a "
    "feature column (column); use with protocol.budget_unit = 'cost'",
    reference="cost-sensitive active learning (e.g. Settles et al. 2008, 'Active learning with real "
    "annotation costs')",
)
class CostOracle(Labeler):
    """The exact oracle, charging a cost per answered query.

    Parameters
    ----------
    cost : float
        Cost of every label (used when neither ``class_costs`` nor ``column`` is given).
    class_costs : list of float, optional
        Cost of a label of each class (indexed by the class's position in the dataset).
    column : int, optional
        Index of a feature column whose absolute value, as loaded, is the cost of each sample.
    """

    def __init__(self, cost: float = 1.0, class_costs: list | None = None, column: int | None = None) -> None:
        self.cost = cost
        self.class_costs = class_costs
        self.column = column

    def validate(self) -> None:
        check_float("cost", self.cost, 0.0, low_open=True)
        if self.class_costs is not None and self.column is not None:
            raise AlbenchInputError("give class_costs or column, not both")
        if self.class_costs is not None:
            cc = self.class_costs
            if (
                not isinstance(cc, list)
                or not cc
                or not all(isinstance(c, (int, float)) and not isinstance(c, bool) and c > 0 for c in cc)
            ):
                raise AlbenchInputError(
                    f"class_costs = {cc!r}: must be a list of positive costs, one per class"
                )
        if self.column is not None:
            check_int("column", self.column, 0)

    def sample_costs(self, y_true: np.ndarray, X: np.ndarray, n_classes: int) -> np.ndarray:
        """Cost of querying each training sample."""
        if self.class_costs is not None:
            if len(self.class_costs) != n_classes:
                raise AlbenchInputError(
                    f"labeler 'cost': class_costs has {len(self.class_costs)} entries, the dataset has "
                    f"{n_classes} classes"
                )
            return np.asarray(self.class_costs, dtype=np.float64)[y_true]
        if self.column is not None:
            if self.column >= X.shape[1]:
                raise AlbenchInputError(
                    f"labeler 'cost': column = {self.column}, the dataset has {X.shape[1]} feature columns"
                )
            costs = np.abs(np.asarray(X[:, self.column], dtype=np.float64))
            if not (costs > 0).all():
                raise AlbenchInputError(f"labeler 'cost': column {self.column} holds a cost of 0")
            return costs
        return np.full(y_true.shape[0], float(self.cost))

    def start(self, y_true, X, n_classes, rng) -> LabelerState:
        y_true = np.asarray(y_true, dtype=np.int64)
        return LabelerState(y_true.copy(), costs=self.sample_costs(y_true, X, n_classes))


@LABELERS.register(
    "abstain",
    description="Exact annotator who refuses a query with probability `rate`; the refused sample "
    "returns to the pool or leaves it (refused = 'return' | 'leave'); a refusal still costs",
    reference="abstaining oracles (e.g. Yan, Chaudhuri & Javidi 2016)",
)
class Abstain(Labeler):
    """Refuse each query with probability ``rate``; answer exactly otherwise.

    Refusals are drawn up front per (sample, attempt), so every strategy that queries a
    sample for the ``a``-th time meets the same decision.
    """

    def __init__(self, rate: float = 0.1, refused: str = "return") -> None:
        self.rate = rate
        self.refused = refused

    def validate(self) -> None:
        check_float("rate", self.rate, 0.0, 1.0, high_open=True)
        check_choice("refused", self.refused, ("return", "leave"))

    def start(self, y_true, X, n_classes, rng) -> LabelerState:
        y_true = np.asarray(y_true, dtype=np.int64)
        refusals = rng.random((y_true.shape[0], REFUSAL_ATTEMPTS)) < self.rate
        return LabelerState(y_true.copy(), refusals=refusals, refused_leave_pool=self.refused == "leave")
