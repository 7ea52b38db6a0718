"""Freshness of the loaded lists, one meaning everywhere (CLI, /catalog, /readyz, /match).

Two dates are kept apart. `published`: the list's own publication date (as the file
states it, else its folder's or download's date). `confirmed_at`: when Sanctum last
confirmed that this version is the current one at its source (it was loaded, or a later
update attempt found it unchanged). Staleness is about the confirmation: a source
confirmed longer ago than `max_age_days` (its spec, or `SANCTUM_MAX_AGE_<SOURCE>`) is
`stale`. A source confirmed in time but published longer ago than `warn_age_days`
(`SANCTUM_WARN_AGE`) is a `warning`: served, ready, but named. Otherwise `fresh`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sanctum import settings
from sanctum.sources import registry
from sanctum.store.db import Store

MAX_AGE_PREFIX = "SANCTUM_MAX_AGE_"


def max_age_days(source: str) -> float:
    """How old a source may be, in days (env `SANCTUM_MAX_AGE_<SOURCE>` wins; a value that
    is not a number of days, 0 (always stale) or more, is a SettingError, never a silent
    fallback to the default)."""
    return settings.positive_float(
        f"{MAX_AGE_PREFIX}{source.upper()}", float(registry.get(source).max_age_days), zero=True
    )


def check_settings() -> None:
    """Refuse at start-up every `SANCTUM_MAX_AGE_<SOURCE>` that names no source or is not a
    number of days, 0 or more (SettingError naming it)."""
    known = {s.upper(): s for s in registry.SOURCES}
    for name in settings.names_with_prefix(MAX_AGE_PREFIX):
        source = known.get(name[len(MAX_AGE_PREFIX) :])
        if source is None:
            raise settings.SettingError(
                f"{name}: no source {name[len(MAX_AGE_PREFIX) :].lower()!r} "
                f"(sources: {', '.join(registry.SOURCES)})"
            )
        max_age_days(source)


def _when(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def age_days(confirmed: datetime, moment: datetime) -> float:
    """Days from a source's last confirmation to `moment`."""
    return (moment - confirmed).total_seconds() / 86400


def confirmed_at(store: Store, source: str) -> datetime | None:
    """When the version in force was last confirmed: loaded, or a later good attempt."""
    latest = store.latest(source)
    if latest is None:
        return None
    row = store.db.execute(
        "SELECT MAX(at) FROM load_attempts WHERE source=? AND ok=1", (source,)
    ).fetchone()
    times = [_when(latest.loaded_at)] + ([_when(row[0])] if row and row[0] else [])
    return max(times)


def published_age_days(published: str, moment: datetime) -> float:
    """Days from a publication date (YYYY-MM-DD…) to `moment`."""
    return age_days(_when(published[:10] + "T00:00:00+00:00"), moment)


def judge(confirmed_age: float, max_age: float, published_age: float, warn_age: float) -> str:
    """`stale` (confirmation too old), `warning` (publication too old) or `fresh`."""
    if not confirmed_age < max_age:
        return "stale"
    return "warning" if not published_age < warn_age else "fresh"


def source_state(store: Store, source: str, moment: datetime | None = None) -> dict[str, Any]:
    """Freshness of one source: its publication date, its last confirmation, their ages,
    the limits they are held to, and the resulting `state` (`stale` also as a flag;
    `age_days` is `confirmed_age_days`, under its older name)."""
    moment = moment or datetime.now(UTC)
    latest = store.latest(source)
    limit, warn = max_age_days(source), settings.warn_age_days()
    confirmed = confirmed_at(store, source)
    if latest is None or confirmed is None:
        return {
            "source": source,
            "loaded": False,
            "state": "missing",
            "stale": True,
            "max_age_days": limit,
            "warn_age_days": warn,
            "reason": f"{source}: no version loaded",
        }
    published = latest.published or latest.version_date
    age = age_days(confirmed, moment)
    pub_age = published_age_days(published, moment)
    state = judge(age, limit, pub_age, warn)
    reasons = {
        "stale": f"{source}: version {latest.version_date} last confirmed {age:.2f} days ago, "
        f"max age {limit:g} days",
        "warning": f"{source}: confirmed current, but published {published[:10]}, "
        f"{pub_age:.0f} days ago (warning age {warn:g} days)",
        "fresh": "",
    }
    return {
        "source": source,
        "loaded": True,
        "version": latest.version_date,
        "published": published,
        "published_age_days": round(pub_age, 3),
        "warn_age_days": warn,
        "confirmed_at": confirmed.isoformat(),
        "confirmed_age_days": round(age, 3),
        "age_days": round(age, 3),
        "max_age_days": limit,
        "state": state,
        "stale": state == "stale",
        "reason": reasons[state],
    }


def states(store: Store, sources: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Freshness of the given sources (default: every loaded source)."""
    wanted = sorted(store.source_ids() if sources is None else set(sources))
    return [source_state(store, s) for s in wanted]


CONFIRMATION_TTL_SECONDS = 5.0
"""How long a server may reuse what the store said about each source's version in force
and its last confirmation (a few seconds against max ages of days)."""


class StaleCheck:
    """`stale()` for a server answering many requests a second: the store's confirmation
    times are read at most every CONFIRMATION_TTL_SECONDS (and at once after a new version
    lands); ages and max ages are worked out on every call."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._read_at = -1e9
        self._generation = -1
        self._confirmed: dict[str, datetime | None] = {}
        self._published: dict[str, str] = {}

    def _confirmations(self) -> dict[str, datetime | None]:
        now, generation = time.monotonic(), self.store.generation()
        if generation != self._generation or now - self._read_at > CONFIRMATION_TTL_SECONDS:
            self._confirmed = {s: confirmed_at(self.store, s) for s in self.store.source_ids()}
            latest = {s: self.store.latest(s) for s in self._confirmed}
            self._published = {
                s: v.published or v.version_date for s, v in latest.items() if v is not None
            }
            self._read_at, self._generation = now, generation
        return self._confirmed

    def warnings(self, sources: Iterable[str]) -> list[str]:
        """The sources among `sources` whose state is `warning` (published long ago)."""
        confirmed = self._confirmations()  # once per call, not once per source
        moment, warn = datetime.now(UTC), settings.warn_age_days()
        return [
            s for s in sorted(set(sources)) if self._state(s, confirmed, moment, warn) == "warning"
        ]

    def _state(
        self, source: str, confirmed: dict[str, datetime | None], moment: datetime, warn: float
    ) -> str:
        """A source's state from the cached confirmation and publication dates."""
        when = confirmed.get(source)
        published = self._published.get(source)
        if when is None or published is None:
            return "missing"
        return judge(
            age_days(when, moment),
            max_age_days(source),
            published_age_days(published, moment),
            warn,
        )

    def stale(self, sources: Iterable[str]) -> list[str]:
        """The sources among `sources` that are stale or not loaded."""
        confirmed = self._confirmations()
        moment = datetime.now(UTC)
        out = []
        for source in sorted(set(sources)):
            when = confirmed.get(source)
            if when is None or not age_days(when, moment) < max_age_days(source):
                out.append(source)
        return out
