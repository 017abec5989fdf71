import pytest

from albench.errors import AlbenchInputError
from albench.registry import DATASETS, MODELS, STRATEGIES, Registry


def test_register_get_and_list():
    reg = Registry("widget")

    @reg.register("spinner", description="spins", reference="Doe 2020")
    def spinner():
        return 1

    assert reg.get("spinner").obj is spinner
    assert reg.get("spinner").reference == "Doe 2020"
    assert reg.names() == ["spinner"]
    assert "spinner" in reg and len(reg) == 1


def test_unknown_name_lists_registered_and_suggests_closest():
    with pytest.raises(AlbenchInputError) as exc:
        STRATEGIES.get("entropi", field="grid.strategies[0]")
    msg = str(exc.value)
    assert "grid.strategies[0] = 'entropi'" in msg
    assert "Did you mean 'entropy'?" in msg
    for name in STRATEGIES.names():
        assert name in msg


def test_second_registration_of_a_name_is_an_error():
    reg = Registry("widget")
    reg.add("a", object(), description="first")
    with pytest.raises(AlbenchInputError, match="already registered"):
        reg.add("a", object(), description="second")


def test_unavailable_entry_reports_its_reason():
    reg = Registry("widget")
    reg.mark_unavailable("gpu_thing", "needs torch")
    with pytest.raises(AlbenchInputError, match="unavailable on this machine: needs torch"):
        reg.get("gpu_thing")


def test_builtins_are_registered():
    assert {
        "iris",
        "wine",
        "breast_cancer",
        "digits",
        "make_classification",
        "moons",
        "circles",
        "checkerboard",
        "imbalanced",
    } <= set(DATASETS.names())
    assert {
        "logistic_regression",
        "linear_svm",
        "rbf_svm",
        "random_forest",
        "knn",
        "gaussian_nb",
        "mlp",
    } <= set(MODELS.names())
    assert {"random", "least_confident", "margin", "entropy"} <= set(STRATEGIES.names())
    for entry in [*DATASETS, *MODELS, *STRATEGIES]:
        assert entry.description
