"""Forms by feature: records, meetings, portfolio, and the record page's layout of its fields."""
