"""The one way to build the Redis client: a single node or a cluster (ElastiCache Serverless
is cluster-mode only), detected with `INFO cluster` unless REDIS_CLUSTER forces it. TLS comes
from the URL: `rediss://` verifies the server certificate against the system's CAs and its
host name; `ssl_ca_certs`, `ssl_cert_reqs`, `ssl_check_hostname` go in the query string."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis
from redis.cluster import RedisCluster
from redis.connection import parse_url
from redis.exceptions import NoPermissionError, RedisClusterException

from bot.errors import ConfigError
from bot.store.wire import HiredisPacker

# A black-holed endpoint fails the start in seconds instead of hanging; reads stay unbounded
# because the worker blocks on XREADGROUP.
CONNECT_TIMEOUT_SECONDS = 10.0
_COMMON: dict[str, Any] = {
    "decode_responses": True,
    "health_check_interval": 30,
    "socket_connect_timeout": CONNECT_TIMEOUT_SECONDS,
}


def redacted(url: str) -> str:
    """The URL without its password, safe for logs and error messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def _url_options(url: str) -> dict[str, Any]:
    """redis-py's own URL parser (host, port, credentials, TLS class, query options)."""
    options: dict[str, Any] = parse_url(url)  # type: ignore[no-untyped-call]  # unannotated
    return options


def is_cluster(url: str) -> bool:
    """True when the node at `url` runs in cluster mode (`INFO cluster`: cluster_enabled:1)."""
    options = _url_options(url)
    options.pop("db", None)  # a cluster node refuses SELECT; INFO needs no database
    pool = redis.ConnectionPool(**options, **_COMMON)
    probe = redis.Redis(connection_pool=pool)
    try:
        info = probe.info("cluster")
    except NoPermissionError as err:
        raise ConfigError(
            "REDIS_URL",
            [
                f"{redacted(url)} refused `INFO cluster` ({err}); allow INFO for that user, or "
                "set REDIS_CLUSTER=true|false to skip the detection"
            ],
        ) from err
    except redis.ResponseError:
        return False  # a server without the section is not a cluster node
    except (redis.RedisError, OSError) as err:
        raise ConfigError(
            "REDIS_URL",
            [
                f"cannot reach {redacted(url)} to detect cluster mode ({err}); check the "
                "host, port, TLS (`rediss://`) and credentials, or set REDIS_CLUSTER=true|false "
                "to skip the detection"
            ],
        ) from err
    finally:
        probe.close()
        pool.disconnect()
    return str(info.get("cluster_enabled", "0")) == "1"


def connect(url: str, cluster: bool | None = None) -> redis.Redis | RedisCluster:
    """A client for `url`; `cluster` None detects the mode, True/False forces it."""
    try:
        options = _url_options(url)
    except ValueError as err:
        raise ConfigError(
            "REDIS_URL", [f"{redacted(url)}: {err} (expected redis://HOST:PORT or rediss://…)"]
        ) from err
    if cluster is None:
        cluster = is_cluster(url)
    if not cluster:
        return redis.Redis.from_url(
            url,
            retry_on_error=[redis.ConnectionError, redis.TimeoutError],
            command_packer=HiredisPacker(),
            **_COMMON,
        )
    if options.get("db", 0) != 0:
        raise ConfigError(
            "REDIS_URL",
            [
                f"{redacted(url)}: a cluster has only database 0; drop `/N` from the URL "
                "(or set REDIS_CLUSTER=false if it is a single node)"
            ],
        )
    try:
        # Connects at once: it reads the slot map from the node (CLUSTER SLOTS).
        return RedisCluster.from_url(url, **_COMMON)
    except (RedisClusterException, redis.RedisError, OSError, ValueError) as err:
        raise ConfigError(
            "REDIS_URL",
            [
                f"cannot use the cluster at {redacted(url)} ({err}); check the host, port, "
                "TLS (`rediss://`) and credentials, or set REDIS_CLUSTER=false if it is a "
                "single node"
            ],
        ) from err
