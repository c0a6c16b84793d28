"""Slack surface: pure Block Kit builders (text, block_kit, messages/, forms/, home) used by
handlers and the worker; `notifier` is the one module here that calls Slack."""
