"""Counters feature package."""
