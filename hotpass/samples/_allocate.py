"""How many rows each sheet gets, and which true organisation each row shows.

A *view* is one source row that shows an organisation: a regulator row, a CRM
organisation row or a legacy row (CRM contact rows hang off a CRM organisation
row and are not views). About ``duplicate_rate`` of the true organisations get
two to four views, spread across the files and sometimes twice in one file; the
rest get one. Single-view organisations then fill the remaining rows exactly,
so the total row count is exactly what was asked for. No organisation has two
regulator rows, so a split that gives the regulator most of the rows caps the
duplicate rate that can be reached.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

REGULATOR, CRM, LEGACY = 0, 1, 2
CONTACT_WEIGHTS = np.array([0.20, 0.35, 0.25, 0.12, 0.08])  # P(0..4 contacts per CRM organisation)
DUPLICATE_VIEWS = np.array([2, 3, 4])
DUPLICATE_VIEW_WEIGHTS = np.array([0.72, 0.20, 0.08])
SAME_FILE_SHARE = {LEGACY: 0.15, CRM: 0.03}  # duplicated organisations typed twice into one file
MAX_SHEET_ROWS = 1_048_576 - 5  # Excel's limit less the regulator's title block and header


@dataclass(frozen=True)
class RowPlan:
    """Data rows per sheet; they add up to the requested total."""

    regulator: int
    crm_organisations: int
    crm_contacts: int
    legacy: int

    @property
    def total(self) -> int:
        return self.regulator + self.crm_organisations + self.crm_contacts + self.legacy


@dataclass
class Views:
    """Which organisation each row of each organisation-bearing sheet shows, in row order."""

    n_orgs: int
    regulator: np.ndarray  # org index per regulator row
    crm: np.ndarray  # org index per CRM organisation row
    crm_contacts: np.ndarray  # contacts listed under each CRM organisation row
    legacy: np.ndarray  # org index per legacy row
    views_per_org: np.ndarray


def plan_rows(rows: int, split: tuple[float, float, float]) -> RowPlan:
    """Share ``rows`` between the sheets; CRM rows are organisations plus their contacts."""
    if rows < 20:
        raise ValueError(f"rows must be at least 20, got {rows}")
    weights = np.asarray(split, dtype=float)
    if weights.shape != (3,) or (weights <= 0).any():
        raise ValueError(f"split must be three positive shares, got {split!r}")
    weights = weights / weights.sum()
    regulator = max(1, round(rows * weights[0]))
    crm = max(3, round(rows * weights[1]))
    legacy = rows - regulator - crm
    mean_contacts = float(CONTACT_WEIGHTS @ np.arange(5))
    crm_orgs = max(1, round(crm / (1 + mean_contacts)))
    plan = RowPlan(regulator, crm_orgs, crm - crm_orgs, legacy)
    if min(plan.regulator, plan.crm_organisations, plan.crm_contacts, plan.legacy) < 1:
        raise ValueError(f"split {split!r} leaves a sheet without rows at rows={rows}")
    if max(plan.regulator, plan.crm_organisations, plan.crm_contacts, plan.legacy) > MAX_SHEET_ROWS:
        raise ValueError(f"rows={rows} would put more rows on one sheet than Excel allows")
    return plan


def allocate(rng: np.random.Generator, plan: RowPlan, duplicate_rate: float) -> Views:
    """Assign every organisation-bearing row to a true organisation."""
    if not 0.0 <= duplicate_rate <= 0.9:
        raise ValueError(f"duplicate_rate must be between 0 and 0.9, got {duplicate_rate}")
    capacity = np.array([plan.regulator, plan.crm_organisations, plan.legacy])
    owner, files = _duplicate_views(rng, capacity, duplicate_rate)
    n_dups = int(owner[-1]) + 1 if len(owner) else 0
    spare = capacity - np.bincount(files, minlength=3)
    single_files = rng.permutation(np.repeat(np.arange(3), spare))
    n_orgs = n_dups + len(single_files)
    owner = np.concatenate([owner, np.arange(n_dups, n_orgs)])
    files = np.concatenate([files, single_files])
    org = rng.permutation(n_orgs)[owner]  # scatter duplicated organisations over the ids
    per_file = [rng.permutation(org[files == f]) for f in range(3)]
    contacts = _contact_counts(rng, plan)
    return Views(
        n_orgs, per_file[0], per_file[1], contacts, per_file[2], np.bincount(org, minlength=n_orgs)
    )


def _duplicate_views(rng: np.random.Generator, capacity: np.ndarray, rate: float):
    """(owner, file) of every view of a duplicated organisation; owners are 0..D-1, sorted.

    An organisation's first three views go to different files (in an order weighted by
    the files' sizes); a fourth goes to the legacy sheet. A share of the organisations are
    typed twice into the legacy sheet, and a few twice into the CRM.
    """
    views = _views_per_duplicate(rng, capacity, rate)
    n_dups = len(views)
    noise = rng.gumbel(size=(n_dups, 3)) + np.log(capacity / capacity.sum())
    order = np.argsort(-noise, axis=1)  # a weighted random order of the three files per org
    order = np.concatenate([order, np.full((n_dups, 1), LEGACY)], axis=1)
    twice = rng.random(n_dups)
    order[twice < SAME_FILE_SHARE[LEGACY], :2] = LEGACY
    order[(twice >= SAME_FILE_SHARE[LEGACY]) & (twice < sum(SAME_FILE_SHARE.values())), :2] = CRM
    owner = np.repeat(np.arange(n_dups), views)
    position = np.arange(len(owner)) - np.repeat(np.cumsum(views) - views, views)
    files = order[owner, position]
    _ensure_legacy_repeat(owner, files, capacity)
    _fit_capacity(rng, owner, files, capacity)
    return owner, files


def _views_per_duplicate(rng, capacity: np.ndarray, rate: float) -> np.ndarray:
    """2..4 views for each duplicated organisation, as many organisations as ``rate`` asks.

    An organisation has at most one regulator row, so a regulator-heavy split caps
    how many organisations can be duplicated.
    """
    total = int(capacity.sum())
    mean_views = float(DUPLICATE_VIEWS @ DUPLICATE_VIEW_WEIGHTS)
    n_dups = round(rate * total / (1 + rate * (mean_views - 1)))
    views = rng.choice(DUPLICATE_VIEWS, n_dups, p=DUPLICATE_VIEW_WEIGHTS)
    others = total - capacity[REGULATOR]
    fits = np.cumsum(views) - np.minimum(np.arange(1, n_dups + 1), capacity[REGULATOR]) <= others
    return views[: int(np.argmin(fits)) if not fits.all() else n_dups]


def _ensure_legacy_repeat(owner, files, capacity) -> None:
    """At least one organisation is typed twice into the legacy sheet."""
    if len(owner) < 2 or capacity[LEGACY] < 2:
        return
    legacy_owners = owner[files == LEGACY]
    if len(legacy_owners) and np.bincount(legacy_owners).max() >= 2:
        return
    files[:2] = LEGACY  # owner 0 has at least two views


def _fit_capacity(rng, owner, files, capacity) -> None:
    """Move views so that no sheet holds more rows than planned.

    Surplus regulator views move to the CRM or legacy sheet; if those two cannot take
    all the other views, organisations without a regulator row get one; then surplus
    views move between the CRM and legacy sheets (a CRM may hold an organisation twice).
    """
    on_register = np.flatnonzero(files == REGULATOR)
    surplus = len(on_register) - capacity[REGULATOR]
    if surplus > 0:
        files[rng.choice(on_register, surplus, replace=False)] = LEGACY
    missing = int((files != REGULATOR).sum() - capacity[CRM] - capacity[LEGACY])
    if missing > 0:
        registered = np.zeros(int(owner[-1]) + 1, dtype=bool)
        registered[owner[files == REGULATOR]] = True
        first_view = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        candidates = first_view[~registered[owner[first_view]]]
        files[rng.choice(candidates, missing, replace=False)] = REGULATOR
    for full, other in ((CRM, LEGACY), (LEGACY, CRM)):
        views = np.flatnonzero(files == full)
        if len(views) > capacity[full]:
            files[rng.choice(views, len(views) - capacity[full], replace=False)] = other


def _contact_counts(rng: np.random.Generator, plan: RowPlan) -> np.ndarray:
    """0..4 contacts per CRM organisation row, adding up to ``plan.crm_contacts``."""
    n = plan.crm_organisations
    if plan.crm_contacts > 4 * n:
        raise ValueError("too few CRM organisations for the CRM contact rows")
    counts = rng.choice(5, n, p=CONTACT_WEIGHTS)
    gap = plan.crm_contacts - int(counts.sum())
    while gap:
        room = np.flatnonzero(counts < 4) if gap > 0 else np.flatnonzero(counts > 0)
        pick = rng.choice(room, min(abs(gap), len(room)), replace=False)
        counts[pick] += np.sign(gap)
        gap = plan.crm_contacts - int(counts.sum())
    return counts.astype(np.int64)
