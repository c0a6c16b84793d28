"""Bolt listeners. Each module's `register(app)` adds its listeners; they read their
collaborators from `context["deps"]` (set by a middleware in bot/app.py)."""
