"""Text and audio networks through the real command line: token ids and spectrograms from the
pipelines fitted on the training part, a ceiling on the same features, wrong pairings refused
before any work."""

from __future__ import annotations

import os
import wave

import numpy as np
import pytest
from cli_helpers import run_cli

if not os.environ.get("CI"):
    pytest.importorskip("torch")

import pandas as pd  # noqa: E402

WORDS = {0: ["where", "city", "river", "country"], 1: ["who", "man", "woman", "president"]}


def _text_file(path, n=60, seed=0):
    rng = np.random.default_rng(seed)
    lines = []
    for i in range(n):
        label = i % 2
        words = list(rng.choice(WORDS[label], 3)) + list(rng.choice(["the", "a", "of", "is"], 3))
        rng.shuffle(words)
        lines.append(f"{label} {' '.join(words)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _wav_folder(folder, n=40):
    folder.mkdir()
    t = np.arange(2400) / 8000
    rng = np.random.default_rng(1)
    for i in range(n):
        label = i % 2
        tone = np.sin(2 * np.pi * (300 if label == 0 else 1500) * t) * 0.5 + rng.normal(0, 0.05, t.size)
        with wave.open(str(folder / f"{label}_s{i % 4}_{i}.wav"), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes((tone * 20000).astype("<i2").tobytes())


def _config(tmp_path, dataset: str, model: str, protocol: str = "") -> None:
    (tmp_path / "exp.toml").write_text(
        'name = "modal"\nseed = 4\nrepetitions = 1\n'
        f"[protocol]\ninitial_per_class = 2\nbatch_size = 4\nbudget = 8\n{protocol}\n"
        f'[grid]\ndatasets = [{dataset}]\nmodels = [{model}]\nstrategies = ["random", "bald"]\n',
        encoding="utf-8",
    )


def _run(tmp_path):
    return run_cli(
        "run", "exp.toml", "--out", "out", "--data-dir", "data", "--no-progress", cwd=tmp_path, timeout=600
    )


@pytest.fixture
def data(tmp_path):
    (tmp_path / "data").mkdir()
    _text_file(tmp_path / "data" / "t.txt")
    _wav_folder(tmp_path / "data" / "rec")
    return tmp_path / "data"


TEXT = '{ name = "file", path = "t.txt", format = "text_lines", features = { name = "tokens", max_len = 8 } }'
TEXT_CNN = (
    '{ name = "torch_text_cnn", epochs = 30, lr = 0.01, filters = 8, embedding_dim = 8, widths = [2, 3] }'
)
AUDIO = (
    '{ name = "file", path = "rec", format = "audio_folder", pattern = "{label}_{speaker}_{take}.wav", '
    'features = { name = "logmel", n_mels = 16, n_frames = 16 } }'
)
AUDIO_CNN = '{ name = "torch_audio_cnn", epochs = 20, lr = 0.01, filters = 4, dense = 16 }'


def test_text_cnn_runs_on_token_ids_and_its_ceiling_reads_them_too(tmp_path, data):
    _config(tmp_path, TEXT, TEXT_CNN)
    proc = _run(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    from albench import load_results

    rows = load_results(tmp_path / "out" / "modal")
    assert sorted(rows["strategy"].unique()) == ["bald", "random"]
    assert (rows.groupby("strategy")["n_labeled"].max() == 12).all()
    ceilings = list((tmp_path / "out" / "modal" / "ceiling").glob("*.parquet"))
    assert len(ceilings) == 1, proc.stdout
    ceiling = pd.read_parquet(ceilings[0])
    assert ceiling["n_labeled"].item() == 45  # 60 texts, 25 % test part
    assert ceiling["accuracy"].item() > 0.9  # the words tell the classes apart


def test_audio_cnn_runs_on_log_mel_spectrograms(tmp_path, data):
    _config(tmp_path, AUDIO, AUDIO_CNN)
    proc = _run(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    from albench import load_results

    rows = load_results(tmp_path / "out" / "modal")
    assert len(rows) == 2 * 3  # 2 strategies x (initial + 2 rounds)
    ceiling = pd.read_parquet(next((tmp_path / "out" / "modal" / "ceiling").glob("*.parquet")))
    assert ceiling["accuracy"].item() == 1.0  # 300 Hz against 1,500 Hz tones


@pytest.mark.parametrize(
    ("dataset", "model", "message"),
    [
        (
            TEXT.replace('name = "tokens", max_len = 8', 'name = "tfidf"'),
            TEXT_CNN,
            "the network reads token ids",
        ),
        (TEXT, '{ name = "torch_cnn", epochs = 1 }', "no image shape"),
        (TEXT, TEXT_CNN.replace("widths = [2, 3]", "widths = [9]"), "wider than the 8 token ids"),
        (AUDIO, '{ name = "torch_cnn", kernel_size = 9, epochs = 1 }', "too small"),
        (
            AUDIO.replace(
                'name = "logmel", n_mels = 16, n_frames = 16', 'name = "logmel", n_mels = 2, n_frames = 16'
            ),
            AUDIO_CNN,
            "too small for two 2x2 poolings",
        ),
    ],
)
def test_wrong_network_for_the_features_is_refused_before_any_work(tmp_path, data, dataset, model, message):
    """In process (the checks `albench run` makes before any work); the CLI case is below."""
    from albench.config import load_config
    from albench.datasets.datadir import set_data_dir
    from albench.errors import AlbenchInputError
    from albench.grid import check_feasible

    _config(tmp_path, dataset, model)
    set_data_dir(data, "test")
    with pytest.raises(AlbenchInputError, match="on dataset") as info:
        check_feasible(load_config(tmp_path / "exp.toml"))
    assert message in str(info.value)


def test_cli_refuses_a_text_network_without_token_ids_and_writes_nothing(tmp_path, data):
    _config(tmp_path, TEXT.replace('"tokens", max_len = 8', '"tfidf"'), TEXT_CNN)
    proc = _run(tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "the network reads token ids" in proc.stderr and "on dataset" in proc.stderr
    assert not (tmp_path / "out").exists()
