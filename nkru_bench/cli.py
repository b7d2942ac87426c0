"""The command line: parse arguments, call the core, print. Nothing else lives here.

Every handler returns an exit status. Bad input raises ``InputError``; ``main`` prints its
problems one per line on stderr (no traceback) and exits 2. Heavy modules are imported
inside the handlers so that ``nkru-bench --help`` answers at once.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from nkru_bench.common.errors import InputError
from nkru_bench.common.files import write_atomically
from nkru_bench.common.version import __version__

Handler = Callable[[argparse.Namespace], int]
README = "README.md in the checkout, or https://huggingface.co/datasets/nkru-bench/nkru_bench"


class _DefaultsHelp(argparse.HelpFormatter):
    """Help that ends each option's text with its default, when it has one worth showing."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if not action.option_strings or "%(default)" in text or default in (None, False, argparse.SUPPRESS):
            return text
        return f"{text} (default: %(default)s)"


def _cmd_validate(args: argparse.Namespace) -> int:
    from nkru_bench.curation.build import interrupted
    from nkru_bench.gold.validation import validate_folder

    problems: list[object] = list(validate_folder(args.annotations, args.seeds))
    mixed = interrupted(args.annotations.resolve().parent)  # the checkout the annotations are in
    problems += [mixed] if mixed else []
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    print(f"ok: {args.annotations} is valid")
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from nkru_bench.curation.build import build, check

    if args.check:
        stale = check(args.annotations, args.seeds, args.root)
        for line in stale:
            print(line, file=sys.stderr)
        if stale:
            print("the built files are stale: run 'nkru-bench build'", file=sys.stderr)
            return 1
        print("ok: the built files are up to date")
        return 0
    for path in build(args.annotations, args.seeds, args.root):
        print(f"wrote {path}")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from nkru_bench.gold.loading import load_gold
    from nkru_bench.systems.protocol import document_dict
    from nkru_bench.systems.resolve import resolve_system
    from nkru_bench.systems.runner import failure_lines, run

    if args.report is not None and args.no_score:
        print("error: --report needs the scores: drop --no-score", file=sys.stderr)
        return 2
    if args.system == "llm" and args.cmd is None:
        return _cmd_run_llm(args)
    name, extractor = resolve_system(args.system, args.cmd, args.labels)
    gold = load_gold(args.gold)
    out = args.output or Path("runs") / f"{name}.jsonl"
    documents = [document_dict(doc) for doc in gold.documents]
    timeout = args.timeout or None
    options = {"resume": args.resume, "overwrite": args.overwrite, "timeout": timeout}
    report = run(extractor, documents, out, progress=sys.stderr, **options)
    print(f"predictions: {out}", file=sys.stderr)
    scored = not args.no_score and (report.predicted or report.resumed)
    try:
        status = _score_run(out, gold, bool(report.failures), args) if scored else 0
    finally:
        for line in failure_lines(report):
            print(line, file=sys.stderr)
    return 1 if report.failures else status


def _score_run(
    out: Path, gold: object, failed: bool, args: argparse.Namespace, system_signature: str = ""
) -> int:
    """Score a run as ``score`` does; the documents the system failed on count as predicting nothing."""
    from nkru_bench.gold.checkout import gold_label
    from nkru_bench.scoring.report import leaderboard, score_table
    from nkru_bench.scoring.scorer import score

    options = {"resamples": args.resamples, "seed": args.seed, "gold_source": gold_label(args.gold)}
    result = score(out, gold, allow_missing=failed or args.allow_missing, **options)
    obj = result.to_json()
    if system_signature:  # what produced the predictions (the llm system: model, prompt version, parameters)
        obj["signature"] += "|" + system_signature
    status = _emit_result(obj, args.json, args.markdown, score_table, lambda r: leaderboard([r]))
    if args.report is not None:
        from nkru_bench.scoring.html.page import render_report
        from nkru_bench.scoring.predictions import read_predictions

        write_atomically(args.report, render_report(result, gold, read_predictions(out)))
        print(f"report: {args.report}", file=sys.stderr)
    return status


def _cmd_run_llm(args: argparse.Namespace) -> int:
    """``run llm``: the prompted-LLM system; its metadata (prompt version, usage, unaligned) beside PRED."""
    import json

    from nkru_bench.gold.loading import load_gold
    from nkru_bench.systems.llm.system import llm_system, resumed_ids
    from nkru_bench.systems.protocol import document_dict
    from nkru_bench.systems.runner import failure_lines, run

    name, system = llm_system(args)
    out = args.output or Path("runs") / f"{name}.jsonl"
    system.use_cache(None if args.no_cache else args.llm_cache or out.parent / "llm-cache")
    gold = load_gold(args.gold)
    documents = [document_dict(doc) for doc in gold.documents]
    done = resumed_ids(out) if args.resume else set()
    system.prefetch([doc for doc in documents if doc["doc_id"] not in done])
    meta_path = out.with_name(out.name.removesuffix(".jsonl") + ".meta.json")
    try:
        report = run(
            system,
            documents,
            out,
            resume=args.resume,
            overwrite=args.overwrite,
            timeout=args.timeout or None,
            progress=sys.stderr,
        )
    finally:
        system.close()
        write_atomically(meta_path, json.dumps(system.metadata(), indent=2, ensure_ascii=False) + "\n")
        print(system.summary(), file=sys.stderr)
        print(f"run metadata: {meta_path}", file=sys.stderr)
    print(f"predictions: {out}", file=sys.stderr)
    scored = not args.no_score and (report.predicted or report.resumed)
    try:
        failed = bool(report.failures)
        status = _score_run(out, gold, failed, args, system.signature_fields()) if scored else 0
    finally:
        for line in failure_lines(report):
            print(line, file=sys.stderr)
    return 1 if report.failures else status


def _cmd_score(args: argparse.Namespace) -> int:
    from nkru_bench.scoring.report import leaderboard, score_table
    from nkru_bench.scoring.scorer import score

    options = {"allow_missing": args.allow_missing, "resamples": args.resamples, "seed": args.seed}
    result = score(args.predictions, args.gold, **options)
    status = _emit_result(result.to_json(), args.json, args.markdown, score_table, lambda r: leaderboard([r]))
    if args.eval_results is not None:
        from nkru_bench.scoring.eval_results import write_eval_results

        path = write_eval_results(result.to_json(), args.eval_results, dataset_id=args.eval_dataset)
        print(f"eval results: {path}", file=sys.stderr)
    return status


def _cmd_compare(args: argparse.Namespace) -> int:
    from nkru_bench.scoring.report import compare_markdown, compare_table
    from nkru_bench.scoring.scorer import compare

    options = {"allow_missing": args.allow_missing, "resamples": args.resamples, "seed": args.seed}
    comparison = compare(args.pred_a, args.pred_b, args.gold, **options)
    return _emit_result(comparison.to_json(), args.json, args.markdown, compare_table, compare_markdown)


def _cmd_report(args: argparse.Namespace) -> int:
    """Score one system (or compare two) and write the HTML error report."""
    from nkru_bench.gold.checkout import gold_label
    from nkru_bench.scoring.html.page import render_comparison, render_report
    from nkru_bench.scoring.predictions import read_predictions
    from nkru_bench.scoring.scorer import compare, resolve_gold, score

    gold = resolve_gold(args.gold)
    preds = [read_predictions(path) for path in (args.pred_a, args.pred_b) if path is not None]
    options = {"allow_missing": args.allow_missing, "resamples": args.resamples, "seed": args.seed}
    options["gold_source"] = gold_label(args.gold)
    if len(preds) == 1:
        result = score(preds[0], gold, **options)
        _warn_if_the_checkout_differs(result.gold)
        html = render_report(result, gold, preds[0])
    else:
        comparison = compare(*preds, gold, **options)
        _warn_if_the_checkout_differs(comparison.a.gold)
        html = render_comparison(comparison, gold, *preds)
    write_atomically(args.output, html)
    print(f"report: {args.output}")
    return 0


def _cmd_add_doc(args: argparse.Namespace) -> int:
    from nkru_bench.curation.extending import add_doc

    seed = add_doc(args.file, args.lang, args.date, args.root)
    empty = f"annotations/docs/{seed.doc_id}.jsonl"
    print(f"added {seed.doc_id} ({seed.lang}, date {seed.date or '-'}): seeds/{seed.file}, {empty} (empty)")
    return 0


def _cmd_preannotate(args: argparse.Namespace) -> int:
    from nkru_bench.curation.preannotation import preannotate
    from nkru_bench.systems.resolve import resolve_system

    name, extractor = resolve_system(args.system, args.cmd)
    draft, path = preannotate(args.doc_id, extractor, name, args.root, args.replace, args.timeout or None)
    layers = [line["layer"] for line in draft.lines]
    counts = ", ".join(f"{layers.count(layer)} {layer}" for layer in ("entity", "figure", "stance"))
    print(f'{path}: added {counts} line(s), all "status": "unreviewed"')
    if draft.dropped:
        print(f"{path}: dropped {len(draft.dropped)} unreviewed line(s) of an earlier draft")
    if draft.kb:
        ids = ", ".join(entry["entity_id"] for entry in draft.kb)
        print(f"annotations/kb.jsonl: added {len(draft.kb)} unreviewed draft entr(y/ies): {ids}")
    for reason in draft.skipped:
        print(f"skipped {reason}", file=sys.stderr)
    return 0


def _export_source(gold: Path | None) -> Path | None:
    """``--gold``, else ``./annotations`` when there is one (drafts included), else the shipped gold."""
    if gold is not None:
        return gold
    return Path("annotations") if Path("annotations").is_dir() else None


def _cmd_export(args: argparse.Namespace) -> int:
    from nkru_bench.common.files import prepare_folder
    from nkru_bench.curation.interop.bundle import load_bundle
    from nkru_bench.curation.interop.formats import OWNED, exporter

    bundle = load_bundle(_export_source(args.gold), args.seeds, args.doc or ())
    prepare_folder(args.out_dir, args.force, OWNED[args.format])
    written = exporter(args.format)(bundle, args.out_dir)
    print(f"wrote {len(written)} file(s) for {len(bundle.sheets)} article(s) to {args.out_dir}")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    if args.format == "bsnlp":
        from nkru_bench.gold.loading import load_gold
        from nkru_bench.scoring.bsnlp import read_responses, to_predictions
        from nkru_bench.systems.runner import prediction_line

        predictions = to_predictions(read_responses(args.in_dir), load_gold(args.gold, args.seeds))
        write_atomically(args.out, "".join(prediction_line(p) + "\n" for p in predictions))
        print(f"wrote {args.out}: {len(predictions)} prediction(s), entities projected onto the text")
        print(f"score it with: nkru-bench score {args.out} (entities.relaxed is the document-level score)")
        return 0
    from nkru_bench.curation.interop.formats import importer
    from nkru_bench.curation.interop.writing import write_bundle
    from nkru_bench.gold.loading import seeds_near

    bundle = importer(args.format)(args.in_dir)
    if args.format == "slavicner":  # the format holds entities only: keep the articles' other lines
        from nkru_bench.curation.interop.bundle import bundle_from_annotations, is_annotations
        from nkru_bench.curation.interop.slavicner import merged

        if is_annotations(args.out):
            bundle = merged(bundle, bundle_from_annotations(args.out, args.seeds or seeds_near(args.out)))
    written, unchanged = write_bundle(bundle, args.out, args.seeds or seeds_near(args.out))
    for path in written:
        print(f"wrote {path}")
    for path in unchanged:
        print(f"unchanged {path} (it already holds these annotations)")
    for doc_id, why in bundle.kept:
        print(f"kept {doc_id} as it was: {why}")
    print(f"next: nkru-bench validate --annotations {args.out}")
    return 0


def _cmd_score_bsnlp(args: argparse.Namespace) -> int:
    import json
    import sys

    from nkru_bench.gold.loading import load_gold
    from nkru_bench.scoring import bsnlp_measures as bm
    from nkru_bench.scoring import bsnlp_report
    from nkru_bench.scoring.bsnlp import gold_articles, read_system, unmatched

    folder = args.responses / "annotated" if (args.responses / "annotated").is_dir() else args.responses
    gold = gold_articles(load_gold(args.gold, args.seeds))
    system = read_system(folder)
    for note in (*system.notes, *unmatched(gold, system)):
        print(f"note: {note}", file=sys.stderr)
    units = bm.units(gold, system.articles)
    result = bsnlp_report.scores(units)
    if args.json is not None:
        obj = {"evaluator": bm.EVALUATOR, "measures": bsnlp_report.as_printed(result)}
        write_atomically(args.json, json.dumps(obj, indent=2, ensure_ascii=False) + "\n")
    if args.report is not None:
        write_atomically(args.report, bsnlp_report.report(units, gold))
    print(bsnlp_report.table(result), end="")
    return 0


def _emit_result(
    obj: dict, json_out: Path | None, markdown: bool, table: Callable[[dict], str], md: Callable[[dict], str]
) -> int:
    """Write the JSON (``-``: stdout, instead of the table) and print the table or the Markdown."""
    import json

    _warn_if_the_checkout_differs(obj["gold"])
    if json_out is not None and str(json_out) == "-":
        print(json.dumps(obj, indent=2, ensure_ascii=False))
        return 0
    if json_out is not None:
        write_atomically(json_out, json.dumps(obj, indent=2, ensure_ascii=False) + "\n")
    print(md(obj) if markdown else table(obj), end="")
    return 0


def _warn_if_the_checkout_differs(gold: dict) -> None:
    """One line on stderr when the shipped gold was scored (no ``--gold``) inside a checkout that has
    built another one: an installed package scores the gold it was installed with."""
    from nkru_bench.gold.checkout import SHIPPED, mismatch_warning

    if gold["source"] != SHIPPED:
        return
    warning = mismatch_warning(gold["source"], gold["revision"], gold["documents"], Path.cwd())
    if warning:
        print(warning, file=sys.stderr)


def _count(text: str, maximum: int | None = None) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0 or (maximum is not None and value > maximum):
        most = "" if maximum is None else f" and <= {maximum:,}"
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0{most}, got {text!r}")
    return value


MAX_RESAMPLES = 1_000_000  # far past any interval's need; more only exhausts memory


def _resamples(text: str) -> int:
    return _count(text, MAX_RESAMPLES)


def _seed(text: str) -> int:
    return _count(text, 2**63 - 1)


def _timeout(text: str) -> float:
    """Seconds per document: a finite number >= 0 (0: no limit), no longer than threads can wait."""
    import math
    import threading

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 <= value <= threading.TIMEOUT_MAX):
        raise argparse.ArgumentTypeError(f"expected seconds, a finite number >= 0 (0: none), got {text!r}")
    return value


_INPUTS = ("predictions", "pred_a", "pred_b", "in_dir", "responses", "gold", "a", "b")


def _check_outputs(args: argparse.Namespace) -> None:
    """Before any work: every file the command will write is a new path or a regular file (or a link
    to one), and none is one of the command's inputs (exit 2, one line)."""
    from nkru_bench.common.files import refuse_inputs, writable_target

    names = ("json", "output", "report") + (("out",) if getattr(args, "format", None) == "bsnlp" else ())
    outputs = [getattr(args, name, None) for name in names]
    outputs = [Path(out) for out in outputs if out is not None and str(out) != "-"]
    inputs = [getattr(args, name, None) for name in _INPUTS]
    for out in outputs:
        writable_target(out)
    refuse_inputs(outputs, inputs, args.command)


def _add_score_options(parser: argparse.ArgumentParser) -> None:
    gold = "annotations, dataset folder or .parquet (default: the shipped gold)"
    parser.add_argument("--gold", type=Path, metavar="PATH", help=gold)
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the JSON result to OUT ('-': stdout)")
    parser.add_argument("--markdown", action="store_true", help="print Markdown instead of the table")
    parser.add_argument("--allow-missing", action="store_true", help="absent documents predict nothing")
    parser.add_argument("--resamples", type=_resamples, default=1000, metavar="N", help="bootstrap resamples")
    parser.add_argument("--seed", type=_seed, default=12345, metavar="N", help="bootstrap seed")


def _cmd_agree(args: argparse.Namespace) -> int:
    import json

    from nkru_bench.curation.agreement import agreement, agreement_markdown, disagreements
    from nkru_bench.gold.loading import load_gold

    a, b = load_gold(args.a, seeds=args.seeds), load_gold(args.b, seeds=args.seeds)
    stats = agreement(a, b)
    print(agreement_markdown(stats, str(args.a), str(args.b)))
    found = disagreements(a, b)
    print(f"\n{len(found)} disagreement(s):")
    for item in found:
        print(item)
    if args.json:
        write_atomically(args.json, json.dumps(stats, indent=2, ensure_ascii=False) + "\n")
    return 0


def _add_gold_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--annotations", type=Path, default=Path("annotations"), help="annotation folder")
    parser.add_argument("--seeds", type=Path, default=Path("seeds"), help="seed folder with manifest.jsonl")


def _positive(text: str) -> int:
    value = _count(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


def _add_llm_options(parser: argparse.ArgumentParser) -> None:
    llm = parser.add_argument_group("the llm system (nkru-bench run llm --model NAME; needs the llm extra)")
    llm.add_argument("--model", metavar="NAME", help="the model, as the endpoint names it")
    llm.add_argument("--base-url", metavar="URL", help="an OpenAI-compatible endpoint (default: OpenAI's)")
    llm.add_argument(
        "--api-key-env", default="OPENAI_API_KEY", metavar="VAR", help="variable with the API key"
    )
    llm.add_argument("--temperature", type=float, default=0.0, help="sampling temperature (default 0)")
    llm.add_argument(
        "--sampling-seed", type=int, default=0, metavar="N", help="the request's seed (default 0)"
    )
    llm.add_argument("--max-tokens", type=_positive, default=4096, metavar="N", help="per answer (4096)")
    llm.add_argument("--structured", choices=("auto", "json_schema", "json_object", "prompt"), default="auto",
                     help="structured-output mode (auto: the best the server takes)")  # fmt: skip
    llm.add_argument("--concurrency", type=_positive, default=4, metavar="N", help="requests at once (4)")
    llm.add_argument("--retries", type=_count, default=4, metavar="N", help="on 429, 5xx, timeouts (4)")
    llm.add_argument(
        "--backoff", type=float, default=1.0, metavar="SECONDS", help="first retry delay, doubling"
    )
    llm.add_argument("--request-timeout", type=float, default=120.0, metavar="SECONDS", help="per request")
    llm.add_argument("--layers", default="entities,figures,stance", help="comma-separated layers to ask for")
    llm.add_argument("--llm-cache", type=Path, metavar="DIR", help="response cache (llm-cache/ beside PRED)")
    llm.add_argument("--no-cache", action="store_true", help="neither read nor write the response cache")


_FORMATS = ("brat", "labelstudio", "inception", "bsnlp", "slavicner")


def _validate_arguments(p: argparse.ArgumentParser) -> None:
    _add_gold_options(p)


def _agree_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("a", type=Path, help="annotation folder (or any gold source) of pass A")
    p.add_argument("b", type=Path, help="annotation folder (or any gold source) of pass B")
    p.add_argument("--seeds", type=Path, help="seed folder (default: the seeds folder above the passes)")
    p.add_argument("--json", type=Path, help="also write the agreement figures as JSON")


def _build_arguments(p: argparse.ArgumentParser) -> None:
    _add_gold_options(p)
    p.add_argument("--root", type=Path, default=Path("."), help="checkout root (README.md, nkru_bench/data)")
    p.add_argument("--check", action="store_true", help="exit 1 when the committed outputs are stale")


def _run_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("system", nargs="?", metavar="SYSTEM", help="a baseline, module:attr, iob2:, hf:, spacy:")
    p.add_argument("--cmd", metavar="COMMAND", help="an external system speaking JSON Lines on stdin/stdout")
    output = "predictions file (default: runs/NAME.jsonl)"
    p.add_argument("-o", "--output", type=Path, metavar="PRED", help=output)
    p.add_argument("--json", type=Path, metavar="OUT", help="also write the scores as JSON")
    p.add_argument("--resume", action="store_true", help="keep the documents already in PRED, run the rest")
    p.add_argument("--timeout", type=_timeout, default=120.0, metavar="SECONDS", help="per document; 0: none")
    p.add_argument("--overwrite", action="store_true", help="replace an existing PRED (kept till then)")
    gold = "gold to run on and score against (default: the shipped gold)"
    p.add_argument("--gold", type=Path, metavar="PATH", help=gold)
    p.add_argument("--no-score", action="store_true", help="only write the predictions")
    p.add_argument("--report", type=Path, metavar="OUT.html", help="also write the HTML error report")
    p.add_argument("--markdown", action="store_true", help="print Markdown instead of the table")
    p.add_argument("--allow-missing", action="store_true", help="absent documents predict nothing")
    p.add_argument("--resamples", type=_count, default=1000, metavar="N", help="bootstrap resamples")
    p.add_argument("--seed", type=int, default=12345, metavar="N", help="bootstrap seed")
    p.add_argument("--labels", metavar="MAP", help="hf:/spacy:/iob2: label mapping, e.g. MISC=PRO,NORP=O")
    _add_llm_options(p)


def _score_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("predictions", metavar="PRED", help="JSON Lines, one per document ('-': stdin)")
    _add_score_options(p)
    p.add_argument("--eval-results", type=Path, metavar="DIR", help="write DIR/.eval_results/ for the Hub")
    p.add_argument(
        "--eval-dataset", default="nkru_bench", metavar="ID", help="the benchmark's Hub dataset id"
    )


def _compare_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("pred_a", metavar="PRED_A", help="predictions of system A")
    p.add_argument("pred_b", metavar="PRED_B", help="predictions of system B")
    _add_score_options(p)


def _report_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("pred_a", metavar="PRED", help="predictions (JSON Lines)")
    p.add_argument("pred_b", nargs="?", metavar="PRED_B", help="a second system, shown side by side")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.html", help="the report")
    p.add_argument("--gold", type=Path, metavar="PATH", help="annotations, dataset folder or .parquet")
    p.add_argument("--allow-missing", action="store_true", help="absent documents predict nothing")
    p.add_argument("--resamples", type=_resamples, default=1000, metavar="N", help="bootstrap resamples")
    p.add_argument("--seed", type=_seed, default=12345, metavar="N", help="bootstrap seed")


def _add_doc_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path, metavar="FILE", help="the article, UTF-8 text")
    p.add_argument("--lang", required=True, metavar="LANG", help="cs, pl or sl")
    p.add_argument("--date", metavar="YYYY-MM[-DD]", help="when the file has no ' date YYYY-MM ' header")
    p.add_argument("--root", type=Path, default=Path("."), help="checkout root (seeds/, annotations/)")


def _preannotate_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("doc_id", metavar="DOC_ID", help="the article, as add-doc named it")
    p.add_argument("--system", metavar="SYSTEM", help="a baseline (rules, spacy-cs) or module:attr")
    p.add_argument("--cmd", metavar="COMMAND", help="an external system speaking JSON Lines on stdin/stdout")
    p.add_argument("--root", type=Path, default=Path("."), help="checkout root (seeds/, annotations/)")
    p.add_argument("--replace", action="store_true", help="drop the unreviewed lines of an earlier draft")
    p.add_argument("--timeout", type=_timeout, default=120.0, metavar="SECONDS", help="0: none")


def _export_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "format", choices=_FORMATS, metavar="FORMAT", help="brat, labelstudio, inception, bsnlp or slavicner"
    )
    p.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="folder to write")
    source = "annotations folder (default ./annotations, drafts included), dataset folder or .parquet"
    p.add_argument("--gold", type=Path, metavar="PATH", help=source)
    p.add_argument("--seeds", type=Path, help="seed folder (default: seeds beside the annotations)")
    p.add_argument("--doc", action="append", metavar="DOC_ID", help="only this article (repeatable)")
    p.add_argument("--force", action="store_true", help="replace the files of an earlier export in OUT_DIR")


def _import_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "format", choices=_FORMATS, metavar="FORMAT", help="brat, labelstudio, inception, bsnlp or slavicner"
    )
    p.add_argument("in_dir", type=Path, metavar="IN_DIR", help="the tool's folder (or export file)")
    target = "annotations folder to write into (bsnlp: a predictions .jsonl)"
    p.add_argument("--out", type=Path, required=True, metavar="PATH", help=target)
    p.add_argument("--seeds", type=Path, help="seed folder (default: seeds beside --out or --gold)")
    p.add_argument("--gold", type=Path, metavar="PATH", help="bsnlp: gold whose texts to project onto")


def _score_bsnlp_arguments(p: argparse.ArgumentParser) -> None:
    layout = "a system's folder: <topic>/<lang>/<file> (or an export with annotated/)"
    p.add_argument("responses", type=Path, metavar="DIR", help=layout)
    p.add_argument("--gold", type=Path, metavar="PATH", help="annotations, dataset folder or .parquet")
    p.add_argument("--seeds", type=Path, help="seed folder of an annotations --gold (default: beside it)")
    p.add_argument("--json", type=Path, metavar="OUT", help="also write the result as JSON")
    p.add_argument("--report", type=Path, metavar="OUT", help="also write the evaluator's report")


# Each command: its help line, the function that adds its arguments, its handler.
_COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Handler]] = {
    "validate": (
        "check the annotations and seeds; exit 1 on any problem",
        _validate_arguments,
        _cmd_validate,
    ),
    "agree": ("agreement between two annotation sets, and their disagreements", _agree_arguments, _cmd_agree),
    "build": ("compile seeds + annotations into Parquet and the card's YAML", _build_arguments, _cmd_build),
    "run": ("run a system over the documents, write its predictions, score them", _run_arguments, _cmd_run),
    "score": ("score predictions (JSON Lines) against the gold", _score_arguments, _cmd_score),
    "compare": ("compare two systems by a paired bootstrap over documents", _compare_arguments, _cmd_compare),
    "report": (
        "write an HTML error report of one system, or two side by side",
        _report_arguments,
        _cmd_report,
    ),
    "add-doc": (
        "add an article to the seeds with an empty annotation file",
        _add_doc_arguments,
        _cmd_add_doc,
    ),
    "preannotate": (
        "draft an article's annotations from a system (unreviewed)",
        _preannotate_arguments,
        _cmd_preannotate,
    ),
    "export": (
        "write the gold (or a draft) for brat, Label Studio, INCEpTION, BSNLP or SlavicNER",
        _export_arguments,
        _cmd_export,
    ),
    "import": (
        "read annotations back from brat, Label Studio, INCEpTION, SlavicNER (or BSNLP)",
        _import_arguments,
        _cmd_import,
    ),
    "score-bsnlp": (
        "score BSNLP system responses exactly as the official evaluator",
        _score_bsnlp_arguments,
        _cmd_score_bsnlp,
    ),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; given ``command``, with that command alone (building every
    command's parser takes about 4 ms more than building one)."""
    parser = argparse.ArgumentParser(
        prog="nkru-bench",
        description="nkru_bench: validate and build the gold, run and score extraction systems.",
        epilog=f"Every command and the result format are explained in the README: {README}",
    )
    parser.add_argument("--version", action="version", version=f"nkru-bench {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (text, add_arguments, handler) in _COMMANDS.items():
        if command in (None, name):
            p = sub.add_parser(name, help=text, formatter_class=_DefaultsHelp)  # help shows the defaults
            add_arguments(p)
            p.set_defaults(handler=handler)
    return parser


# The modules of the dependencies in pyproject.toml (imported where they are needed, so the command
# line starts without them): one that is missing is an installation to mend, not a program error.
REQUIRED_MODULES = frozenset({"datasets", "numpy", "scipy", "pyarrow", "pydantic", "sklearn", "yaml"})


def main(argv: Sequence[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    parser = build_parser(given[0] if given and given[0] in _COMMANDS else None)
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    own_process = argv is None and handler in (_cmd_score, _cmd_compare)
    if own_process:
        # A process of its own that ends after scoring: the cyclic collector would only walk the
        # records again and again (they hold no cycles), and once more at exit (see below).
        gc.disable()
    previous = _on_sigterm()
    try:
        _check_outputs(args)
        return handler(args)
    except InputError as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except Terminated:
        print("terminated", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        _ignore_sigint()  # a second Ctrl-C while the first is handled changes nothing
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except MemoryError:
        print(f"error: {args.command}: not enough memory for this input and these options", file=sys.stderr)
        return 2
    except ModuleNotFoundError as error:
        missing = (error.name or "").split(".")[0]
        if missing not in REQUIRED_MODULES:
            raise
        print(
            f"error: {args.command}: this Python ({sys.executable}) has no {missing}, which nkru-bench "
            "needs: install nkru-bench with its dependencies (in a checkout: pip install -e .)",
            file=sys.stderr,
        )
        return 2
    except OSError as error:  # a fault of the machine (a full disk, a vanished folder) met outside a writer
        from nkru_bench.common.errors import safe

        where = safe(str(error.filename)) if error.filename else args.command
        print(f"error: {where}: {safe(error.strerror or str(error))}", file=sys.stderr)
        return 2
    finally:
        _restore_sigterm(previous)
        if own_process:
            # The collections at exit would walk every object numpy, pyarrow and the run made
            # (half the exit, 20 ms of scoring the shipped gold): moved out of their sight.
            gc.freeze()


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is so that every ``finally`` runs (a system is stopped,
    what is written stays written), like Ctrl-C."""


def _on_sigterm() -> object:
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None

    def terminate(signum: int, frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Terminated

    return signal.signal(signal.SIGTERM, terminate)


def _restore_sigterm(previous: object) -> None:
    import signal

    if previous is not None:
        signal.signal(signal.SIGTERM, previous)  # type: ignore[arg-type]


def _ignore_sigint() -> None:
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
