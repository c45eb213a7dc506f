"""P1, information: ChatInfron against langchain-openrouter's ``ChatOpenRouter`` (the partner
package of the gateway Infron resembles), per call, on the same loopback sandbox (its own process).

ChatOpenRouter is not a dependency of this project. Install it outside the project's environment
and put it on ``PYTHONPATH``; without it the script says so and exits 0::

    .venv/bin/pip install --target /tmp/bench-extra --no-deps \\
        langchain-openrouter openrouter jsonpath-python
    PYTHONPATH=/tmp/bench-extra .venv/bin/python bench/bench_openrouter.py [--smoke]

Both models send the same chat request (ChatOpenRouter asks for usage the same way Infron's
``usage: {include: true}`` does); the ratio is ChatInfron's time per call over ChatOpenRouter's.
"""

from __future__ import annotations

import argparse
import sys

from _harness import SANDBOX_KEY, Comparison, acompare, compare, print_table, sandbox_process

from infron_integrations.langchain import ChatInfron

MODEL = "openai/gpt-4o-mini"
PROMPT = (
    "Explain in a few sentences how a suspension bridge carries its load from the deck through "
    "the hangers and main cables down into the towers and the anchorages at each end."
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="a few iterations only")
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    calls, rounds = (3, 2) if args.smoke else (max(1, args.calls), max(1, args.rounds))
    try:
        from langchain_openrouter import ChatOpenRouter
    except ImportError:
        print("ChatOpenRouter vs ChatInfron: n/a (langchain-openrouter is not installed; see the")
        print("docstring of bench/bench_openrouter.py to put it on PYTHONPATH)")
        return 0

    with sandbox_process() as base_url:
        infron = ChatInfron(model=MODEL, api_key=SANDBOX_KEY, base_url=base_url, max_retries=0)

        def make_router() -> ChatOpenRouter:
            return ChatOpenRouter(
                model=MODEL, api_key=SANDBOX_KEY, base_url=base_url, max_retries=0
            )

        # the OpenRouter SDK's async HTTP client binds to the first event loop that uses it, and
        # each async row runs in its own loop: one ChatOpenRouter per async row
        router, router_ainvoke, router_astream = make_router(), make_router(), make_router()
        a, b = infron.invoke(PROMPT), router.invoke(PROMPT)
        assert a.content == b.content, "the two models got different answers"

        def consume(model: object) -> None:
            for _ in model.stream(PROMPT):  # type: ignore[attr-defined]
                pass

        async def aconsume(model: object) -> None:
            async for _ in model.astream(PROMPT):  # type: ignore[attr-defined]
                pass

        rows: list[Comparison] = [
            compare(
                "vs ChatOpenRouter: invoke (info)",
                lambda: infron.invoke(PROMPT),
                lambda: router.invoke(PROMPT),
                calls=calls,
                rounds=rounds,
            ),
            compare(
                "vs ChatOpenRouter: stream (info)",
                lambda: consume(infron),
                lambda: consume(router),
                calls=calls,
                rounds=rounds,
            ),
            acompare(
                "vs ChatOpenRouter: ainvoke (info)",
                lambda: infron.ainvoke(PROMPT),
                lambda: router_ainvoke.ainvoke(PROMPT),
                calls=calls,
                rounds=rounds,
            ),
            acompare(
                "vs ChatOpenRouter: astream (info)",
                lambda: aconsume(infron),
                lambda: aconsume(router_astream),
                calls=calls,
                rounds=rounds,
            ),
        ]
    print_table(
        "ChatInfron vs ChatOpenRouter on the same loopback sandbox (per call; < 1 is faster)",
        rows,
        a_name="ChatInfron",
        b_name="ChatOpenRouter",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
