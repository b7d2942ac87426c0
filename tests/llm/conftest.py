"""The LLM tests need the optional ``llm`` and ``inspect`` extras and a llama.cpp server built from source.

They run in their own tox environment (``tox -e llm``, which CI runs once), where
``NKRU_BENCH_LLM_TESTS=1`` is set; the other environments do not collect this folder. Inside the
``llm`` environment nothing here is skipped: a missing dependency is an import error.
"""

from __future__ import annotations

import os

collect_ignore_glob = [] if os.environ.get("NKRU_BENCH_LLM_TESTS") == "1" else ["*.py"]
