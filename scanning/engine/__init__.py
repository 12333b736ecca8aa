"""The scan engine: walk a checkout, parse in isolation, cache per file, run the rules, report."""
