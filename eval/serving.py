"""What the service benchmarks share: brains for a registry, a seeded store, a real server.

The server is `salesbrain serve` in a subprocess on 127.0.0.1 only, so a measurement sees the
whole HTTP stack, and a crash test can SIGKILL it like an OOM killer would.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from salesbrain.brain import write_manifest
from salesbrain.db import Database
from salesbrain.ingest.pipeline import Ingestor
from salesbrain.registry import BrainRegistry

REPO = Path(__file__).resolve().parents[1]
LOOPBACK = "127.0.0.1"


def tiny_brain(directory: Path, version: str) -> Path:
    """A brain of the stages that need no training data (compliance rules)."""
    from salesbrain.jobs.train_compliance import run as write_compliance

    write_compliance("small", directory, directory)
    write_manifest(directory, version, ["compliance"], {})
    return directory


def registry_of(root: Path, sources: dict[str, Path | None]) -> BrainRegistry:
    """A registry holding `sources` as versions (copies; None: a tiny brain); first is live."""
    registry = BrainRegistry(root)
    for version, source in sources.items():
        target = root / "brains" / version
        if source is None:
            tiny_brain(target, version)
        else:
            shutil.copytree(source, target, dirs_exist_ok=True)
            _stamp_version(target, version)
    registry.promote(next(iter(sources)), force=True)
    return registry


def _stamp_version(directory: Path, version: str) -> None:
    from salesbrain.artifacts import read_json, write_json

    manifest = read_json(directory / "brain.json")
    write_json(directory / "brain.json", {**manifest, "version": version})


def seed_brand(store: Database, out_dir: Path, messages: bool = True,
               **size: Any) -> dict[str, int]:
    """Simulate a brand and ingest its roster, orders, tasks and (optionally) its archive."""
    from salesbrain.simulate import simulate_brand

    simulate_brand(out_dir, **size)
    ingestor = Ingestor(store)
    ingestor.ingest_brand_tables(out_dir)
    if not messages:
        return {}
    return ingestor.ingest_messages(out_dir / "archive.jsonl", "wecom").as_dict()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


class Server:
    """`salesbrain serve` on loopback; `kill()` is SIGKILL (no shutdown handlers run)."""

    def __init__(self, db_url: str, models_root: Path, log_path: Path,
                 brain: Path | None = None, **settings: Any) -> None:
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        command = [str(Path(sys.executable).parent / "salesbrain"), "serve", "--host", LOOPBACK,
                   "--port", str(self.port), "--db", db_url]
        if brain is not None:
            command += ["--brain", str(brain)]
        env = {**os.environ, "SALESBRAIN_MODELS": str(models_root), "PYTHONPATH": str(REPO),
               **{f"SALESBRAIN_{k.upper()}": str(v) for k, v in settings.items()}}
        self.log = log_path.open("ab")
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=self.log,
                                        cwd=REPO)

    def wait_ready(self, timeout_s: float = 120.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise RuntimeError(f"server exited with {code}: see {self.log.name}")
            try:
                response = httpx.get(f"{self.url}/readyz", timeout=2.0)
                if response.status_code == 200:
                    return dict(response.json())
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"server not ready after {timeout_s} s: see {self.log.name}")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()
