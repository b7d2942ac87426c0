"""One chat-completions request, through the official ``openai`` client, with retries and a fallback mode.

``ChatClient.complete`` sends the messages of one layer of one document to any OpenAI-compatible
endpoint (vLLM, llama.cpp's server, Ollama, hosted APIs) and returns the answer text, its finish
reason and its token usage. It retries a request that failed with HTTP 429, a 5xx status, a timeout
or a broken connection, up to ``retries`` more times, sleeping ``backoff * 2**n`` seconds (or the
server's ``Retry-After``, capped at ``max_backoff``) in between; anything else (a 4xx, an answer that
is not a chat completion) fails at once. The ``openai`` client's own retries are off, so every request
sent is counted.

Structured output: ``json_schema`` sends the layer's schema as ``response_format`` (strict,
OpenAI's form); ``json_object`` asks for JSON mode with the schema attached as
``response_format.schema`` (the form of llama-cpp-python's server, which turns it into a grammar) and
also puts the schema in the prompt; ``prompt`` sends no ``response_format`` and puts the schema in
the prompt. ``auto`` (the default) starts with
``json_schema`` and steps down, for the rest of the run, when the server rejects ``response_format``
with a 400, 422 or 500 that names it (llama-cpp-python's server answers 500 to OpenAI's form); the
mode in use is reported in the run's metadata.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nkru_bench.systems.llm.answers import json_schema, response_format, schema_instruction

MODES = ("json_schema", "json_object", "prompt")
_FORMAT_WORDS = ("response_format", "json_schema", "json_object", "schema", "grammar", "structured")


class RequestFailed(Exception):
    """A request that did not give an answer, after any retries, in one line."""


@dataclass(frozen=True)
class Settings:
    model: str
    base_url: str | None = None
    api_key_env: str = "OPENAI_API_KEY"
    temperature: float = 0.0
    seed: int | None = 0
    max_tokens: int = 4096
    structured: str = "auto"
    request_timeout: float = 120.0
    retries: int = 4
    backoff: float = 1.0
    max_backoff: float = 30.0
    concurrency: int = 4

    def params(self) -> dict[str, Any]:
        """The generation parameters (what goes into the cache key and the run metadata)."""
        return {"temperature": self.temperature, "seed": self.seed, "max_tokens": self.max_tokens}


@dataclass(frozen=True)
class Completion:
    content: str
    finish_reason: str | None
    usage: dict[str, int]
    mode: str


@dataclass
class Counters:
    requests: int = 0
    retries: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, requests: int = 0, retries: int = 0) -> None:
        with self.lock:
            self.requests += requests
            self.retries += retries


def _status(error: Exception) -> int | None:
    return getattr(error, "status_code", None)


def _retry_after(error: Exception) -> float | None:
    response = getattr(error, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())[:300]


class ChatClient:
    """A thread-safe client for one endpoint and model."""

    def __init__(self, settings: Settings, sleep: Callable[[float], None] = time.sleep):
        import openai

        if settings.structured not in (*MODES, "auto"):
            raise ValueError(
                f"structured output mode {settings.structured!r}: expected auto or one of {MODES}"
            )
        api_key = os.environ.get(settings.api_key_env)
        if not api_key:
            if settings.base_url is None:
                raise ValueError(
                    f"set {settings.api_key_env} to the API key (or give --base-url of a local server)"
                )
            api_key = "unused"  # local servers take any key
        self.settings = settings
        self._openai = openai
        self._client = openai.OpenAI(
            base_url=settings.base_url, api_key=api_key, max_retries=0, timeout=settings.request_timeout
        )
        self._sleep = sleep
        self._mode_lock = threading.Lock()
        self.mode = "json_schema" if settings.structured == "auto" else settings.structured
        self.counters = Counters()

    @property
    def endpoint(self) -> str:
        return str(self._client.base_url)

    def _request(self, messages: list[dict[str, str]], layer: str, mode: str) -> Any:
        body: dict[str, Any] = {"model": self.settings.model, "messages": messages}
        body["temperature"] = self.settings.temperature
        body["max_tokens"] = self.settings.max_tokens
        if self.settings.seed is not None:
            body["seed"] = self.settings.seed
        if mode == "json_schema":
            body["response_format"] = response_format(layer)
        else:
            last = messages[-1]
            body["messages"] = [
                *messages[:-1],
                {**last, "content": last["content"] + schema_instruction(layer)},
            ]
            if mode == "json_object":  # JSON mode, with the schema attached where the server reads it
                body["response_format"] = {"type": "json_object", "schema": json_schema(layer)}
        return self._client.chat.completions.create(**body)

    def _step_down(self, mode: str, error: Exception) -> str | None:
        """The next mode when ``auto`` and the server rejected this one's response_format; else None."""
        if self.settings.structured != "auto" or mode == "prompt" or _status(error) not in (400, 422, 500):
            return None
        if not any(word in str(error).lower() for word in _FORMAT_WORDS):
            return None
        with self._mode_lock:
            if self.mode == mode:
                self.mode = MODES[MODES.index(mode) + 1]
            return self.mode

    def complete(self, messages: list[dict[str, str]], layer: str) -> Completion:
        openai = self._openai
        attempt = 0
        mode = self.mode
        while True:
            self.counters.add(requests=1)
            try:
                response = self._request(messages, layer, mode)
            except (openai.APITimeoutError, openai.APIConnectionError, openai.APIStatusError) as error:
                next_mode = self._step_down(mode, error)
                if next_mode is not None:
                    mode = next_mode
                    continue
                status = _status(error)
                if not (status is None or status == 429 or status >= 500):
                    raise RequestFailed(f"HTTP {status}: {_one_line(error)}") from None
                if attempt >= self.settings.retries:
                    what = f"HTTP {status}" if status is not None else type(error).__name__
                    raise RequestFailed(
                        f"{what} after {attempt + 1} attempt(s): {_one_line(error)}"
                    ) from None
                delay = _retry_after(error)
                if delay is None:
                    delay = self.settings.backoff * 2**attempt
                self.counters.add(retries=1)
                attempt += 1
                self._sleep(min(delay, self.settings.max_backoff))
                continue
            except (openai.OpenAIError, ValueError) as error:  # ValueError: a body that is not JSON
                raise RequestFailed(f"the answer is not a chat completion: {_one_line(error)}") from None
            return self._completion(response, mode)

    @staticmethod
    def _completion(response: Any, mode: str) -> Completion:
        choices = getattr(response, "choices", None)
        if not choices:
            raise RequestFailed("the server answered with no choices")
        choice = choices[0]
        content = getattr(choice.message, "content", None)
        if not isinstance(content, str):
            raise RequestFailed(f"the answer has no text (finish_reason={choice.finish_reason})")
        usage = getattr(response, "usage", None)
        counts = {name: int(getattr(usage, name, 0) or 0) for name in ("prompt_tokens", "completion_tokens")}
        return Completion(content, choice.finish_reason, counts, mode)
