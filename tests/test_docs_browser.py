"""The built docs site as a reader sees it: rendered by headless Chromium at laptop width.

``mkdocs build`` output is served from loopback and each page is loaded with a small script
appended that measures the laid-out page and records what it found on ``<html>``; Chromium's
``--dump-dom`` hands the result back. What is checked: no literal ``\\|`` anywhere in the text
(a backslash-escaped pipe that Markdown kept inside a code span), union types written in one
notation in the options tables (``X | None``, never ``Optional[...]``/``Union[...]``), and no code
sample wider than the page (a block that scrolls sideways).
"""

from __future__ import annotations

import functools
import html
import http.server
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("options/", "langchain/", "litellm/", "batch/", "sandbox/")
CODE_PAGES = PAGES[1:]
"""Pages with code samples (the options page has only tables)."""
WINDOW = "1280,800"
CHECK_ATTRIBUTE = "data-layout-check"

# runs after the stylesheets (a script at the end of <body> waits for them), so sizes are final
CHECK_SCRIPT = """<script>
(function () {
  const text = document.body.innerText;
  const blocks = Array.from(document.querySelectorAll("pre > code"));
  const wide = blocks
    .filter((el) => el.scrollWidth > el.clientWidth + 1)
    .map((el) => el.innerText.split("\\n").sort((a, b) => b.length - a.length)[0]);
  const types = Array.from(document.querySelectorAll("td:nth-child(2) code"))
    .map((el) => el.innerText);
  document.documentElement.setAttribute("data-layout-check", JSON.stringify({
    escaped_pipes: (text.match(/\\\\\\|/g) || []).length,
    code_blocks: blocks.length,
    wide_blocks: wide,
    types: types,
  }));
})();
</script>"""

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    f"--window-size={WINDOW}",
    "--virtual-time-budget=3000",
)


def _find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's ``chromium``, installed with apt-get when missing (needs root)."""
    found = _find_chromium()
    if found:
        return found
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip(
            "chromium is not installed and installing it needs root: apt-get install chromium"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for argv in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            pytest.skip(f"could not install chromium ({' '.join(argv)}): {done.stderr[-300:]}")
    found = _find_chromium()
    if found is None:
        pytest.skip("apt-get installed chromium but it is not on PATH")
    return found


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site, with the measuring script appended to every HTML page."""

    def send_head(self) -> Any:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix != ".html" or not path.is_file():
            return super().send_head()
        body = path.read_text(encoding="utf-8").replace("</body>", CHECK_SCRIPT + "</body>")
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = tmp_path_factory.mktemp("site")
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    handler = functools.partial(_Handler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _render(chromium: str, url: str, profile: Path) -> dict[str, Any]:
    argv = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=45)
    match = re.search(rf'{CHECK_ATTRIBUTE}="([^"]*)"', done.stdout)
    assert match, f"chromium rendered no result for {url}: {done.stderr[-500:]}"
    return json.loads(html.unescape(match.group(1)))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def rendered(chromium: str, site_url: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    profile = tmp_path_factory.mktemp("chromium-profile")
    return {page: _render(chromium, site_url + page, profile) for page in PAGES}


@pytest.mark.parametrize("page", PAGES)
def test_no_literal_escaped_pipes(rendered: Any, page: str) -> None:
    assert rendered[page]["escaped_pipes"] == 0


@pytest.mark.parametrize("page", CODE_PAGES)
def test_code_samples_fit_the_page_width(rendered: Any, page: str) -> None:
    found = rendered[page]
    assert found["code_blocks"] > 0
    assert found["wide_blocks"] == [], f"code wider than a {WINDOW} window on {page}"


def test_options_tables_write_unions_in_one_notation(rendered: Any) -> None:
    types = rendered["options/"]["types"]
    assert "ProviderPreferences | None" in types
    assert "list[str] | None" in types and "bool | None" in types
    assert not [t for t in types if "Optional[" in t or "Union[" in t or "\\" in t]
