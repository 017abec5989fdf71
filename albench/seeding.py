"""Seeds derived by hashing names (DESIGN invariant 1), never from counters or global state."""

from __future__ import annotations

import hashlib

import numpy as np


def _words(part: object) -> list[int]:
    digest = hashlib.sha256(str(part).encode("utf-8")).digest()
    return [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4)]


def seed_sequence(seed: int, *names: object) -> np.random.SeedSequence:
    """Return a SeedSequence determined by the experiment seed and a path of names.

    Each name is hashed with SHA-256 so that the result depends on the names themselves,
    not on the order in which components were registered or cells were scheduled.

    Parameters
    ----------
    seed : int
        The experiment seed (a non-negative integer).
    *names : object
        The path, e.g. ``("iris", 3, "split")``; each is converted with ``str``.
    """
    entropy = [int(seed)]
    for name in names:
        entropy.extend(_words(name))
    return np.random.SeedSequence(entropy)


def derive_rng(seed: int, *names: object) -> np.random.Generator:
    """A fresh ``numpy.random.Generator`` for ``(seed, *names)``."""
    return np.random.default_rng(seed_sequence(seed, *names))


def derive_int(seed: int, *names: object) -> int:
    """A 31-bit integer for ``(seed, *names)``, for scikit-learn's ``random_state``."""
    return int(seed_sequence(seed, *names).generate_state(1, dtype=np.uint32)[0] >> 1)
