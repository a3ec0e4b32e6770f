from __future__ import annotations

from typing import Any


class ReloadAfterWriteMixin:
    """Re-read a created or updated object through the view's queryset before responding.

    Lists annotate figures (counts, totals) in the database; re-reading the
    written row through the same queryset makes the write's response carry them too.
    """

    def _reload(self, serializer: Any) -> None:
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)  # type: ignore[attr-defined]

    def perform_create(self, serializer: Any) -> None:
        serializer.save()
        self._reload(serializer)

    def perform_update(self, serializer: Any) -> None:
        serializer.save()
        self._reload(serializer)
