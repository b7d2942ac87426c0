"""Resolving SYSTEM: a built-in baseline, a Python ``module:attr``, or a command; documents from seeds."""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from pathlib import Path
from typing import Any

from nkru_bench.common.errors import InputError, Problem
from nkru_bench.systems.command import CommandExtractor
from nkru_bench.systems.protocol import DOC_FIELDS, Extractor, describe


def documents_from_seeds(seeds_dir: Path) -> list[dict[str, Any]]:
    """The documents straight from the seeds (no title: titles come with the gold)."""
    from nkru_bench.gold.seeds import check_seed, read_manifest

    seeds, problems = read_manifest(seeds_dir)
    docs = []
    for seed in seeds:
        text, seed_problems = check_seed(seed, seeds_dir)
        problems.extend(seed_problems)
        if text is not None:
            fields = (seed.doc_id, seed.lang, seed.date, None, text)
            docs.append(dict(zip(DOC_FIELDS, fields, strict=True)))
    if problems:
        raise InputError(problems)
    return sorted(docs, key=lambda doc: doc["doc_id"])


def load_object(spec: str) -> Any:
    """The object named by ``module:attr`` (``attr`` may be dotted); the working directory is importable."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise InputError(Problem(spec, None, None, "expected module:attr, e.g. my_system:extract"))
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        obj: Any = importlib.import_module(module_name)
    except (Exception, SystemExit) as error:  # the module's own failure, whatever it is: one line
        message = f"cannot import module {module_name!r}: {describe(error)}"
        raise InputError(Problem(spec, None, None, message)) from None
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except (Exception, SystemExit):
            raise InputError(
                Problem(spec, None, None, f"{module_name!r} has no attribute {attr!r}")
            ) from None
    return obj


def resolve_system(
    system: str | None, cmd: str | None = None, labels: str | None = None
) -> tuple[str, Extractor]:
    """A short name for the system (used for the default output file) and its extractor.

    A class is instantiated without arguments; anything else must be callable. ``iob2:``, ``hf:`` and
    ``spacy:`` systems are the adapters (``nkru_bench.systems.adapters``), ``labels`` their mapping.
    """
    from nkru_bench.systems.baselines import BASELINES

    if (system is None) == (cmd is None):
        raise InputError(Problem("run", None, "SYSTEM", "give either SYSTEM or --cmd COMMAND (one of them)"))
    if cmd is not None:
        return "cmd", CommandExtractor(cmd)
    assert system is not None
    if system == "llm":  # the llm system takes its options on the command line (nkru_bench.systems.llm)
        message = "llm runs from the command line: nkru-bench run llm --model NAME [--base-url URL]"
        raise InputError(Problem(system, None, None, message))
    from nkru_bench.systems.adapters import make

    try:
        adapter = make(system, labels)
    except ImportError as error:  # an adapter whose extra is not installed, or a model that cannot load
        raise InputError(Problem(system, None, None, str(error))) from None
    if adapter is not None:
        return adapter
    if system in BASELINES:
        name, spec = system, BASELINES[system]
    elif ":" in system:
        name, spec = system.replace(":", ".").rsplit("/", 1)[-1], system
    else:
        known = ", ".join(sorted(BASELINES))
        message = f"unknown system: a built-in baseline ({known}), a Python module:attr, or --cmd COMMAND"
        raise InputError(Problem(system, None, None, message))
    obj = load_object(spec)
    if inspect.isclass(obj):
        try:
            obj = obj()
        except ImportError as error:  # an optional baseline whose extra is not installed
            raise InputError(Problem(system, None, None, str(error))) from None
        except (Exception, SystemExit) as error:  # a constructor that raises or needs arguments
            message = f"cannot make the system: {obj.__name__}() failed: {describe(error)}"
            raise InputError(Problem(spec, None, None, message)) from None
    if not callable(obj):
        kind = "None" if obj is None else f"a {type(obj).__name__}"
        raise InputError(Problem(spec, None, None, f"is {kind}, not a callable extractor"))
    return name, obj
