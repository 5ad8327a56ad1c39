"""Events feature package."""
