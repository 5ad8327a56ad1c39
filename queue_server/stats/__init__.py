"""Stats feature package."""
