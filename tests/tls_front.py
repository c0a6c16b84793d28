"""TLS in front of a plain Redis-protocol server, for the `rediss://` tests: the valkey-server
the tests run is built without TLS, so a TLS listener here (Python's ssl, a certificate from
a throwaway CA made with `cryptography`) decrypts each connection and relays its bytes to the
server. Clients then speak TLS end to end to the front: handshake, certificate and host name
checks, and every command, as with ElastiCache (which only accepts TLS for Serverless)."""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import socket
import ssl
import threading
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _san(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def make_ca(
    folder: Path, name: str = "mcb-test-ca", hosts: tuple[str, ...] = ("localhost", "127.0.0.1")
) -> tuple[Path, Path, Path]:
    """A CA and a server certificate it signed for `hosts` (names or IP addresses):
    (ca, cert, key) as PEM files."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(_name(name))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names = [_san(host) for host in hosts]
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    paths = (folder / f"{name}.pem", folder / f"{name}-server.pem", folder / f"{name}-key.pem")
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


def _hang_up(*ends: socket.socket) -> None:
    """Shut the connections down without closing them: a thread blocked in recv or accept on
    one wakes (a close would not wake it, and its descriptor number could then be reused by
    another socket of the process, whose bytes that thread would read)."""
    for end in ends:
        with contextlib.suppress(OSError):
            socket.socket.shutdown(end, socket.SHUT_RDWR)  # the TCP socket under TLS too


class TlsFront:
    """Accepts TLS on a loopback port and relays each connection to `target_port` in clear.
    `sessions` counts the TLS handshakes completed, `relayed` the bytes clients sent through.

    Each socket is closed by the one thread that owns it, after every thread using it has
    stopped; `close()` only shuts them down and waits for those threads."""

    def __init__(self, target_port: int, cert: Path, key: Path) -> None:
        self._target = target_port
        self._context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._context.load_cert_chain(cert, key)
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._sock.getsockname()[1])
        self.sessions = 0
        self.relayed = 0
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        self._serving: list[threading.Thread] = []
        self._closing = False
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()

    def _accept(self) -> None:
        while True:
            try:
                raw, _ = self._sock.accept()
            except OSError:
                return  # shut down by close()
            with self._lock:
                if self._closing:
                    raw.close()
                    return
                self._open.append(raw)
                serving = threading.Thread(target=self._serve, args=(raw,), daemon=True)
                self._serving.append(serving)
            serving.start()

    def _serve(self, raw: socket.socket) -> None:
        ends = [raw]
        try:
            try:
                secure = self._context.wrap_socket(raw, server_side=True)
            except (ssl.SSLError, OSError):
                return  # the client refused our certificate, or spoke plain RESP
            ends = [secure]
            try:
                backend = socket.create_connection(("127.0.0.1", self._target))
            except OSError:
                return
            ends.append(backend)
            with self._lock:
                self.sessions += 1
                self._open = [end for end in self._open if end is not raw] + ends
                if self._closing:
                    return
            back = threading.Thread(target=self._pump, args=(backend, secure, False))
            back.start()
            self._pump(secure, backend, True)
            back.join()
        finally:
            with self._lock:
                self._open = [end for end in self._open if all(end is not e for e in ends)]
            for end in ends:
                end.close()

    def _pump(self, source: socket.socket, sink: socket.socket, from_client: bool) -> None:
        with contextlib.suppress(OSError):  # ssl.SSLError is an OSError
            while data := source.recv(65536):
                sink.sendall(data)
                if from_client:
                    with self._lock:
                        self.relayed += len(data)
        _hang_up(source, sink)  # the other direction ends too

    def close(self) -> None:
        with self._lock:
            self._closing = True
            _hang_up(self._sock, *self._open)  # under the lock: none of them is closed yet
            serving = list(self._serving)
        self._acceptor.join(timeout=10)
        for thread in serving:
            thread.join(timeout=10)
        self._sock.close()
