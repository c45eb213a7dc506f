"""``tracking_active()``: true exactly inside ``track_usage()`` blocks (nested too)."""

from __future__ import annotations

from infron_integrations.core.usage import track_usage, tracking_active


def test_tracking_active_follows_the_blocks() -> None:
    assert tracking_active() is False
    with track_usage():
        assert tracking_active() is True
        with track_usage():
            assert tracking_active() is True
        assert tracking_active() is True
    assert tracking_active() is False
