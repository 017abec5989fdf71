"""Weights initialised from an explicit generator, with PyTorch's own default distributions."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from albench.models.nets.init import reset_parameters


def _g(seed):
    g = torch.Generator()
    g.manual_seed(seed)
    return g


def _net():
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(), nn.Linear(4 * 6 * 6, 10), nn.Embedding(5, 3))


def test_same_seed_same_weights_whatever_the_global_state():
    a = reset_parameters(_net(), _g(7))
    torch.manual_seed(999)
    b = reset_parameters(_net(), _g(7))
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb)
    c = reset_parameters(_net(), _g(8))
    assert not torch.equal(a[2].weight, c[2].weight)


def test_linear_follows_pytorch_default_bounds():
    # kaiming_uniform(a = sqrt 5) gives U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights; the bias too
    layer = reset_parameters(nn.Linear(400, 50), _g(0))
    bound = 1 / math.sqrt(400)
    assert layer.weight.abs().max() <= bound and layer.weight.abs().max() > 0.9 * bound
    assert layer.bias.abs().max() <= bound
    # the spread of U(-b, b) is b / sqrt(3)
    assert abs(layer.weight.std().item() - bound / math.sqrt(3)) < 0.05 * bound


def test_unknown_parametrised_layer_is_refused_by_name():
    class Odd(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.zeros(3))

    with pytest.raises(TypeError, match="albench_reset_parameters"):
        reset_parameters(nn.Sequential(Odd()), _g(0))


def test_glorot_uniform_matches_its_definition_and_zeroes_biases():
    """Keras's default: weights within +-sqrt(6 / (fan_in + fan_out)), uniform, zero biases."""
    from albench.models.nets.init import reset_parameters

    net = torch.nn.Sequential(torch.nn.Conv2d(1, 32, 3), torch.nn.Flatten(), torch.nn.Linear(200, 300))
    reset_parameters(net, torch.Generator().manual_seed(0), scheme="glorot_uniform")
    conv, dense = net[0], net[2]
    for layer, fan_in, fan_out in ((conv, 1 * 9, 32 * 9), (dense, 200, 300)):
        bound = (6.0 / (fan_in + fan_out)) ** 0.5
        w = layer.weight.detach().numpy().ravel()
        assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
        assert abs(w.var() - bound**2 / 3) < 0.1 * bound**2 / 3  # variance of U(-b, b)
        assert not layer.bias.detach().numpy().any()


def test_an_unknown_init_scheme_is_refused_by_name():
    from albench.errors import AlbenchInputError
    from albench.models import build_model

    with pytest.raises(AlbenchInputError, match="init = 'he'.*pytorch, glorot_uniform"):
        build_model("torch_mlp", {"init": "he"}, random_state=0)
