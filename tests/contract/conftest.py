"""The contract suite's fixtures: every platform's fake and test kit, under their usual names."""

from tests.discord.conftest import discordkit, fake_discord  # noqa: F401 — fixtures, used by name
from tests.helpdesk.conftest import helpdesks  # noqa: F401
from tests.slack.conftest import fake_slack, slackkit  # noqa: F401
from tests.telegram.conftest import fake_telegram, tgkit  # noqa: F401
