"""The worker: carries out queued jobs (AWS calls, Slack posts) with exactly-once effects."""
