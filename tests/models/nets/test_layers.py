"""Seeded dropout: masks from the given generator, swapped in for nn.Dropout, MC mode only."""

import pytest
import torch
from torch import nn

from albench.models.nets.layers import (
    SeededDropout,
    dropout_layers,
    seed_dropout,
    set_dropout_generator,
    set_mc_dropout,
)


def _g(seed):
    g = torch.Generator()
    g.manual_seed(seed)
    return g


def test_masks_come_from_the_generator_not_the_global_state():
    layer = SeededDropout(0.5).train()
    x = torch.ones(4, 100)
    layer.generator = _g(3)
    a = layer(x)
    torch.manual_seed(123)  # the global state moves; the masks do not
    torch.rand(10)
    layer.generator = _g(3)
    b = layer(x)
    assert torch.equal(a, b)
    layer.generator = _g(4)
    assert not torch.equal(a, layer(x))


def test_inverted_scaling_and_rate():
    layer = SeededDropout(0.25).train()
    layer.generator = _g(0)
    out = layer(torch.ones(200, 500))
    kept = out != 0
    # every kept value is scaled by 1 / (1 - p); about 75 % are kept
    assert torch.allclose(out[kept], torch.full_like(out[kept], 1 / 0.75))
    assert abs(kept.float().mean().item() - 0.75) < 0.01


def test_channel_dropout_drops_whole_maps():
    layer = SeededDropout(0.5, channels=True).train()
    layer.generator = _g(1)
    out = layer(torch.ones(8, 16, 5, 5))
    per_map = out.reshape(8, 16, -1)
    assert ((per_map == 0).all(dim=2) | (per_map != 0).all(dim=2)).all()


def test_eval_is_identity_and_mc_samples_in_eval_mode():
    layer = SeededDropout(0.5).eval()
    x = torch.ones(3, 10)
    assert torch.equal(layer(x), x)
    layer.mc = True
    layer.generator = _g(0)
    assert not torch.equal(layer(x), x)


def test_no_generator_is_an_error_not_a_silent_global_draw():
    layer = SeededDropout(0.5).train()
    with pytest.raises(RuntimeError, match="generator"):
        layer(torch.ones(2, 2))


def test_swap_replaces_every_torch_dropout_and_mc_leaves_batchnorm_in_eval():
    net = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Dropout(0.3), nn.Sequential(nn.Dropout2d(0.2)))
    net = seed_dropout(net)
    layers = dropout_layers(net)
    assert [type(m) for m in layers] == [SeededDropout, SeededDropout]
    assert [m.p for m in layers] == [0.3, 0.2] and layers[1].channels
    assert not any(isinstance(m, (nn.Dropout, nn.Dropout2d)) for m in net.modules())
    net.eval()
    set_mc_dropout(net, True)
    set_dropout_generator(net, _g(0))
    assert all(m.mc for m in layers) and not net[1].training  # BatchNorm stays in evaluation mode
