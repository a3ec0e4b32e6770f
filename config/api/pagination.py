from django.conf import settings
from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """``count``, ``next``, ``previous``, ``results``; ``page`` and a capped ``page_size``."""

    page_size_query_param = "page_size"

    @property
    def max_page_size(self) -> int:  # read at request time so tests can override it
        return settings.API_MAX_PAGE_SIZE
