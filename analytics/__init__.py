"""Measured waits: live estimates against truth, a staffing simulator, KPIs, alerts, reports, metrics."""
