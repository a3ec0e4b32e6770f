"""One export: the record, the reader, the format; the bytes and their media type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from exports import ftm, stix
from exports.selectors import Scope, root_for, scope_for

# format -> (media type, renderer of a scope)
FORMATS: dict[str, tuple[str, Callable[[Scope], bytes]]] = {
    "ftm": (ftm.MEDIA_TYPE, ftm.render),
    "stix": (stix.MEDIA_TYPE, stix.render),
}
FILE_SUFFIX = {"ftm": "ftm.json", "stix": "stix.json"}


def export_render(*, kind: str, pk: int, fmt: str, user: Any, masked: bool = True) -> tuple[str, bytes] | None:
    """The export of record ``kind`` ``pk`` as ``fmt``, as ``user`` may see it (``None``: everything).

    None when the record does not exist or the reader may not see it.
    """
    root = root_for(kind=kind, pk=pk, user=user)
    if root is None:
        return None
    media_type, render = FORMATS[fmt]
    return media_type, render(scope_for(kind=kind, root=root, user=user, masked=masked))
