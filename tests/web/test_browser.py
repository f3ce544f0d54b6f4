"""The page in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright) against the real
server: type, upload, hear, see the score and the cursor, edit, queue, reload."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support.image_samples import real_photo
from support.scripted_model import call
from support.web import TurnScripts

from tunesmith.settings import load_settings
from tunesmith.web.app import create_app
from tunesmith.web.server import ServerThread

CHROMIUM = "/usr/bin/chromium"
TURN_SECONDS = 120_000  # ms a turn may take before a test gives up (the first one loads the embedder)
pytestmark = pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="Chromium is not installed: apt-get install chromium")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root; --disable-dev-shm-usage: containers give /dev/shm little room.
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-dev-shm-usage", "--autoplay-policy=no-user-gesture-required",
        ])
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def scripts() -> TurnScripts:
    return TurnScripts()


@pytest.fixture(scope="module")
def server(scripts: TurnScripts, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("web")
    settings = load_settings(output_dir=folder / "sessions", chroma_path=folder / "chroma", refine_rounds=1)
    with ServerThread(create_app(settings, chat_model_factory=scripts.factory)) as running:
        yield running
    scripts.gate.set()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.goto(server.url)
    tab.wait_for_selector("body[data-ready]")
    yield tab
    context.close()
    assert problems == [], problems  # no script error in any test


def _send(page, words: str) -> None:
    page.fill("#request", words)
    page.keyboard.press("Enter")


def _tempo(page, turn: int) -> int:
    return int(page.locator(".turn .tempo").nth(turn).get_attribute("data-tempo"))


def test_a_request_streams_its_steps_then_plays_its_score_and_an_edit_changes_the_tempo(page, scripts: TurnScripts) -> None:
    scripts.gate.clear()  # hold the turn at the model (the key is left open to it) so its live steps can be seen
    scripts.add(call("plan_music", request="a cheerful jig"), call("compose_abc"), call("render"), "A jig.")
    try:
        _send(page, "a cheerful jig")
        page.wait_for_selector(".job .job-state:text-matches('Planning|Thinking|Loading the model')")
    finally:
        scripts.gate.set()  # never leave the next test's turn held
    page.wait_for_selector(".turn .score .abcjs-note", timeout=TURN_SECONDS)
    assert page.locator(".turn").first.locator(".abcjs-note").count() > 20
    page.wait_for_function("document.querySelector('audio.tune-audio').duration > 5")
    assert [page.locator(f".download-{kind}").count() for kind in ("abc", "midi", "wav", "svg", "musicxml")] == [1] * 5
    assert page.locator(".critic-chart circle").count() >= 1
    assert "Why it sounds like this" in page.inner_text(".explanation")

    page.evaluate("document.querySelector('audio.tune-audio').play()")
    page.wait_for_selector(".abcjs-note.playing")  # the cursor follows the sound
    page.wait_for_selector(".abcjs-cursor[visibility=visible]", state="attached")  # a line: no area to be "visible"
    page.evaluate("document.querySelector('audio.tune-audio').pause()")

    _send(page, "now make it slower")
    page.wait_for_selector(".turn:nth-child(2) .score .abcjs-note", timeout=TURN_SECONDS)
    assert _tempo(page, 1) < _tempo(page, 0)

    page.reload()
    page.wait_for_selector(".turn:nth-child(2) .score .abcjs-note")
    assert page.locator(".turn .you").all_inner_texts() == ["a cheerful jig", "now make it slower"]
    assert _tempo(page, 1) < _tempo(page, 0)


def test_a_picture_gives_a_tune_shown_beside_the_picture_and_its_palette(page, scripts: TurnScripts, tmp_path: Path) -> None:
    photo = real_photo("astronaut", tmp_path)
    scripts.add(call("describe_image", path="astronaut.png"), call("plan_music", request="music for this photo"),
                call("compose_abc"), call("render"), "Music for your photo.")
    page.set_input_files("#file", str(photo))
    _send(page, "music for this photo")
    page.wait_for_selector(".turn .score .abcjs-note", timeout=TURN_SECONDS)
    page.wait_for_function("document.querySelector('.input-image img').naturalWidth > 0")
    assert page.locator(".palette .swatch").count() >= 2
    assert "valence" in page.inner_text(".measures")


def test_a_file_that_is_not_what_it_claims_is_refused_in_the_page(page, tmp_path: Path) -> None:
    fake = tmp_path / "photo.png"
    fake.write_text("<html>this is not a picture</html>")
    page.set_input_files("#file", str(fake))
    _send(page, "music for this photo")
    page.wait_for_selector("#notice.error")
    assert page.inner_text("#notice").startswith("photo.png is not an image (it contains text)")
    assert page.locator(".job").count() == 0
    assert page.request.get(page.url.split("?")[0] + "api/config").ok  # the server keeps running


def test_a_second_tab_waits_in_the_queue_and_can_cancel(page, browser, server, scripts: TurnScripts) -> None:
    scripts.gate.clear()
    _send(page, "a cheerful jig")
    page.wait_for_selector(".job[data-state=running]")
    other = browser.new_page()
    try:
        other.goto(server.url)
        other.wait_for_selector("body[data-ready]")
        _send(other, "a slow air in A minor")
        other.wait_for_selector(".job-state:text('Waiting: 1 turn ahead in the queue')")
        other.click(".job .cancel")
        other.wait_for_selector(".job[data-state=cancelled]")
    finally:
        scripts.gate.set()
        other.close()
    page.wait_for_selector(".turn .score .abcjs-note", timeout=TURN_SECONDS)


def test_a_saved_session_reopens_from_the_list_and_the_status_tab_shows_doctor(page) -> None:
    from tunesmith.agent.doctor import collect_checks

    _send(page, "a slow air in A minor, 8 bars")
    page.wait_for_selector(".turn .score .abcjs-note", timeout=TURN_SECONDS)
    page.click("#new-session")
    assert page.locator(".turn").count() == 0
    page.click("button.tab[data-tab=sessions]")
    page.click(".session-item button:text('a slow air in A minor, 8 bars')")
    page.wait_for_selector(".turn .score .abcjs-note")
    assert page.inner_text(".turn .you") == "a slow air in A minor, 8 bars"
    page.click("button.tab[data-tab=status]")
    page.wait_for_selector("#status-table td.mark", timeout=TURN_SECONDS)
    names = page.locator("#status-table tbody tr td:nth-child(2)").all_inner_texts()
    assert [name.removesuffix(" (required)") for name in names] == [row.name for row in collect_checks(load_settings())]


def test_an_unavailable_llm_is_said_in_the_page_with_its_fix(browser, tmp_path: Path) -> None:
    settings = load_settings(output_dir=tmp_path / "sessions", llm_backend="ollama", llm_model="qwen2.5:7b",
                             ollama_host="http://127.0.0.1:9")
    with ServerThread(create_app(settings)) as server:
        tab = browser.new_page()
        tab.goto(server.url)
        tab.wait_for_selector("body[data-ready]")
        _send(tab, "a cheerful jig in D major")
        tab.wait_for_selector(".job[data-state=failed]")
        error = tab.inner_text(".job .error")
        assert error.startswith("Ollama is not running at http://127.0.0.1:9") and "`ollama serve`" in error
        assert "\n" not in error and "Traceback" not in error
        tab.close()


@pytest.mark.slow
def test_the_real_embedded_model_makes_a_tune_the_page_plays(browser, tmp_path: Path) -> None:
    from tunesmith.agent.llm.factory import make_chat_model

    settings = load_settings(output_dir=tmp_path / "sessions", refine_rounds=1)
    with ServerThread(create_app(settings, chat_model_factory=make_chat_model)) as server:
        tab = browser.new_page()
        tab.goto(server.url)
        tab.wait_for_selector("body[data-ready]")
        _send(tab, "a slow air in A minor, 8 bars")
        tab.wait_for_selector(".turn .score .abcjs-note", timeout=300_000)
        tab.wait_for_function("document.querySelector('audio.tune-audio').duration > 3")
        assert tab.inner_text(".turn .summary").startswith("A minor")
        _send(tab, "now make it slower")
        tab.wait_for_selector(".turn:nth-child(2) .score .abcjs-note", timeout=300_000)
        assert _tempo(tab, 1) < _tempo(tab, 0)
        tab.close()
