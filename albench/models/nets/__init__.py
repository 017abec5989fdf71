"""Neural networks behind the scikit-learn estimator contract (optional extra ``albench[torch]``).

- :mod:`.estimator`: :class:`TorchClassifier`, the wrapper the loop uses (``fit``,
  ``partial_fit``, ``predict_proba``, ``predict_proba_samples``, ``embed``, ``get_params``).
- :mod:`.architectures`: the built-in networks (an MLP; Gal et al.'s CNN), as ``nn.Sequential``.
- :mod:`.layers`: seeded dropout (masks drawn from an explicit ``torch.Generator``).
- :mod:`.init`: weight initialisation from an explicit generator (PyTorch's defaults).
- :mod:`.training`: the mini-batch training loop (optimiser, epochs, early stopping).
- :mod:`.device`: ``device = "auto" | "cpu" | "cuda"`` resolved and checked.

Importing this package imports PyTorch; :mod:`albench.models.nets_registry` registers the
models without importing it.
"""
