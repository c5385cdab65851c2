"""API routes of the checkins domain."""

from fastapi import APIRouter

router = APIRouter(tags=["checkins"])
