"""Appointments feature package."""
