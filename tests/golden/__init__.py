"""Golden results: small fixed runs stored as CSV, to catch unintended changes in results."""
