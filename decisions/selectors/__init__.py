"""Reads shaped for a screen, by feature: records (triage list, my work), triage rows, record
page, meetings (the review agenda), dashboard, keeping up, portfolio, artifacts."""
