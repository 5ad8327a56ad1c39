"""The citizen's phone: take a number or book a time before coming (public pages and their API)."""
