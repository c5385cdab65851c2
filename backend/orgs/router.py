"""API routes of the orgs domain."""

from fastapi import APIRouter

router = APIRouter(tags=["orgs"])
