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

Memory: ``n_train x (n_train + n_test)`` float64 values.

:class:`GramRBFSVC` is the scikit-learn estimator the loop uses (model ``rbf_svm_gram``):
it takes feature rows like ``SVC`` and finds them in the cell's training and test parts,
registered once per cell with :meth:`GramRBFSVC.set_kernel_universe`, by an exact key of
their bits; clones share that store, so refitting a fresh clone every round reuses it.
"""

from __future__ import annotations

import functools
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics.pairwise import rbf_kernel
from sklearn.svm import SVC
from sklearn.utils._param_validation import Interval, StrOptions

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


def weighted_rows(K_T: np.ndarray, rows: np.ndarray, coef: np.ndarray, at: np.ndarray | None) -> np.ndarray:
    """``coef @ K_T[rows][:, at]`` (all columns when ``at`` is None), reading whole rows.

    ``K_T`` holds one training row per row (the symmetric training block, or the test block
    stored transposed); ``rows`` are a model's support vectors. When ``at`` asks for most of
    the columns, the weighted sum runs over the support vectors' contiguous rows,
    O(len(rows) x n_columns) reads, instead of a product with the whole matrix; for a few
    columns, only the needed entries are gathered.
    """
    if at is None:
        return coef @ K_T[rows]
    if at.shape[0] * 4 >= K_T.shape[1]:
        return (coef @ K_T[rows])[at]
    return coef @ K_T[np.ix_(rows, at)]


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
        K = rbf_kernel(X_train, X_train, gamma=self.gamma)
        # made exactly symmetric (the distances' matrix product leaves ulp-level asymmetry), so
        # that a support vector's row serves as its column: K(x, sv) = K_train[sv, x]
        K += K.T
        K *= 0.5
        self.K_train = K
        #: the test part's kernel, stored training rows first (n_train x n_test), so the rows
        #: of the support vectors are contiguous
        self.K_test_T = (
            None if X_test is None else rbf_kernel(X_train, np.asarray(X_test, float), gamma=self.gamma)
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
        labeled = np.asarray(labeled, dtype=np.int64)
        y_by_position = dict(zip(labeled.tolist(), np.asarray(y_labeled).tolist(), strict=True))
        labeled = np.unique(labeled)
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
                new = self._spare(L + 1, block)
                new[:j, :j], new[:j, j + 1 :] = block[:j, :j], block[:j, j:]
                new[j + 1 :, :j], new[j + 1 :, j + 1 :] = block[j:, :j], block[j:, j:]
                order = np.insert(order, j, p)
                new[j, :] = self.K_train[p, order]
                new[:, j] = new[j, :]
                block = new
        else:
            order = labeled
            block = self._spare(order.shape[0], None)
            np.take(self.K_train[order], order, axis=1, out=block)
        self.labeled_, self._block = order, block
        y = np.asarray([y_by_position[p] for p in order.tolist()])
        self.model_ = SVC(kernel="precomputed", **self.svc_params).fit(block, y)
        return self

    def _spare(self, size: int, in_use: np.ndarray | None) -> np.ndarray:
        """A C-contiguous ``size x size`` array on one of two reused buffers, not ``in_use``'s.

        Reusing memory spares every round a fresh O(L^2) allocation (and its page faults);
        libsvm copies what it keeps, so a buffer can be overwritten once the fit is done.
        """
        if not hasattr(self, "_buffers"):
            self._buffers = [np.empty(0), np.empty(0)]
        for i, buf in enumerate(self._buffers):
            if in_use is not None and np.shares_memory(buf, in_use):
                continue
            if buf.shape[0] < size * size:
                buf = np.empty(max(size * size, int(1.5 * buf.shape[0])))
                self._buffers[i] = buf
            return buf[: size * size].reshape(size, size)
        raise AssertionError("both buffers in use")  # pragma: no cover - one block at a time

    @property
    def classes_(self) -> np.ndarray:
        """The classes of the last fit."""
        return self.model_.classes_

    def _rows(self, positions: np.ndarray | None, columns: np.ndarray) -> np.ndarray:
        if self.model_ is None:
            raise RuntimeError("GramSVC: call fit first")
        if positions is None:
            return self._test_rows()[columns].T  # n_test x len(columns), from contiguous rows
        positions = np.asarray(positions, dtype=np.int64)
        return self.K_train[np.ix_(columns, positions)].T

    def decision_function(self, positions: np.ndarray | None = None) -> np.ndarray:
        """Decision values of training rows ``positions`` (default: the test set).

        Binary: ``dual_coef @ K(support, x) + intercept`` from the support vectors' kernel
        rows only; multi-class: scikit-learn's one-vs-one decision over all labeled columns.
        """
        m = self.model_
        if m is not None and len(m.classes_) == 2:
            sv = self.labeled_[m.support_]
            if positions is None:
                return weighted_rows(self._test_rows(), sv, m.dual_coef_[0], None) + m.intercept_[0]
            at = np.asarray(positions, dtype=np.int64)
            return weighted_rows(self.K_train, sv, m.dual_coef_[0], at) + m.intercept_[0]
        return m.decision_function(self._rows(positions, self.labeled_))

    def _test_rows(self) -> np.ndarray:
        if self.K_test_T is None:
            raise RuntimeError("GramSVC: built without X_test")
        return self.K_test_T

    def predict(self, positions: np.ndarray | None = None) -> np.ndarray:
        """Predicted classes of training rows ``positions`` (default: the test set)."""
        m = self.model_
        if m is not None and len(m.classes_) == 2:
            return m.classes_[(self.decision_function(positions) > 0).astype(int)]
        return m.predict(self._rows(positions, self.labeled_))


class RowIndex:
    """Exact lookup of feature rows in a fixed array, by a key of their bits.

    The key of a row is ``sum_j bits(x_j) * m_j`` modulo ``2**64`` (integer arithmetic, so the
    same row gives the same key wherever it sits); a found row is checked equal value by value.
    """

    def __init__(self, X: np.ndarray) -> None:
        self.X = np.ascontiguousarray(X, dtype=np.float64)
        mult = np.random.default_rng(0x5EED).integers(1, 2**63, size=self.X.shape[1], dtype=np.uint64)
        self._mult = mult | np.uint64(1)
        keys = self._keys(self.X)
        self._order = np.argsort(keys, kind="stable")
        self._sorted = keys[self._order]

    def _keys(self, X: np.ndarray) -> np.ndarray:
        bits = np.ascontiguousarray(X, dtype=np.float64).view(np.uint64)
        return (bits * self._mult).sum(axis=1, dtype=np.uint64)

    def find(self, X: np.ndarray) -> np.ndarray:
        """Row position of each row of ``X`` in the indexed array, -1 where absent."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.X.shape[1] or self._sorted.shape[0] == 0:
            return np.full(X.shape[0] if X.ndim else 0, -1, dtype=np.int64)
        keys = self._keys(X)
        at = np.minimum(np.searchsorted(self._sorted, keys), self._sorted.shape[0] - 1)
        pos = self._order[at]
        ok = (self._sorted[at] == keys) & (self.X[pos] == X).all(axis=1)
        return np.where(ok, pos, -1).astype(np.int64)

    def assign(self, X: np.ndarray) -> np.ndarray | None:
        """Distinct row positions for the rows of ``X`` (a labeled set), or None.

        :meth:`find` gives every copy of a duplicated row the same position. Here each copy
        in ``X`` gets its own position among the identical rows (their kernel rows are equal,
        so any choice gives the same Gram block), and the choice keeps the positions in the
        order of ``X`` wherever it can: each copy takes the first free identical row after
        the previous row's position (else the first free one). When ``X`` lists rows in
        increasing position, as the loop does, the positions come out increasing too, so a
        fit on the block in position order sees the rows in ``X``'s order. None when a row
        is not indexed, or ``X`` holds more copies of a row than the index does.
        """
        pos = self.find(X)
        if (pos < 0).any():
            return None
        group, members = self._twins
        groups = group[pos]
        out = pos.copy()
        taken: dict[int, set[int]] = {}
        for i in np.flatnonzero(groups >= 0).tolist():
            used = taken.setdefault(int(groups[i]), set())
            free = [p for p in members[groups[i]] if p not in used]
            if not free:
                return None
            previous = out[i - 1] if i > 0 else -1
            choice = next((p for p in free if p > previous), free[0])
            used.add(choice)
            out[i] = choice
        return out if np.unique(out).shape[0] == out.shape[0] else None

    @functools.cached_property
    def _twins(self) -> tuple[np.ndarray, list[list[int]]]:
        """Each row's group of identical rows (-1: none) and each group's positions, ascending.

        Computed on the first :meth:`assign` (the test part's index never needs it).
        """
        group = np.full(self.X.shape[0], -1, dtype=np.int64)
        members: list[list[int]] = []
        twin = np.zeros(self.X.shape[0], dtype=bool)
        same_key = self._sorted[1:] == self._sorted[:-1]
        twin[self._order[1:][same_key]] = True
        twin[self._order[:-1][same_key]] = True
        rows = np.flatnonzero(twin)
        if rows.size:
            _, inverse, counts = np.unique(self.X[rows], axis=0, return_inverse=True, return_counts=True)
            inverse = inverse.reshape(-1)
            kept = counts[inverse] > 1  # equal keys but different rows (a collision) are no twins
            group[rows[kept]] = inverse[kept]
            members = [[] for _ in counts]
            for row, g in zip(rows[kept].tolist(), inverse[kept].tolist(), strict=True):
                members[g].append(row)  # in ascending position, as rows are
        return group, members


class KernelStore:
    """One cell's Gram matrix (training part against training and test parts) and its row index."""

    def __init__(self, X_train: np.ndarray, X_test: np.ndarray, gamma, svc_params: dict) -> None:
        self.gram = GramSVC(X_train, X_test, gamma=gamma, **svc_params)
        self.train = RowIndex(X_train)
        self.test = RowIndex(X_test)
        self.X_train = self.train.X

    def kernel(self, X: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """``K(X, X_train[columns])`` from the stored rows (computed for rows not stored)."""
        X = np.asarray(X, dtype=np.float64)
        out = np.empty((X.shape[0], columns.shape[0]))
        for rows, K_T, at in self._located(X):
            out[rows] = (
                K_T[np.ix_(columns, at)].T
                if K_T is not None
                else rbf_kernel(X[rows], self.X_train[columns], gamma=self.gram.gamma)
            )
        return out

    def matvec(self, X: np.ndarray, columns: np.ndarray, coef: np.ndarray) -> np.ndarray:
        """``K(X, X_train[columns]) @ coef`` from the stored rows of ``columns`` (see
        :func:`weighted_rows`); computed for rows stored in neither part."""
        X = np.asarray(X, dtype=np.float64)
        out = np.empty(X.shape[0])
        for rows, K_T, at in self._located(X):
            if K_T is None:
                out[rows] = rbf_kernel(X[rows], self.X_train[columns], gamma=self.gram.gamma) @ coef
            else:
                out[rows] = weighted_rows(K_T, columns, coef, at)
        return out

    def _located(self, X: np.ndarray):
        """``(rows of X, stored block (a training row per row) or None, its columns)`` for the
        training part, the test part and rows found in neither."""
        pos = self.train.find(X)
        hit = pos >= 0
        if hit.any():
            yield np.flatnonzero(hit), self.gram.K_train, pos[hit]
        rest = np.flatnonzero(~hit)
        if rest.size and self.gram.K_test_T is not None:
            tpos = self.test.find(X[rest])
            thit = tpos >= 0
            if thit.any():
                yield rest[thit], self.gram.K_test_T, tpos[thit]
            rest = rest[~thit]
        if rest.size:  # rows of neither part (e.g. synthetic samples): the kernel, computed
            yield rest, None, None


class GramRBFSVC(ClassifierMixin, BaseEstimator):
    """``SVC(kernel="rbf")`` that computes a cell's Gram matrix once (model ``rbf_svm_gram``).

    Before fitting, :meth:`set_kernel_universe` registers the cell's training and test parts
    (the loop does it); ``fit`` then finds its rows among them and trains
    ``SVC(kernel="precomputed")`` on the stored labeled block (extended in place when a round
    adds a few labels), and ``decision_function`` / ``predict`` read the stored kernel rows.
    Rows found in neither part get their kernel computed. Without a registered universe it
    behaves like ``SVC(kernel="rbf")`` on the data it is given. Decisions equal
    ``SVC(kernel="rbf", gamma=gamma)``'s up to floating-point rounding.

    Valid only while the features stay the same for the whole cell (``protocol.standardize``
    ``"train"`` or ``"none"``; checked before a run) and with a fixed ``gamma``.

    Parameters
    ----------
    C : float
        Regularisation, as in ``SVC``.
    gamma : "auto" or float
        ``1 / n_features`` or a positive number (``"scale"`` depends on the labeled set).
    tol, shrinking, cache_size, class_weight, max_iter, decision_function_shape, break_ties
        As in ``SVC``.
    """

    #: the loop must not change the features between rounds (checked against the protocol)
    needs_fixed_features = True

    _parameter_constraints: dict = {
        "C": [Interval(Real, 0.0, None, closed="neither")],
        "gamma": [StrOptions({"auto"}), Interval(Real, 0.0, None, closed="neither")],
        "tol": [Interval(Real, 0.0, None, closed="neither")],
        "shrinking": ["boolean"],
        "cache_size": [Interval(Real, 0, None, closed="neither")],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "max_iter": [Interval(Integral, -1, None, closed="left")],
        "decision_function_shape": [StrOptions({"ovr", "ovo"})],
        "break_ties": ["boolean"],
    }

    def __init__(
        self,
        C: float = 1.0,
        gamma="auto",
        tol: float = 1e-3,
        shrinking: bool = True,
        cache_size: float = 200,
        class_weight=None,
        max_iter: int = -1,
        decision_function_shape: str = "ovr",
        break_ties: bool = False,
    ) -> None:
        self.C = C
        self.gamma = gamma
        self.tol = tol
        self.shrinking = shrinking
        self.cache_size = cache_size
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.decision_function_shape = decision_function_shape
        self.break_ties = break_ties

    def _svc_params(self) -> dict:
        params = self.get_params(deep=False)
        params.pop("gamma")
        return params

    def set_kernel_universe(self, X_train: np.ndarray, X_test: np.ndarray) -> GramRBFSVC:
        """Compute the Gram matrix of a cell's training part against itself and the test part.

        Clones made afterwards (``sklearn.base.clone``) share it.
        """
        self._store = KernelStore(X_train, X_test, self.gamma, self._svc_params())
        return self

    def __sklearn_clone__(self):
        twin = type(self)(**self.get_params(deep=False))
        if getattr(self, "_store", None) is not None:
            twin._store = self._store
        return twin

    def fit(self, X: np.ndarray, y: np.ndarray) -> GramRBFSVC:
        """Fit on rows ``X`` (found in the registered training part) with labels ``y``."""
        self._validate_params()
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y)
        store = getattr(self, "_store", None)
        pos = store.train.assign(X) if store is not None else None
        if pos is not None:
            store.gram.fit(pos, y)
            self.labeled_ = store.gram.labeled_.copy()
            self.svc_ = store.gram.model_
            self._X_fit = None
        else:  # rows outside the training part, or more copies than it holds: the plain kernel
            gamma = resolve_gamma(self.gamma, X.shape[1])
            self._X_fit = X
            self.labeled_ = None
            self.svc_ = SVC(kernel="rbf", gamma=gamma, **self._svc_params()).fit(X, y)
        self.classes_ = self.svc_.classes_
        self.n_features_in_ = X.shape[1]
        return self

    def _kernel_rows(self, X: np.ndarray, columns: np.ndarray) -> np.ndarray:
        return self._store.kernel(X, self.labeled_[columns])

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """Decision values of rows ``X``, as ``SVC(kernel="rbf").decision_function``."""
        if self._X_fit is not None:
            return self.svc_.decision_function(X)
        m = self.svc_
        if len(m.classes_) == 2:
            return self._store.matvec(X, self.labeled_[m.support_], m.dual_coef_[0]) + m.intercept_[0]
        return m.decision_function(self._kernel_rows(X, np.arange(self.labeled_.shape[0])))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicted classes of rows ``X``."""
        if self._X_fit is not None:
            return self.svc_.predict(X)
        m = self.svc_
        if len(m.classes_) == 2:
            return m.classes_[(self.decision_function(X) > 0).astype(int)]
        return m.predict(self._kernel_rows(X, np.arange(self.labeled_.shape[0])))
