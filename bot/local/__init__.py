"""The local stack: stand-ins for AWS and Slack, and the processes that run on them.

Tests, benchmarks and the demo (bot.demo) run the bot against these; the web, worker and
socket processes never import them (tests/test_production_imports.py holds that).
moto_ext extends moto where it lacks what the bot calls; fake_slack is the Slack Web API over
HTTP; slack_payloads and slack_requests shape and sign requests as Slack sends them;
slack_driver plays a person; redis_server runs a real Redis-protocol server; stack runs the
real processes on loopback; governance.yml is the local world's governance file.
"""
