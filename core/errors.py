"""The domain's one error type: services raise it, the API's exception handler
(core/api/__init__.py) and the admin turn it into a message for the person.

:class:`DomainError` is input that breaks a rule (HTTP 400); :class:`ConflictError`
is input that is fine but clashes with the current state (HTTP 409).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A request that breaks a domain rule. ``field`` names the offending input."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or self.default_code

    def as_data(self) -> dict[str, Any]:
        if self.field:
            return {self.field: [self.message]}
        return {"detail": self.message, "code": self.code}


class TooLargeError(DomainError):
    """A request whose upload or body is over a size limit (HTTP 413)."""

    status_code = 413
    default_code = "too_large"


class ConflictError(DomainError):
    """A request that conflicts with the current state of the data (HTTP 409)."""

    status_code = 409
    default_code = "conflict"
