"""How much one request may ask: values per property and values in all, so that no
request screens for long enough to hold up the others (the API answers on one thread)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sanctum import settings
from sanctum.api.problems import Problem

Properties = Mapping[str, Sequence[str] | str]


@dataclass(frozen=True)
class ValueCaps:
    """Values per property of one query, and values in a whole request."""

    per_property: int = field(default_factory=settings.max_values)
    per_request: int = field(default_factory=settings.max_request_values)

    def check(self, queries: Mapping[str, Properties]) -> None:
        """422 naming the first property over `per_property` values, or the request when
        its queries hold more than `per_request` values in all."""
        total = 0
        for key, properties in queries.items():
            for prop, values in properties.items():
                count = 1 if isinstance(values, str) else len(values)
                if count > self.per_property:
                    where = f"queries.{key}.properties.{prop}"
                    raise Problem(
                        422, f"{where}: {count} values; at most {self.per_property}", where
                    )
                total += count
        if total > self.per_request:
            raise Problem(
                422,
                f"{total} values in all the queries; at most {self.per_request} per request",
                "queries",
            )
