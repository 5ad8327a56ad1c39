"""Queues feature package."""
