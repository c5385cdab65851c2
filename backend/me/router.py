"""API routes of the me domain."""

from fastapi import APIRouter

router = APIRouter(tags=["me"])
