"""The moto server with tests/moto_shim.py, plus an optional fixed delay before every AWS
request, to stand in for the network round trip of a real AWS API call.

    python -m bench._moto_server --port N

`POST /_bench/latency` with `{"ms": 50}` sets the delay (0 = none, the default).
`POST /_bench/seed-cards` puts many model cards into one account's SageMaker backend at once
(bench/scale.py's fast path for 10,000 cards). moto answers
from memory in a few milliseconds of CPU; real SageMaker and RAM control-plane calls spend
tens of milliseconds on the network, time in which other worker consumers can run. The
delay is a sleep, so it costs no CPU.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

_delay = [0.0]


def seed_cards(spec: dict[str, Any]) -> int:
    """Bench-only fast path: put model cards straight into the SageMaker backend of one
    account, exactly as CreateModelCard stores them, without an HTTP round trip per card."""
    from moto.sagemaker.models import sagemaker_backends

    backend = sagemaker_backends[spec["account"]][spec["region"]]
    for card in spec["cards"]:
        backend.create_model_card(card["name"], None, card["content"], card["status"], None)
    return len(spec["cards"])


def make_app() -> Any:
    from tests.moto_shim import make_app as shim_app

    inner = shim_app()

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/_bench/latency" and environ.get("REQUEST_METHOD") == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            _delay[0] = float(json.loads(environ["wsgi.input"].read(size) or b"{}")["ms"]) / 1000
            start_response("200 OK", [("Content-Type", "application/json")])
            return [b"{}"]
        if path == "/_bench/seed-cards" and environ.get("REQUEST_METHOD") == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            body = json.dumps({"created": seed_cards(json.loads(environ["wsgi.input"].read(size)))})
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body.encode()]
        if _delay[0] > 0 and not path.startswith("/_shim/"):
            time.sleep(_delay[0])
        return inner(environ, start_response)  # type: ignore[no-any-return]

    return app


def main() -> None:
    from tests import moto_shim

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    moto_shim.serve(make_app(), args.host, args.port, "moto (bench)")


if __name__ == "__main__":
    main()
