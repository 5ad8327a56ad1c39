"""The hub delivers each committed event once, in seq order, even when commits reach it out of order."""

from __future__ import annotations

import asyncio
from typing import Any

from queue_server.events.hub import EventHub


def event(seq: int) -> dict[str, Any]:
    return {"seq": seq, "type": "ticket.issued", "at": "", "office": "CAXTP", "data": {}}


def test_in_order_batches_are_delivered_directly() -> None:
    async def scenario() -> list[int]:
        hub = EventHub()
        hub.bind_loop(asyncio.get_running_loop())
        subscription = hub.subscribe()
        hub.publish([event(1), event(2)])
        hub.publish([event(2)])  # a duplicate is dropped
        hub.publish([event(3)])
        return [subscription.queue.get_nowait()["seq"] for _ in range(subscription.queue.qsize())]

    assert asyncio.run(scenario()) == [1, 2, 3]


def test_an_out_of_order_batch_is_settled_from_the_log() -> None:
    log = [event(1), event(2), event(3)]

    async def scenario() -> list[int]:
        hub = EventHub()
        hub.bind_loop(asyncio.get_running_loop())
        hub.set_reader(lambda seq: [e for e in log if e["seq"] > seq])
        subscription = hub.subscribe()
        hub.publish([event(2)])  # 1 committed first but its publisher is late
        hub.publish([event(3)])
        for _ in range(500):  # let the catch-up read run in its thread
            if subscription.queue.qsize() >= 3:
                break
            await asyncio.sleep(0.01)
        hub.publish([event(1)])  # arrives last: already delivered from the log
        return [subscription.queue.get_nowait()["seq"] for _ in range(subscription.queue.qsize())]

    assert asyncio.run(scenario()) == [1, 2, 3]


def test_office_filter_and_slow_client_overflow() -> None:
    async def scenario() -> tuple[int, bool]:
        hub = EventHub()
        hub.bind_loop(asyncio.get_running_loop())
        other = hub.subscribe(office="ELSEWHERE")
        slow = hub.subscribe(maxsize=2)
        hub.publish([event(1), event(2), event(3)])
        return other.queue.qsize(), slow.overflowed

    assert asyncio.run(scenario()) == (0, True)
