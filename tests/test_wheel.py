"""The wheel and the sdist as PyPI, pip and a fresh virtual environment see them.

Both are built from this checkout with hatchling and its readme hook (hatch-fancy-pypi-readme),
without build isolation. ``twine check --strict`` and ``check-wheel-contents`` judge them as they
would before an upload. The wheel is installed without dependencies into a new venv; the venv
reaches the test environment's dependencies (datasets, pyarrow, mlcroissant...) through a ``.pth``
file placed after its own site-packages, so the only ``nkru_bench`` it can import is the wheel's. It
runs outside the checkout, offline. (The sdist's own tests run in the tox env ``sdist``.)
"""

from __future__ import annotations

import email.parser
import json
import os
import re
import shutil
import site
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from nkru_bench.curation import release
from nkru_bench.gold.paths import CONFIGS

SCRIPT = """
import json, sys, nkru_bench
assert nkru_bench.__file__.startswith(sys.prefix), nkru_bench.__file__
rows = {c: nkru_bench.load_dataset(c, split="test").num_rows for c in %r}
gold = nkru_bench.load_gold()
print(json.dumps({"rows": rows, "documents": len(gold.documents), "file": nkru_bench.__file__}))
"""

# mlcroissant reading every record set of the croissant.json the wheel installed, from site-packages
CROISSANT_SCRIPT = """
import json, sys
from pathlib import Path
import mlcroissant as mlc
import nkru_bench
path = Path(nkru_bench.__file__).parent / "data" / "croissant.json"
assert str(path).startswith(sys.prefix), path
dataset = mlc.Dataset(jsonld=str(path))
counts = {rs.id: sum(1 for _ in dataset.records(rs.id)) for rs in dataset.metadata.record_sets}
print(json.dumps(counts))
"""


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory, root: Path) -> Path:
    """The wheel and the sdist, built as ``python -m build --no-isolation`` would."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-d", str(out)],
        cwd=root,
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="module")
def wheel(dist: Path) -> Path:
    return next(dist.glob("nkru_bench-*.whl"))


@pytest.fixture(scope="module")
def metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.parser.Parser().parsestr(archive.read(name).decode("utf-8"))


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Path:
    work = tmp_path_factory.mktemp("wheel")
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


def _in_venv(venv: Path, script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HOME": str(cwd / "hf"), "PYTHONPATH": ""}
    return subprocess.run(
        [str(venv / "bin" / "python"), "-c", script],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_the_wheel_ships_the_data_and_loads_every_config_outside_the_checkout(
    venv: Path, tmp_path: Path
) -> None:
    result = _in_venv(venv, SCRIPT % (CONFIGS,), tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["file"].startswith(str(venv))
    assert report["documents"] == 5
    assert report["rows"]["default"] == 5
    assert all(n > 0 for n in report["rows"].values())


def test_mlcroissant_reads_every_record_set_of_the_installed_croissant(venv: Path, tmp_path: Path) -> None:
    result = _in_venv(venv, CROISSANT_SCRIPT, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    counts = json.loads(result.stdout.strip().splitlines()[-1])
    rows = json.loads(_in_venv(venv, SCRIPT % (CONFIGS,), tmp_path).stdout.strip().splitlines()[-1])["rows"]
    assert {config: counts[config] for config in CONFIGS} == rows
    assert counts["splits"] == 1


def test_the_wheel_installs_the_console_script(venv: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [str(venv / "bin" / "nkru-bench"), "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and result.stdout.startswith("nkru-bench ")


def test_the_installed_command_names_a_gold_extended_in_a_checkout(
    venv: Path, checkout: Path, root: Path
) -> None:
    """``pip install .`` then extending the gold in the checkout: the installed command still scores the
    gold it was installed with, says so, and warns that the checkout has built another."""
    command = venv / "bin" / "nkru-bench"
    env = {**os.environ, "HF_HOME": str(checkout.parent / "hf"), "PYTHONPATH": ""}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(command), *args], cwd=checkout, capture_output=True, text=True, env=env, check=False
        )

    shutil.copy(root / "pyproject.toml", checkout / "pyproject.toml")
    article = checkout.parent / "clanek.txt"
    article.write_text("Severní Korea poslala do Ruska až 12 000 vojáků.\n", encoding="utf-8")
    assert run("add-doc", str(article), "--lang", "cs", "--date", "2024-11").returncode == 0
    built = run("build")
    assert built.returncode == 0, built.stderr
    manifest = json.loads((checkout / "nkru_bench" / "data" / "manifest.json").read_text(encoding="utf-8"))
    extended, documents = manifest["gold_revision"], manifest["totals"]["documents"]
    rules = str(root / "examples" / "predictions" / "rules.jsonl")
    shipped = run("score", rules, "--resamples", "0")
    assert shipped.returncode == 0, shipped.stderr
    (warning,) = shipped.stderr.splitlines()
    assert f"revision {extended}, {documents} documents" in warning  # the checkout's gold, named
    assert f"--gold {checkout}" in warning
    header = next(line for line in shipped.stdout.splitlines() if line.startswith("gold "))
    assert header.startswith(f"gold         shipped ({venv}")  # the installed package's own data
    assert header.endswith(f", {documents - 1} documents")  # the five the wheel was built with
    here = run("score", rules, "--resamples", "0", "--gold", ".", "--allow-missing")
    assert here.returncode == 0 and here.stderr == "", here.stderr
    assert f"gold         ., revision {extended}, {documents} documents" in here.stdout.splitlines()


def test_twine_check_strict_passes(dist: Path) -> None:
    files = sorted(str(p) for p in dist.iterdir())
    assert len(files) == 2  # the wheel and the sdist
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *files], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2


def test_check_wheel_contents_passes(wheel: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "check_wheel_contents", str(wheel)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("OK")


def test_the_long_description_is_the_readme_without_the_card_yaml(
    metadata: email.message.Message, root: Path
) -> None:
    description = metadata.get_payload()
    assert metadata["Description-Content-Type"].startswith("text/markdown")
    assert description.startswith("# nkru_bench\n")
    assert "pretty_name:" not in description and "dataset_info:" not in description
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert description.splitlines()[:3] == readme.split("\n---\n", 1)[1].strip().splitlines()[:3]
    targets = re.findall(r"\]\(([^)\s]+)\)", description)
    assert targets, "the readme has links"
    relative = [t for t in targets if not t.startswith("https://")]
    assert relative == []
    images = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", description)
    assert images
    for image in images:  # every image is a file of the checkout, at its address on the Hub
        prefix = f"{release.URL}/resolve/main/"
        assert image.startswith(prefix) and (root / image.removeprefix(prefix)).is_file(), image
    for target in targets:
        if target.startswith(f"{release.URL}/blob/main/"):
            path = target.removeprefix(f"{release.URL}/blob/main/").split("#")[0]
            assert (root / path).exists(), target


def test_one_licence_expression_and_the_urls_in_the_wheel_metadata(
    metadata: email.message.Message, root: Path
) -> None:
    assert metadata["License-Expression"] == release.LICENSE
    files = set(metadata.get_all("License-File"))
    assert {f"LICENSES/{part}.txt" for part in ("MIT", "CC-BY-4.0", release.TEXTS_LICENSE)} <= files
    urls = dict(url.split(", ", 1) for url in metadata.get_all("Project-URL"))
    assert urls["Homepage"] == release.URL
    assert all(url.startswith(release.URL) for url in urls.values())
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == release.LICENSE


def test_the_sdist_ships_what_its_tests_read(dist: Path) -> None:
    sdist = next(dist.glob("nkru_bench-*.tar.gz"))
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for needed in (
        "nkru_bench/data/croissant.json",
        "examples/extractor.js",
        "tests/conftest.py",
        "seeds/manifest.jsonl",
        "annotations/kb.jsonl",
        "LICENSES/MIT.txt",
        "README.md",
        "tox.ini",
    ):
        assert needed in names, needed
    assert any(name.startswith("examples/predictions/") for name in names)
