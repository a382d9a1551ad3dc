"""A real local HTTP(S) server with scripted, misbehaving replies — for the fetcher's tests.

    with FaultServer() as srv:
        srv.script("/doc.pdf", Reply(500), Reply(body=PDF))   # first a 500, then the PDF
        srv.url("/doc.pdf")
        srv.seen("/doc.pdf")           # requests received (headers, client port)
        srv.max_active("/slow")        # most requests to a path handled at the same time

Each request to a path takes the next reply from its script; the last reply repeats.
Unscripted paths get a 404. Runs ``ThreadingHTTPServer`` on 127.0.0.1, port 0, HTTP/1.1
with keep-alive, in a daemon thread; pass ``tls=(certfile, keyfile)`` for HTTPS.
"""

from __future__ import annotations

import socket
import ssl
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # sleep before the status line (slow server / client timeout)
    content_length: int | bool = True  # True: the real length; an int: claim this; False: none
    chunked: bool = False  # Transfer-Encoding: chunked (no Content-Length)
    chunk_size: int = 16 * 1024
    chunk_delay_s: float = 0.0  # sleep between body chunks (a trickle)
    truncate_at: int | None = None  # send only this many body bytes, then close the connection
    reset: bool = False  # send nothing: abort the connection with a TCP RST
    conditional: bool = False  # 304 when If-None-Match matches the reply's ETag header


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]
    client_port: int
    at: float


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001 - quiet on client aborts
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    owner: "FaultServer"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        owner = self.owner
        path = self.path.split("?", 1)[0]
        reply = owner._next(path, Seen(self.path, dict(self.headers.items()), self.client_address[1], time.monotonic()))
        owner._enter(path)
        try:
            self._serve(reply)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True
        finally:
            owner._leave(path)

    def _serve(self, r: Reply) -> None:
        if r.delay_s:
            time.sleep(r.delay_s)
        if r.reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        etag = r.headers.get("ETag")
        if r.conditional and etag and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            for k, v in r.headers.items():
                if k.lower() in ("etag", "last-modified"):
                    self.send_header(k, v)
            self.end_headers()
            return
        self.send_response(r.status)
        for k, v in r.headers.items():
            self.send_header(k, v)
        if r.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif r.content_length is True:
            self.send_header("Content-Length", str(len(r.body)))
        elif r.content_length is not False:
            self.send_header("Content-Length", str(r.content_length))
        else:
            self.send_header("Connection", "close")  # body delimited by closing
            self.close_connection = True
        self.end_headers()

        body = r.body if r.truncate_at is None else r.body[: r.truncate_at]
        for i in range(0, len(body), r.chunk_size):
            piece = body[i : i + r.chunk_size]
            if r.chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            else:
                self.wfile.write(piece)
            self.wfile.flush()
            if r.chunk_delay_s:
                time.sleep(r.chunk_delay_s)
        if r.truncate_at is not None:
            self.close_connection = True  # the peer sees the body end early
            return
        if r.chunked:
            self.wfile.write(b"0\r\n\r\n")


class FaultServer:
    def __init__(self, tls: tuple[str, str] | None = None) -> None:
        handler = type("Handler", (_Handler,), {"owner": self})
        self._httpd = _Server(("127.0.0.1", 0), handler)
        self.scheme = "http"
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            self._httpd.socket = ctx.wrap_socket(self._httpd.socket, server_side=True)
            self.scheme = "https"
        self.port = self._httpd.server_address[1]
        self._lock = threading.Lock()
        self._scripts: dict[str, list[Reply]] = {}
        self._seen: list[Seen] = []
        self._active: dict[str, int] = {}
        self._max_active: dict[str, int] = {}
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # -- setup ---------------------------------------------------------------------------

    def script(self, path: str, *replies: Reply) -> str:
        """Serve ``replies`` in order at ``path`` (the last one repeats); returns its URL."""
        with self._lock:
            self._scripts[path] = list(replies)
        return self.url(path)

    def url(self, path: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    # -- observations --------------------------------------------------------------------

    def seen(self, path: str | None = None) -> list[Seen]:
        with self._lock:
            return [s for s in self._seen if path is None or s.path.split("?", 1)[0] == path]

    def max_active(self, path: str) -> int:
        with self._lock:
            return self._max_active.get(path, 0)

    # -- lifecycle -----------------------------------------------------------------------

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # -- handler side --------------------------------------------------------------------

    def _next(self, path: str, seen: Seen) -> Reply:
        with self._lock:
            self._seen.append(seen)
            script = self._scripts.get(path)
            if not script:
                return Reply(404, b"<html><title>Not found</title></html>", {"Content-Type": "text/html"})
            return script.pop(0) if len(script) > 1 else script[0]

    def _enter(self, path: str) -> None:
        with self._lock:
            self._active[path] = self._active.get(path, 0) + 1
            self._max_active[path] = max(self._max_active.get(path, 0), self._active[path])

    def _leave(self, path: str) -> None:
        with self._lock:
            self._active[path] -= 1


def make_test_ca(directory) -> tuple[str, str, str]:  # noqa: ANN001 - a pathlib.Path
    """A throwaway CA and a server certificate for 127.0.0.1: (ca_file, cert_file, key_file)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "jtai-watch test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    ca_file, cert_file, key_file = directory / "ca.pem", directory / "server.pem", directory / "server.key"
    ca_file.write_bytes(ca.public_bytes(pem))
    cert_file.write_bytes(cert.public_bytes(pem))
    key_file.write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(ca_file), str(cert_file), str(key_file)
