"""Registration of the neural-network models, without importing PyTorch.

The factories import :mod:`albench.models.nets` (and so PyTorch) when a network is built.
Without the extra ``albench[torch]`` the models stay listed, and building one says how to
install it. :func:`register_network` is how a plugin adds its own ``torch.nn.Module``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from albench.errors import AlbenchInputError
from albench.registry import MODELS

INSTALL_HINT = "install the extra: pip install 'albench[torch]'"


def _nets():
    try:
        from albench.models.nets import estimator
    except ImportError as exc:  # torch missing
        raise AlbenchInputError(f"neural network models need PyTorch ({exc}); {INSTALL_HINT}") from None
    return estimator


def _finish(est: Any, field: str = "model") -> Any:
    """Resolve ``device = "auto"`` (the resolved name enters the cell key) and check parameters."""
    from albench.models.nets.device import resolve_device

    est.validate()
    est.set_params(device=resolve_device(est.device, f"{field}.device"))
    return est


def make_torch_mlp(random_state: int | None = None, **params: Any) -> Any:
    """Build :class:`~albench.models.nets.estimator.TorchMLP` for the 'torch_mlp' model."""
    if "hidden_sizes" in params and isinstance(params["hidden_sizes"], list):
        params["hidden_sizes"] = tuple(params["hidden_sizes"])
    return _finish(_nets().TorchMLP(random_state=random_state, **params))


def make_torch_cnn(random_state: int | None = None, **params: Any) -> Any:
    """Build :class:`~albench.models.nets.estimator.TorchCNN` for the 'torch_cnn' model."""
    return _finish(_nets().TorchCNN(random_state=random_state, **params))


def make_torch_text_cnn(random_state: int | None = None, **params: Any) -> Any:
    """Build :class:`~albench.models.nets.estimator.TorchTextCNN` for the 'torch_text_cnn' model."""
    if isinstance(params.get("widths"), list):
        params["widths"] = tuple(params["widths"])
    return _finish(_nets().TorchTextCNN(random_state=random_state, **params))


def make_torch_audio_cnn(random_state: int | None = None, **params: Any) -> Any:
    """Build :class:`~albench.models.nets.estimator.TorchAudioCNN` for the 'torch_audio_cnn' model."""
    return _finish(_nets().TorchAudioCNN(random_state=random_state, **params))


MODELS.add(
    "torch_mlp",
    make_torch_mlp,
    description="PyTorch multi-layer perceptron (hidden_sizes [128], dropout 0.5, adam, 50 epochs; "
    "MC dropout "
    "posterior and embeddings; needs albench[torch])",
    estimator="TorchMLP",
    extra="torch",
)
MODELS.add(
    "torch_cnn",
    make_torch_cnn,
    description="PyTorch CNN of Gal et al. (ICML 2017): 2 x conv 32@4x4, max-pool 2, dropout 0.25, "
    "dense 128, "
    "dropout 0.5 (MC dropout posterior and embeddings; needs albench[torch])",
    reference="Gal, Islam & Ghahramani, ICML 2017",
    estimator="TorchCNN",
    extra="torch",
)

MODELS.add(
    "torch_text_cnn",
    make_torch_text_cnn,
    description="PyTorch CNN for sentences of Kim (EMNLP 2014), on features = 'tokens': embeddings 128, "
    "windows 3/4/5 x 100 filters, max-over-time, dropout 0.5 (MC dropout posterior and embeddings; "
    "needs albench[torch])",
    reference="Kim, EMNLP 2014",
    estimator="TorchTextCNN",
    extra="torch",
)
MODELS.add(
    "torch_audio_cnn",
    make_torch_audio_cnn,
    description="PyTorch CNN for log-mel spectrograms / MFCCs: 2 x (conv 3x3, BatchNorm, ReLU, max-pool 2), "
    "dropout 0.25, dense 128, dropout 0.5 (MC dropout posterior and embeddings; needs albench[torch])",
    estimator="TorchAudioCNN",
    extra="torch",
)


def register_network(
    name: str,
    build: Callable[..., Any],
    *,
    description: str,
    reference: str = "",
    defaults: dict | None = None,
) -> None:
    """Register a researcher's own network as an albench model.

    Parameters
    ----------
    name : str
        The model name used in configs.
    build : callable
        ``build(input_shape, n_classes, **module_params) -> torch.nn.Module`` returning logits.
        ``input_shape`` is one sample's shape (``(n_features,)`` for tables, ``(C, H, W)`` for
        images); its keyword parameters become the model's parameters in the config.
    description, reference : str
        Shown by ``albench list models``.
    defaults : dict, optional
        Training parameters other than albench's defaults (``epochs``, ``lr``, ...).

    Examples
    --------
    In a plugin file::

        from torch import nn
        from albench.models.nets_registry import register_network

        def tiny(input_shape, n_classes, width=32):
            return nn.Sequential(nn.Flatten(), nn.Linear(input_shape[0], width), nn.ReLU(),
                                 nn.Dropout(0.5), nn.Linear(width, n_classes))

        register_network("tiny_net", tiny, description="one hidden layer")
    """
    defaults = dict(defaults or {})

    def factory(random_state: int | None = None, **params: Any) -> Any:
        est = _nets()
        module_names = est.module_parameters(build)
        module_params = {k: params.pop(k) for k in list(params) if k in module_names}
        training = {**defaults, **params}
        unknown = sorted(set(training) - set(est.TRAINING_PARAMS))
        if unknown:
            raise AlbenchInputError(
                f"model {name!r}: unknown parameter(s) {', '.join(unknown)}; network parameters: "
                f"{', '.join(module_names) or '(none)'}; "
                f"training parameters: {', '.join(est.TRAINING_PARAMS[:-3])}"
            )
        return _finish(
            est.NetClassifier(
                module=build, module_params=module_params, random_state=random_state, **training
            )
        )

    factory.__name__ = factory.__qualname__ = f"make_{name}"
    # the factory is the plugin's component: it takes the plugin's origin (its content hash
    # enters the cell keys) and is checked against the built-in names, like any plugin's model
    factory.__module__ = getattr(build, "__module__", None) or factory.__module__
    MODELS.add(
        name, factory, description=description, reference=reference, estimator="NetClassifier", extra="torch"
    )
