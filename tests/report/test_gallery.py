"""The report's gallery "What each strategy queried": samples, labels, escaping, missing data."""

from __future__ import annotations

import io
import json
import re
import shutil
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest

from albench.config import parse_config
from albench.datasets.base import Dataset, make_dataset
from albench.registry import DATASETS
from albench.report import build_report
from albench.report.gallery import (
    SAMPLES,
    THUMB_SIDE,
    build_gallery,
    first_batches,
    image_thumbnail,
    log_spectrogram,
    snippet,
    spectrogram_png,
)
from albench.report.gallery_render import Gallery, GalleryItem, GalleryPanel, GalleryStrip, gallery_markdown
from albench.runner import run_experiment
from albench.store import load_results
from tests.report.test_browser import console_messages, find_chromium, run_chromium

SCRIPT = "<script>window.__pwned = 1;</script>"
LINK = "[click](javascript:window.__pwned=2)"
HOSTILE = f"what is {SCRIPT} and {LINK} ?"
TEXT_CLASSES = ("<i>ham</i>", "spam & eggs")


@dataclass(frozen=True, eq=False)
class _Modal(Dataset):  # the Dataset fields of issue 21 (modality, raw, sample_shape, groups)
    modality: str = "tabular"
    raw: object = None
    sample_shape: tuple = ()
    groups: object = None
    extra: dict = field(default_factory=dict)


def _modal(name, X, y, modality, raw=None, sample_shape=(), meta=None) -> Dataset:
    ds = make_dataset(name, X, y, meta=meta)
    return _Modal(ds.name, ds.X, ds.y, ds.classes, ds.feature_names, ds.meta, modality, raw, sample_shape)


def text_data() -> Dataset:
    words = ["alpha", "beta", "gamma", "delta", "eps", "zeta"]
    rng = np.random.default_rng(0)
    texts, y = [], []
    for i in range(60):
        c = i % 2
        w = rng.choice(words[:3] if c == 0 else words[3:], size=4)
        texts.append(" ".join(w) + ("\n  line\x85two " + HOSTILE if i % 3 == 0 else ""))
        y.append(TEXT_CLASSES[c])
    X = np.array([[t.split().count(w) for w in words] for t in texts], dtype=np.float64)
    return _modal("gtext", X, np.array(y), "text", raw=np.array(texts, dtype=object))


def image_data() -> Dataset:
    rng = np.random.default_rng(1)
    y = np.arange(40) % 2
    imgs = rng.uniform(0, 60, size=(40, 1, 8, 8))
    imgs[y == 1, :, 2:6, 2:6] += 190  # class 1: a bright square
    return _modal("gimage", imgs.reshape(40, -1), y, "image", sample_shape=(1, 8, 8))


def audio_data() -> Dataset:
    sr = 8000
    t = np.arange(2000) / sr
    waves, y, names = [], [], []
    for i in range(40):
        c = i % 2
        waves.append((np.sin(2 * np.pi * (500 + 1500 * c + 10 * i) * t) * 0.5).astype(np.float32))
        y.append(c)
        names.append(f"recordings/{c}_spk{i % 3}_{i}.wav")
    X = np.array([[np.abs(np.fft.rfft(w))[k * 100 : (k + 1) * 100].sum() for k in range(10)] for w in waves])
    raw = np.empty(40, dtype=object)
    raw[:] = waves
    return _modal("gaudio", X, np.array(y), "audio", raw=raw, meta={"sample_rate": sr, "files": names})


LOADERS = {"gtest.text": text_data, "gtest.image": image_data, "gtest.audio": audio_data}
#: texts and recordings need a feature pipeline (fitted on each cell's training rows)
PIPELINES = {"gtest.text": "tfidf", "gtest.audio": "mfcc"}


@pytest.fixture(scope="module")
def registered():
    for name, load in LOADERS.items():
        DATASETS.add(name, load, description="test data of the gallery", replace=True)
    yield
    for name in LOADERS:
        DATASETS._entries.pop(name, None)


def config(name="gal", datasets=(*LOADERS, "iris")) -> dict:
    return {
        "name": name,
        "seed": 3,
        "repetitions": 2,
        "protocol": {"test_fraction": 0.3, "initial_size": 4, "batch_size": 3, "budget": 9},
        "grid": {
            "datasets": [
                {"name": d, "features": PIPELINES[d], "label": d} if d in PIPELINES else d for d in datasets
            ],
            "models": ["logistic_regression"],
            "strategies": ["random", "margin"],
        },
    }


@pytest.fixture(scope="module")
def results(registered, tmp_path_factory):
    exp = parse_config(config(), source="<test>")
    summary = run_experiment(exp, out=tmp_path_factory.mktemp("gal-results"), backend="sequential")
    assert not summary.failed
    return summary.results_dir


@pytest.fixture(scope="module")
def report(results, tmp_path_factory):
    return build_report(
        results, out=tmp_path_factory.mktemp("gal-report"), n_boot=20, figure_formats=("png",)
    )


def gallery_of(report):
    secs = {s.id: s for s in report.sections}
    return secs["gallery"].gallery


# ------------------------------------------------------------------------------- pieces


def test_snippet_collapses_whitespace_and_cuts():
    assert snippet("a\n b\t\tc\x85d  ") == "a b c d"
    long = "word " * 100
    s = snippet(long, 30)
    assert len(s) <= 30 and s.endswith("\u2026") and s.startswith("word word")
    assert snippet("short", 30) == "short"


def test_spectrogram_peak_is_at_the_tones_frequency_bin():
    sr, f = 8000, 1000.0
    wave = np.sin(2 * np.pi * f * np.arange(4000) / sr)
    s = log_spectrogram(wave, sr)
    n_fft = 256  # 32 ms at 8 kHz
    assert s.shape == (n_fft // 2 + 1, 1 + (4000 - n_fft) // (n_fft // 4))
    assert set(np.argmax(s, axis=0)) == {int(f * n_fft / sr)}  # bin 32
    assert s.max() - s.min() <= 80.0 + 1e-9


def test_spectrogram_png_of_a_short_clip_has_the_configured_size():
    from PIL import Image

    img = Image.open(io.BytesIO(spectrogram_png(np.zeros(50), 8000)))  # shorter than a frame: padded
    assert img.size[1] == 48 or img.size[1] < 48
    img = Image.open(io.BytesIO(spectrogram_png(np.random.default_rng(0).normal(size=16000), 8000)))
    assert img.size == (160, 48) and img.mode == "RGB"


def test_thumbnail_scales_pixels_and_enlarges_small_images():
    from PIL import Image

    px = np.zeros((1, 8, 8))
    px[0, 0, 0], px[0, 7, 7], px[0, 3, 4] = 10.0, 5.0, 7.5
    img = np.asarray(Image.open(io.BytesIO(image_thumbnail(px.ravel(), (1, 8, 8), 0.0, 10.0))))
    f = THUMB_SIDE // 8
    assert img.shape == (8 * f, 8 * f)
    assert img[0, 0] == 255 and img[7 * f, 7 * f] == 128 and img[3 * f + 1, 4 * f] == 191  # 255 * v / 10
    rgb = np.asarray(Image.open(io.BytesIO(image_thumbnail(np.ones(3 * 100 * 100), (3, 100, 100), 0, 1))))
    assert rgb.shape == (THUMB_SIDE, THUMB_SIDE, 3)


def test_first_batches_follow_one_cell_in_round_order():
    rows = []
    for model in ("m1", "m2"):
        for s in ("random", "margin"):
            for rnd in range(3):
                base = 100 * (model == "m2") + 10 * (s == "margin") + 3 * rnd
                rows.append(
                    {"strategy": s, "model": model, "round": rnd, "queried": [base, base + 1, base + 2]}
                )
    rows.append({"strategy": "only_m2", "model": "m2", "round": 0, "queried": [7]})
    df = pd.DataFrame(rows).sample(frac=1.0, random_state=0)  # stored order does not matter
    picks, cell, notes = first_batches(df, ["margin", "random", "only_m2", "absent"], 4)
    assert cell == {"model": "m1"}
    assert picks["random"] == [(1, 0), (1, 1), (1, 2), (2, 3)]
    assert picks["margin"] == [(1, 10), (1, 11), (1, 12), (2, 13)]
    assert picks["only_m2"] == [(1, 7)] and "absent" not in picks
    assert len(notes) == 1 and "only_m2" in notes[0]


# --------------------------------------------------------------------------- the section


def test_gallery_shows_each_modality_with_true_labels_of_the_queried_rows(report, results):
    g = gallery_of(report)
    assert [p.dataset for p in g.panels] == list(LOADERS)  # iris (a table) has nothing to show
    rows = load_results(results)
    for p in g.panels:
        ds = LOADERS[p.dataset]()
        assert p.modality == ds.modality and p.repetition == 0 and p.model == "logistic_regression"
        assert [s.strategy for s in p.strips] == ["random", "margin"]
        for s in p.strips:
            cell = rows[(rows["dataset"] == p.dataset) & (rows["strategy"] == s.strategy)]
            cell = cell[cell["repetition"] == 0].sort_values("round")
            expected = [(r + 1, q) for r, qs in zip(cell["round"], cell["queried"], strict=True) for q in qs]
            expected = expected[: SAMPLES[p.modality]]
            assert [(it.batch, it.row) for it in s.items] == expected
            assert [it.label for it in s.items] == [str(ds.classes[ds.y[r]]) for _, r in expected]
            if p.modality == "text":
                assert all(it.text == snippet(ds.raw[it.row]) and it.png is None for it in s.items)
            else:
                assert all(it.png[:8] == b"\x89PNG\r\n\x1a\n" for it in s.items)
            if p.modality == "audio":
                assert [it.name for it in s.items] == [
                    ds.meta["files"][r].split("/")[-1] for _, r in expected
                ]
    md = (report.out_dir / "report.md").read_text(encoding="utf-8")
    assert "## What each strategy queried" in md
    files = sorted((report.out_dir / "figures" / "gallery").glob("*.png"))
    # budget 9: 9 queries per strategy, all shown for images, SAMPLES["audio"] of them for recordings
    assert len(files) == g.n_images == 2 * (9 + SAMPLES["audio"])
    for f in files:
        assert f"(figures/gallery/{f.name})" in md


def test_hostile_text_is_escaped_in_html_and_markdown(report):
    g = gallery_of(report)
    texts = [it.text for p in g.panels for s in p.strips for it in s.items if it.text]
    assert any(SCRIPT in t for t in texts) and any(LINK in t for t in texts), "the payload was queried"
    page = (report.out_dir / "index.html").read_text(encoding="utf-8")
    section = page[page.index('<section id="gallery">') :]
    section = section[: section.index("</section>")]
    assert "<script" not in section and "&lt;script&gt;window.__pwned = 1;&lt;/script&gt;" in section
    assert "<i>ham</i>" not in section and "&lt;i&gt;ham&lt;/i&gt;" in section
    assert "spam &amp; eggs" in section
    assert "javascript:" not in re.sub(r">[^<]*<", "><", section)  # only inside text, never an attribute
    md = (report.out_dir / "report.md").read_text(encoding="utf-8")
    assert "<script" not in md and "<i>" not in md
    assert re.search(r"(?<!\\)\]\(javascript:", md) is None and r"\](javascript:" in md


def test_markdown_renders_the_payload_as_text():
    markdown_it = pytest.importorskip("markdown_it")
    g = Gallery(
        panels=[
            GalleryPanel(
                "d<b>",
                "text",
                0,
                "oracle",
                "m",
                [GalleryStrip("s|x", [GalleryItem(1, 4, "<i>ham</i>", text=HOSTILE)])],
            )
        ]
    )
    out = (
        markdown_it.MarkdownIt("commonmark", {"html": True})
        .enable("table")
        .render("\n".join(gallery_markdown(g)))
    )
    assert "<script" not in out and "<i>" not in out and "<b>" not in out
    assert "href" not in out  # the link stayed text
    assert "&lt;script&gt;window.__pwned = 1;&lt;/script&gt;" in out and "<td>s|x</td>" not in out
    assert "[click](javascript:window.__pwned=2)" in out  # visible as written


def test_missing_data_files_give_a_note_not_a_failure(results, registered, tmp_path):
    root = tmp_path / "gal"
    shutil.copytree(results, root)
    try:
        DATASETS.add("gtest.text", _missing, description="data gone", replace=True)
        rep = build_report(root, out=tmp_path / "rep", n_boot=20, figure_formats=("png",))
    finally:
        DATASETS.add("gtest.text", text_data, description="test data of the gallery", replace=True)
    g = gallery_of(rep)
    assert [p.dataset for p in g.panels] == ["gtest.image", "gtest.audio"]
    assert len(g.notes) == 1 and "'gtest.text'" in g.notes[0] and "not available" in g.notes[0]
    assert "gone.txt" in g.notes[0]
    page = (rep.out_dir / "index.html").read_text(encoding="utf-8")
    assert "its data files are not available here" in page


def _missing():
    from albench.errors import AlbenchInputError

    raise AlbenchInputError("dataset 'gtest.text': file 'gone.txt' not found in the data directory")


def test_changed_data_is_not_shown(results, tmp_path):
    root = tmp_path / "gal"
    shutil.copytree(results, root)
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["datasets"]["gtest.image"]["n_samples"] = 41
    (root / "manifest.json").write_text(json.dumps(manifest))
    g = build_gallery(manifest, load_results(root), ["random", "margin"])
    assert "gtest.image" not in [p.dataset for p in g.panels]
    assert any("'gtest.image': 40 rows as loaded now, 41 when the experiment ran" in n for n in g.notes)


def test_tabular_results_have_no_gallery_section(registered, tmp_path):
    exp = parse_config(config("tab", ["iris"]), source="<test>")
    summary = run_experiment(exp, out=tmp_path / "r", backend="sequential")
    rep = build_report(summary.results_dir, out=tmp_path / "rep", n_boot=20, figure_formats=("png",))
    assert "gallery" not in {s.id for s in rep.sections}
    assert not (rep.out_dir / "figures" / "gallery").exists()


# ------------------------------------------------------------------------------ browser

GALLERY_CHECK = """
<script>
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.querySelectorAll('#gallery img'));
  var bad = imgs.filter(function (i) { return !(i.complete && i.naturalWidth > 0); });
  var text = document.getElementById('gallery').innerText;
  var d = document.createElement('pre');
  d.id = 'albench-check';
  d.textContent = 'CHECK images=' + imgs.length + ' bad=' + bad.length + ' pwned=' + (window.__pwned || 0)
    + ' scripts=' + document.scripts.length + ' jslinks=' + document.querySelectorAll('a[href]').length
    + ' visible=' + (text.indexOf('<' + 'script>window.__pwned = 1;<' + '/script>') >= 0 ? 1 : 0)
    + (text.indexOf('[click](javascript:window.__pwned=2)') >= 0 ? 1 : 0) + ' END';
  document.body.appendChild(d);
});
</script>
"""


@pytest.fixture(scope="module")
def chromium() -> str:
    return find_chromium()


def test_gallery_in_chromium_decodes_every_thumbnail_and_runs_no_payload(chromium, report, tmp_path):
    page = (report.out_dir / "index.html").read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page  # self-contained
    n_scripts = page.count("<script>")
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", GALLERY_CHECK + "</body>"), encoding="utf-8")
    res = run_chromium(chromium, tmp_path, probe.as_uri(), "--dump-dom")
    assert console_messages(res.stderr) == [], console_messages(res.stderr)
    m = re.search(
        r"CHECK images=(\d+) bad=(\d+) pwned=(\d+) scripts=(\d+) jslinks=(\d+) visible=(\d+) END", res.stdout
    )
    assert m, res.stdout[-2000:] + res.stderr[-2000:]
    images, bad, pwned, scripts, links, visible = (int(x) if i < 5 else x for i, x in enumerate(m.groups()))
    assert images == gallery_of(report).n_images > 0 and bad == 0
    assert pwned == 0 and scripts == n_scripts + 1  # the page's own and the probe, nothing injected
    assert links == page.count("<a href=") and visible == "11"  # no link from the data; its text shown
