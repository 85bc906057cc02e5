"""Errors a user can act on. Their message is one line, meant to be shown as it is."""

from __future__ import annotations


class StanceError(Exception):
    """Base class: something the user can fix (bad input, missing model, camera gone)."""


class InputError(StanceError):
    """The input cannot be read or does not contain what the analysis needs."""


class ModelError(StanceError):
    """The pose model cannot be found, downloaded or loaded."""


class CameraError(StanceError):
    """The camera cannot be opened or stopped delivering frames."""
