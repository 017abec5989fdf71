"""Committee disagreement kernels (McCallum & Nigam 1998; Dagan & Engelson 1995)."""

from __future__ import annotations

import numpy as np

from albench.strategies.kernels.uncertainty import entropy_scores


def vote_entropy_scores(votes: np.ndarray, n_classes: int) -> np.ndarray:
    """Entropy of the committee's vote distribution, in nats.

    Parameters
    ----------
    votes : ndarray of int, shape (n_members, n)
        Class predicted by each member for each sample (``0 .. n_classes - 1``).
    n_classes : int
        Number of classes.

    Returns
    -------
    ndarray of shape (n,)
        ``-sum_c (V_c / M) log(V_c / M)`` where ``V_c`` counts the members voting ``c``.
        Cost O(M * n) time and O(n * n_classes) memory.
    """
    votes = np.asarray(votes, dtype=np.int64)
    if votes.ndim != 2 or votes.shape[0] == 0:
        raise ValueError(f"votes must have shape (n_members >= 1, n), got {votes.shape}")
    n_members, n = votes.shape
    flat = (np.arange(n)[None, :] * n_classes + votes).ravel()
    counts = np.bincount(flat, minlength=n * n_classes).reshape(n, n_classes)
    return entropy_scores(counts / n_members)


def kl_to_consensus_scores(probas: np.ndarray) -> np.ndarray:
    """Mean Kullback-Leibler divergence of each member's distribution to the consensus.

    Parameters
    ----------
    probas : ndarray of shape (n_members, n, n_classes)
        Each member's class probabilities.

    Returns
    -------
    ndarray of shape (n,)
        ``(1/M) sum_m KL(P_m || P_avg)`` with ``P_avg`` the members' mean and ``0 log 0 = 0``
        (McCallum & Nigam, ICML 1998). Cost O(M * n * n_classes).
    """
    probas = np.asarray(probas, dtype=np.float64)
    if probas.ndim != 3 or probas.shape[0] == 0:
        raise ValueError(f"probas must have shape (n_members >= 1, n, n_classes), got {probas.shape}")
    consensus = probas.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(probas > 0, probas * (np.log(probas) - np.log(consensus)[None]), 0.0)
    return np.maximum(terms.sum(axis=2).mean(axis=0), 0.0)
