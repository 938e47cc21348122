"""The serving brain and its hot swap.

A request reads `BrainSlot.current` once and keeps that object to the end, so swapping the
reference never disturbs a request in flight: it finishes on the brain it started with, and
the old brain is freed when the last such request ends. A new brain is loaded completely
before the swap; if loading fails, nothing changes.

Several replicas share one registry: a promotion or rollback through one of them changes the
registry's live pointer, and every other replica, polling it (`follow_registry`), loads and
serves the new live brain.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from salesbrain.brain import Brain, BrainLoadError
from salesbrain.registry import BrainRegistry, PromotionRefused

log = logging.getLogger(__name__)

BrainLoader = Callable[[Path], Brain]


class BrainUnavailable(RuntimeError):
    """No usable brain: start-up must fail rather than serve an untrained model."""


def load_brain(directory: Path) -> Brain:
    try:
        return Brain.from_pretrained(directory)
    except BrainLoadError as error:
        raise BrainUnavailable(f"cannot serve: {error}") from error


def initial_brain_dir(explicit: Path | None, registry: BrainRegistry) -> Path:
    """The `--brain` directory, else the registry's live brain; loud when there is none."""
    if explicit is not None:
        return explicit
    try:
        return registry.live_dir()
    except FileNotFoundError as error:
        raise BrainUnavailable(f"cannot serve: {error} (or pass --brain DIR)") from error


class BrainSlot:
    """Holds the serving brain; promotion and rollback swap it under a lock."""

    def __init__(self, brain: Brain, registry: BrainRegistry, loader: BrainLoader = load_brain,
                 on_swap: Callable[[Brain], None] | None = None) -> None:
        self.current = brain
        self.registry = registry
        self.loader = loader
        self.on_swap = on_swap
        self._changing = threading.Lock()
        # The live pointer as this replica last saw it: only a change of it is followed, so a
        # brain given explicitly at start-up is served until someone promotes or rolls back.
        self.seen_live = registry.live_version()

    def promote(self, version: str, force: bool = False) -> Brain:
        """Load `version`, make it live in the registry, then serve it.

        Raises FileNotFoundError (unknown version), PromotionRefused (worse than live) or
        BrainUnavailable (the candidate does not load); the serving brain is then unchanged.
        """
        with self._changing:
            candidate = self.loader(self.registry.brain_dir(version))
            self.registry.promote(version, force=force)
            self.seen_live = version
            return self._swap(candidate)

    def rollback(self) -> Brain:
        """Make the previous live brain live again and serve it."""
        with self._changing:
            version = self.registry.rollback()
            try:
                previous = self.loader(self.registry.brain_dir(version))
            except (BrainUnavailable, FileNotFoundError):
                # Keep registry and service in agreement: the brain being served stays live.
                self.registry.promote(self.current.version, force=True)
                raise
            self.seen_live = version
            return self._swap(previous)

    def follow_registry(self) -> Brain | None:
        """Serve the registry's live brain if another replica changed it; the new brain, if any.

        A live brain that does not load is logged and skipped (this replica keeps serving what
        it has) until the pointer changes again.
        """
        live = self.registry.live_version()
        if live is None or live == self.seen_live:
            return None
        with self._changing:
            live = self.registry.live_version()
            if live is None or live == self.seen_live:
                return None
            self.seen_live = live
            if live == self.current.version:
                return None
            try:
                brain = self.loader(self.registry.brain_dir(live))
            except (BrainUnavailable, FileNotFoundError) as error:
                log.error("live brain not served", extra={"version": live, "error": str(error)})
                return None
            return self._swap(brain)

    def _swap(self, brain: Brain) -> Brain:
        old, self.current = self.current, brain
        if self.on_swap is not None:
            self.on_swap(brain)
        log.info("brain swapped", extra={"old": old.version, "new": brain.version})
        return brain


__all__ = ["BrainSlot", "BrainUnavailable", "PromotionRefused", "initial_brain_dir", "load_brain"]
