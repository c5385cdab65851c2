"""PUX Puls backend: FastAPI app, domain packages, CLI."""
