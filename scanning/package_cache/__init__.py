"""The database caches in front of the package indexes: import names and package metadata."""
