"""The same uncertainty selections as other active-learning libraries run them, when installed.

Each peer function takes the probability matrix and ``k`` and returns ``k`` indices the way a
user of that library gets them: modAL's ``uncertainty_sampling`` / ``margin_sampling`` /
``entropy_sampling`` (its default, deterministic selection) and scikit-activeml's
``uncertainty_scores`` followed by ``simple_batch``. The probabilities are handed over by a
stand-in classifier whose ``predict_proba`` returns the matrix, so only scoring and selection
are timed. A peer that does not import is listed as unavailable with the reason.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: measure name -> modAL function name, scikit-activeml method name
_MODAL = {
    "least_confident": "uncertainty_sampling",
    "margin": "margin_sampling",
    "entropy": "entropy_sampling",
}
_SKACTIVEML = {"least_confident": "least_confident", "margin": "margin_sampling", "entropy": "entropy"}


class _FixedProba:
    """A fitted stand-in classifier whose probabilities are the given matrix."""

    def __init__(self, proba: np.ndarray):
        self.proba = proba

    def predict_proba(self, X, **kwargs):
        return self.proba


def peer_selections() -> tuple[dict[tuple[str, str], Callable], dict[str, str]]:
    """``{(peer, measure): select(P, k)}`` for the installed peers, and ``{peer: reason}`` for the rest."""
    found: dict[tuple[str, str], Callable] = {}
    missing: dict[str, str] = {}
    try:
        from modAL import uncertainty as mu

        for measure, fname in _MODAL.items():
            func = getattr(mu, fname)

            def select(P, k, func=func):
                return func(_FixedProba(P), P, n_instances=k)[0]

            found["modAL", measure] = select
    except Exception as exc:  # noqa: BLE001 - any import failure makes the peer unavailable
        missing["modAL"] = f"{type(exc).__name__}: {exc}"
    try:
        from skactiveml.pool._uncertainty_sampling import uncertainty_scores
        from skactiveml.utils import simple_batch

        for measure, method in _SKACTIVEML.items():

            def select(P, k, method=method):
                return simple_batch(uncertainty_scores(P, method=method), random_state=0, batch_size=k)

            found["scikit-activeml", measure] = select
    except Exception as exc:  # noqa: BLE001
        missing["scikit-activeml"] = f"{type(exc).__name__}: {exc}"
    return found, missing
