"""The web chat in a real headless browser (Debian's chromium, driven by Playwright).

Set SWITCHBOARD_SKIP_BROWSER=1 to skip these where no chromium can be installed; otherwise a
missing browser is a failure (`make test` installs it).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from core import messages
from tests import slow_skills
from tests.webhub import SKILLS, web_hub

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("SWITCHBOARD_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WAIT_MS = 20_000  # failure guard for a busy machine, not a speed assertion
# Lets a test reach the page's WebSocket to send a frame the UI would never send.
KEEP_SOCKETS = """
(() => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = function (...args) {
    const ws = new Native(...args);
    window.__sockets.push(ws);
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
})();
"""


def require_browser() -> None:
    if os.path.exists(CHROMIUM) or shutil.which(CHROMIUM):
        return
    if os.environ.get("SWITCHBOARD_SKIP_BROWSER") == "1":
        pytest.skip("no chromium and SWITCHBOARD_SKIP_BROWSER=1")
    pytest.fail(
        f"chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium` "
        "(make test does), point SWITCHBOARD_CHROMIUM at it, or set SWITCHBOARD_SKIP_BROWSER=1"
    )


@asynccontextmanager
async def browser_page() -> AsyncIterator:
    require_browser()
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=WAIT_MS)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = await browser.new_context()
            await context.add_init_script(KEEP_SOCKETS)
            page = await context.new_page()
            page.set_default_timeout(WAIT_MS)
            yield page
        finally:
            await browser.close()


async def send(page, text: str) -> None:
    await page.fill("#input", text)
    await page.press("#input", "Enter")


async def test_chat_help_typing_history_and_errors_in_a_browser(redis):
    from playwright.async_api import expect

    with slow_skills.gate() as (started, release):
        async with web_hub(redis, skills=[*SKILLS, "tests.slow_skills"]) as hub, browser_page() as page:
            await page.goto(hub.url)
            await expect(page).to_have_title("Webbot")
            await expect(page.locator("#status")).to_have_text("online")

            # /help: the person sees their message and the bot's answer
            await send(page, "/help")
            await expect(page.locator(".msg.me .text")).to_have_text(["/help"])
            answer = page.locator(".msg.bot .text").last
            await expect(answer).to_contain_text("Here is what I can do")
            await expect(answer).to_contain_text("/about")
            assert await page.input_value("#input") == ""

            # a slow turn shows the typing indicator until the answer arrives
            await send(page, "/slow")
            await started.wait()
            await expect(page.locator("#typing")).to_be_visible()
            release.set()
            await expect(page.locator(".msg.bot .text").last).to_have_text(slow_skills.ANSWER)
            await expect(page.locator("#typing")).to_be_hidden()

            # free text, with markup that must be shown as text, never run as HTML
            await send(page, "<b>bold?</b> what is the weather")
            await expect(page.locator(".msg.bot .text").last).to_have_text(messages.NO_MODEL)
            await expect(page.locator(".msg.me .text").last).to_have_text("<b>bold?</b> what is the weather")
            assert await page.locator(".msg b").count() == 0

            # history survives a reload
            await page.reload()
            await expect(page.locator("#status")).to_have_text("online")
            await expect(page.locator(".msg.me .text")).to_have_text(
                ["/help", "/slow", "<b>bold?</b> what is the weather"]
            )
            await expect(page.locator(".msg.bot .text").first).to_contain_text("Here is what I can do")
            await expect(page.locator(".msg.bot")).to_have_count(3)

            # a bad frame gives a readable error, and the chat keeps working
            await page.evaluate("window.__sockets.at(-1).send('this is not json')")
            await expect(page.locator("#error")).to_be_visible()
            await expect(page.locator("#error")).to_have_text("That frame was not valid JSON.")
            await send(page, "/about")
            await expect(page.locator(".msg.bot .text").last).to_contain_text("I'm webbot")

            # an empty message is refused in the page itself
            await page.fill("#input", "   ")
            await page.click("#send")
            await expect(page.locator("#error")).to_have_text("Type a message first.")


async def test_new_chat_forgets_the_history_and_starts_a_new_session(redis):
    from playwright.async_api import expect

    async with web_hub(redis) as hub, browser_page() as page:
        await page.goto(hub.url)
        await send(page, "/about")
        await expect(page.locator(".msg.bot .text")).to_have_count(1)
        first_session = await page.evaluate("localStorage.getItem('switchboard.session')")
        await page.click("#clear")
        await expect(page.locator(".msg")).to_have_count(0)
        await expect(page.locator("#status")).to_have_text("online")
        await send(page, "/about")
        await expect(page.locator(".msg.bot .text")).to_have_count(1)
        second_session = await page.evaluate("localStorage.getItem('switchboard.session')")
        assert first_session and second_session and first_session != second_session
        await page.reload()
        await expect(page.locator(".msg.me .text")).to_have_text(["/about"])


async def test_greeting_with_examples_on_an_empty_conversation(redis):
    from playwright.async_api import expect

    async with web_hub(redis) as hub, browser_page() as page:
        await page.goto(hub.url)
        greeting = page.locator("#greeting")
        await expect(greeting).to_be_visible()
        await expect(greeting).to_contain_text("I'm Webbot")
        examples = greeting.locator("button")
        assert await examples.count() == 3
        await greeting.get_by_role("button", name="Who are you?").click()
        await expect(page.locator(".msg.me .text")).to_have_text(["Who are you?"])
        await expect(page.locator(".msg.bot .text").last).to_contain_text("I'm webbot")
        await expect(greeting).to_be_hidden()
        await page.reload()  # a conversation with history opens without the greeting
        await expect(page.locator(".msg.bot")).to_have_count(1)
        await expect(greeting).to_be_hidden()
        await page.click("#clear")
        await expect(greeting).to_be_visible()


async def test_answers_are_safe_markdown_never_raw_html(redis):
    from playwright.async_api import expect

    from tests.markdown_skill import ANSWER

    async with web_hub(redis, skills=[*SKILLS, "tests.markdown_skill"]) as hub, browser_page() as page:
        await page.goto(hub.url)
        await send(page, "/markdown")
        answer = page.locator(".msg.bot .text").last
        await expect(answer.locator("strong")).to_have_text(["the plan"])
        await expect(answer.locator("ul > li")).to_have_count(2)
        await expect(answer.locator("ol > li")).to_have_text(["one", "two"])
        await expect(answer.locator("pre > code")).to_have_text('print("<script>window.__pwned=3</script>")')
        await expect(answer.locator("p code")).to_have_text(["code"])
        await expect(answer.locator("em")).to_have_text(["done"])
        links = answer.locator("a")
        await expect(links).to_have_count(1)  # the javascript: link stays text
        assert await links.get_attribute("href") == "https://example.com/docs"
        assert await links.get_attribute("rel") == "noopener noreferrer nofollow"
        # the model's HTML is shown as text and never becomes elements or runs
        await expect(answer).to_contain_text('<img src=x onerror="window.__pwned=1">')
        await expect(answer).to_contain_text("<script>window.__pwned=4</script>")
        assert await answer.locator("img, script, iframe").count() == 0
        assert await page.evaluate("window.__pwned") is None
        assert "[this](javascript:" in ANSWER and await answer.get_by_text("this").count() == 1
        # the person's own message is never rendered
        await send(page, "**not bold**")
        await expect(page.locator(".msg.me .text").last).to_have_text("**not bold**")


async def test_the_page_has_a_favicon(redis):
    async with web_hub(redis) as hub:
        response = await hub.client.get("/favicon.ico")
        assert response.status == 200 and response.content_type == "image/svg+xml"
        assert (await response.text()).startswith("<svg")
        page = await (await hub.client.get("/")).text()
        assert 'rel="icon"' in page
