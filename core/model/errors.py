"""Errors of the model path. Messages name files and settings, never user text."""

from __future__ import annotations

from core.errors import ModelUnavailableError


class ModelFileError(ModelUnavailableError):
    """A model file is missing, corrupt or of an unknown kind."""


class BackendUnavailableError(ModelUnavailableError):
    """A backend's library is not installed or its server does not answer."""


class ModelTimeoutError(ModelUnavailableError):
    """Generation ran past the job timeout."""
