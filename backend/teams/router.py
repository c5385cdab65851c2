"""API routes of the teams domain."""

from fastapi import APIRouter

router = APIRouter(tags=["teams"])
