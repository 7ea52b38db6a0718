"""The FollowTheMoney schemata of listed parties, written once for every layer.

A list designates persons, organisations, companies, legal entities, vessels and aircraft
(PARTIES); everything else an entry carries (sanctions, wallets, identity documents, links)
is derived from its party. A query may also ask for `Thing`: any of them (MATCHABLE).
"""

from __future__ import annotations

PARTIES = ("Person", "Organization", "Company", "LegalEntity", "Vessel", "Airplane")
"""Schemata of a listed party, as lists and the index hold them."""
MATCHABLE = ("Thing", *PARTIES)
"""Schemata a query may name: a party's, or `Thing` for any party."""
PARTY_SCHEMATA = frozenset(MATCHABLE)
"""What a parser keeps as a party rather than as an entity derived from one."""
