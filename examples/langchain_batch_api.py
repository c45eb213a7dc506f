"""The Batch API at half price: 200 LangChain inputs through ``batch_api``, next to ``batch``.

    python examples/langchain_batch_api.py

``llm.batch(inputs)`` sends one live request per input, at the standard price. ``llm.batch_api(
inputs)`` sends them all as one Infron batch (docs: Batch, "charged at 50% of the standard API
prices"), waits for it with a bounded backoff, and returns the same ``AIMessage``\\ s, in input
order, with usage, cost and request ids. Both runs are measured with ``track_usage()`` from the
gateway's own cost figures.

Without ``INFRON_API_KEY`` it runs against the built-in sandbox, whose batch clock is sped up
2000x through a sandbox directive (a real batch may take up to 24 hours: with a key, stop the
script at any time and collect later with ``llm.batch_api_job(<journal>).collect()``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from infron_integrations.core import BatchInfo, BatchPolling, track_usage
from infron_integrations.gateway import live_or_sandbox
from infron_integrations.langchain import ChatInfron

MODEL = os.environ.get("INFRON_CHAT_MODEL", "openai/gpt-4o-mini")
ITEMS = int(os.environ.get("INFRON_BATCH_ITEMS", "200"))


def main() -> None:
    with live_or_sandbox() as gateway:
        sandbox = gateway.is_sandbox
        # offline only: the sandbox runs this batch's clock 2000x faster, so poll often too
        headers = {"x-infron-sandbox-batch": "speed=2000"} if sandbox else None
        polling = BatchPolling(interval=0.05, max_interval=0.2) if sandbox else BatchPolling()
        llm = ChatInfron(model=MODEL, max_tokens=100, default_headers=headers)
        inputs = [
            f"In one sentence: why does the ocean look blue? (take {n})" for n in range(ITEMS)
        ]

        with track_usage() as live:
            answers = llm.batch(inputs, config={"max_concurrency": 16})

        seen: list[str] = []

        def progress(info: BatchInfo) -> None:
            if not seen or seen[-1] != info.state:
                counts = info.request_counts
                print(f"  batch {info.state}: {counts.done}/{counts.total} done")
                seen.append(info.state)

        with tempfile.TemporaryDirectory() as tmp, track_usage() as batched:
            journal = Path(tmp) / "ocean.batch.json"
            print(f"submitting {ITEMS} inputs to the Batch API (journal: {journal.name})")
            replies = llm.batch_api(inputs, journal=journal, polling=polling, on_update=progress)

        first = replies[0]
        cost, request_id = first.response_metadata["cost"], first.response_metadata["request_id"]
        print(f"\nfirst answer: {first.content}")
        print(f"  its cost ${cost:.8f}, request id {request_id}")
        print(
            f"\nbatch     (live requests): {len(answers)} answers, "
            f"{live.total.requests} requests, ${live.total_cost:.6f}"
        )
        print(
            f"batch_api (Batch API):     {len(replies)} answers, "
            f"{batched.total.requests} requests, ${batched.total_cost:.6f}"
        )
        ratio = batched.total_cost / live.total_cost if live.total_cost else float("nan")
        print(f"batch_api / batch cost: {ratio:.0%}")


if __name__ == "__main__":
    main()
