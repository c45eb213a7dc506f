"""``infron chat``: a streamed answer per turn, reasoning shown dimmed, cost after each answer.

Interactive chat follows the habits of a shell: Ctrl-C stops the answer being streamed (the
request is closed, what arrived so far stays in the history) and the chat goes on; Ctrl-D or
``exit`` ends it and prints the chat session's cost. In a one-shot chat Ctrl-C ends the command
(exit code 130), like any other command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.console import Console

EXIT_WORDS = frozenset({"exit", "quit", "/exit", "/quit"})
INTRO = "[dim]Interactive chat: Ctrl-C stops an answer; Ctrl-D or 'exit' ends the chat.[/]"


@dataclass
class Answer:
    text: str
    cost: float | None
    interrupted: bool = False


@dataclass
class ChatSession:
    """What one ``infron chat`` keeps between turns: the history and what it has cost."""

    settings: Any
    model: str
    options: Any
    history: list[dict[str, Any]] = field(default_factory=list)
    cost: float = 0.0
    answers: int = 0
    stopped: int = 0
    unpriced: int = 0

    def ask(self, text: str, out: Console, err: Console) -> Answer:
        """One turn: stream the answer to ``text`` and keep both in the history."""
        self.history.append({"role": "user", "content": text})
        answer = stream_answer(self, out, err)
        if answer.text:
            self.history.append({"role": "assistant", "content": answer.text})
        else:  # nothing came back: forget the question, so the next turn does not repeat it
            self.history.pop()
        self.answers += 1
        self.stopped += answer.interrupted
        if answer.cost is None:
            self.unpriced += 1
        else:
            self.cost += answer.cost
        return answer

    def summary(self) -> str:
        unpriced = ""
        if self.unpriced:
            unpriced = f", {self.unpriced} without a reported cost"
        stopped = f", {self.stopped} stopped" if self.stopped else ""
        plural = "" if self.answers == 1 else "s"
        return (
            f"[dim]session cost: ${self.cost:.6f} "
            f"({self.answers} answer{plural}{stopped}{unpriced})[/]"
        )


def interactive(session: ChatSession, out: Console, err: Console) -> None:
    """Read, answer, repeat until Ctrl-D or ``exit``; then print the session's cost."""
    out.print(INTRO)
    while True:
        try:
            line = out.input("[bold cyan]you>[/] ")
        except EOFError:
            out.print()
            break
        except KeyboardInterrupt:
            out.print("\n[dim](Ctrl-D or 'exit' ends the chat)[/]")
            continue
        text = line.strip()
        if not text:
            continue
        if text.lower() in EXIT_WORDS:
            break
        session.ask(text, out, err)
    out.print(session.summary())


def one_shot(session: ChatSession, prompt: str, out: Console, err: Console) -> None:
    """Answer one prompt; Ctrl-C ends the command."""
    if session.ask(prompt, out, err).interrupted:
        raise KeyboardInterrupt


def stream_answer(session: ChatSession, out: Console, err: Console) -> Answer:
    """Stream one answer to the console; Ctrl-C stops it and returns what arrived."""
    from .core.http import openai_client
    from .core.options import request_fragment
    from .core.stream import StreamAccumulator

    client = openai_client(session.settings)
    acc = StreamAccumulator()
    parts: list[str] = []
    stream: Any = None
    try:
        with err.status("Waiting for the first token…") as status:
            stream = client.chat.completions.create(  # type: ignore[call-overload]
                model=session.model,
                messages=session.history,
                stream=True,
                stream_options={"include_usage": True},
                extra_body=request_fragment(session.options),
            )
            _print_stream(stream, acc, parts, out, status)
    except KeyboardInterrupt:
        if stream is not None:
            stream.close()  # closes the connection: the gateway stops generating
        out.print()
        out.print("[yellow]answer stopped[/]")
        return Answer("".join(parts), None, interrupted=True)
    acc.finish()
    out.print()
    return Answer("".join(parts), _print_usage(acc, out))


def _print_stream(stream: Any, acc: Any, parts: list[str], out: Console, status: Any) -> None:
    started = False
    in_reasoning = False
    for chunk in stream:
        data = chunk.model_dump(exclude_none=True)
        acc.feed(data)
        for choice in data.get("choices", ()):
            delta = choice.get("delta", {})
            thought = delta.get("reasoning_content") or delta.get("reasoning")
            text = delta.get("content")
            if (thought or text) and not started:
                status.stop()
                started = True
            if thought:
                out.print(thought, style="dim", end="", highlight=False)
                in_reasoning = True
            if text:
                if in_reasoning:
                    out.print()
                    in_reasoning = False
                out.print(text, end="", highlight=False, markup=False)
                parts.append(text)


def _print_usage(acc: Any, out: Console) -> float | None:
    record = acc.usage_record(framework="cli")
    if record is None:
        return None
    cost = "unknown" if record.cost is None else f"${record.cost:.6f}"
    out.print(
        f"[dim]{record.input_tokens} in / {record.output_tokens} out tokens"
        f"{f' ({record.reasoning_tokens} reasoning)' if record.reasoning_tokens else ''}"
        f"{f', {record.cache_read_tokens} cached' if record.cache_read_tokens else ''}"
        f" · cost {cost}"
        f"{f' · via {acc.provider}' if acc.provider else ''}[/]"
    )
    return record.cost  # type: ignore[no-any-return]
