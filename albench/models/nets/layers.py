"""Seeded dropout: masks from an explicit ``torch.Generator``, never PyTorch's global state.

``torch.nn.Dropout`` draws its masks from the global generator, so two cells running in one
process (or one cell whose neighbours changed) would draw different masks. Every dropout
layer of an albench network is a :class:`SeededDropout`; :func:`seed_dropout` swaps the
standard layers of a user's module for it. In Monte-Carlo mode (:func:`set_mc_dropout`) only
these layers sample; everything else (BatchNorm included) stays in evaluation mode.
"""

from __future__ import annotations

import torch
from torch import nn


class SeededDropout(nn.Module):
    """Inverted dropout whose masks come from :attr:`generator`.

    Parameters
    ----------
    p : float
        Probability of zeroing an element.
    channels : bool
        Drop whole channels (``nn.Dropout2d``-style: one draw per sample and channel).
    """

    def __init__(self, p: float = 0.5, channels: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError(f"dropout probability must be in [0, 1), got {p}")
        self.p = float(p)
        self.channels = channels
        self.generator: torch.Generator | None = None
        self.mc = False

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.p == 0.0 or not (self.training or self.mc):
            return x
        if self.generator is None:
            raise RuntimeError("SeededDropout has no generator: albench sets one before training or sampling")
        shape = x.shape[:2] + (1,) * (x.dim() - 2) if self.channels and x.dim() > 2 else x.shape
        keep = 1.0 - self.p
        mask = torch.empty(shape, dtype=x.dtype, device=x.device).bernoulli_(keep, generator=self.generator)
        return x * mask.div_(keep)

    def extra_repr(self) -> str:
        return f"p={self.p}, channels={self.channels}"


def seed_dropout(module: nn.Module) -> nn.Module:
    """Replace every ``nn.Dropout`` / ``nn.Dropout1d/2d/3d`` of ``module`` with :class:`SeededDropout`.

    Works in place on children and returns the module (or its replacement when ``module``
    itself is a dropout layer).
    """
    swap = {nn.Dropout: False, nn.Dropout1d: True, nn.Dropout2d: True, nn.Dropout3d: True}
    if type(module) in swap:
        return SeededDropout(module.p, channels=swap[type(module)])
    for name, child in list(module.named_children()):
        replaced = seed_dropout(child)
        if replaced is not child:
            setattr(module, name, replaced)
    return module


def dropout_layers(module: nn.Module) -> list[SeededDropout]:
    """Every :class:`SeededDropout` of ``module``, in registration order."""
    return [m for m in module.modules() if isinstance(m, SeededDropout)]


def set_dropout_generator(module: nn.Module, generator: torch.Generator | None) -> None:
    """Give every dropout layer of ``module`` the same generator."""
    for layer in dropout_layers(module):
        layer.generator = generator


def set_mc_dropout(module: nn.Module, on: bool) -> None:
    """Switch Monte-Carlo sampling of the dropout layers (only them) on or off."""
    for layer in dropout_layers(module):
        layer.mc = on


def has_unseeded_randomness(module: nn.Module) -> list[str]:
    """Names of layers that draw from PyTorch's global generator (alpha dropout, RReLU, ...)."""
    unseeded = (nn.AlphaDropout, nn.FeatureAlphaDropout, nn.RReLU)
    return [name or type(m).__name__ for name, m in module.named_modules() if isinstance(m, unseeded)]
