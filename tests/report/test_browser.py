"""The HTML report in headless Chromium: no console errors, every image decodes, not blank.

Skipped when no Chromium is installed, except under CI (env var ``CI`` set), where a missing
browser is a failure: CI installs Debian's ``chromium``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from albench.report import build_report

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

# Appended to a copy of the page: records script errors, then on load writes what it found into
# a DOM node that --dump-dom prints (images decoded, a table sorted by a header click).
CHECKER = """
<script>
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.images);
  var bad = imgs.filter(function (i) { return !(i.complete && i.naturalWidth > 0 && i.naturalHeight > 0); });
  var sorted = 'none';
  var table = document.querySelector('table.sortable[id$="-ranking"]');
  if (table) {
    table.tHead.rows[0].cells[1].click();
    var v = Array.prototype.map.call(table.tBodies[0].rows, function (r) {
      return Number(r.cells[1].getAttribute('data-sort'));
    }).filter(function (x) { return isFinite(x); });
    sorted = v.every(function (x, i) { return i === 0 || v[i - 1] <= x; }) ? 'asc' : 'unsorted';
    table.tHead.rows[0].cells[1].click();
    var w = Array.prototype.map.call(table.tBodies[0].rows, function (r) {
      return Number(r.cells[1].getAttribute('data-sort'));
    }).filter(function (x) { return isFinite(x); });
    sorted += w.every(function (x, i) { return i === 0 || w[i - 1] >= x; }) ? '+desc' : '+unsorted';
  }
  var d = document.createElement('pre');
  d.id = 'albench-check';
  d.textContent = 'CHECK images=' + imgs.length + ' bad=' + bad.length + ' sorted=' + sorted + ' END';
  document.body.appendChild(d);
});
</script>
"""


def find_chromium() -> str:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed, and CI is set: CI must install it (apt-get install chromium)")
    pytest.skip("chromium not installed (apt-get install chromium); set CI=1 to make this a failure")


@pytest.fixture(scope="session")
def chromium() -> str:
    """The browser's path (requested first, so a skip happens before any report is built)."""
    return find_chromium()


def run_chromium(browser: str, tmp_path: Path, url: str, *extra: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    cmd = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=5000",
        *extra,
        url,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def console_messages(stderr: str) -> list[str]:
    """Lines Chromium logs for the page's console (errors, CSP violations, uncaught exceptions)."""
    return [ln for ln in stderr.splitlines() if ":CONSOLE" in ln]


@pytest.fixture(scope="module")
def pages(chromium, stopping_results, tmp_path_factory):
    """The report of the tiny results (names with <script> and quotes), with stopping criteria."""
    out = tmp_path_factory.mktemp("browser")
    return build_report(stopping_results, out=out, n_boot=50, figure_formats=("png",))


def test_loads_without_console_errors_and_is_not_blank(chromium, pages, tmp_path):
    index = pages.out_dir / "index.html"
    shot = tmp_path / "shot.png"
    res = run_chromium(chromium, tmp_path, index.as_uri(), f"--screenshot={shot}", "--window-size=1280,2400")
    assert shot.is_file(), res.stderr[-2000:]
    assert console_messages(res.stderr) == [], console_messages(res.stderr)
    import matplotlib.image as mpimg

    img = mpimg.imread(shot)[..., :3]
    assert img.shape[0] >= 2000 and img.shape[1] >= 1200
    non_white = np.mean(np.any(img < 0.95, axis=-1))
    assert non_white > 0.02, f"screenshot nearly blank ({non_white:.3%} non-white pixels)"
    assert img.std() > 0.05


def test_every_image_decodes_and_tables_sort(chromium, pages, tmp_path):
    page = (pages.out_dir / "index.html").read_text(encoding="utf-8")
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", CHECKER + "</body>"), encoding="utf-8")
    res = run_chromium(chromium, tmp_path, probe.as_uri(), "--dump-dom")
    assert console_messages(res.stderr) == [], console_messages(res.stderr)
    m = re.search(r"CHECK images=(\d+) bad=(\d+) sorted=(\S+) END", res.stdout)
    assert m, res.stdout[-2000:] + res.stderr[-2000:]
    section_figures = sum(len(sec.figures) for sec in pages.sections)
    assert {sec.id for sec in pages.sections if sec.figures} == {"stopping", "insight"}
    assert int(m.group(1)) == len(pages.figures) + section_figures > section_figures > 0
    assert int(m.group(2)) == 0
    assert m.group(3) == "asc+desc"
    # the hostile names stayed text: no element was created from them
    assert "<script>alert" not in res.stdout
    assert "onerror=alert(1)" not in res.stdout.replace("onerror=alert(1)&gt;", "")


def test_failed_report_renders_in_browser(chromium, failed_report, tmp_path):
    res = run_chromium(chromium, tmp_path, (failed_report.out_dir / "index.html").as_uri(), "--dump-dom")
    assert console_messages(res.stderr) == []
    assert "2 of 12 cells failed" in res.stdout
    assert "ValueError: exploded on &lt;script&gt;" in res.stdout
