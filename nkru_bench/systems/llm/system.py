"""The LLM system: one document in, one prediction out, for the runner (``nkru-bench run llm``).

For each document it asks one question per layer (entities, figures, stance) with the reference
prompt of the document's language, checks each answer against the layer's schema, aligns the quoted
strings to offsets, and returns the prediction. The requests of all documents go through
``concurrency`` worker threads: ``prefetch`` submits them all at once, and each call waits only for
its own document's answers. An answer comes from the disk cache when it is there, so a rerun sends no
request. A layer that gets no usable answer fails its whole document (``LlmFailure``, which the runner
records as that document's failure); the other documents go on.

``metadata()`` is what the run reports: the model, endpoint, prompt version, parameters,
structured-output mode, requests sent, retries, cache hits, token usage (of the requests sent and of
the answers read from the cache), and every unaligned or invalid item.
"""

from __future__ import annotations

import json
import queue
import re
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nkru_bench.common.errors import InputError, Problem
from nkru_bench.systems.llm.align import align
from nkru_bench.systems.llm.answers import AnswerError, EntityItem, FigureItem, StanceItem, check_answer
from nkru_bench.systems.llm.cache import ResponseCache, cache_key, text_hash
from nkru_bench.systems.llm.client import ChatClient, Completion, RequestFailed, Settings
from nkru_bench.systems.llm.prompts import LAYERS, PROMPT_VERSION, messages, prompt_version


class LlmFailure(Exception):
    """No usable answer for one layer of one document."""


@dataclass
class LayerAnswer:
    items: list[Any]
    invalid: list[str]


@dataclass
class Tally:
    cache_hits: int = 0
    usage: dict[str, int] = field(default_factory=lambda: {"prompt_tokens": 0, "completion_tokens": 0})
    cached_usage: dict[str, int] = field(default_factory=lambda: {"prompt_tokens": 0, "completion_tokens": 0})
    unaligned: list[dict[str, str]] = field(default_factory=list)
    invalid: list[dict[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


def to_prediction(doc: dict[str, Any], answers: dict[str, LayerAnswer]) -> tuple[dict[str, Any], list[str]]:
    """The prediction of one document from its checked answers, and the strings that did not align.

    Entities need offsets, so an unaligned entity is left out of the prediction (and reported);
    an unaligned figure stays in without offsets (figure offsets are optional).
    """
    text = doc["text"]
    prediction: dict[str, Any] = {"doc_id": doc["doc_id"]}
    unaligned: list[str] = []
    if "entities" in answers:
        items: list[EntityItem] = answers["entities"].items
        spans = align(text, [item.text for item in items]).spans
        entities = []
        for item, span in zip(items, spans, strict=True):
            if span is None:
                unaligned.append(f"entities: {item.text!r}")
                continue
            entity = {"start": span[0], "end": span[1], "type": item.type}
            entities.append({**entity, "lemma": item.lemma, "entity_id": item.entity_id})
        prediction["entities"] = entities
    if "figures" in answers:
        figures_in: list[FigureItem] = answers["figures"].items
        spans = align(text, [item.text for item in figures_in]).spans
        figures = []
        for item, span in zip(figures_in, spans, strict=True):
            figure: dict[str, Any] = {"value": item.value, "unit": item.unit, "qualifier": item.qualifier}
            if item.source_id:
                figure["source_id"] = item.source_id
            if span is None:
                unaligned.append(f"figures: {item.text!r}")
            else:
                figure.update(start=span[0], end=span[1])
            figures.append(figure)
        prediction["figures"] = figures
    if "stance" in answers:
        stance_in: list[StanceItem] = answers["stance"].items  # one per (holder, target): check_answer
        prediction["stance"] = [
            {"holder_id": s.holder_id, "target": s.target, "label": s.label} for s in stance_in
        ]
    return prediction, unaligned


class LlmSystem:
    """An ``Extractor`` backed by a chat-completions endpoint."""

    def __init__(
        self,
        settings: Settings,
        cache_dir: Path | None = None,
        layers: tuple[str, ...] = LAYERS,
        client: ChatClient | None = None,
    ):
        self.settings = settings
        self.layers = layers
        self.client = client or ChatClient(settings)
        self.cache = ResponseCache(cache_dir)
        self.prompt_version = prompt_version(PROMPT_VERSION)
        self.tally = Tally()
        self._jobs: queue.Queue[tuple[Future[LayerAnswer], dict[str, Any], str] | None] = queue.Queue()
        self._futures: dict[tuple[str, str], Future[LayerAnswer]] = {}
        self._lock = threading.Lock()
        # daemon workers: Ctrl-C or the end of a run never waits for a request still in flight
        self._workers = [
            threading.Thread(target=self._work, name=f"llm-{i}", daemon=True)
            for i in range(max(1, settings.concurrency))
        ]
        for worker in self._workers:
            worker.start()

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, doc, layer = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(self._answer(doc, layer))
            except BaseException as error:  # handed to the document's call, which reports it
                future.set_exception(error)

    def use_cache(self, folder: Path | None) -> None:
        self.cache = ResponseCache(folder)

    # --- answers ------------------------------------------------------------------------------

    def _key(self, doc: dict[str, Any], layer: str) -> str:
        fields = {
            "endpoint": self.client.endpoint,
            "model": self.settings.model,
            "prompt_version": self.prompt_version,
            "layer": layer,
            "lang": doc["lang"],
            "params": {**self.settings.params(), "structured": self.settings.structured},
            "document": text_hash(doc["text"]),
        }
        return cache_key(fields)

    def _answer(self, doc: dict[str, Any], layer: str) -> LayerAnswer:
        key = self._key(doc, layer)
        entry = self.cache.get(key)
        if entry is not None:
            try:
                items, invalid = check_answer(layer, entry["content"], entry.get("finish_reason"))
            except (AnswerError, KeyError, TypeError):
                entry = None  # a damaged entry is asked again
            else:
                with self.tally.lock:
                    self.tally.cache_hits += 1
                    for name, value in entry.get("usage", {}).items():
                        self.tally.cached_usage[name] = self.tally.cached_usage.get(name, 0) + int(value)
                return LayerAnswer(items, invalid)
        try:
            completion: Completion = self.client.complete(messages(layer, doc["lang"], doc["text"]), layer)
        except RequestFailed as error:
            raise LlmFailure(f"{layer}: {error}") from None
        with self.tally.lock:
            for name, value in completion.usage.items():
                self.tally.usage[name] = self.tally.usage.get(name, 0) + value
        try:
            items, invalid = check_answer(layer, completion.content, completion.finish_reason)
        except AnswerError as error:
            raise LlmFailure(f"{layer}: {error}") from None
        entry = {
            "model": self.settings.model,
            "layer": layer,
            "doc_sha256": text_hash(doc["text"]),
            "prompt_version": self.prompt_version,
            "mode": completion.mode,
            "content": completion.content,
            "finish_reason": completion.finish_reason,
            "usage": completion.usage,
        }
        self.cache.put(key, entry)
        return LayerAnswer(items, invalid)

    def prefetch(self, documents: list[dict[str, Any]]) -> None:
        """Submit every layer of every document to the workers (what is already submitted is skipped)."""
        with self._lock:
            for doc in documents:
                for layer in self.layers:
                    if (doc["doc_id"], layer) not in self._futures:
                        future: Future[LayerAnswer] = Future()
                        self._futures[doc["doc_id"], layer] = future
                        self._jobs.put((future, doc, layer))

    def __call__(self, doc: dict[str, Any]) -> dict[str, Any]:
        self.prefetch([doc])
        answers: dict[str, LayerAnswer] = {}
        errors: list[str] = []
        for layer in self.layers:
            with self._lock:
                future = self._futures.pop((doc["doc_id"], layer))
            try:
                answers[layer] = future.result()
            except LlmFailure as error:
                errors.append(str(error))
        if errors:
            raise LlmFailure("; ".join(errors))
        prediction, unaligned = to_prediction(doc, answers)
        with self.tally.lock:
            self.tally.unaligned += [{"doc_id": doc["doc_id"], "item": item} for item in unaligned]
            for answer in answers.values():
                self.tally.invalid += [{"doc_id": doc["doc_id"], "item": line} for line in answer.invalid]
        return prediction

    def close(self) -> None:
        """Cancel the requests not yet sent and let the workers end (a request in flight is abandoned)."""
        with self._lock:
            for future in self._futures.values():
                future.cancel()
        for _ in self._workers:
            self._jobs.put(None)

    # --- what the run reports -----------------------------------------------------------------

    def signature_fields(self) -> str:
        """What the score signature of a run of this system adds: model, prompt version, parameters."""
        s = self.settings
        seed = "none" if s.seed is None else s.seed
        return (
            f"system:llm|model:{s.model}|prompt:{self.prompt_version}|temperature:{s.temperature:g}|seed:{seed}"
            f"|max_tokens:{s.max_tokens}|structured:{s.structured}"
        )

    def metadata(self) -> dict[str, Any]:
        tally, counters = self.tally, self.client.counters
        usage = dict(tally.usage, total_tokens=sum(tally.usage.values()))
        cached = dict(tally.cached_usage, total_tokens=sum(tally.cached_usage.values()))
        return {
            "system": "llm",
            "model": self.settings.model,
            "endpoint": self.client.endpoint,
            "prompt_version": self.prompt_version,
            "params": self.settings.params(),
            "structured_output": {"requested": self.settings.structured, "used": self.client.mode},
            "concurrency": self.settings.concurrency,
            "requests": counters.requests,
            "retries": counters.retries,
            "cache_hits": tally.cache_hits,
            "usage": usage,
            "usage_from_cache": cached,
            "unaligned": {"count": len(tally.unaligned), "items": tally.unaligned},
            "invalid": {"count": len(tally.invalid), "items": tally.invalid},
            "signature": self.signature_fields(),
        }

    def summary(self) -> str:
        """The end-of-run report: requests, cache, token usage, then every unaligned and invalid item."""
        meta = self.metadata()
        usage, cached = meta["usage"], meta["usage_from_cache"]
        lines = [
            f"llm {meta['model']} prompt {meta['prompt_version']}: {meta['requests']} request(s) "
            f"({meta['retries']} retried), {meta['cache_hits']} answer(s) from the cache; token usage "
            f"{usage['prompt_tokens']} prompt + {usage['completion_tokens']} completion (answers from the "
            f"cache: {cached['prompt_tokens']} + {cached['completion_tokens']}); "
            f"{meta['unaligned']['count']} unaligned, {meta['invalid']['count']} invalid item(s)"
        ]
        lines += [f"  unaligned {item['doc_id']} {item['item']}" for item in meta["unaligned"]["items"]]
        lines += [f"  invalid {item['doc_id']} {item['item']}" for item in meta["invalid"]["items"]]
        return "\n".join(lines)


# --- from the command line ----------------------------------------------------------------------


def parse_layers(text: str) -> tuple[str, ...]:
    chosen = tuple(part.strip() for part in text.split(",") if part.strip())
    if not chosen or any(layer not in LAYERS for layer in chosen) or len(set(chosen)) < len(chosen):
        message = f"expected a comma-separated subset of {','.join(LAYERS)}, got {text!r}"
        raise InputError(Problem("run llm", None, "--layers", message))
    return tuple(layer for layer in LAYERS if layer in chosen)


def llm_system(args: Any) -> tuple[str, LlmSystem]:
    """The run's name (``llm-<model>``) and the system, from ``nkru-bench run llm`` options."""
    if not args.model:
        message = "give the model: nkru-bench run llm --model NAME [--base-url URL] [--api-key-env VAR]"
        raise InputError(Problem("run llm", None, "--model", message))
    settings = Settings(
        model=args.model,
        base_url=args.base_url,
        api_key_env=args.api_key_env,
        temperature=args.temperature,
        seed=args.sampling_seed,
        max_tokens=args.max_tokens,
        structured=args.structured,
        request_timeout=args.request_timeout,
        retries=args.retries,
        backoff=args.backoff,
        concurrency=args.concurrency,
    )
    layers = parse_layers(args.layers)
    try:
        system = LlmSystem(settings, layers=layers)
    except ImportError:
        message = "needs the openai package: pip install 'nkru-bench[llm]'"
        raise InputError(Problem("run llm", None, None, message)) from None
    except ValueError as error:
        raise InputError(Problem("run llm", None, "--api-key-env", str(error))) from None
    return "llm-" + re.sub(r"[^A-Za-z0-9._-]+", "_", args.model).strip("._-"), system


def resumed_ids(path: Path) -> set[str]:
    """The doc_ids already in a predictions file (a best guess; the runner checks the file itself)."""
    ids: set[str] = set()
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ids
    for line in lines:
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict) and isinstance(obj.get("doc_id"), str):
            ids.add(obj["doc_id"])
    return ids
