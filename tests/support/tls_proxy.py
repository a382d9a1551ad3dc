"""A loopback stand-in for a chat service whose apprise plugin has its host built in.

Apprise's ``slack://`` plugin always posts to ``https://hooks.slack.com``. To receive a
real ``slack://`` notification here, the test sets ``HTTPS_PROXY`` to this server: it
accepts the ``CONNECT``, ends the TLS itself with a throwaway self-signed certificate (the
URL says ``verify=no``) and records the request that arrives inside — the exact bytes
Slack would have received. Nothing leaves the machine.
"""

from __future__ import annotations

import datetime as dt
import http.server
import json
import socketserver
import ssl
import tempfile
import threading
from pathlib import Path


def _self_signed(hostname: str, folder: Path) -> tuple[str, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return str(cert_path), str(key_path)


class InterceptingProxy:
    """``HTTPS_PROXY=proxy.url``: every HTTPS request is answered here with 200 "ok"."""

    def __init__(self, hostname: str = "hooks.slack.com") -> None:
        self.requests: list[dict] = []
        self._tmp = tempfile.TemporaryDirectory()
        cert, key = _self_signed(hostname, Path(self._tmp.name))
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(cert, key)
        proxy = self

        class Inner(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    payload = json.loads(body)
                except ValueError:
                    payload = body.decode("utf-8", "replace")
                proxy.requests.append({"host": self.headers.get("Host"), "path": self.path, "json": payload})
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *a):  # noqa: ANN002
                pass

        class Tunnel(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                line = self.rfile.readline().decode("latin-1")
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                if not line.startswith("CONNECT "):
                    self.wfile.write(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                    return
                self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                self.wfile.flush()
                try:
                    conn = tls.wrap_socket(self.connection, server_side=True)
                except (ssl.SSLError, OSError):
                    return
                Inner(conn, self.client_address, self.server)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Tunnel)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._tmp.cleanup()
