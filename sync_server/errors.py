"""Errors the server answers with: an HTTP status, a stable code, an English message, params."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answer: ``{"error": code, "message": text, "params": {...}}`` with ``status``.

    Args:
        status: the HTTP status.
        code: stable snake_case code clients and tests rely on.
        message: English text with ``{named}`` placeholders filled from ``params``.
        **params: values for the placeholders.
    """

    def __init__(self, status: int, code: str, message: str, /, **params: Any) -> None:
        super().__init__(message.format(**params) if params else message)
        self.message = message
        """The English message id, placeholders unfilled: the command line translates it."""
        self.status = status
        self.code = code
        self.params = params


def unauthorized(
    code: str = "unauthorized", message: str = "a valid token is required"
) -> ApiError:
    """401: no token, an unknown one, an expired or a revoked one."""
    return ApiError(401, code, message)


def forbidden(code: str, message: str, /, **params: Any) -> ApiError:
    """403: authenticated, but not allowed to do this."""
    return ApiError(403, code, message, **params)


def bad_request(code: str, message: str, /, **params: Any) -> ApiError:
    """400: the request itself is wrong."""
    return ApiError(400, code, message, **params)


__all__ = ["ApiError", "bad_request", "forbidden", "unauthorized"]
