"""Posterior scoring kernels: T probability samples per pool row in, scores or a batch out.

``P`` is always an array of shape ``(T, N, C)``: ``T`` posterior samples (Monte-Carlo dropout
passes or ensemble members) of the class probabilities of ``N`` pool rows over ``C`` classes.
Higher scores mean more worth querying. Entropies are in nats; ``0 log 0 = 0``.

Every scorer is one or two vectorised passes over ``P``, O(T N C) time and O(N C) extra memory
(no loop over samples). :func:`batchbald_select` loops only over batch positions.
"""

from __future__ import annotations

import numpy as np
from scipy.special import entr

from albench.strategies.kernels.selection import select_top_k

#: Largest number of joint class configurations BatchBALD enumerates exactly (``C ** m`` for m
#: samples already in the batch); beyond it the configurations are sampled. Kirsch et al.'s code
#: passes the same number as ``num_samples`` (their example uses 100,000 on a GPU).
DEFAULT_N_CONFIGURATIONS = 10_000

#: Rows of the pool scored at once by BatchBALD: bounds the (rows, M, C) joint-probability block.
_BLOCK_ELEMENTS = 1 << 22


def _check_posterior(P: np.ndarray) -> np.ndarray:
    P = np.asarray(P, dtype=np.float64)
    if P.ndim != 3:
        raise ValueError(f"posterior samples must have shape (T, N, C), got shape {P.shape}")
    return P


def mean_probabilities(P: np.ndarray) -> np.ndarray:
    """The posterior predictive ``mean_t p_t``, shape ``(N, C)``. O(T N C)."""
    return _check_posterior(P).mean(axis=0)


def predictive_entropy_scores(P: np.ndarray) -> np.ndarray:
    """Entropy of the mean prediction, ``H[mean_t p_t]`` (max entropy under MC dropout).

    Parameters
    ----------
    P : ndarray of shape (T, N, C)

    Returns
    -------
    ndarray of shape (N,)
        In nats. O(T N C) time, O(N C) memory.
    """
    return entr(mean_probabilities(P)).sum(axis=1)


def expected_entropy(P: np.ndarray) -> np.ndarray:
    """Mean entropy of the samples, ``mean_t H[p_t]``, shape ``(N,)`` (the aleatoric part)."""
    P = _check_posterior(P)
    return entr(P).sum(axis=2).mean(axis=0)


def bald_scores(P: np.ndarray) -> np.ndarray:
    """BALD: mutual information between the label and the parameters (Houlsby et al. 2011).

    ``I[y; w] = H[mean_t p_t] - mean_t H[p_t]`` (Gal, Islam & Ghahramani, ICML 2017, eq. 6),
    clipped at 0 (it is non-negative; rounding can make it -1e-17).

    Parameters
    ----------
    P : ndarray of shape (T, N, C)

    Returns
    -------
    ndarray of shape (N,)
        In nats. Two passes over ``P``: O(T N C) time, O(N C) extra memory.
    """
    P = _check_posterior(P)
    return np.maximum(predictive_entropy_scores(P) - expected_entropy(P), 0.0)


def mean_std_scores(P: np.ndarray) -> np.ndarray:
    """Mean standard deviation (Kampffmeyer et al., CVPR workshops 2016).

    ``mean_c sqrt(E_t[p_tc^2] - E_t[p_tc]^2)``: the population standard deviation over the T
    samples (ddof 0, as the definition's expectations), averaged over the classes. O(T N C).
    """
    P = _check_posterior(P)
    return P.std(axis=0).mean(axis=1)


def variation_ratios_scores(P: np.ndarray) -> np.ndarray:
    """Variation ratios (Freeman 1965): ``1 - max_c f_c``, ``f_c`` the fraction of samples voting c.

    Each sample votes for its most probable class (``argmax``, the lowest class index on a
    tie within a sample). O(T N C) time, O(N C) memory (one ``bincount`` of the votes).
    """
    P = _check_posterior(P)
    T, N, C = P.shape
    votes = P.argmax(axis=2)  # (T, N)
    flat = (votes + np.arange(N, dtype=np.int64)[None, :] * C).ravel()
    counts = np.bincount(flat, minlength=N * C).reshape(N, C)
    return 1.0 - counts.max(axis=1) / T


def power_select(scores: np.ndarray, k: int, rng: np.random.Generator, beta: float = 1.0) -> np.ndarray:
    """Stochastic batch acquisition (Kirsch et al., TMLR 2023): power sampling by Gumbel-top-k.

    Draws ``k`` distinct indices without replacement with probability proportional to
    ``scores ** beta``: the ``k`` largest ``beta * log(s_i) + g_i`` with ``g_i`` standard
    Gumbel noise from ``rng`` (one draw per score, always ``len(scores)`` draws). Scores
    <= 0 get ``log 0 = -inf`` and are taken only when fewer than ``k`` are positive (then at
    random, by :func:`select_top_k`'s tie-break). O(n).

    Parameters
    ----------
    scores : ndarray of shape (n,)
        Non-negative acquisition scores (e.g. :func:`bald_scores`).
    k : int
    rng : numpy.random.Generator
    beta : float
        Inverse temperature; 0 is uniform sampling, large values approach top-k.

    Returns
    -------
    ndarray of int64
        ``min(k, n)`` distinct indices, by decreasing perturbed score.
    """
    s = np.asarray(scores, dtype=np.float64).reshape(-1)
    with np.errstate(divide="ignore"):
        log_s = np.log(np.maximum(s, 0.0))
    gumbel = rng.gumbel(size=s.shape[0])
    keys = gumbel if beta == 0 else beta * log_s + gumbel
    return select_top_k(keys, k, rng)


def _joint_exact(P_sel: np.ndarray) -> np.ndarray:
    """``p(y_1..y_m | w_t)`` for every configuration of m selected rows: shape ``(C**m, T)``.

    ``P_sel`` has shape ``(m, T, C)``; configurations in row-major order of ``(y_1, ..., y_m)``.
    """
    T = P_sel.shape[1]
    joint = np.ones((1, T))
    for p in P_sel:  # m is the batch position: a few steps, each vectorised over T and C
        joint = (joint[:, None, :] * p.T[None, :, :]).reshape(-1, T)
    return joint


def _joint_sampled(P_sel: np.ndarray, n_configurations: int, rng: np.random.Generator) -> np.ndarray:
    """Sampled configurations of the m selected rows, as Kirsch et al.'s code draws them.

    For each posterior sample ``t``, ``S = n_configurations // T`` configurations are drawn from
    ``p(y_1..y_m | w_t) = prod_i p_i(y_i | w_t)`` (each label by inverse CDF from ``rng``);
    the result holds ``p(y^(s) | w_t')`` for every drawn configuration s and every ``t'``,
    shape ``(T * S, T)``, so that ``q(y^(s)) = mean_t' p(y^(s) | w_t')`` is the proposal density.
    """
    m, T, C = P_sel.shape
    S = max(1, n_configurations // T)
    u = rng.random((m, T, S))
    cdf = np.cumsum(P_sel, axis=2)
    cdf[..., -1] = np.inf  # rounding: the last class closes every CDF
    labels = (u[..., None] >= cdf[:, :, None, :]).sum(axis=3)  # (m, T_drawn, S)
    # probs[i, t', t, s] = p_i(y_i^(t, s) | w_t')
    probs = np.take_along_axis(P_sel[:, :, None, :], labels[:, None, :, :], axis=3)
    with np.errstate(divide="ignore"):
        joint = np.exp(np.log(probs).sum(axis=0))  # (T', T_drawn, S)
    return joint.reshape(T, T * S).T  # configurations (t_drawn, s) x T'


def _joint_entropies(joint: np.ndarray, P: np.ndarray, sampled: bool) -> np.ndarray:
    """``H[y_1..y_m, y_j]`` for every candidate ``j`` (rows of ``P``, shape ``(T, N, C)``).

    ``joint`` is ``(M, T)``. Exact: ``-sum_{config, c} q log q`` with ``q = joint @ p_j / T``.
    Sampled: the importance-weighted estimate ``mean_s sum_c -q_sc log q_sc / q_s`` of
    Kirsch et al. Rows in blocks so that the ``(rows, M, C)`` block stays bounded.
    """
    T, N, C = P.shape
    M = joint.shape[0]
    out = np.empty(N)
    if sampled:
        q_config = joint.mean(axis=1) * M
        weight = np.divide(1.0, q_config, out=np.zeros(M), where=q_config > 0)
    rows = max(1, _BLOCK_ELEMENTS // max(1, M * C))
    for start in range(0, N, rows):  # blocks of rows, not single samples
        block = P[:, start : start + rows, :]  # (T, b, C)
        b = block.shape[1]
        q = (joint @ block.reshape(T, b * C)).reshape(M, b, C) / T
        h = entr(q)
        if sampled:
            h *= weight[:, None, None]
        out[start : start + b] = h.sum(axis=(0, 2))
    return out


def batchbald_select(
    P: np.ndarray,
    k: int,
    rng: np.random.Generator,
    n_configurations: int = DEFAULT_N_CONFIGURATIONS,
) -> np.ndarray:
    """BatchBALD (Kirsch, van Amersfoort & Gal, NeurIPS 2019): greedy joint mutual information.

    Step ``n`` adds the pool row ``j`` maximising
    ``I[y_1..y_{n-1}, y_j; w] = H[y_1..y_{n-1}, y_j] - sum_{i in batch + j} mean_t H[p_i,t]``
    (labels are independent given ``w``, so the joint conditional entropy is the sum), as
    Algorithm 1 of the paper and ``get_batchbald_batch`` of their code (BlackHC/batchbald_redux).
    The joint entropy of the batch so far with each candidate:

    * **exact** while the ``C ** (n-1)`` configurations of the batch so far number at most
      ``n_configurations``: the joint ``p(y_1..y_{n-1} | w_t)`` of every configuration (a
      ``(C ** (n-1), T)`` matrix), extended by each candidate with one matrix product;
    * **sampled** beyond: ``n_configurations // T`` configurations per posterior sample, drawn
      afresh from ``rng`` at each step, and the importance-weighted estimate of the paper's
      eq. (12) (their ``SampledJointEntropy``).

    The first step is BALD. Ties (and candidates equal to the best) are broken by ``rng``
    (:func:`select_top_k`).

    Parameters
    ----------
    P : ndarray of shape (T, N, C)
    k : int
        Batch size; ``min(k, N)`` are returned.
    rng : numpy.random.Generator
    n_configurations : int
        ``M``: the exact/sampled switch and the number of sampled configurations.

    Returns
    -------
    ndarray of int64
        Distinct indices in selection order.

    Notes
    -----
    Cost per step O(N M C T) time; memory O(M T) for the joint plus a bounded block of
    ``(rows, M, C)`` (``2 ** 22`` floats), whatever N.
    """
    P = _check_posterior(P)
    T, N, C = P.shape
    k = int(min(max(k, 0), N))
    chosen = np.empty(k, dtype=np.int64)
    if k == 0:
        return chosen
    cond = expected_entropy(P)
    taken = np.zeros(N, dtype=bool)
    for n in range(k):  # batch positions
        if n == 0:
            joint_h = predictive_entropy_scores(P)
        else:
            P_sel = P[:, chosen[:n], :].transpose(1, 0, 2)  # (n, T, C)
            sampled = C**n > n_configurations
            joint = _joint_sampled(P_sel, n_configurations, rng) if sampled else _joint_exact(P_sel)
            joint_h = _joint_entropies(joint, P, sampled)
        scores = joint_h - (cond + cond[chosen[:n]].sum())
        scores[taken] = -np.inf
        chosen[n] = select_top_k(scores, 1, rng)[0]
        taken[chosen[n]] = True
    return chosen
