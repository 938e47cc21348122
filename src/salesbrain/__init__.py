"""salesbrain: learn from a brand's sales champions and lift every shopping guide."""

__version__ = "0.1.0"
