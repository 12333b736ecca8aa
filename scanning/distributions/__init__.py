"""What each distribution provides and needs: import names, popular names, requirements."""
