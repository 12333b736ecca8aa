"""Reports people hand on: review minutes, audit logs and cleanup pull-request bodies.

Each module renders plain Markdown from selector output; nothing here writes to the database.
"""
