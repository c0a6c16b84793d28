"""`python -m bot.local.fake_slack [--port N]`: run the fake Slack Web API until Ctrl-C."""

from bot.local.fake_slack.server import main

if __name__ == "__main__":
    main()
