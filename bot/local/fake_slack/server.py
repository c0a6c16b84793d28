"""The HTTP side of the fake: requests parsed as Slack does (form or JSON, bearer token)."""

from __future__ import annotations

import argparse
import json
import select
import socket
import sys
import time
import traceback
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

if TYPE_CHECKING:
    from bot.local.fake_slack.fake import FakeSlack


class SlackHandler(BaseHTTPRequestHandler):
    """Serves one FakeSlack (`owner`): /api/<method>, /response/<name>."""

    owner: FakeSlack
    protocol_version = "HTTP/1.1"
    server_version = "FakeSlack/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet

    def do_GET(self) -> None:
        self._dispatch(b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._dispatch(self.rfile.read(length) if length else b"")

    def _wait_while_connected(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            readable, _, _ = select.select([self.connection], [], [], 0.05)
            if readable and self.connection.recv(1, socket.MSG_PEEK) == b"":
                self.close_connection = True
                return False
        return True

    def _dispatch(self, raw: bytes) -> None:
        try:
            parts = urlsplit(self.path)
            path = unquote(parts.path)
            stall = self.owner._take_stall(path[5:]) if path.startswith("/api/") else 0.0
            if stall and not self._wait_while_connected(stall):
                return  # the client went away before Slack got the request
            if path.startswith("/api/"):
                params, token = self._parse(raw, parts.query)
                status, headers, body = self.owner.handle_api(path[5:], params, token)
            elif path.startswith("/response/") and self.command == "POST":
                try:
                    payload: Any = json.loads(raw.decode("utf-8") or "null")
                except ValueError:
                    payload = raw.decode("utf-8", "replace")
                status, headers, body = self.owner.handle_response_url(path[10:], payload)
            else:
                status, headers, body = 404, {}, {"ok": False, "error": "not_found"}
        except Exception as exc:  # a bug in the fake: make it loud, not a hang
            traceback.print_exc(file=sys.stderr)
            status, headers, body = 500, {}, {"ok": False, "error": f"fake_slack_bug: {exc!r}"}
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _parse(self, raw: bytes, query: str) -> tuple[dict[str, Any], str | None]:
        """Params from the query string and a form or JSON body; the token from the
        ``Authorization: Bearer`` header or a form/query ``token`` param (JSON bodies must use
        the header, as on Slack)."""
        params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        json_body = content_type == "application/json"
        text = raw.decode("utf-8")
        if json_body and text:
            body = json.loads(text)
            if isinstance(body, dict):
                params.update(body)
        elif text:
            params.update(parse_qsl(text, keep_blank_values=True))
        token: str | None = None
        auth = self.headers.get("Authorization") or ""
        if auth.lower().startswith("bearer "):
            token = auth[7:].strip() or None
        if token is None and not json_body:
            value = params.get("token")
            token = value if isinstance(value, str) and value else None
        params.pop("token", None)
        return params, token


def main(argv: list[str] | None = None) -> None:
    """``python -m bot.local.fake_slack [--port N]``: run the fake until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    from bot.local.fake_slack.fake import FakeSlack

    with FakeSlack(args.host, args.port) as fake:
        print(f"SLACK_API_URL={fake.api_url}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print(fake.dump())


if __name__ == "__main__":
    main()
