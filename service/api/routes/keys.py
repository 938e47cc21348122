"""API keys of the caller's tenant, managed by its admins."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from salesbrain.db.access import list_api_keys, revoke_api_key
from salesbrain.security import create_api_key, key_id_of
from service.api.deps import AdminKey, TenantStore
from service.schemas import KeyCreate, KeyCreated, KeyOut

router = APIRouter(prefix="/v1/keys", tags=["keys"])


@router.post("", response_model=KeyCreated, status_code=201)
def create_key(body: KeyCreate, _: AdminKey, store: TenantStore) -> KeyCreated:
    """The secret is in this response only; the service keeps a digest."""
    try:
        secret = create_api_key(store, body.role, guide_id=body.guide_id,
                                store_ids=body.store_ids, label=body.label)
    except ValueError as error:
        raise HTTPException(422, str(error)) from None
    return KeyCreated(key_id=key_id_of(secret), secret=secret)


@router.get("", response_model=list[KeyOut])
def list_keys(_: AdminKey, store: TenantStore) -> list[KeyOut]:
    return [KeyOut(**{**row, "store_ids": row["store_ids"] or []}) for row in list_api_keys(store)]


@router.delete("/{key_id}", status_code=204)
def revoke_key(key_id: str, _: AdminKey, store: TenantStore) -> None:
    if not revoke_api_key(store, key_id):
        raise HTTPException(404, f"key_id: no key {key_id!r}")
