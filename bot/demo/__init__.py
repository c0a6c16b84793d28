"""`modelcard-bot demo`: the governance story played on the local stack (bot.local).

run (the command: options, transcript, summary) → stack (starts bot.local.stack's processes)
→ story (the acts and their checks) on driver (people on Slack, one Step per interaction) and
export_step (diff and PDF export); observer reads AWS back from moto, render turns Block Kit
into the transcript's text. Only `modelcard-bot demo` imports this package.
"""
