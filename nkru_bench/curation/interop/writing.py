"""Where interop writes: a format's files into a folder, and a bundle into an annotations folder.

``write_files`` is the one place an exporter writes; ``write_bundle`` the one place an import does.
An import replaces an article's annotation file only when the annotations in it change: a file that
already holds exactly the bundle's lines (in any order, a figure value by its number: ``1500`` is
``1500.0``) is not touched, and in a file that changes, every line equal to one already there is
written as the file had it, so a re-import of what nobody edited changes no byte.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nkru_bench.common.errors import InputError, Problem
from nkru_bench.common.files import write_inside
from nkru_bench.common.jsonlines import dumps, read_jsonl
from nkru_bench.curation.interop.bundle import Bundle, canonical, check_line, line_order
from nkru_bench.gold.annotations import DOCS_DIR, KB_FILE, Line
from nkru_bench.gold.seeds import check_seed, read_manifest


def write_files(out_dir: Path, files: dict[str, str | bytes]) -> list[Path]:
    """Each file of ``files`` (name -> content, text as UTF-8, no newline translation) written
    atomically into ``out_dir``, which is made when missing; a name that would leave the folder, or a
    link inside it, is refused (``write_inside``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return [write_inside(out_dir, name, content) for name, content in files.items()]


def _same(obj: dict[str, Any]) -> str:
    """A line's identity: its canonical JSON, a figure value as a float."""
    value = obj.get("value")
    if type(value) in (int, float):
        obj = {**obj, "value": float(value)}
    return dumps(canonical(obj))


def file_lines(path: Path, lines: Sequence[Line]) -> list[dict[str, Any]] | None:
    """The objects to write into the annotation file ``path`` for ``lines`` (canonical order), or
    None when the file already holds exactly these annotations and is to be left as it is."""
    objects, problems = read_jsonl(path) if path.is_file() else ([], [])
    existing = [obj for _, obj in objects if isinstance(obj, dict)]
    readable = path.is_file() and not problems and len(existing) == len(objects)
    new = [line.obj for line in lines]
    if readable and sorted(map(_same, new)) == sorted(map(_same, existing)):
        return None
    have: dict[str, list[dict[str, Any]]] = {}
    for obj in existing if readable else []:
        have.setdefault(_same(obj), []).append(obj)
    kept = [have[key].pop() if have.get(key) else obj for obj, key in ((o, _same(o)) for o in new)]
    return [canonical(obj) for obj in sorted(kept, key=line_order)]


def _problems(bundle: Bundle, seeds: Path) -> list[Problem]:
    """What stops the bundle from being written: articles not in the seeds, texts that are not the
    seeds' texts, lines that do not pass ``check_line``."""
    manifest, problems = read_manifest(seeds)
    seeds_by_id = {seed.doc_id: seed for seed in manifest}
    for sheet in bundle.sheets:
        seed = seeds_by_id.get(sheet.doc_id)
        if seed is None:
            message = (
                f"{sheet.doc_id!r} is not in {seeds / 'manifest.jsonl'}: add the article with add-doc first"
            )
            problems.append(Problem(sheet.source, None, "doc_id", message))
            continue
        text, seed_problems = check_seed(seed, seeds)
        problems += seed_problems
        if text is not None and text != sheet.text:
            at = next((i for i, (a, b) in enumerate(zip(text, sheet.text, strict=False)) if a != b), None)
            at = min(len(text), len(sheet.text)) if at is None else at
            message = (
                f"its text differs from the seed {seed.file} from character {at} on: offsets would break"
            )
            problems.append(Problem(sheet.source, None, "text", message))
        for line in sheet.lines:
            problems += check_line(line.obj, sheet.text, line.file, line.line)
    return problems


def write_bundle(bundle: Bundle, annotations: Path, seeds: Path) -> tuple[list[Path], list[Path]]:
    """Write each article's annotation file where its annotations changed and append the KB entries
    the folder lacks (existing KB lines are never changed); return (written, unchanged). Everything
    is checked first; on any problem nothing is written. ``bundle.kept`` is not touched."""
    from nkru_bench.curation.extending import append_jsonl
    from nkru_bench.gold.annotations import write_jsonl

    problems = _problems(bundle, seeds)
    kb_path = annotations / KB_FILE
    existing, kb_problems = read_jsonl(kb_path) if kb_path.exists() else ([], [])
    problems += kb_problems
    if problems:
        raise InputError(problems)
    paths = [annotations / DOCS_DIR / f"{sheet.doc_id}.jsonl" for sheet in bundle.sheets]
    contents = [file_lines(path, sheet.lines) for path, sheet in zip(paths, bundle.sheets, strict=True)]
    written = [path for path, objects in zip(paths, contents, strict=True) if objects is not None]
    unchanged = [path for path, objects in zip(paths, contents, strict=True) if objects is None]
    for path, objects in zip(paths, contents, strict=True):
        if objects is not None:
            write_jsonl(path, objects)
    have = {obj.get("entity_id") for _, obj in existing}
    added = []
    for line in bundle.kb:
        if line.obj.get("entity_id") not in have:
            have.add(line.obj.get("entity_id"))
            added.append(line.obj)
    if added or not kb_path.exists():
        append_jsonl(kb_path, added)
        written.append(kb_path)
    return written, unchanged
