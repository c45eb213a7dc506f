"""The response models are imported when a usage record is first built, not with the core's usage
module (which every adapter imports): an adapter's import stays cheap (P4 in bench/)."""

from __future__ import annotations

import subprocess
import sys


def test_usage_module_imports_no_wire_models_until_a_record_is_built() -> None:
    code = (
        "import sys\n"
        "from infron_integrations.core.usage import UsageRecord, record_usage\n"
        "assert 'infron_integrations.core.wire' not in sys.modules\n"
        "r = UsageRecord.from_usage({'prompt_tokens': 2, 'completion_tokens': 3}, cost=0.5,\n"
        "    cost_details={'prompt_cost': 0.2, 'completion_cost': 0.3})\n"
        "assert 'infron_integrations.core.wire' in sys.modules\n"
        "assert (r.total_tokens, r.cost, r.cost_details.completion_cost) == (5, 0.5, 0.3)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_http_module_imports_no_wire_models_until_a_method_needs_them() -> None:
    code = (
        "import sys\n"
        "from infron_integrations.core.http import InfronHTTP, openai_client\n"
        "assert 'infron_integrations.core.wire' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
