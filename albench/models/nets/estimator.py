"""scikit-learn-style estimators around PyTorch networks.

:class:`TorchClassifier` is the contract the loop uses (``fit``, ``partial_fit``,
``predict_proba``, ``predict``, ``predict_proba_samples``, ``embed``); its subclasses add the
architecture's parameters: :class:`TorchMLP`, :class:`TorchCNN` and :class:`NetClassifier`
(a researcher's own ``torch.nn.Module``).

Why not skorch: skorch's ``NeuralNet`` shuffles through a ``DataLoader`` and draws dropout masks
from PyTorch's global generator unless every piece is overridden, and its callbacks and history
cost time every epoch. albench needs every draw from the cell's seeds and a loop within a few
per cent of a plain PyTorch script, so this wrapper is thin and owns its generators.

Determinism. From ``random_state`` (derived by albench from the experiment seed, dataset and
repetition) come, by hashing names: the initial weights of each ensemble member, the
mini-batch order and dropout masks of each fit (the fit's ordinal enters, so a warm-started
network does not replay its first epochs' order), and the held-back validation part. Monte-Carlo
samples come from the seed handed to :meth:`predict_proba_samples`. PyTorch's intra-op threads
are set to ``num_threads`` around every call (the value enters the cell key: float sums may
differ with the thread count).
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from torch import nn

from albench.errors import AlbenchInputError
from albench.models.nets import architectures
from albench.models.nets.device import resolve_device
from albench.models.nets.init import INIT_SCHEMES, reset_parameters
from albench.models.nets.layers import (
    SeededDropout,
    has_unseeded_randomness,
    seed_dropout,
    set_dropout_generator,
    set_mc_dropout,
)
from albench.models.nets.training import (
    DECAY_LAYERS,
    DECAY_SCALINGS,
    OPTIMIZERS,
    TrainingSettings,
    train_network,
)
from albench.seeding import derive_int

#: Parameters every network shares (training, device, seeds); subclasses add the architecture's.
TRAINING_PARAMS = (
    "optimizer",
    "lr",
    "momentum",
    "weight_decay",
    "weight_decay_scaling",
    "weight_decay_layers",
    "epochs",
    "batch_size",
    "early_stopping",
    "validation_fraction",
    "patience",
    "init",
    "ensemble",
    "device",
    "num_threads",
    "warm_start",
    "predict_batch_size",
    "input_shape",
    "n_outputs",
    "random_state",
)

#: Floats of Monte-Carlo intermediate values held at once (bounds the memory of a scoring chunk).
_MC_CHUNK_FLOATS = 1 << 24


@contextlib.contextmanager
def _threads(n: int) -> Iterator[None]:
    """PyTorch's intra-op threads pinned to ``n`` inside the block.

    Set unconditionally: ``torch.get_num_threads`` reports OpenMP's setting, which a
    ``threadpoolctl`` limit changes without touching the thread count MKL keeps for PyTorch's
    matrix products; only ``torch.set_num_threads`` sets both, so skipping it when the reported
    count already matched let a cell's values depend on what ran before it in the process.
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _generator(seed: int, device: str) -> torch.Generator:
    g = torch.Generator(device=device)
    g.manual_seed(int(seed))
    return g


def _check(name: str, ok: bool, allowed: str, value: Any) -> None:
    if not ok:
        raise AlbenchInputError(f"model parameter {name} = {value!r}: {allowed}")


def _is_int(v: Any, low: int) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= low


def _is_num(v: Any, low: float, high: float = float("inf"), low_open: bool = False) -> bool:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        return False
    v = float(v)
    return np.isfinite(v) and (v > low if low_open else v >= low) and v <= high


class TorchClassifier(ClassifierMixin, BaseEstimator):
    """Base class: a PyTorch classifier with scikit-learn's estimator contract.

    Subclasses implement :meth:`build_module` and list their own parameters in ``__init__``
    followed by the training parameters (see :data:`TRAINING_PARAMS`).

    Parameters
    ----------
    optimizer : {"sgd", "adam", "adamw"}
        The optimiser (PyTorch's, default betas).
    lr : float
        Learning rate.
    momentum : float
        SGD momentum (ignored by Adam and AdamW).
    weight_decay : float
        Weight decay of the optimiser (coupled for SGD and Adam, decoupled for AdamW).
    weight_decay_scaling : {"none", "inverse_n"}
        ``"inverse_n"`` divides ``weight_decay`` by the number of training samples of each
        fit (Gal et al.'s ``c / N``).
    weight_decay_layers : {"all", "hidden_dense"}
        Which parameters decay: all, or only the weights of the dense layers before the output.
    epochs : int
        Passes over the training set per ``fit`` (``partial_fit`` makes one pass).
    batch_size : int
        Mini-batch size.
    early_stopping : bool
        Hold back ``validation_fraction`` of the labeled set and stop after ``patience`` epochs
        without improvement of its loss; the best weights are kept.
    validation_fraction : float
        Part of the labeled set held back with early stopping.
    patience : int
        Epochs without improvement before stopping.
    init : {"pytorch", "glorot_uniform"}
        Initial weights of dense and convolution layers: PyTorch's default scheme, or Keras's
        (Glorot-uniform weights, zero biases); both drawn from the cell's seed.
    ensemble : int
        Members of a deep ensemble (1: a single network). Members differ in their initial
        weights and mini-batch order; their predictions are the posterior samples.
    device : {"auto", "cpu", "cuda", "cuda:N"}
        Where the network runs. The factory resolves ``"auto"``; the resolved name enters the
        cell key.
    num_threads : int
        PyTorch intra-op threads during fit and prediction.
    warm_start : bool
        ``fit`` continues from the current weights instead of re-initialising them.
    predict_batch_size : int
        Rows per forward pass when predicting.
    input_shape : tuple of int or None
        One sample's shape, e.g. ``(1, 28, 28)``; set by albench from the dataset.
    n_outputs : int or None
        Output units (the dataset's classes); set by albench from the dataset. ``None``: the
        classes seen by ``fit``.
    random_state : int or None
        Seed of every random draw (derived by albench).
    """

    def build_module(self, input_shape: tuple[int, ...], n_outputs: int) -> nn.Module:
        """Return the untrained network: input ``(batch, *input_shape)``, output logits."""
        raise NotImplementedError

    # -- parameters -------------------------------------------------------------------------
    def _architecture_params(self) -> dict:
        return {k: v for k, v in self.get_params(deep=False).items() if k not in TRAINING_PARAMS}

    def validate(self) -> None:
        """Raise :class:`AlbenchInputError` naming a bad parameter (called before any work)."""
        _check(
            "optimizer",
            self.optimizer in OPTIMIZERS,
            f"must be one of {', '.join(OPTIMIZERS)}",
            self.optimizer,
        )
        _check("lr", _is_num(self.lr, 0.0, low_open=True), "must be a number > 0", self.lr)
        _check("momentum", _is_num(self.momentum, 0.0, 1.0), "must be a number in [0, 1]", self.momentum)
        _check("weight_decay", _is_num(self.weight_decay, 0.0), "must be a number >= 0", self.weight_decay)
        _check(
            "weight_decay_scaling",
            self.weight_decay_scaling in DECAY_SCALINGS,
            f"must be one of {', '.join(DECAY_SCALINGS)}",
            self.weight_decay_scaling,
        )
        _check(
            "weight_decay_layers",
            self.weight_decay_layers in DECAY_LAYERS,
            f"must be one of {', '.join(DECAY_LAYERS)}",
            self.weight_decay_layers,
        )
        _check("init", self.init in INIT_SCHEMES, f"must be one of {', '.join(INIT_SCHEMES)}", self.init)
        _check("epochs", _is_int(self.epochs, 1), "must be an integer >= 1", self.epochs)
        _check("batch_size", _is_int(self.batch_size, 1), "must be an integer >= 1", self.batch_size)
        _check(
            "early_stopping",
            isinstance(self.early_stopping, bool),
            "must be true or false",
            self.early_stopping,
        )
        _check(
            "validation_fraction",
            _is_num(self.validation_fraction, 0.0, 0.9, low_open=True),
            "must be a number in (0, 0.9]",
            self.validation_fraction,
        )
        _check("patience", _is_int(self.patience, 1), "must be an integer >= 1", self.patience)
        _check("ensemble", _is_int(self.ensemble, 1), "must be an integer >= 1", self.ensemble)
        _check("num_threads", _is_int(self.num_threads, 1), "must be an integer >= 1", self.num_threads)
        _check("warm_start", isinstance(self.warm_start, bool), "must be true or false", self.warm_start)
        _check(
            "predict_batch_size",
            _is_int(self.predict_batch_size, 1),
            "must be an integer >= 1",
            self.predict_batch_size,
        )
        resolve_device(self.device, "model parameter device")
        if self.input_shape is not None:
            shape = tuple(self.input_shape)
            _check(
                "input_shape",
                bool(shape) and all(_is_int(v, 1) for v in shape),
                "must be positive integers",
                shape,
            )
        if self.n_outputs is not None:
            _check("n_outputs", _is_int(self.n_outputs, 2), "must be an integer >= 2", self.n_outputs)

    def _settings(self) -> TrainingSettings:
        return TrainingSettings(
            optimizer=self.optimizer,
            lr=float(self.lr),
            momentum=float(self.momentum),
            weight_decay=float(self.weight_decay),
            weight_decay_scaling=self.weight_decay_scaling,
            weight_decay_layers=self.weight_decay_layers,
            batch_size=int(self.batch_size),
            early_stopping=bool(self.early_stopping),
            validation_fraction=float(self.validation_fraction),
            patience=int(self.patience),
        )

    # -- data ---------------------------------------------------------------------------------
    def with_data(
        self,
        n_features: int,
        n_classes: int,
        sample_shape: tuple[int, ...] = (),
        vocab_size: int | None = None,
    ) -> TorchClassifier:
        """Set ``input_shape`` and ``n_outputs`` from the dataset where they are unset; return self.

        ``vocab_size`` (the ``tokens`` pipeline's vocabulary) is taken by text networks
        (:meth:`take_vocabulary`); the others ignore it.

        Raises
        ------
        AlbenchInputError
            When the network's input shape does not fit the data's features.
        """
        if self.input_shape is None:
            self.set_params(input_shape=self.infer_input_shape(n_features, tuple(sample_shape)))
        if self.n_outputs is None:
            self.set_params(n_outputs=int(n_classes))
        self.take_vocabulary(vocab_size)
        self.check_input(n_features)
        return self

    def take_vocabulary(self, vocab_size: int | None) -> None:
        """Size the network's embedding table from the features' vocabulary (text networks)."""

    def infer_input_shape(self, n_features: int, sample_shape: tuple[int, ...]) -> tuple[int, ...]:
        """One sample's shape from the data: the dataset's own shape, else ``(n_features,)``."""
        if sample_shape and int(np.prod(sample_shape)) == n_features:
            return tuple(int(v) for v in sample_shape)
        return (int(n_features),)

    def check_input(self, n_features: int) -> None:
        """Refuse an ``input_shape`` whose size differs from the data's features, or a network that
        cannot take it."""
        shape = tuple(self.input_shape) if self.input_shape is not None else (n_features,)
        if int(np.prod(shape)) != int(n_features):
            raise AlbenchInputError(
                f"model {type(self).__name__}: input_shape = {list(shape)} holds "
                f"{int(np.prod(shape))} values "
                f"but the data have {n_features} features per sample"
            )
        try:
            self.build_module(shape, int(self.n_outputs or 2))
        except (ValueError, RuntimeError) as exc:
            raise AlbenchInputError(
                f"model {type(self).__name__}: the network cannot take input_shape = {list(shape)}: {exc}"
            ) from None

    def _tensor(self, X: Any) -> torch.Tensor:
        X = np.asarray(X, dtype=np.float32)
        shape = self.input_shape_
        if X.ndim != 2 or X.shape[1] != int(np.prod(shape)):
            raise AlbenchInputError(
                f"model {type(self).__name__}: expected {int(np.prod(shape))} features per row, "
                f"got shape {X.shape}"
            )
        return torch.from_numpy(X).reshape(X.shape[0], *shape).to(self.device_)

    # -- fitting ------------------------------------------------------------------------------
    def _new_member(self, member: int, input_shape: tuple[int, ...]) -> nn.Module:
        net = seed_dropout(self.build_module(input_shape, len(self.classes_)))
        bad = has_unseeded_randomness(net)
        if bad:
            raise AlbenchInputError(
                f"model {type(self).__name__}: layers {bad} draw from PyTorch's global generator; use "
                "dropout layers (albench seeds them) instead"
            )
        g = _generator(derive_int(self._seed(), "init", member), "cpu")
        reset_parameters(net, g, scheme=self.init)
        return net.to(self.device_)

    def _seed(self) -> int:
        return 0 if self.random_state is None else int(self.random_state)

    def _start(self, classes: np.ndarray, n_features: int) -> None:
        self.validate()
        self.device_ = resolve_device(self.device, "model parameter device")
        self.classes_ = np.asarray(classes)
        self.n_features_in_ = int(n_features)
        shape = (
            tuple(self.input_shape)
            if self.input_shape is not None
            else self.infer_input_shape(int(n_features), ())
        )
        self.input_shape_ = shape
        with _threads(int(self.num_threads)):
            self.members_ = [self._new_member(m, shape) for m in range(int(self.ensemble))]
        self.optimizers_: list[Any] = [None] * int(self.ensemble)
        self.n_fits_ = 0
        self.n_iter_ = 0

    def _encode(self, y: Any) -> np.ndarray:
        y = np.asarray(y)
        pos = np.searchsorted(self.classes_, y)
        pos = np.clip(pos, 0, len(self.classes_) - 1)
        if not np.array_equal(self.classes_[pos], y):
            unknown = sorted(set(np.asarray(y).tolist()) - set(self.classes_.tolist()))[:5]
            raise AlbenchInputError(
                f"model {type(self).__name__}: labels {unknown} are not among its classes"
            )
        return pos.astype(np.int64)

    def _classes_for(self, y: np.ndarray) -> np.ndarray:
        if self.n_outputs is not None:
            return np.arange(int(self.n_outputs))
        return np.unique(y)

    def _train(self, X: Any, y_enc: np.ndarray, epochs: int, keep_optimizer: bool) -> None:
        s = self._settings()
        Xt = self._tensor(X)
        yt = torch.from_numpy(y_enc).to(self.device_)
        ran = 0
        with _threads(int(self.num_threads)):
            for m, net in enumerate(self.members_):
                seed = self._seed()
                shuffle = _generator(derive_int(seed, "shuffle", m, self.n_fits_), "cpu")
                split = _generator(derive_int(seed, "split", m, self.n_fits_), "cpu")
                set_dropout_generator(
                    net, _generator(derive_int(seed, "dropout", m, self.n_fits_), self.device_)
                )
                opt, ran = train_network(
                    net, Xt, yt, epochs, s, shuffle, split, self.optimizers_[m] if keep_optimizer else None
                )
                self.optimizers_[m] = opt if keep_optimizer else None
                set_dropout_generator(net, None)
        self.n_fits_ += 1
        self.n_iter_ = ran

    def fit(self, X: Any, y: Any) -> TorchClassifier:
        """Train on ``(X, y)``: fresh weights, or the current ones with ``warm_start``."""
        y = np.asarray(y)
        if not (self.warm_start and hasattr(self, "members_")):
            self._start(self._classes_for(y), np.asarray(X).shape[1])
        self._train(X, self._encode(y), int(self.epochs), keep_optimizer=False)
        return self

    def partial_fit(self, X: Any, y: Any, classes: Any = None) -> TorchClassifier:
        """One pass over ``(X, y)`` from the current weights (the optimiser's state kept).

        ``classes`` (all classes) is needed on the first call unless ``n_outputs`` is set.
        """
        y = np.asarray(y)
        if not hasattr(self, "members_"):
            if classes is None and self.n_outputs is None:
                raise ValueError("classes must be passed on the first call to partial_fit")
            self._start(
                np.arange(int(self.n_outputs)) if self.n_outputs is not None else np.asarray(classes),
                np.asarray(X).shape[1],
            )
        self._train(X, self._encode(y), 1, keep_optimizer=True)
        return self

    # -- prediction ---------------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "members_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError(f"{type(self).__name__} is not fitted yet; call fit first")

    def _chunks(self, n: int, per_row: int = 1) -> Iterator[slice]:
        step = max(1, min(int(self.predict_batch_size), _MC_CHUNK_FLOATS // max(per_row, 1)))
        for start in range(0, n, step):
            yield slice(start, min(n, start + step))

    def _member_proba(self, net: nn.Module, Xt: torch.Tensor) -> np.ndarray:
        net.eval()
        set_mc_dropout(net, False)
        out = np.empty((Xt.shape[0], len(self.classes_)), dtype=np.float64)
        with torch.no_grad():
            for sl in self._chunks(Xt.shape[0]):
                out[sl] = torch.softmax(net(Xt[sl]), dim=1).double().cpu().numpy()
        return out

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (dropout off; the members' mean for an ensemble)."""
        self._check_fitted()
        with _threads(int(self.num_threads)):
            Xt = self._tensor(X)
            probs = [self._member_proba(net, Xt) for net in self.members_]
        return probs[0] if len(probs) == 1 else np.mean(probs, axis=0)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def predict_proba_samples(self, X: Any, n_samples: int, random_state: int = 0) -> np.ndarray:
        """Posterior samples, shape ``(T, n_rows, n_classes)``.

        An ensemble returns its members' probabilities (``T`` = members). A single network
        returns ``n_samples`` Monte-Carlo dropout passes: only the dropout layers sample (masks
        from a generator seeded by ``random_state``), every other layer (BatchNorm included)
        stays in evaluation mode, and the deterministic part before the first dropout layer
        runs once per row, not ``T`` times; the values equal ``T`` full passes drawing the same
        masks (:meth:`predict_proba_samples_full`).
        """
        self._check_fitted()
        if len(self.members_) > 1:
            with _threads(int(self.num_threads)):
                Xt = self._tensor(X)
                return np.stack([self._member_proba(net, Xt) for net in self.members_])
        return self._mc_samples(X, int(n_samples), random_state, prefix_once=True)

    def predict_proba_samples_full(self, X: Any, n_samples: int, random_state: int = 0) -> np.ndarray:
        """Monte-Carlo dropout by ``T`` full forward passes (the reference the fast path equals)."""
        self._check_fitted()
        return self._mc_samples(X, int(n_samples), random_state, prefix_once=False)

    def _mc_samples(self, X: Any, T: int, random_state: int, prefix_once: bool) -> np.ndarray:
        if T < 1:
            raise AlbenchInputError(f"n_samples = {T}: must be an integer >= 1")
        net = self.members_[0]
        prefix, suffix = split_at_first_dropout(net) if prefix_once else (None, net)
        if suffix is None:  # no dropout layer: every sample is the same prediction
            with _threads(int(self.num_threads)):
                p = self._member_proba(net, self._tensor(X))
            return np.broadcast_to(p, (T, *p.shape)).copy()
        with _threads(int(self.num_threads)):
            Xt = self._tensor(X)
            net.eval()
            set_dropout_generator(net, _generator(int(random_state), self.device_))
            set_mc_dropout(net, True)
            out = np.empty((T, Xt.shape[0], len(self.classes_)), dtype=np.float64)
            try:
                with torch.no_grad():
                    for sl in self._chunks(Xt.shape[0]):
                        h = prefix(Xt[sl]) if prefix is not None else Xt[sl]
                        for t in range(T):
                            out[t, sl] = torch.softmax(suffix(h), dim=1).double().cpu().numpy()
            finally:
                set_mc_dropout(net, False)
                set_dropout_generator(net, None)
        return out

    def embed(self, X: Any) -> np.ndarray:
        """Penultimate-layer features (the input of the output layer), dropout off; member 0 of an
        ensemble."""
        self._check_fitted()
        net = self.members_[0]
        body = penultimate(net)
        with _threads(int(self.num_threads)):
            Xt = self._tensor(X)
            net.eval()
            set_mc_dropout(net, False)
            parts = []
            with torch.no_grad():
                for sl in self._chunks(Xt.shape[0]):
                    parts.append(torch.flatten(body(Xt[sl]), 1).double().cpu().numpy())
        return np.concatenate(parts) if parts else np.empty((0, 0))


def split_at_first_dropout(net: nn.Module) -> tuple[nn.Module | None, nn.Module | None]:
    """``(prefix, suffix)`` of a ``nn.Sequential`` at its first dropout layer.

    ``prefix`` is deterministic (no dropout inside it); ``(None, net)`` when the network is not
    a ``Sequential`` whose dropout layers are direct children (then every pass runs the whole
    network); ``(net, None)`` when it has no dropout layer.
    """
    if not isinstance(net, nn.Sequential):
        return None, net
    children = list(net)
    for i, m in enumerate(children):
        if isinstance(m, SeededDropout):
            if any(isinstance(d, SeededDropout) for c in children[:i] for d in c.modules()):
                return None, net
            return (nn.Sequential(*children[:i]) if i else None), nn.Sequential(*children[i:])
        if any(isinstance(d, SeededDropout) for d in m.modules()):
            return None, net  # dropout nested inside a block: no deterministic prefix to split off
    return net, None


def penultimate(net: nn.Module) -> Callable[[torch.Tensor], torch.Tensor]:
    """The part of ``net`` that computes the output layer's input.

    A ``nn.Sequential`` ending in ``nn.Linear``: everything before it. Another module: its
    ``embed`` method.

    Raises
    ------
    AlbenchInputError
        When neither applies.
    """
    if isinstance(net, nn.Sequential) and isinstance(net[-1], nn.Linear):
        return nn.Sequential(*list(net)[:-1])
    if callable(getattr(net, "embed", None)):
        return net.embed
    raise AlbenchInputError(
        f"network {type(net).__name__} exposes no embeddings: make it an nn.Sequential ending in nn.Linear, "
        "or give it a method embed(x) returning the output layer's input"
    )


class TorchMLP(TorchClassifier):
    """A multi-layer perceptron (:func:`~albench.models.nets.architectures.mlp`).

    Parameters
    ----------
    hidden_sizes : tuple of int
        Units of each hidden layer.
    dropout : float
        Dropout after each hidden layer.
    (training parameters): see :class:`TorchClassifier`.
    """

    def __init__(
        self,
        hidden_sizes: tuple[int, ...] = (128,),
        dropout: float = 0.5,
        optimizer: str = "adam",
        lr: float = 1e-3,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        weight_decay_scaling: str = "none",
        weight_decay_layers: str = "all",
        epochs: int = 50,
        batch_size: int = 64,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        patience: int = 5,
        init: str = "pytorch",
        ensemble: int = 1,
        device: str = "cpu",
        num_threads: int = 1,
        warm_start: bool = False,
        predict_batch_size: int = 1024,
        input_shape: tuple[int, ...] | None = None,
        n_outputs: int | None = None,
        random_state: int | None = None,
    ) -> None:
        self.hidden_sizes = hidden_sizes
        self.dropout = dropout
        _store_training(self, locals())

    def validate(self) -> None:
        super().validate()
        sizes = self.hidden_sizes
        _check(
            "hidden_sizes",
            isinstance(sizes, (list, tuple)) and all(_is_int(h, 1) for h in sizes),
            "must be a list of integers >= 1",
            sizes,
        )
        _check("dropout", _is_num(self.dropout, 0.0, 0.95), "must be a number in [0, 0.95]", self.dropout)

    def build_module(self, input_shape: tuple[int, ...], n_outputs: int) -> nn.Module:
        return architectures.mlp(
            int(np.prod(input_shape)), n_outputs, tuple(self.hidden_sizes), float(self.dropout)
        )


class TorchCNN(TorchClassifier):
    """Gal, Islam & Ghahramani (ICML 2017)'s convolutional network (:func:`~.architectures.gal_cnn`).

    Defaults are the paper's: 32 filters of 4x4, 2x2 max-pooling, dropout 0.25, dense 128,
    dropout 0.5. The input shape comes from the dataset (images keep their shape; a square
    number of features is read as a one-channel square image).
    """

    def __init__(
        self,
        filters: int = 32,
        kernel_size: int = 4,
        pool_size: int = 2,
        dense: int = 128,
        dropout_conv: float = 0.25,
        dropout_dense: float = 0.5,
        optimizer: str = "adam",
        lr: float = 1e-3,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        weight_decay_scaling: str = "none",
        weight_decay_layers: str = "all",
        epochs: int = 50,
        batch_size: int = 128,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        patience: int = 5,
        init: str = "pytorch",
        ensemble: int = 1,
        device: str = "cpu",
        num_threads: int = 1,
        warm_start: bool = False,
        predict_batch_size: int = 1024,
        input_shape: tuple[int, ...] | None = None,
        n_outputs: int | None = None,
        random_state: int | None = None,
    ) -> None:
        self.filters = filters
        self.kernel_size = kernel_size
        self.pool_size = pool_size
        self.dense = dense
        self.dropout_conv = dropout_conv
        self.dropout_dense = dropout_dense
        _store_training(self, locals())

    def validate(self) -> None:
        super().validate()
        for name in ("filters", "kernel_size", "pool_size", "dense"):
            _check(name, _is_int(getattr(self, name), 1), "must be an integer >= 1", getattr(self, name))
        for name in ("dropout_conv", "dropout_dense"):
            _check(
                name,
                _is_num(getattr(self, name), 0.0, 0.95),
                "must be a number in [0, 0.95]",
                getattr(self, name),
            )

    def infer_input_shape(self, n_features: int, sample_shape: tuple[int, ...]) -> tuple[int, ...]:
        if sample_shape and len(sample_shape) == 3 and int(np.prod(sample_shape)) == n_features:
            return tuple(int(v) for v in sample_shape)
        square = architectures.square_image_shape(n_features)
        if square is None:
            raise AlbenchInputError(
                f"model torch_cnn: the data have {n_features} features per sample and no image shape; "
                "set input_shape = [channels, height, width] or use an image dataset"
            )
        return square

    def build_module(self, input_shape: tuple[int, ...], n_outputs: int) -> nn.Module:
        if len(input_shape) != 3:
            raise ValueError(f"a CNN needs input_shape [channels, height, width], got {list(input_shape)}")
        return architectures.gal_cnn(
            input_shape,
            n_outputs,
            int(self.filters),
            int(self.kernel_size),
            int(self.pool_size),
            int(self.dense),
            float(self.dropout_conv),
            float(self.dropout_dense),
        )


class TorchTextCNN(TorchClassifier):
    """Kim (EMNLP 2014)'s CNN for sentence classification on token ids (:func:`~.architectures.kim_cnn`).

    Takes the ``tokens`` feature pipeline's output; ``vocab_size`` comes from its vocabulary
    (fitted on the training rows). Defaults are the paper's architecture ("CNN-rand": window
    widths 3, 4, 5 of 100 filters, dropout 0.5, mini-batches of 50) with Adam in place of
    Adadelta and 128-dimensional embeddings learned from scratch.
    """

    needs_features = "tokens"

    def __init__(
        self,
        vocab_size: int | None = None,
        embedding_dim: int = 128,
        widths: tuple[int, ...] = (3, 4, 5),
        filters: int = 100,
        dropout: float = 0.5,
        optimizer: str = "adam",
        lr: float = 1e-3,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        weight_decay_scaling: str = "none",
        weight_decay_layers: str = "all",
        epochs: int = 20,
        batch_size: int = 50,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        patience: int = 5,
        init: str = "pytorch",
        ensemble: int = 1,
        device: str = "cpu",
        num_threads: int = 1,
        warm_start: bool = False,
        predict_batch_size: int = 1024,
        input_shape: tuple[int, ...] | None = None,
        n_outputs: int | None = None,
        random_state: int | None = None,
    ) -> None:
        self.vocab_size = vocab_size
        self.embedding_dim = embedding_dim
        self.widths = widths
        self.filters = filters
        self.dropout = dropout
        _store_training(self, locals())

    def validate(self) -> None:
        super().validate()
        for name in ("embedding_dim", "filters"):
            _check(name, _is_int(getattr(self, name), 1), "must be an integer >= 1", getattr(self, name))
        if self.vocab_size is not None:
            _check("vocab_size", _is_int(self.vocab_size, 3), "must be an integer >= 3", self.vocab_size)
        widths = self.widths
        _check(
            "widths",
            isinstance(widths, (list, tuple)) and bool(widths) and all(_is_int(w, 1) for w in widths),
            "must be a non-empty list of integers >= 1",
            widths,
        )
        _check("dropout", _is_num(self.dropout, 0.0, 0.95), "must be a number in [0, 0.95]", self.dropout)

    def take_vocabulary(self, vocab_size: int | None) -> None:
        if self.vocab_size is None and vocab_size is not None:
            self.set_params(vocab_size=int(vocab_size))

    def infer_input_shape(self, n_features: int, sample_shape: tuple[int, ...]) -> tuple[int, ...]:
        return (int(n_features),)

    def _tensor(self, X: Any) -> torch.Tensor:
        """The token ids of a fit or prediction, their range checked once on the whole input
        (a per-mini-batch check would cost a device synchronisation every step)."""
        ids = np.asarray(X)
        low, high = (int(ids.min()), int(ids.max())) if ids.size else (0, 0)
        if low < 0 or high >= int(self.vocab_size):
            raise ValueError(
                f"token ids must lie in [0, {int(self.vocab_size)}); got [{low}, {high}] "
                "(the features are not the 'tokens' pipeline's or vocab_size is too small)"
            )
        return super()._tensor(X)

    def build_module(self, input_shape: tuple[int, ...], n_outputs: int) -> nn.Module:
        if self.vocab_size is None:
            raise AlbenchInputError(
                "model torch_text_cnn: no vocabulary: give the dataset features = 'tokens' "
                "(or set vocab_size)"
            )
        return architectures.kim_cnn(
            input_shape,
            n_outputs,
            int(self.vocab_size),
            int(self.embedding_dim),
            tuple(int(w) for w in self.widths),
            int(self.filters),
            float(self.dropout),
        )


class TorchAudioCNN(TorchClassifier):
    """A two-block CNN with BatchNorm for log-mel spectrograms or MFCCs
    (:func:`~.architectures.spectrogram_cnn`).

    Takes the ``logmel`` or ``mfcc`` feature pipeline's output, shaped ``(1, bands, frames)``.
    """

    def __init__(
        self,
        filters: int = 16,
        dense: int = 128,
        batch_norm: bool = True,
        dropout_conv: float = 0.25,
        dropout_dense: float = 0.5,
        optimizer: str = "adam",
        lr: float = 1e-3,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        weight_decay_scaling: str = "none",
        weight_decay_layers: str = "all",
        epochs: int = 30,
        batch_size: int = 64,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        patience: int = 5,
        init: str = "pytorch",
        ensemble: int = 1,
        device: str = "cpu",
        num_threads: int = 1,
        warm_start: bool = False,
        predict_batch_size: int = 1024,
        input_shape: tuple[int, ...] | None = None,
        n_outputs: int | None = None,
        random_state: int | None = None,
    ) -> None:
        self.filters = filters
        self.dense = dense
        self.batch_norm = batch_norm
        self.dropout_conv = dropout_conv
        self.dropout_dense = dropout_dense
        _store_training(self, locals())

    def validate(self) -> None:
        super().validate()
        for name in ("filters", "dense"):
            _check(name, _is_int(getattr(self, name), 1), "must be an integer >= 1", getattr(self, name))
        _check("batch_norm", isinstance(self.batch_norm, bool), "must be true or false", self.batch_norm)
        for name in ("dropout_conv", "dropout_dense"):
            _check(
                name,
                _is_num(getattr(self, name), 0.0, 0.95),
                "must be a number in [0, 0.95]",
                getattr(self, name),
            )

    def infer_input_shape(self, n_features: int, sample_shape: tuple[int, ...]) -> tuple[int, ...]:
        if sample_shape and len(sample_shape) == 3 and int(np.prod(sample_shape)) == n_features:
            return tuple(int(v) for v in sample_shape)
        raise AlbenchInputError(
            f"model torch_audio_cnn: the data have {n_features} features per sample and no spectrogram "
            "shape; give the dataset features = 'logmel' or 'mfcc' (or set input_shape = [1, bands, frames])"
        )

    def build_module(self, input_shape: tuple[int, ...], n_outputs: int) -> nn.Module:
        return architectures.spectrogram_cnn(
            input_shape,
            n_outputs,
            int(self.filters),
            int(self.dense),
            bool(self.batch_norm),
            float(self.dropout_conv),
            float(self.dropout_dense),
        )


class NetClassifier(TorchClassifier):
    """A researcher's own network: ``module(input_shape, n_classes, **module_params) -> nn.Module``.

    Register one with :func:`albench.models.nets_registry.register_network`. The module's
    forward returns logits; for embeddings it is an ``nn.Sequential`` ending in ``nn.Linear`` or
    has an ``embed(x)`` method; its dropout layers (``nn.Dropout*``) are replaced by seeded ones.
    """

    def __init__(
        self,
        module: Callable[..., nn.Module] | None = None,
        module_params: dict | None = None,
        optimizer: str = "adam",
        lr: float = 1e-3,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        weight_decay_scaling: str = "none",
        weight_decay_layers: str = "all",
        epochs: int = 20,
        batch_size: int = 64,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        patience: int = 5,
        init: str = "pytorch",
        ensemble: int = 1,
        device: str = "cpu",
        num_threads: int = 1,
        warm_start: bool = False,
        predict_batch_size: int = 1024,
        input_shape: tuple[int, ...] | None = None,
        n_outputs: int | None = None,
        random_state: int | None = None,
    ) -> None:
        self.module = module
        self.module_params = module_params
        _store_training(self, locals())

    def validate(self) -> None:
        super().validate()
        _check("module", callable(self.module), "must be a function building a torch.nn.Module", self.module)

    def take_vocabulary(self, vocab_size: int | None) -> None:
        """A build function with a ``vocab_size`` parameter gets the features' vocabulary unless
        the config sets it."""
        params = dict(self.module_params or {})
        if (
            vocab_size is not None
            and "vocab_size" in module_parameters(self.module)
            and "vocab_size" not in params
        ):
            self.set_params(module_params={**params, "vocab_size": int(vocab_size)})

    def build_module(self, input_shape: tuple[int, ...], n_outputs: int) -> nn.Module:
        net = self.module(tuple(input_shape), int(n_outputs), **(self.module_params or {}))
        if not isinstance(net, nn.Module):
            raise AlbenchInputError(
                f"network {getattr(self.module, '__name__', self.module)!r} returned {type(net).__name__}, "
                "not a torch.nn.Module"
            )
        return net


def _store_training(est: TorchClassifier, values: dict) -> None:
    for name in TRAINING_PARAMS:
        setattr(est, name, values[name])


def module_parameters(build: Callable[..., nn.Module]) -> list[str]:
    """Keyword parameters of a network-building function after ``(input_shape, n_classes)``."""
    params = list(inspect.signature(build).parameters.values())[2:]
    return [p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
