"""Models: scikit-learn estimators (:mod:`.sklearn_models`) and neural networks (:mod:`.nets`).

Every model is registered in :data:`albench.registry.MODELS` as a factory
``(random_state, **params) -> estimator``. The neural networks need the optional extra
``albench[torch]``; their factories import PyTorch only when a network is built.
"""

from albench.models import nets_registry as _nets_registry  # noqa: F401  (registers torch_mlp, torch_cnn)
from albench.models.sklearn_models import build_model, built_in_models, resolved_model_params

__all__ = ["build_model", "build_model_for_data", "built_in_models", "resolved_model_params"]


def build_model_for_data(
    spec, random_state: int | None, n_features: int, n_classes: int, sample_shape=(), vocab_size=None
):
    """A cell's unfitted model, built from its spec and fitted to the data's shape.

    A network's ``device`` is the one its spec resolved (the cell key holds it): a cell keyed
    for a GPU fails on a machine without one instead of silently computing CPU rows. A
    network's input shape and output units come from the data (the dataset's sample shape,
    the features' width, the number of classes); other models are built as they are.

    Parameters
    ----------
    spec : ComponentSpec
        The model's spec (``params`` as given, ``resolved`` as keyed).
    random_state : int or None
        The derived model seed.
    n_features, n_classes : int
        Width of the feature rows and classes of the dataset.
    sample_shape : tuple of int
        One sample's shape where the data have one (images, spectrograms), else ``()``.
    vocab_size : int or None
        The vocabulary of a ``tokens`` feature pipeline (sizes a text network's embeddings).
    """
    params = dict(spec.params)
    if "device" in spec.resolved and "device" in params:
        params["device"] = spec.resolved["device"]
    model = build_model(spec.name, params, random_state=random_state)
    if hasattr(model, "with_data"):
        model.with_data(int(n_features), int(n_classes), tuple(sample_shape or ()), vocab_size)
    return model
