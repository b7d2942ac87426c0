"""The heavy adapter tests (torch, transformers, spaCy) run in their own tox env, ``tox -e adapters``.

That env sets ``NKRU_BENCH_HEAVY=1`` and installs the extras; there a missing package fails the run.
Elsewhere (the py311-py313 envs, a plain ``pytest``) this folder is not collected at all, so that the
main suite does not need several GB of packages: nothing here skips itself.
"""

from __future__ import annotations

import os

collect_ignore_glob = [] if os.environ.get("NKRU_BENCH_HEAVY") == "1" else ["test_*.py"]
