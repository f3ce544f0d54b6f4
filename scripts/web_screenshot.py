"""Take the README's picture of the web app, docs/web.png: one real turn (a photo and a request) made in
the page by headless Chromium, with the embedded model unless --model scripted, then saved small.

    .venv/bin/python scripts/web_screenshot.py [--model embedded|scripted] [--out docs/web.png]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # support.scripted_model for --model scripted
REQUEST = "a gentle waltz for this photo"


def chat_model_factory(kind: str):
    if kind == "scripted":
        from support.scripted_model import call, scripted

        return lambda settings: scripted(call("describe_image", path="coffee.png"), call("plan_music", request=REQUEST),
                                         call("compose_abc"), call("render"), "Here is a gentle waltz for your photo.")
    from tunesmith.agent.llm.factory import make_chat_model

    return make_chat_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("embedded", "scripted"), default="embedded")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "web.png")
    args = parser.parse_args()

    import skimage.data
    from PIL import Image
    from playwright.sync_api import sync_playwright

    from tunesmith.settings import load_settings
    from tunesmith.web.app import create_app
    from tunesmith.web.server import ServerThread

    home = Path(tempfile.mkdtemp(prefix="web-shot-"))
    photo = home / "coffee.png"
    Image.fromarray(skimage.data.coffee()).save(photo)
    settings = load_settings(output_dir=home / "sessions", refine_rounds=2, seed=3)
    with ServerThread(create_app(settings, chat_model_factory=chat_model_factory(args.model))) as server, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-dev-shm-usage"])
        page = browser.new_page(viewport={"width": 1200, "height": 1000}, device_scale_factor=1)
        page.goto(server.url)
        page.wait_for_selector("body[data-ready]")
        page.set_input_files("#file", str(photo))
        page.fill("#request", REQUEST)
        page.keyboard.press("Enter")
        page.wait_for_selector(".turn .score .abcjs-note", timeout=900_000)
        page.wait_for_function("() => document.querySelector('.input-image img')?.naturalWidth > 0")
        page.evaluate("window.scrollTo(0, 0)")
        shot = home / "page.png"
        page.screenshot(path=str(shot))
        browser.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    Image.open(shot).convert("RGB").quantize(colors=128).save(args.out, optimize=True)
    print(f"{args.out}: {args.out.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
