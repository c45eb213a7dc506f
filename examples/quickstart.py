"""Infron in LangChain, LiteLLM and the OpenAI Agents SDK, in one run, with one cost table.

    bash scripts/quickstart                       # installs into .venv, then runs this file
    python examples/quickstart.py                 # if the package is installed already

With ``INFRON_API_KEY`` unset everything runs against the built-in sandbox on 127.0.0.1
(offline, deterministic); with it set, against the real gateway. Models can be overridden with
``INFRON_CHAT_MODEL`` and ``INFRON_REASONING_MODEL``.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections import defaultdict
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table

from infron_integrations.core import UsageTracker, track_usage
from infron_integrations.gateway import live_or_sandbox

CHAT_MODEL = os.environ.get("INFRON_CHAT_MODEL", "openai/gpt-4o-mini")
REASONING_MODEL = os.environ.get("INFRON_REASONING_MODEL", "deepseek/deepseek-r1")
CLAUDE = os.environ.get("INFRON_CLAUDE_MODEL", "anthropic/claude-sonnet-4.5")

# LiteLLM would otherwise try to download its price table; Infron reports the cost itself.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
console = Console(highlight=False, width=shutil.get_terminal_size((120, 24)).columns)


def section(title: str) -> None:
    console.rule(f"[bold]{title}")


def get_weather(city: str) -> str:
    """Today's weather in a city."""
    return f"sunny and 21 degrees C in {city}"


def langchain_streamed_reasoning() -> None:
    from infron_integrations.langchain import ChatInfron

    section("LangChain: a streamed answer, its reasoning shown apart")
    llm = ChatInfron(model=REASONING_MODEL, reasoning={"effort": "medium"})
    answer_started = False
    console.print("[dim]reasoning:[/] ", end="")
    for chunk in llm.stream("Is 9.11 bigger than 9.9? Answer in one sentence."):
        thought = chunk.additional_kwargs.get("reasoning_content")
        if thought:
            console.print(thought, style="dim", end="")
        if chunk.content:
            if not answer_started:
                console.print("\n[bold]answer:[/] ", end="")
                answer_started = True
            console.print(chunk.text, end="", markup=False)
    console.print()


def langchain_tool_agent() -> None:
    from langchain_core.messages import HumanMessage, ToolMessage
    from langchain_core.tools import tool

    from infron_integrations.langchain import ChatInfron

    section("LangChain: a tool-calling agent")
    weather = tool(get_weather)
    llm = ChatInfron(model=CLAUDE, provider={"order": ["anthropic"], "allow_fallbacks": True})
    agent = llm.bind_tools([weather])
    messages: list[Any] = [HumanMessage("What is the weather in Lisbon? Use get_weather.")]
    for _ in range(4):  # a bounded loop: call tools until the model answers
        reply = agent.invoke(messages)
        messages.append(reply)
        if not reply.tool_calls:
            break
        for call in reply.tool_calls:
            console.print(f"[cyan]tool call[/] {call['name']}({call['args']})")
            messages.append(ToolMessage(weather.invoke(call["args"]), tool_call_id=call["id"]))
    console.print(f"[bold]answer:[/] {messages[-1].content}")
    meta = messages[-1].response_metadata
    console.print(f"[dim]served by {meta.get('provider')} · cost ${meta.get('cost', 0):.8f}[/]")


def langchain_retrieval() -> None:
    from langchain_core.vectorstores import InMemoryVectorStore
    from langchain_retrieval import DOCUMENTS, EMBEDDING_MODEL, QUESTION, RERANK_MODEL, build_chain

    from infron_integrations.langchain import ChatInfron, InfronEmbeddings, InfronRerank

    section("LangChain: retrieval with InfronEmbeddings + InfronRerank")
    store = InMemoryVectorStore(embedding=InfronEmbeddings(model=EMBEDDING_MODEL))
    store.add_documents(DOCUMENTS)
    reranker = InfronRerank(model=RERANK_MODEL, top_n=2)
    result = build_chain(store, reranker, ChatInfron(model=CHAT_MODEL)).invoke(QUESTION)
    for doc in result["context"]:
        console.print(f"[dim]{doc.metadata['relevance_score']:.3f}[/] {doc.page_content}")
    console.print(f"[bold]answer:[/] {result['answer'].content}")


def litellm_completion() -> None:
    import litellm

    from infron_integrations.litellm import register

    section("LiteLLM: infron/<model> with its cost")
    register()
    response = litellm.completion(
        model=f"infron/{CLAUDE}",
        messages=[{"role": "user", "content": "Say hello from LiteLLM in five words."}],
        provider={"sort": "price"},
    )
    console.print(f"[bold]answer:[/] {response.choices[0].message.content}")
    console.print(f"[dim]response_cost ${response._hidden_params['response_cost']:.8f}[/]")


async def agents_handoff() -> None:
    from agents import Agent, RunConfig, Runner, function_tool, set_tracing_disabled

    from infron_integrations.openai_agents import InfronProvider, run_cost

    section("Agents SDK: a function tool and a handoff")
    set_tracing_disabled(True)  # nothing leaves the machine; see docs/openai-agents.md
    spanish = Agent(name="spanish_agent", instructions="You only speak Spanish.", model=CHAT_MODEL)
    assistant = Agent(
        name="assistant",
        instructions="Use get_weather for weather. Hand off to spanish_agent for Spanish.",
        model=CHAT_MODEL,
        tools=[function_tool(get_weather)],
        handoffs=[spanish],
    )
    config = RunConfig(model_provider=InfronProvider())
    result = await Runner.run(assistant, "What is the get_weather in Porto?", run_config=config)
    console.print(f"[bold]tool answer:[/] {result.final_output}")
    handoff = await Runner.run(
        assistant, "transfer_to_spanish_agent: how are you today?", run_config=config
    )
    console.print(f"[bold]{handoff.last_agent.name}:[/] {handoff.final_output}")
    cost = run_cost(result).total_cost + run_cost(handoff).total_cost
    console.print(f"[dim]agents cost ${cost:.8f}[/]")


def cost_table(run: UsageTracker, where: str) -> Table:
    rows: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {"n": 0, "in": 0, "out": 0, "cached": 0, "reasoning": 0, "cost": Decimal(0), "?": 0}
    )
    for record in run.records:
        row = rows[(record.framework or "-", f"{record.model or '-'} ({record.kind})")]
        row["n"] += record.requests
        row["in"] += record.input_tokens
        row["out"] += record.output_tokens
        row["cached"] += record.cache_read_tokens
        row["reasoning"] += record.reasoning_tokens
        row["?"] += record.unknown_cost_requests
        if record.cost is not None:
            row["cost"] += Decimal(repr(record.cost))
    table = Table(title=f"What the run cost and used ({where}; the gateway's own figures)")
    for column in (
        "framework",
        "model (kind)",
        "requests",
        "input",
        "output",
        "cached",
        "reasoning",
        "cost USD",
    ):
        table.add_column(
            column, justify="left" if column in ("framework", "model (kind)") else "right"
        )

    def money(cost: Decimal, unknown: int, n: int) -> str:
        if unknown == n:
            return "not reported"
        return f"{cost:.8f}" + (f" (+{unknown} n/r)" if unknown else "")

    for (framework, model), row in sorted(rows.items()):
        table.add_row(
            framework,
            model,
            str(row["n"]),
            str(row["in"]),
            str(row["out"]),
            str(row["cached"]),
            str(row["reasoning"]),
            money(row["cost"], row["?"], row["n"]),
        )
    total = run.total
    table.add_section()
    table.add_row(
        "total",
        "",
        str(total.requests),
        str(total.input_tokens),
        str(total.output_tokens),
        str(total.cache_read_tokens),
        str(total.reasoning_tokens),
        money(total.cost, total.unknown_cost_requests, total.requests),
    )
    return table


def main() -> None:
    with live_or_sandbox(announce=lambda line: console.print(f"[yellow]{line}[/]")) as gw:
        with track_usage() as run:
            langchain_streamed_reasoning()
            langchain_tool_agent()
            langchain_retrieval()
            litellm_completion()
            asyncio.run(agents_handoff())
        console.print()
        console.print(cost_table(run, "sandbox" if gw.is_sandbox else "Infron"))


if __name__ == "__main__":
    main()
