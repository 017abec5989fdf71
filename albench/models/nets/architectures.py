"""The built-in networks, as ``nn.Sequential`` (so the deterministic prefix and the
penultimate layer are found by position).

Every network ends in a ``nn.Linear`` producing logits; the softmax is applied by the
estimator. Dropout layers are :class:`~albench.models.nets.layers.SeededDropout`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
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


# --------------------------------------------------------------------------- text


class TokenEmbedding(nn.Module):
    """Token ids -> embeddings laid out for 1-d convolutions, ``(batch, dim, length)``.

    The ids arrive as the float rows every albench model takes (exact below 2**24) and are
    read as integers here; id 0 is padding and embeds to zeros. Their range is checked once
    per call on the whole input (:class:`~albench.models.nets.estimator.TorchTextCNN`), not
    per mini-batch.
    """

    def __init__(self, vocab_size: int, dim: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(int(vocab_size), int(dim), padding_idx=0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.embedding(x.long()).transpose(1, 2)


class MaxOverTimeConvolutions(nn.Module):
    """One 1-d convolution per window width, ReLU, the maximum over positions, concatenated.

    Output ``(batch, len(widths) * filters)`` (Kim 2014, section 2).
    """

    def __init__(self, channels: int, widths: Sequence[int], filters: int) -> None:
        super().__init__()
        self.convs = nn.ModuleList(nn.Conv1d(int(channels), int(filters), int(w)) for w in widths)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([torch.relu(conv(x)).amax(dim=2) for conv in self.convs], dim=1)


def kim_cnn(
    input_shape: Sequence[int],
    n_outputs: int,
    vocab_size: int,
    embedding_dim: int = 128,
    widths: Sequence[int] = (3, 4, 5),
    filters: int = 100,
    dropout: float = 0.5,
) -> nn.Sequential:
    """Kim (EMNLP 2014)'s convolutional network for sentence classification ("CNN-rand").

    Embeddings learned from scratch - one convolution per window width (3, 4, 5; 100 filters
    each) with ReLU - max-over-time pooling - dropout 0.5 - dense(n_outputs). Dropout sits
    after the deterministic part, so Monte-Carlo samples reuse the pooled features.

    Parameters
    ----------
    input_shape : (length,)
        Token ids per text (the ``tokens`` pipeline's ``max_len``).
    vocab_size : int
        Rows of the embedding table (the pipeline's vocabulary, padding and unknown included).
    """
    if len(input_shape) != 1:
        raise ValueError(f"a text network takes token ids of shape [length], got {list(input_shape)}")
    length = int(input_shape[0])
    if not widths:
        raise ValueError("widths must name at least one window width")
    if max(int(w) for w in widths) > length:
        raise ValueError(f"a window of {max(widths)} tokens is wider than the {length} token ids per text")
    return nn.Sequential(
        TokenEmbedding(vocab_size, embedding_dim),
        MaxOverTimeConvolutions(embedding_dim, widths, filters),
        SeededDropout(dropout),
        nn.Linear(len(widths) * int(filters), n_outputs),
    )


# --------------------------------------------------------------------------- audio


def spectrogram_cnn(
    input_shape: Sequence[int],
    n_outputs: int,
    filters: int = 16,
    dense: int = 128,
    batch_norm: bool = True,
    dropout_conv: float = 0.25,
    dropout_dense: float = 0.5,
) -> nn.Sequential:
    """A small CNN for log-mel spectrograms or MFCCs (one channel, bands x frames).

    Two blocks of conv 3x3 (same padding) - BatchNorm - ReLU - max-pool 2x2 (``filters`` then
    ``2 * filters`` channels), dropout, dense(dense) - ReLU - dropout - dense(n_outputs).
    BatchNorm normalises with the running statistics whenever the network predicts, Monte-Carlo
    samples included (only the dropout layers sample).

    Parameters
    ----------
    input_shape : (1, bands, frames)
        One spectrogram's shape.
    """
    if len(input_shape) != 3:
        raise ValueError(
            f"a spectrogram CNN needs input_shape [channels, bands, frames], got {list(input_shape)}"
        )
    c, h, w = (int(v) for v in input_shape)
    if h < 4 or w < 4:
        raise ValueError(f"a spectrogram of {h}x{w} is too small for two 2x2 poolings")
    f = int(filters)
    blocks: list[nn.Module] = []
    for c_in, c_out in ((c, f), (f, 2 * f)):
        blocks.append(nn.Conv2d(c_in, c_out, 3, padding=1, bias=not batch_norm))
        if batch_norm:
            blocks.append(nn.BatchNorm2d(c_out))
        blocks += [nn.ReLU(), nn.MaxPool2d(2)]
    return nn.Sequential(
        *blocks,
        SeededDropout(dropout_conv),
        nn.Flatten(),
        nn.Linear(2 * f * (h // 4) * (w // 4), int(dense)),
        nn.ReLU(),
        SeededDropout(dropout_dense),
        nn.Linear(int(dense), n_outputs),
    )
