"""Small private helpers shared by every layer."""
