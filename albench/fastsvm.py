"""An exact speed-up for RBF SVMs refitted every round: the Gram matrix once per cell.

With batch size 1 over a whole pool, a cell refits ``SVC(kernel="rbf")`` once per label and
evaluates the RBF kernel between the labeled set, the pool and the test set every round.
When the features do not change between rounds (``standardize = "train"`` or ``"none"``)
and ``gamma`` does not depend on the labeled set (a number, or ``"auto"`` = 1 / n_features),
those kernel values are the same every round: :class:`GramSVC` computes them once, and each
round fits ``SVC(kernel="precomputed")`` on the labeled block and reads decision values of
the pool and the test set from the stored rows. The decisions equal those of
``SVC(kernel="rbf", gamma=...)`` up to floating-point rounding (the tests check the same
samples are selected). It does **not** apply with ``standardize = "labeled"`` (the features,
hence the kernel, change every round) or ``gamma = "scale"`` (it depends on the labeled set).

Memory: ``n_train x (n_train + n_test)`` float64 values. Not wired into the loop yet; the
learner decides when to use it.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics.pairwise import rbf_kernel
from sklearn.svm import SVC

from albench.errors import AlbenchInputError


def resolve_gamma(gamma: float | str, n_features: int) -> float:
    """A fixed ``gamma``: the number itself, or ``1 / n_features`` for ``"auto"``.

    Raises
    ------
    AlbenchInputError
        For ``"scale"`` (it depends on the labeled set, so no Gram matrix can be reused) or a
        value that is not a positive number.
    """
    if gamma == "auto":
        return 1.0 / n_features
    if isinstance(gamma, str) or not isinstance(gamma, int | float) or not gamma > 0:
        raise AlbenchInputError(
            f"gamma = {gamma!r}: a precomputed Gram matrix needs a positive number or 'auto' "
            "('scale' depends on the labeled set)"
        )
    return float(gamma)


class GramSVC:
    """``SVC(kernel="rbf")`` refitted on growing labeled sets from one precomputed Gram matrix.

    Parameters
    ----------
    X_train : ndarray of shape (n_train, d)
        The training part (labeled set and pool), in its final, fixed feature scaling.
    X_test : ndarray of shape (n_test, d), optional
        The test part; its kernel rows against the training part are stored too.
    gamma : float or "auto"
    **svc_params
        Further ``SVC`` parameters (``C``, ``tol``, ``class_weight``, ...), except ``kernel``
        and ``gamma``.
    """

    def __init__(self, X_train: np.ndarray, X_test: np.ndarray | None = None, gamma="auto", **svc_params):
        if "kernel" in svc_params or "gamma" in svc_params:
            raise AlbenchInputError(
                "GramSVC: kernel and gamma are fixed by the Gram matrix; do not pass them"
            )
        X_train = np.asarray(X_train, dtype=np.float64)
        self.gamma = resolve_gamma(gamma, X_train.shape[1])
        self.svc_params = svc_params
        self.K_train = rbf_kernel(X_train, X_train, gamma=self.gamma)
        self.K_test = (
            None if X_test is None else rbf_kernel(np.asarray(X_test, float), X_train, gamma=self.gamma)
        )
        self.labeled_: np.ndarray | None = None
        self.model_: SVC | None = None

    def fit(self, labeled: np.ndarray, y_labeled: np.ndarray) -> GramSVC:
        """Fit on the training rows ``labeled`` (positions) with labels ``y_labeled``."""
        self.labeled_ = np.asarray(labeled, dtype=np.int64)
        block = self.K_train[np.ix_(self.labeled_, self.labeled_)]
        self.model_ = SVC(kernel="precomputed", **self.svc_params).fit(block, y_labeled)
        return self

    @property
    def classes_(self) -> np.ndarray:
        """The classes of the last fit."""
        return self.model_.classes_

    def _rows(self, positions: np.ndarray | None) -> np.ndarray:
        if self.model_ is None:
            raise RuntimeError("GramSVC: call fit first")
        if positions is None:
            if self.K_test is None:
                raise RuntimeError("GramSVC: built without X_test")
            return self.K_test[:, self.labeled_]
        return self.K_train[np.ix_(np.asarray(positions, dtype=np.int64), self.labeled_)]

    def decision_function(self, positions: np.ndarray | None = None) -> np.ndarray:
        """Decision values of training rows ``positions`` (default: the test set)."""
        return self.model_.decision_function(self._rows(positions))

    def predict(self, positions: np.ndarray | None = None) -> np.ndarray:
        """Predicted classes of training rows ``positions`` (default: the test set)."""
        return self.model_.predict(self._rows(positions))
