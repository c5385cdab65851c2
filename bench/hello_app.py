"""The yardstick for bench/checkin_load: a bare FastAPI hello-world, served like the app."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def hello() -> dict[str, str]:
    return {"hello": "world"}
