"""The board's offline Vietnamese voice: number words, announcements, clip generation."""
