"""Pure scoring kernels (DESIGN invariant 7): arrays in, scores or indices out.

Convention: a **higher score means more worth querying**. Kernels hold no state, loop over no
samples (only over batch positions, chunks or committee members), and state their cost.
``select_top_k`` turns scores into a batch in O(n).
"""

from albench.strategies.kernels.bayesian import (
    bald_scores,
    batchbald_select,
    expected_entropy,
    mean_probabilities,
    mean_std_scores,
    power_select,
    predictive_entropy_scores,
    variation_ratios_scores,
)
from albench.strategies.kernels.committee import kl_to_consensus_scores, vote_entropy_scores
from albench.strategies.kernels.density import (
    cluster_logistic_proba,
    cluster_prior_em,
    graph_density,
    graph_density_greedy,
    graph_density_select,
    information_density_scores,
    isotropic_mixture_log_density,
    knn_graph,
    mean_cosine_similarity,
    mean_rbf_similarity,
    sq_distances,
)
from albench.strategies.kernels.diversity import (
    gradient_embedding_kmeanspp,
    gradient_residuals,
    k_center_greedy,
    min_distances,
    ranked_batch,
    round_robin,
)
from albench.strategies.kernels.error_reduction import (
    EER_LOSSES,
    expected_error_scores,
    fisher_information,
    newton_future_proba,
    softmax_covariances,
    variance_reduction_scores,
)
from albench.strategies.kernels.hierarchical import (
    Tree,
    best_pruning,
    confidence_bounds,
    node_counts,
    tree_from_children,
)
from albench.strategies.kernels.informative import (
    cluster_quotas,
    nearest_to_centroids,
    quota_top_k,
    within_margin,
)
from albench.strategies.kernels.selection import select_top_k
from albench.strategies.kernels.uncertainty import (
    UNCERTAINTY_MEASURES,
    decision_margin_scores,
    entropy_scores,
    entropy_top_k,
    least_confident_scores,
    margin_scores,
    ratio_scores,
    uncertainty_measure,
)

__all__ = [
    "bald_scores",
    "batchbald_select",
    "expected_entropy",
    "mean_probabilities",
    "mean_std_scores",
    "power_select",
    "predictive_entropy_scores",
    "variation_ratios_scores",
    "Tree",
    "best_pruning",
    "cluster_quotas",
    "confidence_bounds",
    "gradient_residuals",
    "node_counts",
    "round_robin",
    "tree_from_children",
    "EER_LOSSES",
    "UNCERTAINTY_MEASURES",
    "decision_margin_scores",
    "entropy_scores",
    "entropy_top_k",
    "expected_error_scores",
    "fisher_information",
    "gradient_embedding_kmeanspp",
    "cluster_logistic_proba",
    "cluster_prior_em",
    "isotropic_mixture_log_density",
    "graph_density",
    "graph_density_greedy",
    "graph_density_select",
    "information_density_scores",
    "k_center_greedy",
    "kl_to_consensus_scores",
    "knn_graph",
    "least_confident_scores",
    "margin_scores",
    "mean_cosine_similarity",
    "mean_rbf_similarity",
    "min_distances",
    "nearest_to_centroids",
    "newton_future_proba",
    "quota_top_k",
    "ranked_batch",
    "ratio_scores",
    "select_top_k",
    "softmax_covariances",
    "sq_distances",
    "uncertainty_measure",
    "variance_reduction_scores",
    "vote_entropy_scores",
    "within_margin",
]
