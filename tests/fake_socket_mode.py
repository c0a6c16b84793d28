"""A loopback fake of Slack's Socket Mode WebSocket, plus the Web API method that hands it out.

Slack's protocol (https://docs.slack.dev/apis/events-api/using-socket-mode): the app calls
``apps.connections.open`` with its app-level ``xapp-`` token and gets a ``wss://`` URL; on
connect Slack sends ``{"type": "hello", ...}``, then pushes envelopes
``{"envelope_id", "type", "payload", "accepts_response_payload"}``; the app acknowledges each
with ``{"envelope_id", "payload"?}`` (the payload is the response Slack shows, e.g. a slash
command's reply).

    socket = FakeSocketMode().start()
    fake = SocketFakeSlack(socket).start()     # FakeSlack + apps.connections.open
    ... app connects ...
    socket.wait_connected()
    envelope_id = socket.send_envelope("slash_commands", payload)
    ack = socket.wait_ack(envelope_id)          # {"envelope_id": ..., "payload": {...}}
"""

from __future__ import annotations

import copy
import json
import threading
import time
import uuid
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from bot.local.fake_slack import APP_ID, Call, FakeSlack

ENVELOPE_TYPES = frozenset({"slash_commands", "interactive", "events_api"})


class FakeSocketMode:
    """Threaded WebSocket server speaking the Socket Mode envelope protocol. Thread-safe."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self.acks: dict[str, dict[str, Any]] = {}
        self.received: list[Any] = []  # every message the app sent, parsed
        self._connections: list[ServerConnection] = []
        self._cond = threading.Condition()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeSocketMode:
        if self._server is not None:
            return self
        self._server = serve(self._serve, self.host, 0)
        self.port = int(self._server.socket.getsockname()[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"fake-socket-{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        with self._cond:
            connections = list(self._connections)
        for conn in connections:
            conn.close()
        self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeSocketMode:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def new_url(self) -> str:
        """A fresh connection URL, as ``apps.connections.open`` returns (one ticket each)."""
        return f"ws://{self.host}:{self.port}/link/?ticket={uuid.uuid4()}&app_id={APP_ID}"

    # ------------------------------------------------------------------ protocol

    def _serve(self, conn: ServerConnection) -> None:
        with self._cond:
            self._connections.append(conn)
            count = len(self._connections)
            self._cond.notify_all()
        try:
            conn.send(
                json.dumps(
                    {
                        "type": "hello",
                        "num_connections": count,
                        "debug_info": {
                            "host": "fake-socket-mode",
                            "approximate_connection_time": 18060,
                        },
                        "connection_info": {"app_id": APP_ID},
                    }
                )
            )
            for raw in conn:
                try:
                    message = json.loads(raw)
                except ValueError:
                    message = raw
                with self._cond:
                    self.received.append(message)
                    if isinstance(message, dict) and isinstance(message.get("envelope_id"), str):
                        self.acks[message["envelope_id"]] = message
                    self._cond.notify_all()
        except ConnectionClosed:
            pass
        finally:
            with self._cond:
                if conn in self._connections:
                    self._connections.remove(conn)
                self._cond.notify_all()

    def connected(self) -> int:
        with self._cond:
            return len(self._connections)

    def wait_connected(self, count: int = 1, timeout: float = 5.0) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: len(self._connections) >= count, timeout):
                raise TimeoutError(
                    f"{len(self._connections)} Socket Mode connection(s), not {count}"
                )

    def wait_disconnected(self, timeout: float = 5.0) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: not self._connections, timeout):
                raise TimeoutError(f"{len(self._connections)} connection(s) still open")

    def send_envelope(
        self,
        type: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool | None = None,
    ) -> str:
        """Push one envelope to the (newest) connection; returns its ``envelope_id``."""
        if type not in ENVELOPE_TYPES:
            raise ValueError(f"unknown envelope type {type!r}")
        if accepts_response_payload is None:
            accepts_response_payload = type != "events_api"
        envelope_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": type,
            "payload": copy.deepcopy(payload),
            "accepts_response_payload": accepts_response_payload,
        }
        if type == "events_api":
            envelope.update(retry_attempt=0, retry_reason="")
        with self._cond:
            if not self._connections:
                raise RuntimeError("no Socket Mode connection to send to")
            conn = self._connections[-1]
        conn.send(json.dumps(envelope))
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """The app's acknowledgement of ``envelope_id``: ``{"envelope_id", "payload"?}``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while envelope_id not in self.acks:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no ack for envelope {envelope_id}")
                self._cond.wait(left)
            return self.acks[envelope_id]


class SocketFakeSlack(FakeSlack):
    """FakeSlack that also answers ``apps.connections.open`` with the socket's URL.

    That method takes the app-level ``xapp-`` token (FakeSlack's other methods take ``xoxb-``).
    """

    def __init__(self, socket: FakeSocketMode, host: str = "127.0.0.1") -> None:
        super().__init__(host)
        self.socket = socket

    def handle_api(
        self, method: str, params: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        if method != "apps.connections.open":
            return super().handle_api(method, params, token)
        body: dict[str, Any]
        if token is None:
            body = {"ok": False, "error": "not_authed"}
        elif not token.startswith("xapp-"):
            body = {"ok": False, "error": "not_allowed_token_type"}
        else:
            body = {"ok": True, "url": self.socket.new_url()}
        self._record(Call(method, copy.deepcopy(params), token, time.time(), 200, dict(body)))
        return 200, {}, body
