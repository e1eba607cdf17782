"""A local HTTP server standing in for WeCom, DingTalk and the SMS provider.

It records every request (path, query, JSON body, headers) and answers with
what the test queued, or {"errcode": 0} when nothing is queued. A queued
answer of `Slow(seconds)` holds the request that long, for timeouts.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    path: str
    query: dict[str, str]
    body: dict
    headers: dict[str, str]


@dataclass
class Slow:
    seconds: float


@dataclass
class StandIn:
    url: str = ""
    received: list[Received] = field(default_factory=list)
    answers: list = field(default_factory=list)

    def answer(self, *answers) -> None:
        """Queue answers: (status, JSON body) pairs, or Slow(seconds)."""
        self.answers.extend(answers)

    def at(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]


class _Handler(BaseHTTPRequestHandler):
    stand_in: StandIn

    def do_POST(self) -> None:  # the http.server name
        length = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(length)
        parts = urlsplit(self.path)
        self.stand_in.received.append(
            Received(
                path=parts.path,
                query={k: v[0] for k, v in parse_qs(parts.query).items()},
                body=json.loads(raw or b"{}"),
                headers=dict(self.headers.items()),
            )
        )
        answer = (
            self.stand_in.answers.pop(0) if self.stand_in.answers else (200, {"errcode": 0, "errmsg": "ok"})
        )
        if isinstance(answer, Slow):
            time.sleep(answer.seconds)
            answer = (200, {"errcode": 0, "errmsg": "ok"})
        status, body = answer
        payload = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
            pass

    def log_message(self, format, *args) -> None:
        pass


def serve() -> tuple[StandIn, ThreadingHTTPServer]:
    """Start a stand-in on 127.0.0.1 at a free port; stop it with server.shutdown()."""
    stand_in = StandIn()
    handler = type("Handler", (_Handler,), {"stand_in": stand_in})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    stand_in.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return stand_in, server
