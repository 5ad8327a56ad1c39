"""motcua: the software of a Vietnamese one-stop office (Bộ phận Một cửa)."""

__version__ = "0.1.0"
