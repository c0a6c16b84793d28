"""Bolt listeners. Each module's `register(app, services)` adds its listeners, bound to the
web process's services (built once in bot/app.py); each request starts with
`services.begin()`, its reads and writes through bot/edge.py."""
