"""``nkru_bench.load_dataset`` works from an installed wheel in a fresh virtual environment.

The wheel is built from this checkout and installed without dependencies into a new venv; the
venv reaches the test environment's dependencies (datasets, pyarrow, ...) through a ``.pth`` file
placed after its own site-packages, so the only ``nkru_bench`` it can import is the wheel's. It
runs outside the checkout, offline.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from nkru_bench.gold.paths import CONFIGS

SCRIPT = """
import json, sys, nkru_bench
assert nkru_bench.__file__.startswith(sys.prefix), nkru_bench.__file__
rows = {c: nkru_bench.load_dataset(c, split="test").num_rows for c in %r}
gold = nkru_bench.load_gold()
print(json.dumps({"rows": rows, "documents": len(gold.documents), "file": nkru_bench.__file__}))
"""


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory, root: Path) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(work / "dist"),
            str(root),
        ],
        check=True,
    )
    wheel = next((work / "dist").glob("nkru_bench-*.whl"))
    env_dir = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The wheel first, into the empty venv (so pip cannot find nkru_bench "already installed"), then the
    # .pth that lends the venv this environment's dependencies, after its own site-packages.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            "--ignore-installed",
            str(wheel),
        ],
        check=True,
    )
    assert list(Path(purelib).glob("nkru_bench-*.dist-info")), "the wheel did not install into the venv"
    ours = {sysconfig.get_paths()["purelib"], *site.getsitepackages()}
    Path(purelib, "zz_test_dependencies.pth").write_text("\n".join(sorted(ours)) + "\n", encoding="utf-8")
    return env_dir


def test_the_wheel_ships_the_data_and_loads_every_config_outside_the_checkout(
    venv: Path, tmp_path: Path
) -> None:
    env = {**os.environ, "HF_HOME": str(tmp_path / "hf"), "PYTHONPATH": ""}
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-c", SCRIPT % (CONFIGS,)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = __import__("json").loads(result.stdout.strip().splitlines()[-1])
    assert report["file"].startswith(str(venv))
    assert report["documents"] == 5
    assert report["rows"]["default"] == 5
    assert all(n > 0 for n in report["rows"].values())


def test_the_wheel_installs_the_console_script(venv: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [str(venv / "bin" / "nkru-bench"), "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and result.stdout.startswith("nkru-bench ")
