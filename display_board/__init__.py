"""Lobby display board: the page on the hall TV and its Vietnamese voice."""
