"""The mini-batch training loop of albench's networks: optimiser, epochs, early stopping.

Every random draw comes from explicit generators handed in by the estimator: the order of
the mini-batches (``shuffle``), the dropout masks (set on the network's dropout layers) and
the held-back validation part (``split``). Nothing reads PyTorch's global generator.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

OPTIMIZERS = ("sgd", "adam", "adamw")
DECAY_SCALINGS = ("none", "inverse_n")
DECAY_LAYERS = ("all", "hidden_dense")


@dataclass(frozen=True)
class TrainingSettings:
    """How one network is trained (the estimator's training parameters, checked)."""

    optimizer: str
    lr: float
    momentum: float
    weight_decay: float
    weight_decay_scaling: str
    weight_decay_layers: str
    batch_size: int
    early_stopping: bool
    validation_fraction: float
    patience: int


class TrainingDiverged(FloatingPointError):
    """The training loss became NaN or infinite."""


def decay_groups(net: nn.Module, layers: str, weight_decay: float) -> list[dict]:
    """Parameter groups: which parameters get weight decay.

    ``"all"``: every parameter (PyTorch's ``weight_decay``). ``"hidden_dense"``: only the
    weights of the dense (``nn.Linear``) layers before the output layer, as Gal et al.'s Keras
    code regularises its hidden dense layer only.
    """
    if layers == "all" or weight_decay == 0.0:
        return [{"params": list(net.parameters()), "weight_decay": weight_decay}]
    linears = [m for m in net.modules() if isinstance(m, nn.Linear)]
    decayed = {id(m.weight) for m in linears[:-1]}
    with_decay = [p for p in net.parameters() if id(p) in decayed]
    without = [p for p in net.parameters() if id(p) not in decayed]
    return [{"params": with_decay, "weight_decay": weight_decay}, {"params": without, "weight_decay": 0.0}]


def make_optimizer(net: nn.Module, s: TrainingSettings, n_train: int) -> torch.optim.Optimizer:
    """The optimiser of ``s.optimizer``; weight decay divided by ``n_train`` for ``inverse_n``."""
    wd = s.weight_decay / max(n_train, 1) if s.weight_decay_scaling == "inverse_n" else s.weight_decay
    groups = decay_groups(net, s.weight_decay_layers, wd)
    if s.optimizer == "sgd":
        return torch.optim.SGD(groups, lr=s.lr, momentum=s.momentum)
    if s.optimizer == "adam":
        return torch.optim.Adam(groups, lr=s.lr)
    return torch.optim.AdamW(groups, lr=s.lr)


def _loss(net: nn.Module, X: torch.Tensor, y: torch.Tensor, batch: int) -> float:
    net.eval()
    total = 0.0
    with torch.no_grad():
        for start in range(0, X.shape[0], batch):
            out = net(X[start : start + batch])
            total += float(F.cross_entropy(out, y[start : start + batch], reduction="sum"))
    return total / max(X.shape[0], 1)


def held_back(n: int, fraction: float, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Training and validation positions: ``ceil(fraction * n)`` held back (at least one, at most n - 1)."""
    n_val = min(max(1, math.ceil(fraction * n)), n - 1)
    perm = torch.randperm(n, generator=generator)
    return perm[n_val:].sort().values, perm[:n_val].sort().values


def train_network(
    net: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    epochs: int,
    s: TrainingSettings,
    shuffle: torch.Generator,
    split: torch.Generator,
    optimizer: torch.optim.Optimizer | None = None,
) -> tuple[torch.optim.Optimizer, int]:
    """Train ``net`` in place for ``epochs`` passes over ``(X, y)``; return the optimiser and epochs run.

    Mini-batches of ``s.batch_size`` in an order drawn from ``shuffle`` each epoch (the last
    batch may be smaller, as Keras and PyTorch's DataLoader do). With early stopping, a part
    of the labeled set drawn from ``split`` is held back; training stops after ``s.patience``
    epochs without a lower validation loss and the best weights are restored.

    Raises
    ------
    TrainingDiverged
        When the loss becomes NaN or infinite (the cell is recorded as failed with this reason).
    """
    n = X.shape[0]
    if s.early_stopping and n >= 2:
        tr, va = held_back(n, s.validation_fraction, split)
        X_val, y_val = X[va.to(X.device)], y[va.to(X.device)]
        X, y = X[tr.to(X.device)], y[tr.to(X.device)]
        n = X.shape[0]
    else:
        X_val = y_val = None
    opt = optimizer if optimizer is not None else make_optimizer(net, s, n)
    best_loss, best_state, stale, run = math.inf, None, 0, 0
    for epoch in range(epochs):
        net.train()
        order = torch.randperm(n, generator=shuffle).to(X.device)
        last = None
        for start in range(0, n, s.batch_size):
            idx = order[start : start + s.batch_size]
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(net(X[idx]), y[idx])
            loss.backward()
            opt.step()
            last = loss
        run = epoch + 1
        if last is not None and not bool(torch.isfinite(last.detach())):
            raise TrainingDiverged(
                f"training loss became {float(last):.4g} in epoch {epoch + 1} (lr = {s.lr}); "
                "lower the learning "
                "rate or check the features"
            )
        if X_val is not None:
            val = _loss(net, X_val, y_val, max(s.batch_size, 256))
            if val < best_loss:
                best_loss, best_state, stale = val, copy.deepcopy(net.state_dict()), 0
            else:
                stale += 1
                if stale >= s.patience:
                    break
    if best_state is not None:
        net.load_state_dict(best_state)
    net.eval()
    return opt, run
