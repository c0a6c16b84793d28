"""One module per family of jobs; `bot.worker.executor.JobExecutor` routes each job here.

Each family gets what it needs through its constructor and exposes `handlers()`: the job
kinds it carries out. Handlers raise ModelCardBotError for a refusal (the executor tells the
person) and RetryLater or a retryable AwsError when trying again may succeed.
"""
