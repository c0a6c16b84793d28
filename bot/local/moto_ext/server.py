"""The moto server with the extensions, plus its own routes under `/_shim/`:

- ``GET /_shim/calls``, ``POST /_shim/calls/clear``: the call record (:mod:`.record`);
- ``POST /_shim/fail`` {action, count, code, status}: fault injection;
- ``GET /_shim/cloudtrail``: the CloudTrail events of card creates / updates
  (:mod:`.sagemaker_callers`); ``POST /_shim/identity`` {"iam_identity": bool}: whether
  LastModifiedBy names the IAM caller;
- ``POST /_shim/latency`` {ms}: a fixed sleep before every AWS request, standing in for the
  network round trip of a real AWS API call (moto answers from memory in a few ms of CPU;
  real control-plane calls spend tens of ms on the network, time in which other worker
  consumers can run). It is a sleep, so it costs no CPU. 0 (the default) turns it off;
- ``POST /_shim/seed-cards`` {account, region, cards: [{name, content, status}]}: put many
  model cards into one account's SageMaker backend at once, as CreateModelCard stores them,
  without an HTTP round trip per card (the benchmarks' 10,000 cards).
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from bot.local.moto_ext.install import install
from bot.local.moto_ext.record import calls, clear_calls, fail_next
from bot.local.moto_ext.sagemaker_callers import clear_cloudtrail, cloudtrail_events
from bot.local.moto_ext.switches import set_iam_identity

_latency = [0.0]  # seconds before each AWS request


def _clear(_: dict[str, Any]) -> Any:
    clear_calls()
    clear_cloudtrail()
    return {}


def _identity(spec: dict[str, Any]) -> Any:
    set_iam_identity(bool(spec["iam_identity"]))
    return {}


def _fail(spec: dict[str, Any]) -> Any:
    code = spec.get("code", "ThrottlingException")
    fail_next(spec["action"], int(spec["count"]), code, int(spec.get("status", 400)))
    return {}


def _set_latency(spec: dict[str, Any]) -> Any:
    _latency[0] = float(spec["ms"]) / 1000
    return {}


def _seed_cards(spec: dict[str, Any]) -> Any:
    from moto.sagemaker.models import sagemaker_backends

    backend = sagemaker_backends[spec["account"]][spec["region"]]
    for card in spec["cards"]:
        backend.create_model_card(card["name"], None, card["content"], card["status"], None)
    return {"created": len(spec["cards"])}


_ROUTES: dict[tuple[str, str], Callable[[dict[str, Any]], Any]] = {
    ("GET", "/_shim/calls"): lambda _: calls(),
    ("POST", "/_shim/calls/clear"): _clear,
    ("GET", "/_shim/cloudtrail"): lambda _: cloudtrail_events(),
    ("POST", "/_shim/identity"): _identity,
    ("POST", "/_shim/fail"): _fail,
    ("POST", "/_shim/latency"): _set_latency,
    ("POST", "/_shim/seed-cards"): _seed_cards,
}


def make_app() -> Any:
    """A WSGI moto server app (all services) with the extensions and the `/_shim/` routes."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    install()
    moto_app = DomainDispatcherApplication(create_backend_app)

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        route = _ROUTES.get((str(environ.get("REQUEST_METHOD")), path))
        if route is None:
            if _latency[0] > 0 and not path.startswith("/_shim/"):
                time.sleep(_latency[0])
            return moto_app(environ, start_response)  # type: ignore[no-any-return]
        size = int(environ.get("CONTENT_LENGTH") or 0)
        spec = json.loads(environ["wsgi.input"].read(size) or b"{}") if size else {}
        body = json.dumps(route(spec))
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body.encode()]

    return app


def main(argv: list[str] | None = None) -> None:
    """Run a multi-account moto server with the extensions until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(prog="python -m bot.local.moto_ext", description=main.__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args(argv)
    serve(make_app(), args.host, args.port, "moto server (extended)")


def serve(app: Any, host: str, port: int, label: str) -> None:
    """Serve a moto WSGI app until SIGTERM/SIGINT."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    server = make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    print(f"{label} listening on http://{host}:{server.port}", flush=True)
    while not stop.wait(0.5):
        pass
    server.shutdown()
    thread.join()
