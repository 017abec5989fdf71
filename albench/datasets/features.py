"""Feature pipelines: samples (texts, recordings, images) into model inputs, fitted on training rows.

A pipeline is a component like a model: ``__init__`` only stores parameters (``get_params``
describes it completely, so its parameters enter the cell key), :meth:`FeaturePipeline.fit`
sees the samples of the cell's training rows (pool and initial set, never the test part),
and :meth:`FeaturePipeline.transform` turns any rows into a 2-D array. The loop calls them
through :func:`albench.featurize.cell_features`.

Built-ins (registered in :data:`albench.registry.FEATURES`):

``tfidf``
    scikit-learn's ``TfidfVectorizer`` (word or character n-grams); dense float64 output
    capped at ``max_features = 2000`` columns by default (10,000 documents x 2,000 columns
    is 160 MB; larger caps cost memory per worker: see ``docs/datasets.md``).
``tokens``
    Token ids for neural text models: a vocabulary of the training rows (most frequent
    first), ids padded or cropped to ``max_len``; 0 = padding, 1 = unknown. int64 output.
``logmel``, ``mfcc``
    librosa log-mel spectrograms or MFCCs (``albench[audio]``), padded or cropped to
    ``n_frames``, each coefficient normalised with the mean and standard deviation of the
    training rows. Output flattened; ``sample_shape = (1, n_coefficients, n_frames)``.
``scale01``
    Images divided by ``max_value`` (default: the largest training pixel, 255 for 8-bit
    images), so pixels lie in [0, 1].
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import numpy as np

from albench.errors import AlbenchInputError
from albench.registry import FEATURES


class FeaturePipeline:
    """Base class: scikit-learn style parameters, ``fit`` on training samples, ``transform``.

    Attributes
    ----------
    modalities : tuple of str
        The dataset modalities the pipeline accepts.
    """

    modalities: tuple[str, ...] = ()

    def get_params(self, deep: bool = True) -> dict:
        """The constructor's parameters and their values."""
        import inspect

        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {n: getattr(self, n) for n in names}

    def validate(self) -> None:
        """Reject bad parameter values (called once when the config is parsed)."""

    def fit(self, samples: np.ndarray, meta: dict) -> FeaturePipeline:
        """Learn from the training rows' samples (``meta``: the dataset's meta, e.g. sample rate)."""
        raise NotImplementedError

    def fit_transform(self, samples: np.ndarray, meta: dict) -> np.ndarray:
        """:meth:`fit` on ``samples``, then their features."""
        return self.fit(samples, meta).transform(samples)

    def transform(self, samples: np.ndarray) -> np.ndarray:
        """Features of any rows, one row per sample."""
        raise NotImplementedError

    def info(self) -> dict:
        """``sample_shape`` (tuple or ``()``), ``vocab_size`` (int or ``None``) after fitting."""
        return {"sample_shape": (), "vocab_size": None}

    def declared_shape(self, dataset_shape: tuple[int, ...]) -> tuple[int, ...] | None:
        """One output sample's shape as the parameters fix it before fitting, or ``None`` when
        only fitting tells (a TF-IDF vocabulary). Lets a network be sized before any cell runs.

        Parameters
        ----------
        dataset_shape : tuple of int
            The dataset's own sample shape (``()`` when it has none).
        """
        return None


def _positive_int(owner: str, name: str, value: object, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        allowed = "a positive integer" + (" or None" if allow_none else "")
        raise AlbenchInputError(f"features {owner!r}: {name} = {value!r}: must be {allowed}")


# --------------------------------------------------------------------------- text


@FEATURES.register("tfidf", description="text: TF-IDF of word or character n-grams (scikit-learn), dense")
class Tfidf(FeaturePipeline):
    """TF-IDF weights of word or character n-grams (scikit-learn's ``TfidfVectorizer``).

    Parameters
    ----------
    analyzer : {"word", "char", "char_wb"}
        Word n-grams, or character n-grams (``char_wb``: inside word boundaries).
    ngram_range : (int, int)
        Smallest and largest n.
    max_features : int or None
        Keep the most frequent terms of the training rows (default 2,000; ``None``: all of
        them, which can take a lot of memory as the output is dense).
    min_df, max_df : int or float
        Drop terms in fewer / more documents (counts, or fractions of the training rows).
    sublinear_tf : bool
        ``1 + log(tf)`` instead of raw term counts.
    lowercase : bool
        Lower-case the texts first.
    norm : {"l2", "l1", None}
        Row normalisation.
    """

    modalities = ("text",)

    def __init__(
        self,
        analyzer: str = "word",
        ngram_range: tuple[int, int] | list[int] = (1, 1),
        max_features: int | None = 2000,
        min_df: int | float = 1,
        max_df: int | float = 1.0,
        sublinear_tf: bool = False,
        lowercase: bool = True,
        norm: str | None = "l2",
    ) -> None:
        self.analyzer = analyzer
        self.ngram_range = ngram_range
        self.max_features = max_features
        self.min_df = min_df
        self.max_df = max_df
        self.sublinear_tf = sublinear_tf
        self.lowercase = lowercase
        self.norm = norm

    def validate(self) -> None:
        if self.analyzer not in ("word", "char", "char_wb"):
            raise AlbenchInputError(
                f"features 'tfidf': analyzer = {self.analyzer!r}: allowed: word, char, char_wb"
            )
        r = self.ngram_range
        if (
            not isinstance(r, (list, tuple))
            or len(r) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in r)
            or r[0] > r[1]
        ):
            raise AlbenchInputError(
                f"features 'tfidf': ngram_range = {r!r}: must be [min_n, max_n], 1 <= min_n <= max_n"
            )
        _positive_int("tfidf", "max_features", self.max_features, allow_none=True)
        if self.norm not in ("l1", "l2", None):
            raise AlbenchInputError(f"features 'tfidf': norm = {self.norm!r}: allowed: l2, l1, None")

    def fit(self, samples: np.ndarray, meta: dict) -> Tfidf:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer_ = TfidfVectorizer(
            analyzer=self.analyzer,
            ngram_range=tuple(self.ngram_range),
            max_features=self.max_features,
            min_df=self.min_df,
            max_df=self.max_df,
            sublinear_tf=self.sublinear_tf,
            lowercase=self.lowercase,
            norm=self.norm,
            dtype=np.float64,
        )
        try:
            self.vectorizer_.fit(list(samples))
        except ValueError as exc:  # e.g. "empty vocabulary", min_df above max_df
            raise AlbenchInputError(f"features 'tfidf': {exc}") from None
        return self

    def transform(self, samples: np.ndarray) -> np.ndarray:
        return self.vectorizer_.transform(list(samples)).toarray()

    def info(self) -> dict:
        return {"sample_shape": (), "vocab_size": len(self.vectorizer_.vocabulary_)}


_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def tokenize(text: str, lowercase: bool = True) -> list[str]:
    """Words and single punctuation marks of a text (``"Don't!"`` -> ``don ' t !``)."""
    return _TOKEN.findall(text.lower() if lowercase else text)


@FEATURES.register(
    "tokens", description="text: token ids (vocabulary of the training rows), for neural models"
)
class Tokens(FeaturePipeline):
    """Token ids: 0 = padding, 1 = unknown, 2.. = the training rows' vocabulary.

    Parameters
    ----------
    max_len : int
        Ids per text: longer texts are cropped (their first ``max_len`` tokens kept), shorter
        ones padded with 0 at the end.
    max_vocab : int or None
        Keep the most frequent tokens (ties broken alphabetically); the rest map to 1.
    min_count : int
        Tokens seen fewer times in the training rows map to 1.
    lowercase : bool
        Lower-case before splitting into words and punctuation.
    """

    modalities = ("text",)

    def __init__(
        self, max_len: int = 64, max_vocab: int | None = 20000, min_count: int = 1, lowercase: bool = True
    ):
        self.max_len = max_len
        self.max_vocab = max_vocab
        self.min_count = min_count
        self.lowercase = lowercase

    def validate(self) -> None:
        _positive_int("tokens", "max_len", self.max_len)
        _positive_int("tokens", "max_vocab", self.max_vocab, allow_none=True)
        _positive_int("tokens", "min_count", self.min_count)

    def fit(self, samples: np.ndarray, meta: dict) -> Tokens:
        counts = Counter(t for s in samples for t in tokenize(str(s), self.lowercase))
        ranked = sorted(
            (tok for tok, n in counts.items() if n >= self.min_count), key=lambda t: (-counts[t], t)
        )
        if self.max_vocab is not None:
            ranked = ranked[: self.max_vocab]
        self.vocabulary_ = {tok: i + 2 for i, tok in enumerate(ranked)}
        return self

    def transform(self, samples: np.ndarray) -> np.ndarray:
        out = np.zeros((len(samples), self.max_len), dtype=np.int64)
        for i, s in enumerate(samples):
            ids = [self.vocabulary_.get(t, 1) for t in tokenize(str(s), self.lowercase)[: self.max_len]]
            out[i, : len(ids)] = ids
        return out

    def info(self) -> dict:
        return {"sample_shape": (self.max_len,), "vocab_size": len(self.vocabulary_) + 2}

    def declared_shape(self, dataset_shape: tuple[int, ...]) -> tuple[int, ...]:
        return (int(self.max_len),)


# --------------------------------------------------------------------------- audio

#: recordings per librosa call (librosa computes a stack of equal-length signals at once)
_CHUNK = 256


class _Spectral(FeaturePipeline):
    """Shared part of ``logmel`` and ``mfcc``: per-recording frames, padding, normalisation."""

    modalities = ("audio",)
    kind = ""

    def _check(self) -> None:
        for name in ("n_fft", "hop_length", "n_frames", "n_mels"):
            _positive_int(self.kind, name, getattr(self, name))
        if not isinstance(self.normalize, bool):
            raise AlbenchInputError(
                f"features {self.kind!r}: normalize = {self.normalize!r}: must be true or false"
            )

    def _coefficients(self, wave: np.ndarray, rate: int) -> np.ndarray:
        raise NotImplementedError

    def _frames(self, samples: np.ndarray, rate: int) -> np.ndarray:
        """(n, n_coefficients, n_frames): each recording padded with silence or cropped first."""
        need = self.n_fft + (self.n_frames - 1) * self.hop_length  # samples of n_frames frames
        waves = np.zeros((len(samples), need), dtype=np.float32)
        for i, wave in enumerate(samples):
            w = np.asarray(wave, dtype=np.float32)[:need]
            waves[i, : w.shape[0]] = w
        if waves.shape[0] == 0:
            return np.zeros((0, self.n_coefficients(), self.n_frames))
        out = [self._coefficients(waves[i : i + _CHUNK], rate) for i in range(0, waves.shape[0], _CHUNK)]
        return np.concatenate(out)[:, :, : self.n_frames].astype(np.float64)

    def _start(self, meta: dict) -> None:
        try:
            import librosa  # noqa: F401
        except ImportError:
            raise AlbenchInputError(
                f"features {self.kind!r} needs librosa: pip install 'albench[audio]'"
            ) from None
        if "sample_rate" not in meta:
            raise AlbenchInputError(f"features {self.kind!r}: the dataset records no sample_rate")
        self.sample_rate_ = int(meta["sample_rate"])

    def _fit_stats(self, F: np.ndarray) -> None:
        if self.normalize:
            self.mean_ = F.mean(axis=(0, 2))
            std = F.std(axis=(0, 2))
            self.std_ = np.where(std > 0, std, 1.0)

    def _finish(self, F: np.ndarray) -> np.ndarray:
        if self.normalize:
            F = (F - self.mean_[None, :, None]) / self.std_[None, :, None]
        return F.reshape(F.shape[0], -1)

    def fit(self, samples: np.ndarray, meta: dict) -> _Spectral:
        self._start(meta)
        self._fit_stats(self._frames(samples, self.sample_rate_))
        return self

    def fit_transform(self, samples: np.ndarray, meta: dict) -> np.ndarray:
        self._start(meta)
        F = self._frames(samples, self.sample_rate_)
        self._fit_stats(F)
        return self._finish(F)

    def transform(self, samples: np.ndarray) -> np.ndarray:
        return self._finish(self._frames(samples, self.sample_rate_))

    def n_coefficients(self) -> int:
        return self.n_mels

    def info(self) -> dict:
        return {"sample_shape": (1, self.n_coefficients(), self.n_frames), "vocab_size": None}

    def declared_shape(self, dataset_shape: tuple[int, ...]) -> tuple[int, ...]:
        return (1, int(self.n_coefficients()), int(self.n_frames))


@FEATURES.register(
    "logmel", description="audio: log-mel spectrogram (librosa), fixed frames, normalised on training rows"
)
class LogMel(_Spectral):
    """Log-mel spectrogram (dB) of each recording, ``n_frames`` frames of ``n_mels`` bands.

    Parameters
    ----------
    n_mels : int
        Mel bands.
    n_fft, hop_length : int
        Window and hop in samples (defaults: 32 ms and 16 ms at 8 kHz).
    n_frames : int
        Frames kept: a longer recording is cropped (its start kept), a shorter one padded with
        silence at the end.
    normalize : bool
        Standardise each band with the mean and standard deviation of the training rows.
    """

    kind = "logmel"

    def __init__(
        self,
        n_mels: int = 40,
        n_fft: int = 256,
        hop_length: int = 128,
        n_frames: int = 64,
        normalize: bool = True,
    ):
        self.n_mels = n_mels
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.n_frames = n_frames
        self.normalize = normalize

    def validate(self) -> None:
        self._check()

    def _coefficients(self, wave: np.ndarray, rate: int) -> np.ndarray:
        import librosa

        S = librosa.feature.melspectrogram(
            y=wave, sr=rate, n_fft=self.n_fft, hop_length=self.hop_length, n_mels=self.n_mels, center=False
        )
        return librosa.power_to_db(S, ref=1.0, amin=1e-10)


@FEATURES.register("mfcc", description="audio: MFCCs (librosa), fixed frames, normalised on training rows")
class MFCC(_Spectral):
    """Mel-frequency cepstral coefficients of each recording (``n_mfcc`` x ``n_frames``).

    Parameters are those of ``logmel``, plus ``n_mfcc`` (coefficients kept).
    """

    kind = "mfcc"

    def __init__(
        self,
        n_mfcc: int = 20,
        n_mels: int = 40,
        n_fft: int = 256,
        hop_length: int = 128,
        n_frames: int = 64,
        normalize: bool = True,
    ):
        self.n_mfcc = n_mfcc
        self.n_mels = n_mels
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.n_frames = n_frames
        self.normalize = normalize

    def validate(self) -> None:
        self._check()
        _positive_int("mfcc", "n_mfcc", self.n_mfcc)
        if self.n_mfcc > self.n_mels:
            raise AlbenchInputError(
                f"features 'mfcc': n_mfcc = {self.n_mfcc} must not exceed n_mels = {self.n_mels}"
            )

    def _coefficients(self, wave: np.ndarray, rate: int) -> np.ndarray:
        import librosa

        return librosa.feature.mfcc(
            y=wave,
            sr=rate,
            n_mfcc=self.n_mfcc,
            n_fft=self.n_fft,
            hop_length=self.hop_length,
            n_mels=self.n_mels,
            center=False,
        )

    def n_coefficients(self) -> int:
        return self.n_mfcc


# --------------------------------------------------------------------------- images


@FEATURES.register("scale01", description="images: pixels divided by the largest value (255 for 8-bit)")
class Scale01(FeaturePipeline):
    """Pixels divided by ``max_value`` so that they lie in [0, 1].

    Parameters
    ----------
    max_value : float or None
        The divisor; ``None`` (default): the largest pixel of the training rows.
    """

    modalities = ("image",)

    def __init__(self, max_value: float | None = None):
        self.max_value = max_value

    def validate(self) -> None:
        v = self.max_value
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0):
            raise AlbenchInputError(
                f"features 'scale01': max_value = {v!r}: must be a positive number or None"
            )

    def fit(self, samples: np.ndarray, meta: dict) -> Scale01:
        top = float(np.max(samples)) if self.max_value is None else float(self.max_value)
        self.scale_ = top if top > 0 else 1.0
        self.sample_shape_ = tuple(meta.get("_sample_shape", ()))
        return self

    def transform(self, samples: np.ndarray) -> np.ndarray:
        return np.asarray(samples, dtype=np.float64) / self.scale_

    def info(self) -> dict:
        return {"sample_shape": self.sample_shape_, "vocab_size": None}

    def declared_shape(self, dataset_shape: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(dataset_shape)


def pipeline_params(obj: Any) -> dict:
    """A pipeline's parameters as plain values (tuples as lists)."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in obj.get_params().items()}
