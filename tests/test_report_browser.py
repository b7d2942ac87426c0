"""The HTML error report in a real browser: Debian's Chromium, headless, offline.

The machine set-up installs it (``.ci/run`` does, with apt); the ``chromium`` fixture fails when it
is missing on CI (``CI`` set) and skips with one line elsewhere. Chromium runs with flags that
keep it off the network and a fresh empty profile, only on ``file://`` URLs of reports written
here, each run bounded by a timeout. The rules baseline's predictions are made here with
``nkru-bench run rules --report``; every expected number comes from the harness's JSON result,
never from the gold written into the test.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from report_dom import ITEM_CLASSES, Page, expected_classes, found_classes

from nkru_bench.gold.loading import load_gold
from nkru_bench.scoring.html.markup import CSS

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
WINDOW = (1280, 2400)
TIMEOUT = 60
SCRIPT = "<script>document.title='pwned'</script>"
IMG = '"><img src=x onerror="document.title=\'pwned\'">'
IFRAME = "<iframe src=\"data:text/html,<script>parent.document.title='pwned'</script>\"></iframe>"


MISSING = f"headless Chromium not found at {CHROMIUM}: apt-get install chromium"
if not CHROMIUM.exists() and not os.environ.get("CI"):  # one line for the whole module, outside CI
    pytest.skip(MISSING, allow_module_level=True)


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium, which the machine set-up installs (``.ci/run`` does on CI, where a missing
    browser fails these tests; elsewhere the module is skipped with one line)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{MISSING} (.ci/run installs it on CI)")
    return CHROMIUM


def run_chromium(chromium: Path, page: Path, *args: str) -> str:
    """Chromium on the ``file://`` URL of ``page`` with a fresh profile; its stdout. The process group
    it starts is killed afterwards, whatever happens."""
    profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=page.parent)
    command = [str(chromium), *FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri()]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        out, err = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"chromium did not finish in {TIMEOUT} s: {' '.join(command)}")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
    assert process.returncode == 0, err.decode(errors="replace")[-2000:]
    return out.decode("utf-8")


def nkru_bench(*args: str, cwd: Path) -> None:
    command = [sys.executable, "-m", "nkru_bench", *args]
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def rules_run(tmp_path_factory) -> Path:
    """``nkru-bench run rules`` with its predictions, JSON result and report, in a fresh folder."""
    folder = tmp_path_factory.mktemp("rules")
    nkru_bench(
        "run", "rules", "-o", "pred.jsonl", "--json", "result.json", "--report", "report.html", cwd=folder
    )
    return folder


def expected_page(result: dict) -> dict[str, int]:
    return {**dict.fromkeys(ITEM_CLASSES, 0), **expected_classes(result)}


def test_rules_report_in_chromium_marks_equal_the_result(chromium: Path, rules_run: Path) -> None:
    result = json.loads((rules_run / "result.json").read_text())
    dom = Page(run_chromium(chromium, rules_run / "report.html", "--dump-dom"))
    assert found_classes(dom) == expected_page(result)
    assert dom.title == Page((rules_run / "report.html").read_text()).title
    assert dom.texts == [doc.text for doc in load_gold().documents]


def test_comparison_in_chromium_marks_equal_each_result(chromium: Path, rules_run: Path) -> None:
    pred = str(rules_run / "pred.jsonl")
    nkru_bench("report", pred, pred, "-o", "compare.html", "--resamples", "0", cwd=rules_run)
    result = json.loads((rules_run / "result.json").read_text())
    dom = Page(run_chromium(chromium, rules_run / "compare.html", "--dump-dom"))
    assert found_classes(dom, "a") == found_classes(dom, "b") == expected_page(result)


# --- the screenshot ------------------------------------------------------------------------------


def read_png(path: Path) -> np.ndarray:
    """An 8-bit RGB or RGBA PNG (what Chromium writes) as a ``(height, width, 3)`` array."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, chunks = 8, []
    while pos < len(data):
        (size,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + size]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert (depth, color, interlace) in ((8, 2, 0), (8, 6, 0)), (depth, color, interlace)
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + size
    bpp = 3 if color == 2 else 4
    raw = np.frombuffer(zlib.decompress(b"".join(chunks)), dtype=np.uint8).reshape(height, width * bpp + 1)
    out = np.zeros((height, width * bpp), dtype=np.uint8)
    previous = np.zeros(width * bpp, dtype=np.uint8)
    for y in range(height):
        out[y] = previous = _unfilter(int(raw[y, 0]), raw[y, 1:], previous, bpp)
    return out.reshape(height, width, bpp)[..., :3]


def _unfilter(kind: int, line: np.ndarray, up: np.ndarray, bpp: int) -> np.ndarray:
    if kind == 0:
        return line
    if kind == 1:  # Sub: a running sum per channel
        return (np.cumsum(line.reshape(-1, bpp).astype(np.int64), axis=0) % 256).astype(np.uint8).ravel()
    if kind == 2:  # Up
        return line + up
    row, b = bytearray(line.tobytes()), up.tobytes()
    for i in range(len(row)):
        a = row[i - bpp] if i >= bpp else 0
        if kind == 3:  # Average
            row[i] = (row[i] + ((a + b[i]) >> 1)) & 255
            continue
        c = b[i - bpp] if i >= bpp else 0  # Paeth
        p = a + b[i] - c
        pa, pb, pc = abs(p - a), abs(p - b[i]), abs(p - c)
        row[i] = (row[i] + (a if pa <= pb and pa <= pc else b[i] if pb <= pc else c)) & 255
    return np.frombuffer(bytes(row), dtype=np.uint8)


def mark_colors() -> dict[str, tuple[tuple[int, ...], tuple[int, ...]]]:
    """(underline, fill) colour of each entity mark class, from the report's own CSS."""
    found = re.findall(r"\.m-([a-z-]+)\{--c:#([0-9a-f]{6});--bg:#([0-9a-f]{6})\}", CSS)
    rgb = lambda h: tuple(int(h[i : i + 2], 16) for i in (0, 2, 4))  # noqa: E731
    return {f"m-{kind}": (rgb(line), rgb(fill)) for kind, line, fill in found}


def test_rules_report_screenshot_shows_the_marked_text(chromium: Path, rules_run: Path) -> None:
    shot = rules_run / "report.png"
    size = f"--window-size={WINDOW[0]},{WINDOW[1]}"
    run_chromium(chromium, rules_run / "report.html", f"--screenshot={shot}", size)
    assert shot.is_file() and shot.stat().st_size > 50_000
    pixels = read_png(shot)
    assert pixels.shape == (WINDOW[1], WINDOW[0], 3)
    # The scorecard, charts, legend and article index fill the top; the first article's text is
    # below. There its marks show: the fill and underline of each kind of mark the harness counts.
    article = pixels[WINDOW[1] // 2 :]
    result = json.loads((rules_run / "result.json").read_text())
    counts = expected_classes(result)
    colors = mark_colors()
    assert set(colors) >= {"m-correct", "m-wrong-type", "m-partial", "m-missed", "m-spurious"}
    # a gold span is underlined, a predicted one filled: a missed mark has no fill, a spurious one
    # no underline (ignored marks, grey like table rules, are left out)
    channels = {"m-missed": (0,), "m-spurious": (1,)}
    shown = {
        name: [int(np.all(article == colors[name][c], axis=-1).sum()) for c in channels.get(name, (0, 1))]
        for name in colors
        if counts.get(name) and name != "m-ignored"
    }
    assert shown, "the harness counts no entity at all"
    busiest = max(shown, key=lambda name: counts[name])
    assert min(shown[busiest]) > 1_000, shown  # the most common kind of mark shows
    text = np.all(article < 80, axis=-1).sum()  # dark pixels: the text itself
    assert text > 20_000, text


# --- markup in a prediction ----------------------------------------------------------------------


def hostile_predictions(rules_run: Path) -> Path:
    """The rules baseline's predictions with markup in lemmas, ids, a holder and a source."""
    lines = [json.loads(line) for line in (rules_run / "pred.jsonl").read_text().splitlines()]
    first = lines[0]
    span = first["entities"][0]
    first["entities"][0] = {**span, "lemma": SCRIPT, "entity_id": IMG}
    first["entities"].append({"start": 0, "end": 4, "type": "PER", "lemma": IMG, "entity_id": SCRIPT})
    first["stance"].append({"holder_id": SCRIPT, "target": "nk_troops_in_russia", "label": "favor"})
    first["stance"].append({"holder_id": IMG, "target": "nk_arms_to_russia", "label": "favor"})
    first["figures"].append({"value": 7, "unit": "missile", "source_id": IFRAME})
    path = rules_run / "hostile <i>pred.jsonl"
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    return path


def assert_nothing_ran(dom: Page, expected_title: str) -> None:
    assert dom.title == expected_title and "pwned" not in dom.title
    tags = {tag for tag, _ in dom.tags}
    assert not tags & {"script", "img", "iframe", "i"}, tags
    assert not [name for _, attrs in dom.tags for name in attrs if name.startswith("on")]
    shown = "".join(dom.data)
    assert SCRIPT in shown and IMG in shown and IFRAME in shown  # shown as text
    titles = "".join(attrs.get("title") or "" for _, attrs in dom.tags)
    assert SCRIPT in titles and IMG in titles  # the lemma and id, in the marks' tooltips


def test_markup_in_a_prediction_does_not_run(chromium: Path, rules_run: Path) -> None:
    pred = hostile_predictions(rules_run)
    nkru_bench("report", str(pred), "-o", "hostile.html", "--resamples", "0", cwd=rules_run)
    html = (rules_run / "hostile.html").read_text()
    expected_title = Page(html).title
    assert "<i>pred" in expected_title  # the file name, as text
    assert_nothing_ran(Page(run_chromium(chromium, rules_run / "hostile.html", "--dump-dom")), expected_title)
    # escaping alone holds: the same page without its Content-Security-Policy
    bare = rules_run / "hostile-no-csp.html"
    bare.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html))
    assert "Content-Security-Policy" not in bare.read_text()
    assert_nothing_ran(Page(run_chromium(chromium, bare, "--dump-dom")), expected_title)


def test_the_browser_would_show_a_script_that_ran(chromium: Path, tmp_path: Path) -> None:
    """The control: in this set-up Chromium runs a page's scripts before it dumps the DOM, so an
    unchanged title above means the injected script did not run."""
    page = tmp_path / "control.html"
    page.write_text(f"<!DOCTYPE html><html><head><title>fresh</title></head><body>{SCRIPT}</body></html>")
    assert Page(run_chromium(chromium, page, "--dump-dom")).title == "pwned"
