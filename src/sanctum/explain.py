"""Explanations of a score for people: one line a reader (or a spreadsheet) can take in."""

from __future__ import annotations

from typing import Any


def explain_line(explanation: dict[str, Any]) -> str:
    """A match's explanation in one readable line: which names met, token by token and
    how, and what each feature added (`screen`'s `why` column, `batch`'s `why`)."""
    name = explanation.get("name") or {}
    parts = []
    if name.get("listed_name"):
        pairs = ", ".join(
            f"{t['query']}~{t['listed']} ({t['how']})" for t in name.get("tokens", [])
        )
        parts.append(
            f"'{name.get('query_name')}' ~ '{name['listed_name']}' "
            f"[{name.get('listed_name_kind', '')}] {pairs}".strip()
        )
        if name.get("alias_source"):
            parts.append(f"alias source: {name['alias_source']}")
    if explanation.get("identifier"):
        parts.append(f"{explanation['identifier']} listed")
    feats = explanation.get("features") or {}
    parts.append(
        ", ".join(f"{k} {v:+.2f}" if k != "name" else f"name {v:.2f}" for k, v in feats.items())
    )
    return "; ".join(p for p in parts if p)
