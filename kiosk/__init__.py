"""The self-service kiosk (Kivy): the citizen's whole journey, touch-first, Vietnamese first.

Kivy reads sys.argv and sets up logging on import; the kiosk has its own command line (motcua kiosk),
so Kivy is told to leave the arguments alone before anything imports it.
"""

import os

os.environ.setdefault("KIVY_NO_ARGS", "1")
