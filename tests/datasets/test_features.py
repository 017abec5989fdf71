"""Feature pipelines: what each computes, that fit sees the training rows only, bad parameters."""

from __future__ import annotations

import numpy as np
import pytest

from albench.datasets.base import make_dataset
from albench.datasets.features import MFCC, LogMel, Scale01, Tfidf, Tokens, tokenize
from albench.errors import AlbenchInputError
from albench.featurize import cell_features, parse_features
from albench.registry import FEATURES

TEXTS = [
    "the cat sat",
    "the dog ran",
    "a cat ran home",
    "dogs bark loudly",
    "zebra quagga okapi",  # only in the test rows below
    "the cat ran",
]
TRAIN, TEST = np.array([0, 1, 2, 3, 5]), np.array([4])


def _text_ds():
    return make_dataset("toy", None, [0, 1, 0, 1, 0, 1], raw=TEXTS, modality="text")


def test_builtins_are_registered_with_complete_params():
    assert {"tfidf", "tokens", "logmel", "mfcc", "scale01"} <= set(FEATURES.names())
    for entry in FEATURES:
        pipe = entry.obj()
        assert set(pipe.get_params()) == set(type(pipe)().get_params())
        pipe.validate()


def test_tfidf_vocabulary_comes_from_training_rows_only():
    spec = parse_features(
        {"name": "tfidf", "max_features": None}, "file", {"path": "x.txt", "format": "text_lines"}, "f"
    )
    X_train, X_test, info = cell_features(_text_ds(), spec, TRAIN, TEST)
    pipe = Tfidf(max_features=None).fit(np.asarray(TEXTS, dtype=object)[TRAIN], {})
    vocab = pipe.vectorizer_.vocabulary_
    assert "zebra" not in vocab and "quagga" not in vocab  # words only the test row has
    assert "cat" in vocab and info["vocab_size"] == len(vocab) == X_train.shape[1]
    assert info["modality"] == "text" and info["pipeline"] == "tfidf" and info["sample_shape"] == ()
    # the test row holds no training word: an all-zero row (its words are unknown to the pipeline)
    assert X_test.shape == (1, len(vocab)) and not X_test.any()
    # the idf is that of the 5 training documents: idf("the") = ln((1 + 5) / (1 + 3)) + 1
    assert pipe.vectorizer_.idf_[vocab["the"]] == pytest.approx(np.log(6 / 4) + 1)


def test_tokens_ids_padding_unknown_and_vocabulary():
    pipe = Tokens(max_len=4)
    X = pipe.fit_transform(np.array(["b a b", "c b"], dtype=object), {})
    # counts: b 3, a 1, c 1 -> b=2, then a=3, c=4 (ties alphabetical); 0 pads
    assert pipe.vocabulary_ == {"b": 2, "a": 3, "c": 4}
    np.testing.assert_array_equal(X, [[2, 3, 2, 0], [4, 2, 0, 0]])
    Y = pipe.transform(np.array(["b z a b c d e"], dtype=object))
    np.testing.assert_array_equal(Y, [[2, 1, 3, 2]])  # z unknown -> 1, cropped to 4
    assert pipe.info() == {"sample_shape": (4,), "vocab_size": 5}
    assert tokenize("Don't stop!") == ["don", "'", "t", "stop", "!"]


def test_tokens_in_a_cell_never_learn_test_words():
    spec = parse_features("tokens", "file", {"path": "x.txt", "format": "text_lines"}, "f")
    X_train, X_test, info = cell_features(_text_ds(), spec, TRAIN, TEST)
    assert X_train.dtype == np.int64 and X_train.shape == (5, 64)
    np.testing.assert_array_equal(X_test[0, :3], [1, 1, 1])  # zebra quagga okapi: unknown
    words = {t for i in TRAIN for t in tokenize(TEXTS[i])}
    assert info["vocab_size"] == len(words) + 2


def _audio_ds(n=8, rate=8000):
    rng = np.random.default_rng(0)
    waves = np.empty(n, dtype=object)
    waves[:] = [(rng.normal(size=rng.integers(300, 2000)) * (1 + i)).astype(np.float32) for i in range(n)]
    return make_dataset(
        "beeps", None, [0, 1] * (n // 2), raw=waves, modality="audio", meta={"sample_rate": rate}
    )


@pytest.mark.parametrize("cls", [LogMel, MFCC])
def test_audio_normalisation_statistics_are_those_of_the_training_rows(cls):
    import librosa

    ds = _audio_ds()
    train, test = np.array([0, 1, 2, 3, 4, 5]), np.array([6, 7])
    params = {"n_fft": 128, "hop_length": 64, "n_frames": 12, "n_mels": 16}
    if cls is MFCC:
        params["n_mfcc"] = 8
    pipe = cls(**params)
    X_train = pipe.fit_transform(ds.raw[train], ds.meta)
    X_test = pipe.transform(ds.raw[test])
    n_coef = params.get("n_mfcc", 16)
    assert pipe.info()["sample_shape"] == (1, n_coef, 12)
    assert X_train.shape == (6, n_coef * 12)
    # independently: pad / crop each training recording, librosa per recording, band statistics
    need = 128 + 11 * 64
    frames = []
    for w in ds.raw[train]:
        x = np.zeros(need, dtype=np.float32)
        x[: min(need, w.shape[0])] = w[:need]
        if cls is MFCC:
            c = librosa.feature.mfcc(
                y=x, sr=8000, n_mfcc=8, n_fft=128, hop_length=64, n_mels=16, center=False
            )
        else:
            S = librosa.feature.melspectrogram(
                y=x, sr=8000, n_fft=128, hop_length=64, n_mels=16, center=False
            )
            c = librosa.power_to_db(S, ref=1.0, amin=1e-10)
        frames.append(c[:, :12])
    F = np.stack(frames).astype(np.float64)
    np.testing.assert_allclose(pipe.mean_, F.mean(axis=(0, 2)), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(pipe.std_, F.std(axis=(0, 2)), rtol=1e-4, atol=1e-3)
    # normalised training features: mean 0 and std 1 per band; the test rows' are not
    per_band = X_train.reshape(6, n_coef, 12)
    np.testing.assert_allclose(per_band.mean(axis=(0, 2)), 0, atol=1e-8)
    np.testing.assert_allclose(per_band.std(axis=(0, 2)), 1, atol=1e-8)
    assert not np.allclose(X_test.reshape(2, n_coef, 12).mean(axis=(0, 2)), 0, atol=1e-3)
    # refitting with the test rows added changes the statistics: they really come from the rows given
    other = cls(**params).fit(ds.raw, ds.meta)
    assert not np.allclose(other.mean_, pipe.mean_)


def test_scale01_divides_by_the_training_maximum():
    X = np.array([[0, 100], [50, 200], [255, 10]], dtype=float)
    ds = make_dataset("img", X, [0, 1, 0], modality="image", sample_shape=(1, 1, 2))
    spec = parse_features("scale01", "file", {"path": "x.npz", "format": "image_npz"}, "f")
    X_train, X_test, info = cell_features(ds, spec, np.array([0, 1]), np.array([2]))
    np.testing.assert_array_equal(X_train, X[:2] / 200.0)  # 255 is a test pixel: not the divisor
    np.testing.assert_array_equal(X_test, X[2:] / 200.0)
    assert info["sample_shape"] == (1, 1, 2)
    fixed = Scale01(max_value=255).fit(X[:2], {})
    np.testing.assert_array_equal(fixed.transform(X), X / 255.0)


def test_tables_pass_through_unchanged():
    X = np.arange(12.0).reshape(6, 2)
    ds = make_dataset("t", X, [0, 1] * 3)
    X_train, X_test, info = cell_features(ds, None, np.array([4, 0, 2]), np.array([1]))
    np.testing.assert_array_equal(X_train, X[[4, 0, 2]])
    np.testing.assert_array_equal(X_test, X[[1]])
    assert info == {
        "modality": "tabular",
        "sample_shape": (),
        "vocab_size": None,
        "n_features": 2,
        "pipeline": None,
    }


@pytest.mark.parametrize(
    "entry, match",
    [
        ({"name": "tfidf", "analyzer": "letters"}, "analyzer = 'letters'"),
        ({"name": "tfidf", "ngram_range": [2, 1]}, "ngram_range = \\[2, 1\\]"),
        ({"name": "tfidf", "max_features": 0}, "max_features = 0: must be a positive integer or None"),
        ({"name": "tokens", "max_len": -1}, "max_len = -1"),
        ({"name": "mfcc", "n_mfcc": 50}, "n_mfcc = 50 must not exceed n_mels = 40"),
        ({"name": "tfidf", "ngrams": 2}, "has no parameter 'ngrams'"),
        ({"name": "tfid"}, "unknown feature pipeline.*Did you mean 'tfidf'"),
        ("mfcc", "the pipeline reads audio data, dataset 'file' holds text data"),
        ("none", "holds text samples, which models cannot read without a feature pipeline"),
    ],
)
def test_bad_pipelines_are_refused_at_parse_time(entry, match):
    with pytest.raises(AlbenchInputError, match=match):
        parse_features(entry, "file", {"path": "x.txt", "format": "text_lines"}, "grid.datasets[0].features")


def test_text_without_pipeline_cannot_reach_a_model():
    with pytest.raises(AlbenchInputError, match="holds text samples and has no feature pipeline"):
        cell_features(_text_ds(), None, TRAIN, TEST)
