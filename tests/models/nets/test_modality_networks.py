"""The text network (Kim 2014's CNN on token ids) and the spectrogram CNN: their layers as the
paper and the docstring describe them, seeded, Monte-Carlo samples exact, sized from the data."""

import numpy as np
import pytest
import torch
from torch import nn

from albench.errors import AlbenchInputError
from albench.models import build_model
from albench.models.nets.architectures import MaxOverTimeConvolutions, TokenEmbedding


@pytest.fixture(scope="module")
def token_data():
    """Texts of 20 ids from a vocabulary of 50 whose class is whether id 7 occurs anywhere."""
    rng = np.random.default_rng(0)
    X = rng.integers(2, 50, (240, 20))
    y = rng.integers(0, 2, 240)
    for i in np.flatnonzero(y == 1):
        X[i, rng.integers(0, 15)] = 7
    X[y == 0] = np.where(X[y == 0] == 7, 8, X[y == 0])
    X[:, 15:] = 0  # padding at the end, as the tokens pipeline writes it
    return X.astype(float), y


def _text(**params):
    return build_model("torch_text_cnn", {"epochs": 15, "filters": 16, "embedding_dim": 16, **params}, 3)


def test_text_cnn_is_kims_architecture_sized_from_the_vocabulary(token_data):
    X, y = token_data
    m = _text().with_data(20, 2, (20,), vocab_size=50)
    assert m.vocab_size == 50 and m.input_shape == (20,)
    net = m.fit(X, y).members_[0]
    emb, convs, drop, out = list(net)
    assert isinstance(emb, TokenEmbedding) and emb.embedding.num_embeddings == 50
    assert torch.equal(emb.embedding.weight[0], torch.zeros(16))  # padding embeds to zeros
    assert isinstance(convs, MaxOverTimeConvolutions)
    assert [c.kernel_size[0] for c in convs.convs] == [3, 4, 5]
    assert out.in_features == 3 * 16 and out.out_features == 2
    assert drop.p == 0.5
    # learns a position-free feature (a token anywhere in the text): max-over-time pooling's job
    assert (m.predict(X) == y).mean() > 0.9


def test_max_over_time_pooling_by_hand():
    layer = MaxOverTimeConvolutions(channels=2, widths=(2,), filters=1)
    with torch.no_grad():
        layer.convs[0].weight.copy_(torch.tensor([[[1.0, 0.0], [0.0, -1.0]]]))
        layer.convs[0].bias.zero_()
    x = torch.tensor([[[1.0, 5.0, 2.0, 0.0], [3.0, 1.0, 4.0, 1.0]]])  # (batch, channels, length)
    # windows: 1 - 1 = 0, 5 - 4 = 1, 2 - 1 = 1 -> ReLU -> max = 1
    assert layer(x).tolist() == [[1.0]]


def test_text_cnn_seeded_mc_exact_and_embeddings(token_data):
    X, y = token_data
    a = _text().with_data(20, 2, (20,), 50).fit(X, y)
    torch.manual_seed(99)
    b = _text().with_data(20, 2, (20,), 50).fit(X, y)
    assert np.array_equal(a.predict_proba(X), b.predict_proba(X))
    fast = a.predict_proba_samples(X, 6, random_state=1)
    assert np.array_equal(fast, a.predict_proba_samples_full(X, 6, random_state=1))
    assert not np.array_equal(fast[0], fast[1])
    assert a.embed(X).shape == (240, 48)


def test_text_cnn_refuses_ids_outside_the_vocabulary_and_missing_vocabulary(token_data):
    X, y = token_data
    m = _text().with_data(20, 2, (20,), vocab_size=10)
    with pytest.raises(ValueError, match=r"token ids must lie in \[0, 10\)"):
        m.fit(X, y)
    with pytest.raises(AlbenchInputError, match="features = 'tokens'"):
        _text().with_data(20, 2, (20,), None)
    with pytest.raises(AlbenchInputError, match="wider than the 4 token ids"):
        _text().with_data(4, 2, (4,), 50)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"widths": []}, "widths"),
        ({"widths": [3, 0]}, "widths"),
        ({"vocab_size": 2}, "vocab_size"),
        ({"embedding_dim": 0}, "embedding_dim"),
        ({"dropout": 1.0}, "dropout"),
    ],
)
def test_text_cnn_bad_parameters_name_the_field(params, message):
    with pytest.raises(AlbenchInputError, match=message):
        build_model("torch_text_cnn", params, 0)


@pytest.fixture(scope="module")
def spectrograms():
    """(1, 12, 16) 'spectrograms': class k has energy in band rows 4k..4k+3."""
    rng = np.random.default_rng(1)
    y = rng.integers(0, 3, 150)
    S = rng.normal(0, 1, (150, 1, 12, 16))
    for i, k in enumerate(y):
        S[i, 0, 4 * k : 4 * k + 4] += 2.0
    return S.reshape(150, -1), y


def _audio(**params):
    return build_model("torch_audio_cnn", {"epochs": 10, "filters": 4, "dense": 16, **params}, 4)


def test_audio_cnn_layers_and_batchnorm_untouched_by_mc_sampling(spectrograms):
    X, y = spectrograms
    m = _audio().with_data(192, 3, (1, 12, 16)).fit(X, y)
    net = m.members_[0]
    kinds = [type(layer).__name__ for layer in net]
    assert kinds == [
        "Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d",
        "Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d",
        "SeededDropout", "Flatten", "Linear", "ReLU", "SeededDropout", "Linear",
    ]  # fmt: skip
    assert net[10].in_features == 8 * 3 * 4  # 2 x filters channels, 12/4 bands, 16/4 frames
    bns = [layer for layer in net if isinstance(layer, nn.BatchNorm2d)]
    before = [b.running_mean.clone() for b in bns]
    fast = m.predict_proba_samples(X, 5, random_state=2)
    assert all(torch.equal(b.running_mean, v) for b, v in zip(bns, before, strict=True))
    assert np.array_equal(fast, m.predict_proba_samples_full(X, 5, random_state=2))
    assert (m.predict(X) == y).mean() > 0.9


def test_audio_cnn_needs_a_spectrogram_shape():
    with pytest.raises(AlbenchInputError, match="features = 'logmel' or 'mfcc'"):
        _audio().with_data(192, 3, ())
    with pytest.raises(AlbenchInputError, match="too small"):
        _audio().with_data(6, 3, (1, 2, 3))


def test_plugin_network_with_a_vocab_size_parameter_gets_the_vocabulary():
    from albench.models.nets.estimator import NetClassifier

    def bag(input_shape, n_classes, vocab_size=None, dim=8):
        return nn.Sequential(
            TokenEmbedding(vocab_size, dim), nn.Flatten(), nn.Linear(dim * input_shape[0], n_classes)
        )

    m = NetClassifier(module=bag, module_params={"dim": 4}).with_data(10, 2, (10,), vocab_size=33)
    assert m.module_params == {"dim": 4, "vocab_size": 33}
    fixed = NetClassifier(module=bag, module_params={"vocab_size": 40}).with_data(10, 2, (10,), 33)
    assert fixed.module_params == {"vocab_size": 40}  # the config's value wins
