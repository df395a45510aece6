"""A Bot API request object for sending at hundreds of messages a second.

httpcore's connection pool re-examines every pooled connection (a `getpeername` and a `poll`
system call each, plus a pass over all connections per idle one) twice per request, so its cost
per request grows with the square of the connections open. Past a few dozen requests in flight
that bookkeeping costs more than the request itself. `ShardedHTTPXRequest` spreads requests over
several small `HTTPXRequest` pools, each request to the pool with the fewest in flight: the same
concurrency, a fraction of the bookkeeping.
"""

from __future__ import annotations

import ssl
from typing import Any

import certifi
from telegram.request import BaseRequest, HTTPXRequest, RequestData


class ShardedHTTPXRequest(BaseRequest):
    """`shards` HTTPXRequest pools of `shard_size` connections each, used least-busy first.

    The default 32 × 8 is the 256 connections PTB's Application gives its bot by default. Other
    keyword arguments go to every `HTTPXRequest` (timeouts, `httpx_kwargs`).
    """

    def __init__(self, *, shards: int = 32, shard_size: int = 8, **kwargs: Any) -> None:
        if shards < 1 or shard_size < 1:
            raise ValueError("shards and shard_size must be positive")
        # One TLS context for all: loading the CA bundle costs ~20 ms of CPU and memory each.
        httpx_kwargs = dict(kwargs.pop("httpx_kwargs", None) or {})
        httpx_kwargs.setdefault("verify", ssl.create_default_context(cafile=certifi.where()))
        self._shards = [
            HTTPXRequest(connection_pool_size=shard_size, httpx_kwargs=httpx_kwargs, **kwargs)
            for _ in range(shards)
        ]
        self._busy = [0] * shards

    @property
    def read_timeout(self) -> float | None:
        return self._shards[0].read_timeout

    async def initialize(self) -> None:
        for shard in self._shards:
            await shard.initialize()

    async def shutdown(self) -> None:
        for shard in self._shards:
            await shard.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        index = min(range(len(self._busy)), key=self._busy.__getitem__)
        self._busy[index] += 1
        try:
            return await self._shards[index].do_request(
                url,
                method,
                request_data,
                read_timeout=read_timeout,
                write_timeout=write_timeout,
                connect_timeout=connect_timeout,
                pool_timeout=pool_timeout,
            )
        finally:
            self._busy[index] -= 1
