"""A real 3-node Redis-protocol cluster on loopback, formed from Python: each node is a
`valkey-server --cluster-enabled yes` (the same binary as `RedisServer`), the slots are split
with CLUSTER ADDSLOTSRANGE and the nodes joined with CLUSTER MEET. No replicas: stopping a
node stops its slots until it comes back (no failover), which is what the restart test needs.
Each node keeps its cluster config and its append-only file, so a restarted node rejoins with
its slots and its data."""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import redis
from redis.cluster import RedisCluster
from redis.crc import key_slot

from bot.local.redis_server import RedisServer, free_port, wait_for_ping

SLOTS = 16384


class ClusterNode:
    """One cluster-enabled server on a fixed client port and cluster bus port."""

    def __init__(self, workdir: Path, binary: str) -> None:
        self.port = free_port()
        self.bus_port = free_port()
        self.dir = workdir
        self._binary = binary
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        args = [
            self._binary,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--cluster-enabled", "yes",
            "--cluster-port", str(self.bus_port),
            "--cluster-config-file", "nodes.conf",
            "--cluster-node-timeout", "2000",
            "--appendonly", "yes",
            "--appendfsync", "always",
            "--save", "",
            "--dir", str(self.dir),
        ]  # fmt: skip
        log = (self.dir / "server.log").open("ab")
        self._proc = subprocess.Popen(args, stdout=log, stderr=log)
        log.close()
        wait_for_ping(self.client(), self._proc, f"cluster node on port {self.port}")

    def stop(self) -> None:
        if self._proc and self._proc.poll() is None:
            self._proc.terminate()  # SIGTERM: the node flushes its AOF and nodes.conf
            self._proc.wait(timeout=10)
        self._proc = None

    def client(self) -> redis.Redis:
        """A plain client to this node only (for CLUSTER commands)."""
        return redis.Redis(host="127.0.0.1", port=self.port, decode_responses=True)


class RedisClusterServer:
    """Same surface as `RedisServer` (url, start, stop, client), plus one node's stop/start."""

    def __init__(self, nodes: int = 3) -> None:
        workdir = Path(tempfile.mkdtemp(prefix="mcb-cluster-"))
        binary = RedisServer.binary()
        self.nodes = [ClusterNode(workdir / f"node{i}", binary) for i in range(nodes)]
        self._formed = False

    @property
    def seed(self) -> ClusterNode:
        """The node REDIS_URL names: the last one, which does not serve the bot's `{mcb}` slot
        (slot 2983, on the first node), so every command of the bot is a redirect away from
        the URL's node and only a cluster client gets it right."""
        return self.nodes[-1]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.seed.port}/0"

    def start(self) -> RedisClusterServer:
        for node in self.nodes:
            if not node.running:
                node.start()
        if not self._formed:
            self._form()
            self._formed = True
        self.wait_ok()
        return self

    def _form(self) -> None:
        step = SLOTS // len(self.nodes)
        for i, node in enumerate(self.nodes):
            low = i * step
            high = SLOTS - 1 if i == len(self.nodes) - 1 else low + step - 1
            with node.client() as client:
                client.execute_command("CLUSTER", "ADDSLOTSRANGE", low, high)
        with self.nodes[0].client() as first:
            for node in self.nodes[1:]:
                first.execute_command("CLUSTER", "MEET", "127.0.0.1", node.port, node.bus_port)

    def wait_ok(self, timeout: float = 30.0) -> None:
        """Every node up, knowing all the others, with every slot served."""
        deadline = time.monotonic() + timeout
        while True:
            states = []
            for node in self.nodes:
                try:
                    with node.client() as client:
                        info = client.execute_command("CLUSTER", "INFO")
                    text = info if isinstance(info, str) else str(info)
                    states.append(
                        "cluster_state:ok" in text
                        and f"cluster_known_nodes:{len(self.nodes)}" in text
                    )
                except redis.RedisError:
                    states.append(False)
            if all(states):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"cluster not ok after {timeout}s: {states}")
            time.sleep(0.1)

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()

    def node_of(self, key: str) -> ClusterNode:
        """The node whose slot range holds `key`."""
        slot = key_slot(key.encode())
        step = SLOTS // len(self.nodes)
        return self.nodes[min(slot // step, len(self.nodes) - 1)]

    def client(self, **kwargs: Any) -> RedisCluster:
        return RedisCluster.from_url(self.url, decode_responses=True, **kwargs)

    def flushall(self) -> None:
        for node in self.nodes:
            with node.client() as client:
                client.flushall()
