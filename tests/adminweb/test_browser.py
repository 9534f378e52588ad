"""The admin dashboard in headless Chromium (the web chat test's driver): login, the page,
refusals without a session or CSRF token, and buttons that act — the model switch reaching two
real worker processes."""

from __future__ import annotations

import pytest

from adapters.rest import RestAdapter
from core.secrets import Secret
from tests.adminweb.conftest import ADMIN_TOKEN, dashboard_hub
from tests.model.conftest import TOKEN, bot_toml
from tests.model.test_model_switch import ANSWER_TOKENS, answer_text, two_models
from tests.test_webchat_browser import browser_page

pytestmark = pytest.mark.browser

POST_WITHOUT_CSRF = """async () => {
  const r = await fetch('/admin/actions/mute', {method: 'POST', headers: {Accept: 'application/json'},
    body: new URLSearchParams({conversation: 'fake:-:c1:-'})});
  return r.status;
}"""


async def log_in(page, url: str, token: str = ADMIN_TOKEN) -> None:
    await page.goto(url)
    await page.fill("#token", token)
    await page.click("#login-form button[type=submit]")


async def test_login_refusals_and_the_mute_button_in_a_browser(redis):
    from playwright.async_api import expect

    async with dashboard_hub(redis) as hub, browser_page() as page:
        await hub.adapter.say("/help", user="alice", channel="c1")
        url = str(hub.client.make_url("/admin"))

        await page.goto(url)  # no session: the login form
        await expect(page).to_have_title("Log in · adminbot")
        await log_in(page, url, "not-the-token")
        await expect(page.locator("#login-error")).to_have_text("That is not the admin token.")
        assert await page.evaluate(POST_WITHOUT_CSRF) == 401  # no session: actions refused

        await log_in(page, url)
        await expect(page.locator("h1")).to_have_text("adminbot · admin")
        await expect(page.locator("#hub")).to_contain_text("fake")
        await expect(page.locator("#redis")).to_contain_text("version")
        await expect(page.locator("#turns")).to_contain_text("fake:-:c1:-")
        assert await page.evaluate(POST_WITHOUT_CSRF) == 403  # a session, but no CSRF token

        await page.locator("#turns button", has_text="Mute").first.click()
        await expect(page.locator("#notice")).to_contain_text("Muted: I will not answer")
        await expect(page.locator("#muted")).to_contain_text("fake:-:c1:-")
        assert await hub.assembly.controls.muted_conversations() == ["fake:-:c1:-"]
        await expect(page.locator("#audit")).to_contain_text("admin-web")

        await page.fill("#skills-form input[name=conversation]", "fake:-:c2:-")
        await page.select_option("#skills-form select[name=skill]", "about")
        await page.click("#skills-form button[value=disable]")
        await expect(page.locator("#notice")).to_have_text(
            "Skill 'about' is now disabled in this conversation."
        )

        await page.click("#logout")
        await expect(page).to_have_title("Log in · adminbot")
        await page.goto(url)
        await expect(page.locator("#login-form")).to_be_visible()


@pytest.mark.slow
async def test_the_model_switch_button_reaches_the_workers_in_a_browser(
    redis, redis_url, tmp_path, model_workers
):
    from playwright.async_api import expect

    model = two_models(tmp_path)
    bot = bot_toml(tmp_path / "bot.toml", dict(model, models=list(model["models"])))
    rest = RestAdapter(Secret(TOKEN), timeout_s=120)
    async with dashboard_hub(redis, adapters=[rest], model=model) as hub, browser_page() as page:
        alpha, beta = model_workers(bot, redis_url, "alpha"), model_workers(bot, redis_url, "beta")
        await alpha.ready(redis)
        await beta.ready(redis)
        http, base = hub.client.session, str(hub.client.make_url("")).rstrip("/")

        await log_in(page, str(hub.client.make_url("/admin")))
        await expect(page.locator("#workers tbody tr")).to_have_count(2)
        await expect(page.locator("#model-in-use")).to_contain_text("automatic")
        assert await answer_text(http, base, "Who answers now?") == "a" * ANSWER_TOKENS

        await page.click("#models button:has-text('Use beta')")
        await expect(page.locator("#notice")).to_have_text(
            "From now on 'beta' answers in every conversation of this bot."
        )
        await expect(page.locator("#model-in-use")).to_contain_text("Model in use: beta")
        assert await answer_text(http, base, "And now?") == "b" * ANSWER_TOKENS

        await page.click("#model-in-use button:has-text('Automatic')")
        await expect(page.locator("#model-in-use")).to_contain_text("automatic")
        assert await answer_text(http, base, "Back?") == "a" * ANSWER_TOKENS
