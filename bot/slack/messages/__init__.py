"""Message builders by surface: pure, no I/O; user text goes through bot.slack.text."""
