"""HTTP clients of package indexes (simple API, wheel metadata, PyPI JSON); no ORM."""
