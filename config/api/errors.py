"""The domain errors under their former name, kept only for the journal (``ledger/heads.py``), which
another branch is rewriting: remove this module when the journal moves into core.

Errors live in :mod:`core.errors`; the API's exception handler in :mod:`core.api`.
"""

from core.errors import ConflictError, DomainError, TooLargeError

__all__ = ["ConflictError", "DomainError", "TooLargeError"]
