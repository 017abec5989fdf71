"""Models: scikit-learn estimators (:mod:`.sklearn_models`) and neural networks (:mod:`.nets`).

Every model is registered in :data:`albench.registry.MODELS` as a factory
``(random_state, **params) -> estimator``. The neural networks need the optional extra
``albench[torch]``; their factories import PyTorch only when a network is built.
"""

from albench.models import nets_registry as _nets_registry  # noqa: F401  (registers torch_mlp, torch_cnn)
from albench.models.sklearn_models import build_model, built_in_models, resolved_model_params

__all__ = ["build_model", "built_in_models", "resolved_model_params"]
