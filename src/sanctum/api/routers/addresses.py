"""Wallet screening: who holds each address."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from sanctum.api.deps import KEYED, ScreenKey, State
from sanctum.api.models import AddressRequest, AddressResponse
from sanctum.api.problems import problems
from sanctum.api.screening import address_batch

router = APIRouter(tags=["screen"])


@router.post(
    "/screen/addresses",
    response_model=AddressResponse,
    responses=problems(*KEYED, 400, 413, 503),
)
async def screen_addresses(
    body: AddressRequest, key: ScreenKey, state: State, strict: bool = False
) -> dict[str, Any]:
    """Who holds each wallet address; an invalid address is reported in its item."""
    return address_batch(state, body.addresses, body.currency, strict, key)
