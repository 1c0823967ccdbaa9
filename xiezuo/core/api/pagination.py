"""Every list answers {"count": N, "items": [...]} and takes `limit` and `offset`.

`limit` defaults to 50; anything above 500 is served as 500 (as NetBox and DRF clamp),
so a client asking for "everything" gets a full page and a count to page on with.
"""
from functools import cache

from ninja import Field, Schema
from pydantic import create_model

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class PageParams(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=2**31 - 1, description=f"page size: a larger page is served as {MAX_LIMIT} items",
                       json_schema_extra={"x-served-maximum": MAX_LIMIT})
    offset: int = Field(0, ge=0, le=2**31 - 1)


@cache
def page_of(item_schema):
    """The page schema for a list of `item_schema` (named, so the OpenAPI document reads well)."""
    name = item_schema.__name__.removesuffix("Out") + "Page"
    return create_model(name, __base__=Schema, count=(int, ...), items=(list[item_schema], ...))


def paginate(queryset, page: PageParams) -> dict:
    limit = min(page.limit, MAX_LIMIT)
    return {"count": queryset.count(), "items": list(queryset[page.offset : page.offset + limit])}
