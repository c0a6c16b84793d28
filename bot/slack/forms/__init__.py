"""Modals, one module per form, and the parsing of what Slack sends back: pure, no I/O."""
