"""The network estimators: reproducible, seeded only by random_state, scikit-learn's contract."""

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import load_digits
from torch import nn

from albench.errors import AlbenchInputError
from albench.models import build_model
from albench.models.nets.estimator import TorchMLP, penultimate, split_at_first_dropout
from albench.models.nets.training import TrainingDiverged, make_optimizer


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:300] / 16.0, y[:300]


def _cnn(**params):
    return build_model("torch_cnn", {"epochs": 3, "dense": 32, "filters": 8, **params}, random_state=5)


def _mlp(**params):
    return build_model("torch_mlp", {"epochs": 5, "hidden_sizes": [32], **params}, random_state=5)


def _weights(model):
    return [p.detach().clone() for p in model.members_[0].parameters()]


def test_same_seed_same_network_whatever_the_global_generator(digits):
    X, y = digits
    torch.manual_seed(0)
    a = _cnn().fit(X[:100], y[:100]).predict_proba(X)
    torch.manual_seed(12345)
    np.random.seed(1)  # noqa: NPY002 - the legacy global generator is what must not matter
    b = _cnn().fit(X[:100], y[:100]).predict_proba(X)
    assert np.array_equal(a, b)
    c = build_model("torch_cnn", {"epochs": 3, "dense": 32, "filters": 8}, random_state=6).fit(
        X[:100], y[:100]
    )
    assert not np.array_equal(a, c.predict_proba(X))


def test_square_features_read_as_an_image_and_probabilities_sum_to_one(digits):
    X, y = digits
    m = _cnn().fit(X[:100], y[:100])
    assert m.input_shape_ == (1, 8, 8)
    p = m.predict_proba(X)
    assert p.shape == (300, 10) and np.allclose(p.sum(axis=1), 1.0)
    assert np.array_equal(m.predict(X), m.classes_[p.argmax(axis=1)])


def test_outputs_follow_the_dataset_classes_not_the_labels_seen(digits):
    X, y = digits
    keep = y < 5
    m = _mlp().with_data(64, 10).fit(X[keep][:60], y[keep][:60])
    assert m.predict_proba(X).shape == (300, 10)
    assert list(m.classes_) == list(range(10))


def test_mc_dropout_prefix_once_equals_full_passes_and_runs_the_prefix_once(digits):
    X, y = digits
    m = _cnn(predict_batch_size=64).fit(X[:100], y[:100])
    calls = []
    handle = m.members_[0][0].register_forward_hook(lambda *a: calls.append(1))
    fast = m.predict_proba_samples(X, 7, random_state=3)
    prefix_calls = len(calls)
    calls.clear()
    full = m.predict_proba_samples_full(X, 7, random_state=3)
    handle.remove()
    assert fast.shape == (7, 300, 10)
    assert np.array_equal(fast, full)  # the same values, bit for bit
    assert prefix_calls == 5 and len(calls) == 5 * 7  # 300 rows in chunks of 64: once, not T times
    again = m.predict_proba_samples(X, 7, random_state=3)
    other = m.predict_proba_samples(X, 7, random_state=4)
    assert np.array_equal(fast, again) and not np.array_equal(fast, other)
    assert not np.array_equal(fast[0], fast[1])  # the samples differ from one another
    assert np.allclose(fast.sum(axis=2), 1.0)


def test_mc_sampling_keeps_batchnorm_in_evaluation_mode(digits):
    X, y = digits

    def with_bn(input_shape, n_classes):
        return nn.Sequential(
            nn.Flatten(),
            nn.Linear(64, 16),
            nn.BatchNorm1d(16),
            nn.ReLU(),
            nn.Dropout(0.5),
            nn.Linear(16, n_classes),
        )

    from albench.models.nets.estimator import NetClassifier

    m = NetClassifier(module=with_bn, epochs=2, random_state=0).fit(X[:100], y[:100])
    bn = m.members_[0][2]
    before = (bn.running_mean.clone(), bn.running_var.clone())
    s = m.predict_proba_samples(X, 5, random_state=0)
    assert torch.equal(bn.running_mean, before[0]) and torch.equal(bn.running_var, before[1])
    assert not bn.training
    # the samples differ only through dropout: with the dropout layer at p = 0 they would all agree
    assert not np.array_equal(s[0], s[1])


def test_ensemble_members_are_the_posterior_samples(digits):
    X, y = digits
    m = _mlp(ensemble=3).fit(X[:100], y[:100])
    s = m.predict_proba_samples(X, 20, random_state=0)
    assert s.shape == (3, 300, 10)
    assert np.allclose(s.mean(axis=0), m.predict_proba(X))
    assert not np.array_equal(s[0], s[1])


def test_embeddings_are_the_output_layers_input(digits):
    X, y = digits
    m = _mlp().fit(X[:100], y[:100])
    emb = m.embed(X)
    assert emb.shape == (300, 32)
    net = m.members_[0]
    with torch.no_grad():
        logits = net[-1](torch.as_tensor(emb, dtype=torch.float32))
    assert np.allclose(torch.softmax(logits, 1).numpy(), m.predict_proba(X), atol=1e-5)


def test_split_and_penultimate_on_the_cnn():
    cnn = _cnn().with_data(64, 10)
    net = cnn.build_module((1, 8, 8), 10)
    from albench.models.nets.layers import SeededDropout

    prefix, suffix = split_at_first_dropout(net)
    assert not any(isinstance(m, SeededDropout) for m in prefix.modules())
    assert isinstance(suffix[0], SeededDropout)
    assert isinstance(list(penultimate(net))[-1], SeededDropout)


def test_warm_start_continues_from_the_current_weights(digits):
    X, y = digits
    m = _mlp(warm_start=True, lr=1e-2).fit(X[:100], y[:100])
    first = _weights(m)
    m.set_params(lr=1e-12)
    m.fit(X[:100], y[:100])
    assert all(torch.allclose(a, b, atol=1e-8) for a, b in zip(first, _weights(m), strict=True))
    fresh = _mlp(warm_start=False, lr=1e-12).fit(X[:100], y[:100])  # re-initialised: not the trained weights
    assert not all(torch.allclose(a, b, atol=1e-6) for a, b in zip(first, _weights(fresh), strict=True))


def test_partial_fit_needs_the_classes_then_makes_one_pass(digits):
    X, y = digits
    m = TorchMLP(hidden_sizes=(16,), epochs=50, random_state=0)
    with pytest.raises(ValueError, match="classes"):
        m.partial_fit(X[:20], y[:20])
    m.partial_fit(X[:20], y[:20], classes=np.arange(10))
    assert m.n_iter_ == 1 and m.n_fits_ == 1
    before = _weights(m)
    m.partial_fit(X[20:40], y[20:40])
    assert m.n_fits_ == 2 and not all(torch.equal(a, b) for a, b in zip(before, _weights(m), strict=True))


def test_weight_decay_scaled_by_the_training_set_and_only_on_hidden_dense_layers():
    m = _cnn(weight_decay=7.0, weight_decay_scaling="inverse_n", weight_decay_layers="hidden_dense")
    m = m.with_data(64, 10)
    net = m.build_module((1, 8, 8), 10)
    opt = make_optimizer(net, m._settings(), n_train=70)
    decayed, plain = opt.param_groups
    assert decayed["weight_decay"] == pytest.approx(0.1)  # 7 / 70
    assert [tuple(p.shape) for p in decayed["params"]] == [tuple(net[7].weight.shape)]  # the dense 128 layer
    assert plain["weight_decay"] == 0.0 and len(plain["params"]) == len(list(net.parameters())) - 1


def test_early_stopping_holds_back_part_and_stops(digits):
    X, y = digits
    m = _mlp(epochs=200, early_stopping=True, patience=2, validation_fraction=0.3, lr=0.05).fit(X, y)
    assert 2 < m.n_iter_ < 200


def test_a_diverging_loss_is_an_error_with_the_reason(digits):
    X, y = digits
    with pytest.raises(TrainingDiverged, match="loss became"):
        _mlp(optimizer="sgd", lr=1e30).fit(X[:100] * 1e30, y[:100])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"optimizer": "rmsprop"}, "optimizer = 'rmsprop': must be one of sgd, adam, adamw"),
        ({"lr": 0}, "lr = 0: must be a number > 0"),
        ({"epochs": 0}, "epochs = 0"),
        ({"device": "tpu"}, "device = 'tpu'"),
        ({"weight_decay_scaling": "n"}, "weight_decay_scaling = 'n'"),
    ],
)
def test_bad_parameters_name_the_field(params, message):
    with pytest.raises(AlbenchInputError, match=message.replace("(", r"\(")):
        build_model("torch_mlp", params, random_state=0)


def test_input_shape_that_does_not_fit_the_data_is_refused():
    with pytest.raises(
        AlbenchInputError, match=r"input_shape = \[1, 9, 9\] holds 81 values but the data have 64"
    ):
        _cnn(input_shape=[1, 9, 9]).with_data(64, 10)
    with pytest.raises(AlbenchInputError, match="no image shape"):
        _cnn().with_data(10, 2)
    with pytest.raises(AlbenchInputError, match="cannot take input_shape"):
        _cnn(kernel_size=5).with_data(64, 10)  # 8 -> 4 -> 0 after two 5x5 convolutions


def test_get_params_describe_the_network_and_clone_rebuilds_it(digits):
    X, y = digits
    m = _cnn(lr=0.002)
    params = m.get_params()
    for name in (
        "filters",
        "kernel_size",
        "dense",
        "optimizer",
        "lr",
        "epochs",
        "batch_size",
        "device",
        "num_threads",
    ):
        assert name in params
    assert params["device"] == "cpu"  # "auto" is resolved where the model is built
    a = clone(m).fit(X[:80], y[:80]).predict_proba(X)
    b = clone(m).fit(X[:80], y[:80]).predict_proba(X)
    assert np.array_equal(a, b)


def test_threads_are_pinned_during_calls_and_restored(digits):
    X, y = digits
    before = torch.get_num_threads()
    seen = []
    m = _mlp(num_threads=1)
    m.fit(X[:50], y[:50])
    handle = m.members_[0][1].register_forward_hook(lambda *a: seen.append(torch.get_num_threads()))
    m.predict_proba(X)
    handle.remove()
    assert seen and set(seen) == {1}
    assert torch.get_num_threads() == before
