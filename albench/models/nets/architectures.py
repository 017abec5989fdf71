"""The built-in networks, as ``nn.Sequential`` (so the deterministic prefix and the
penultimate layer are found by position).

Every network ends in a ``nn.Linear`` producing logits; the softmax is applied by the
estimator. Dropout layers are :class:`~albench.models.nets.layers.SeededDropout`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from torch import nn

from albench.models.nets.layers import SeededDropout


def mlp(
    n_inputs: int, n_outputs: int, hidden_sizes: Sequence[int] = (128,), dropout: float = 0.5
) -> nn.Sequential:
    """A multi-layer perceptron: (Linear, ReLU, Dropout) per hidden layer, then a Linear head.

    Parameters
    ----------
    n_inputs, n_outputs : int
        Input features and classes.
    hidden_sizes : sequence of int
        Units of each hidden layer.
    dropout : float
        Dropout probability after each hidden layer (0 for none).
    """
    layers: list[nn.Module] = [nn.Flatten()]
    width = n_inputs
    for h in hidden_sizes:
        layers += [nn.Linear(width, int(h)), nn.ReLU()]
        if dropout > 0:
            layers.append(SeededDropout(dropout))
        width = int(h)
    layers.append(nn.Linear(width, n_outputs))
    return nn.Sequential(*layers)


def conv_output_size(size: int, kernel: int, n_convs: int, pool: int) -> int:
    """Side length after ``n_convs`` valid convolutions of ``kernel`` and a ``pool`` max-pooling."""
    for _ in range(n_convs):
        size = size - kernel + 1
    return size // pool


def gal_cnn(
    input_shape: Sequence[int],
    n_outputs: int,
    filters: int = 32,
    kernel_size: int = 4,
    pool_size: int = 2,
    dense: int = 128,
    dropout_conv: float = 0.25,
    dropout_dense: float = 0.5,
) -> nn.Sequential:
    """Gal, Islam & Ghahramani (ICML 2017)'s MNIST network.

    conv(filters, kernel) - ReLU - conv(filters, kernel) - ReLU - max-pool(pool) - dropout -
    dense(dense) - ReLU - dropout - dense(n_outputs) (softmax applied by the estimator).
    Valid convolutions, as in their Keras code.

    Parameters
    ----------
    input_shape : (channels, height, width)
        One sample's shape.
    """
    c, h, w = (int(v) for v in input_shape)
    oh = conv_output_size(h, kernel_size, 2, pool_size)
    ow = conv_output_size(w, kernel_size, 2, pool_size)
    if oh < 1 or ow < 1:
        raise ValueError(
            f"input of {h}x{w} is too small for two {kernel_size}x{kernel_size} convolutions and "
            f"{pool_size}x{pool_size} pooling"
        )
    return nn.Sequential(
        nn.Conv2d(c, filters, kernel_size),
        nn.ReLU(),
        nn.Conv2d(filters, filters, kernel_size),
        nn.ReLU(),
        nn.MaxPool2d(pool_size),
        SeededDropout(dropout_conv),
        nn.Flatten(),
        nn.Linear(filters * oh * ow, dense),
        nn.ReLU(),
        SeededDropout(dropout_dense),
        nn.Linear(dense, n_outputs),
    )


def square_image_shape(n_features: int) -> tuple[int, int, int] | None:
    """``(1, s, s)`` when ``n_features`` is a perfect square ``s * s``, else ``None``."""
    s = math.isqrt(int(n_features))
    return (1, s, s) if s * s == n_features else None
