"""Web layer overhead: the same request through the CLI path (ChatSession.ask) and through the page in a
real headless Chromium (type, send, until the score has notes and the player knows the tune's length).

Both paths share one chat model and run alternately in one process, each request in a fresh session
with the same seed, after one warm-up turn each (model load, library imports). Prints the median
seconds of each path and their ratio; then the time each path spends outside the agent's turn (its
seconds minus the turn's own wall time from trace.json), which removes the model's run-to-run
variation from the comparison: the difference is what the web layer adds. Also how long the page
takes to be interactive (from navigation to the composer's handlers being bound).

    .venv/bin/python benchmarks/web_bench.py [--model embedded|scripted] [--requests 3] [--request "..."]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # support.scripted_model for --model scripted
CHROMIUM = "/usr/bin/chromium"


def chat_model(kind: str, settings):
    """The embedded model, or (scripted) a model that answers plainly so the agent composes by itself."""
    if kind == "scripted":
        import itertools

        from langchain_core.messages import AIMessage
        from support.scripted_model import ScriptedChatModel

        return ScriptedChatModel(messages=itertools.cycle([AIMessage(content="Here is your tune.")]))
    from tunesmith.agent.llm.factory import make_chat_model

    return make_chat_model(settings)


def turn_seconds(folder: Path) -> float:
    """The agent turn's own wall time, as its trace.json recorded it."""
    return json.loads((folder / "trace.json").read_text())["wall_seconds"]


def through_cli(model, settings, request: str) -> tuple[float, float]:
    """(seconds for ChatSession.ask; seconds of that outside the agent's turn)."""
    from tunesmith.agent.session import ChatSession

    start = time.perf_counter()
    outcome = ChatSession.start(model, settings).ask(request)
    seconds = time.perf_counter() - start
    return seconds, seconds - turn_seconds(outcome.folder)


def through_page(browser, url: str, request: str, sessions: Path) -> tuple[float, float, float]:
    """(seconds from pressing Enter to a playable, engraved tune; of that, seconds outside the agent's turn;
    seconds from navigation to interactive). Times come from the page's own clock (performance marks)."""
    page = browser.new_page()
    try:
        page.goto(url)
        page.wait_for_selector("body[data-ready]")
        interactive = page.evaluate("performance.getEntriesByName('interactive')[0].startTime") / 1000
        page.fill("#request", request)
        page.evaluate("document.addEventListener('keydown', () => { window.sentAt = performance.now(); }, {capture: true, once: true})")
        page.keyboard.press("Enter")
        page.wait_for_function("() => performance.getEntriesByName('tune-playable').length > 0", timeout=600_000)
        if page.locator(".turn .score .abcjs-note").count() == 0:
            raise RuntimeError("the tune played but its score has no notes")
        seconds = page.evaluate("(performance.getEntriesByName('tune-playable')[0].startTime - window.sentAt) / 1000")
        session_id = page.url.split("session=")[1]
        return seconds, seconds - turn_seconds(sessions / session_id / "turn-001"), interactive
    finally:
        page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("embedded", "scripted"), default="embedded")
    parser.add_argument("--requests", type=int, default=3, help="Measured requests per path (after one warm-up each).")
    parser.add_argument("--request", default="a cheerful jig in D major, 16 bars")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from tunesmith.settings import load_settings
    from tunesmith.web.app import create_app
    from tunesmith.web.server import ServerThread

    home = Path(tempfile.mkdtemp(prefix="web-bench-"))
    settings = load_settings(output_dir=home / "sessions", seed=7)
    model = chat_model(args.model, settings)
    cli, web, cli_outside, web_outside, ready = [], [], [], [], []
    with ServerThread(create_app(settings, chat_model_factory=lambda _: model)) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"])
        through_cli(model, settings, args.request)
        through_page(browser, server.url, args.request, settings.output_dir)
        for _ in range(args.requests):
            seconds, outside = through_cli(model, settings, args.request)
            cli.append(seconds)
            cli_outside.append(outside)
            seconds, outside, interactive = through_page(browser, server.url, args.request, settings.output_dir)
            web.append(seconds)
            web_outside.append(outside)
            ready.append(interactive)
        browser.close()
    cli_s, web_s = statistics.median(cli), statistics.median(web)
    print(f"model: {args.model}; request: {args.request!r}; {args.requests} measured requests per path")
    print(f"CLI path (ChatSession.ask):      median {cli_s:.2f} s  {[round(s, 2) for s in cli]}")
    print(f"page (Chromium, send → player):  median {web_s:.2f} s  {[round(s, 2) for s in web]}")
    print(f"ratio page / CLI: {web_s / cli_s:.3f}  ({100 * (web_s - cli_s) / cli_s:+.1f}%, the model's run-to-run variation included)")
    added = statistics.median(web_outside) - statistics.median(cli_outside)
    print(f"outside the agent's turn: CLI median {statistics.median(cli_outside):.3f} s, page median "
          f"{statistics.median(web_outside):.3f} s → the web layer adds {added:.3f} s = {100 * added / cli_s:.1f}% of a turn")
    print(f"page interactive after load:     median {1000 * statistics.median(ready):.0f} ms  (max {1000 * max(ready):.0f} ms)")


if __name__ == "__main__":
    main()
