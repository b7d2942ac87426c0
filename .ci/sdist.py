"""Run the sdist's own tests: unpack the sdist tox built and installed ($TOX_PACKAGE), run pytest there.

The tests import the installed package (pytest puts ``tests/`` on the path, not the unpacked root),
and read their data from the unpacked tree: a file the sdist does not ship fails a test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path


def main(argv: list[str]) -> int:
    sdist = Path(os.environ["TOX_PACKAGE"])
    if not sdist.name.endswith(".tar.gz"):
        print(f"expected an sdist in TOX_PACKAGE, got {sdist}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="nkru-sdist-"))
    try:
        with tarfile.open(sdist) as archive:
            archive.extractall(work, filter="data")
        (root,) = work.iterdir()
        print(f"unpacked {sdist.name} into {root}", flush=True)
        return subprocess.run(["pytest", *argv], cwd=root, check=False).returncode
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
