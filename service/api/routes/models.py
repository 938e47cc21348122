"""Brains: which is served, and promotion or rollback swapped in without dropping requests."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query

from service.api.deps import AdminKey, BrainSlotDep, OperatorKey
from service.core.brains import BrainUnavailable, PromotionRefused
from service.schemas import ModelsOut, ModelSwap

router = APIRouter(prefix="/v1/models", tags=["models"])

Version = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]


@router.get("", response_model=ModelsOut)
def list_models(_: AdminKey, slot: BrainSlotDep) -> ModelsOut:
    brain = slot.current
    return ModelsOut(serving=brain.version, live=slot.registry.live_version(),
                     versions=slot.registry.versions(), stages=list(brain.stage_names),
                     eval_results=brain.eval_results())


@router.post("/{version}/promote", response_model=ModelSwap)
def promote(version: Version, _: OperatorKey, slot: BrainSlotDep,
            force: Annotated[bool, Query()] = False) -> ModelSwap:
    """Load the candidate fully, check its eval results against the live brain, then swap."""
    previous = slot.current.version
    try:
        brain = slot.promote(version, force=force)
    except FileNotFoundError as error:
        raise HTTPException(404, f"version: {error}") from None
    except (PromotionRefused, BrainUnavailable) as error:
        raise HTTPException(409, f"version: {error}") from None
    return ModelSwap(serving=brain.version, previous=previous)


@router.post("/rollback", response_model=ModelSwap)
def rollback(_: OperatorKey, slot: BrainSlotDep) -> ModelSwap:
    previous = slot.current.version
    try:
        brain = slot.rollback()
    except (ValueError, FileNotFoundError, BrainUnavailable) as error:
        raise HTTPException(409, str(error)) from None
    return ModelSwap(serving=brain.version, previous=previous)
