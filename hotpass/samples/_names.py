"""Unique invented organisation names, with a few deliberate near-namesakes."""

from __future__ import annotations

import numpy as np

from hotpass.samples import _vocab as v

SIBLING_SHARE = 0.04  # organisations that borrow another's distinctive word ("Skyway" / "Skyways")
MAX_DENSITY = 0.35  # most of a (core kind x tails) space one sample may use


def core_lists() -> dict[str, list[str]]:
    """The distinctive first words of names, by kind."""
    nice = list(v.SINGLE_WORDS) + [f"{a} {n}" for a in v.ADJECTIVES for n in v.NOUNS]
    pairs = [f"{a} & {b}" for a in v.LAST for b in v.LAST if a != b and " " not in a + b]
    invented = [s + e for s in v.SYLLABLE_START for e in v.SYLLABLE_END]
    invented += [
        s + m + e for s in v.SYLLABLE_START for m in v.SYLLABLE_MID for e in v.SYLLABLE_END
    ]
    return {"nice": nice, "place": list(v.PLACE_WORDS), "pair": pairs, "invented": invented}


def make_names(rng: np.random.Generator, category: np.ndarray) -> tuple[list[str], list[str]]:
    """(core, tail) per organisation; ``core + " " + tail`` is unique across organisations."""
    n = len(category)
    cores, tails = [""] * n, [""] * n
    lists = core_lists()
    for cat, cat_tails in v.TAILS.items():
        members = np.flatnonzero(category == cat)
        _fill_category(rng, members, cat_tails, lists, cores, tails)
    _make_unique(rng, lists["invented"], cores, tails)
    _add_siblings(rng, cores, tails)
    return cores, tails


def _fill_category(rng, members, cat_tails, lists, cores, tails) -> None:
    """Draw distinct (core, tail) pairs for one category, kind by kind."""
    members = rng.permutation(members)
    start = 0
    kinds = list(v.CORE_KIND_SHARES.items())
    for i, (kind, share) in enumerate(kinds):
        space = len(lists[kind]) * len(cat_tails)
        wanted = len(members) - start if i == len(kinds) - 1 else round(share * len(members))
        limit = space if kind == "invented" else int(MAX_DENSITY * space)
        count = min(wanted, limit)
        if kind == "invented" and count < wanted:
            raise ValueError("too many organisations for the name vocabulary")
        keys = rng.choice(space, count, replace=False)
        for org, key in zip(members[start : start + count].tolist(), keys.tolist(), strict=True):
            cores[org] = lists[kind][key // len(cat_tails)]
            tails[org] = cat_tails[key % len(cat_tails)]
        start += count  # what a capped kind could not take falls to the invented words


def _clashes(core: str, tail: str) -> bool:
    """Would the tail repeat the core's last word ("Blue Sky Sky Charters")?"""
    return core.split()[-1].lower() == tail.split()[0].lower()


def _make_unique(rng, invented, cores, tails) -> None:
    """Redraw invented cores for repeated or clumsy names until every name is unique."""
    seen: set[str] = set()
    for org in range(len(cores)):
        name = f"{cores[org]} {tails[org]}"
        while name in seen or _clashes(cores[org], tails[org]):
            cores[org] = invented[int(rng.integers(len(invented)))]
            name = f"{cores[org]} {tails[org]}"
        seen.add(name)


def _add_siblings(rng, cores, tails) -> None:
    """Some organisations share a distinctive word with an unrelated one, to test precision."""
    n = len(cores)
    if n < 10:
        return
    seen = {f"{c} {t}" for c, t in zip(cores, tails, strict=True)}
    count = max(2, round(SIBLING_SHARE * n))
    for org, donor in zip(
        rng.choice(n, count, replace=False).tolist(),
        rng.integers(0, n, count).tolist(),
        strict=True,
    ):
        core = cores[donor]
        if rng.random() < 0.3 and " " not in core and not core.endswith("s"):
            core += "s"  # "Skyway" -> "Skyways"
        name = f"{core} {tails[org]}"
        if donor == org or name in seen or _clashes(core, tails[org]):
            continue
        seen.discard(f"{cores[org]} {tails[org]}")
        seen.add(name)
        cores[org] = core
