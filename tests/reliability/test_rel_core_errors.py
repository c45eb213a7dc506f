"""The core's broken-stream error names its request id in its text, like the API errors do.

The text is what crosses process boundaries (a LiteLLM proxy's error event, a log line), and the
id is often learned after the error was raised (from the stream's chunks or headers).
"""

from __future__ import annotations

import pickle

from infron_integrations.core.errors import InfronStreamError

RID = "0123456789abcdef0123456789abcdef"


def test_request_id_learned_later_is_in_the_text() -> None:
    error = InfronStreamError("Malformed SSE frame from Infron: '{'")
    assert str(error) == "Malformed SSE frame from Infron: '{'"
    error.request_id = RID
    assert str(error) == f"Malformed SSE frame from Infron: '{{' [request_id: {RID}]"


def test_request_id_is_named_once() -> None:
    error = InfronStreamError(f"broke [request_id: {RID}]", request_id=RID)
    assert str(error).count(RID) == 1


def test_text_survives_pickling() -> None:
    error = InfronStreamError("broke", partial_text="You said", request_id=RID)
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == str(error)
    assert (again.partial_text, again.request_id) == ("You said", RID)
