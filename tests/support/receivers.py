"""Real receivers on loopback for the delivery tests and the alert bench: an aiosmtpd
handler that keeps every message, and a JSON webhook that can be switched off, answer
slowly or with an error, and counts how many requests it serves at once."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time


class Inbox:
    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201
        self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Hook:
    """A JSON webhook receiver that can be switched off, answer slowly (``delay``) or with
    an error (``status``), and counts how many requests it serves at once."""

    def __init__(self, port: int = 0) -> None:
        self.posts: list[dict] = []
        self.delay = 0.0
        self.status = 200
        self.active = 0
        self.max_active = 0
        self.lock = threading.Lock()
        hook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                with hook.lock:
                    hook.active += 1
                    hook.max_active = max(hook.max_active, hook.active)
                try:
                    body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                    if hook.delay:
                        time.sleep(hook.delay)
                    if hook.status == 200:
                        with hook.lock:
                            hook.posts.append({"path": self.path, "json": json.loads(body), "headers": dict(self.headers)})
                finally:
                    # Before answering: once the answer is out the sender may start its
                    # next request while this thread still runs.
                    with hook.lock:
                        hook.active -= 1
                self.send_response(hook.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):  # noqa: ANN002
                pass

        class Server(http.server.ThreadingHTTPServer):
            request_queue_size = 128  # many senders at once must not meet a full backlog

        self.server = Server(("127.0.0.1", port), Handler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
