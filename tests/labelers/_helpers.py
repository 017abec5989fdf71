"""Helpers of the labeler tests."""

import numpy as np


def within_binomial(count: int, n: int, p: float, z: float = 4.5) -> bool:
    """Whether ``count`` successes of ``n`` are within ``z`` standard deviations of ``n p``."""
    return abs(count - n * p) <= z * np.sqrt(n * p * (1 - p)) + 1e-9
