"""A scripted OpenAI-compatible HTTP server on loopback, for the LLM system's fault cases.

``ScriptedServer(script)`` answers ``POST /v1/chat/completions``; ``script(request, number)`` gets the
parsed request body and the 1-based request number and returns an ``Action``: a status, a body (a
chat completion made by ``completion()``, an error object or raw bytes), extra headers, a delay
before answering (bounded), or ``close=True`` to drop the connection without an answer. Every
request is recorded in ``requests``. It listens on 127.0.0.1 only, on a free port, in a daemon
thread, and ``stop()`` ends it.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MAX_DELAY = 6.0


@dataclass
class Action:
    status: int = 200
    body: Any = None  # dict -> JSON, bytes -> as is
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    close: bool = False


def completion(
    content: str, finish_reason: str = "stop", prompt_tokens: int = 10, completion_tokens: int = 5
) -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "scripted",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish_reason}
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def error(status: int, message: str) -> Action:
    return Action(status, {"error": {"message": message, "type": "test", "code": status}})


class ScriptedServer:
    def __init__(self, script: Callable[[dict[str, Any], int], Action]):
        self.script = script
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with server._lock:
                    server.requests.append(body)
                    number = len(server.requests)
                action = server.script(body, number)
                if action.delay:
                    time.sleep(min(action.delay, MAX_DELAY))
                if action.close:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                data = action.body if isinstance(action.body, bytes) else json.dumps(action.body).encode()
                try:
                    self.send_response(action.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for name, value in action.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up (a timeout)
                    pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> ScriptedServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
