"""Stance: foot turnout, stance width and knee-over-foot alignment from video, photos and a webcam."""

__version__ = "0.1.0"
