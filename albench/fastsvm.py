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
        self._block: np.ndarray | None = None

    def fit(self, labeled: np.ndarray, y_labeled: np.ndarray) -> GramSVC:
        """Fit on the training rows ``labeled`` (positions) with labels ``y_labeled``.

        The labeled block of the Gram matrix is kept, in increasing position order (the order
        ``SVC(kernel="rbf")`` is fitted in by the loop), as one contiguous array: when
        ``labeled`` adds a few positions to the previous fit's, each is inserted with slice
        copies instead of gathering the whole block from the Gram matrix again.
        """
        labeled = np.unique(np.asarray(labeled, dtype=np.int64))
        y_by_position = dict(zip(np.asarray(labeled).tolist(), np.asarray(y_labeled).tolist(), strict=True))
        order = self.labeled_
        grows = (
            order is not None
            and self._block is not None
            and labeled.shape[0] - order.shape[0] <= 8
            and np.isin(order, labeled, assume_unique=True).all()
        )
        if grows:
            block = self._block
            for p in np.setdiff1d(labeled, order, assume_unique=True):
                j = int(np.searchsorted(order, p))
                L = order.shape[0]
                new = np.empty((L + 1, L + 1))
                new[:j, :j], new[:j, j + 1 :] = block[:j, :j], block[:j, j:]
                new[j + 1 :, :j], new[j + 1 :, j + 1 :] = block[j:, :j], block[j:, j:]
                order = np.insert(order, j, p)
                new[j, :] = self.K_train[p, order]
                new[:, j] = new[j, :]
                block = new
        else:
            order = labeled
            block = self.K_train[np.ix_(order, order)]
        self.labeled_, self._block = order, block
        y = np.asarray([y_by_position[p] for p in order.tolist()])
        self.model_ = SVC(kernel="precomputed", **self.svc_params).fit(block, y)
        return self

    @property
    def classes_(self) -> np.ndarray:
        """The classes of the last fit."""
        return self.model_.classes_

    def _rows(self, positions: np.ndarray | None, columns: np.ndarray) -> np.ndarray:
        if self.model_ is None:
            raise RuntimeError("GramSVC: call fit first")
        if positions is None:
            if self.K_test is None:
                raise RuntimeError("GramSVC: built without X_test")
            return self.K_test[:, columns]
        positions = np.asarray(positions, dtype=np.int64)
        if columns.shape[0] < positions.shape[0]:  # gather the smaller side first
            return self.K_train[:, columns][positions]
        return self.K_train[positions][:, columns]

    def decision_function(self, positions: np.ndarray | None = None) -> np.ndarray:
        """Decision values of training rows ``positions`` (default: the test set).

        Binary: ``K(x, support) @ dual_coef + intercept`` from the support vectors' kernel
        columns only; multi-class: scikit-learn's one-vs-one decision over all labeled columns.
        """
        m = self.model_
        if m is not None and len(m.classes_) == 2:
            sv = self.labeled_[m.support_]
            return self._rows(positions, sv) @ m.dual_coef_[0] + m.intercept_[0]
        return m.decision_function(self._rows(positions, self.labeled_))

    def predict(self, positions: np.ndarray | None = None) -> np.ndarray:
        """Predicted classes of training rows ``positions`` (default: the test set)."""
        m = self.model_
        if m is not None and len(m.classes_) == 2:
            return m.classes_[(self.decision_function(positions) > 0).astype(int)]
        return m.predict(self._rows(positions, self.labeled_))
