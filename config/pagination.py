"""Paging for list pages: one page of rows plus the query string that keeps the filters."""

from __future__ import annotations

from django.core.paginator import Paginator


def paginate(request, queryset, per_page: int) -> dict:
    """Context for a list page and templates/pager.html: `page` and `query` (the filters, without page)."""
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page": Paginator(queryset, per_page).get_page(request.GET.get("page")),
        "query": query.urlencode(),
    }
