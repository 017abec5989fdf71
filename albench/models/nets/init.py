"""Weight initialisation from an explicit ``torch.Generator``.

PyTorch layers initialise themselves in ``__init__`` from the global generator. albench
re-initialises every parameter from the cell's derived seed instead, so a network's initial
weights are a function of its seed alone. Two schemes for dense and convolution layers:

* ``"pytorch"``: the distributions PyTorch itself uses (kaiming-uniform with ``a = sqrt 5``,
  biases ``U(+-1/sqrt(fan_in))``);
* ``"glorot_uniform"``: Keras's default (Glorot & Bengio 2010's uniform weights, zero
  biases), for replaying Keras code such as Gal et al. (2017)'s.

Other layers (embeddings, recurrent, normalisation) get PyTorch's scheme in both.
"""

from __future__ import annotations

import math

import torch
from torch import nn

_CONV = (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)
_NORM = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.LayerNorm, nn.GroupNorm, nn.InstanceNorm1d)
_RNN = (nn.RNN, nn.LSTM, nn.GRU)


def _fan_in(weight: torch.Tensor) -> int:
    return int(nn.init._calculate_fan_in_and_fan_out(weight)[0])


def _kaiming_default(module: nn.Module, generator: torch.Generator) -> None:
    """``nn.Linear`` / ``nn.ConvNd``: kaiming-uniform(a = sqrt 5) weights, U(+-1/sqrt(fan_in)) bias."""
    nn.init.kaiming_uniform_(module.weight, a=math.sqrt(5), generator=generator)
    if module.bias is not None:
        fan_in = _fan_in(module.weight)
        bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        nn.init.uniform_(module.bias, -bound, bound, generator=generator)


def _glorot(module: nn.Module, generator: torch.Generator) -> None:
    """Keras's default: Glorot-uniform weights ``U(+-sqrt(6 / (fan_in + fan_out)))``, zero biases."""
    nn.init.xavier_uniform_(module.weight, generator=generator)
    if module.bias is not None:
        nn.init.zeros_(module.bias)


#: Initialisation schemes of dense and convolution layers (``init`` of every network).
INIT_SCHEMES = {"pytorch": _kaiming_default, "glorot_uniform": _glorot}


def _rnn_default(module: nn.Module, generator: torch.Generator) -> None:
    bound = 1.0 / math.sqrt(module.hidden_size) if module.hidden_size > 0 else 0.0
    for weight in module.parameters(recurse=False):
        nn.init.uniform_(weight, -bound, bound, generator=generator)


def reset_parameters(module: nn.Module, generator: torch.Generator, scheme: str = "pytorch") -> nn.Module:
    """Initialise every parameter of ``module`` from ``generator``; return the module.

    Linear and convolution layers get ``scheme`` (:data:`INIT_SCHEMES`); embedding, recurrent
    and normalisation layers get PyTorch's own default scheme. A layer of any other kind that
    owns parameters is refused: its own ``reset_parameters`` would read the global generator.

    Raises
    ------
    TypeError
        Naming the layer albench cannot initialise from a seed.
    """
    with torch.no_grad():
        for name, m in module.named_modules():
            if not list(m.parameters(recurse=False)):
                continue
            if isinstance(m, (nn.Linear, nn.Bilinear) + _CONV) and not isinstance(m, nn.Bilinear):
                INIT_SCHEMES[scheme](m, generator)
            elif isinstance(m, nn.Embedding):
                nn.init.normal_(m.weight, generator=generator)
                if m.padding_idx is not None:
                    m.weight[m.padding_idx].zero_()
            elif isinstance(m, nn.EmbeddingBag):
                nn.init.normal_(m.weight, generator=generator)
            elif isinstance(m, _RNN):
                _rnn_default(m, generator)
            elif isinstance(m, _NORM):
                m.reset_parameters()  # deterministic: ones and zeros
            elif hasattr(m, "albench_reset_parameters"):
                m.albench_reset_parameters(generator)
            else:
                raise TypeError(
                    f"layer {name or type(m).__name__!r} ({type(m).__name__}) owns parameters albench cannot "
                    "initialise from a seed; give it a method albench_reset_parameters(generator) that "
                    "initialises its parameters from that torch.Generator"
                )
    return module
