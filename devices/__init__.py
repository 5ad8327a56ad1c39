"""Devices around the kiosk: thermal printers and code scanners, chosen by URL, emulated for tests.

This package never imports the server or the kiosk.
"""
