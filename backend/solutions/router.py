"""API routes of the solutions domain."""

from fastapi import APIRouter

router = APIRouter(tags=["solutions"])
