"""Moves the keys a bot wrote before the hash tag (`mcb:*`) to their names under `{mcb}:*`.

DUMP and RESTORE copy any key type with its TTL (a stream keeps its consumer group and pending
entries), and work across slots, so the same pass serves a single node and a cluster. Run it
with the web and worker processes stopped: `python -m bot migrate-keys`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import redis

from bot.store.keys import Keys

LEGACY_PREFIX = "mcb"


@dataclass
class Migration:
    moved: int = 0
    # Legacy keys left in place because the new name exists already (never overwritten).
    kept: list[str] = field(default_factory=list)


def migrate_legacy_keys(client: Any, keys: Keys | None = None) -> Migration:
    keys = keys or Keys()
    result = Migration()
    for old in list(client.scan_iter(match=f"{LEGACY_PREFIX}:*", count=500)):
        name = str(old)
        new = keys.prefix + name[len(LEGACY_PREFIX) :]
        payload = client.dump(name)
        if payload is None:  # expired since the scan
            continue
        ttl = int(client.pttl(name))
        try:
            # RESTORE's TTL is in ms, 0 for none; a decoding client must hand back raw bytes.
            client.restore(new, max(ttl, 0), payload)
        except redis.ResponseError as err:
            if "BUSYKEY" not in str(err):
                raise
            result.kept.append(name)
            continue
        client.delete(name)
        result.moved += 1
    return result
