"""Slack surface: pure Block Kit builders (blocks, modals, home) used by handlers and worker."""
