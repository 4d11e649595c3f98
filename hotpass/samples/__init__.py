"""Synthetic, seeded sample workbooks with ground truth, for tests, demos and benchmarks.

``generate_samples(out_dir, rows, seed, duplicate_rate)`` invents a population of
South African aviation organisations (flight schools, training organisations,
maintenance organisations, charter operators, flying clubs) and their people,
then writes three workbooks that show corrupted views of them, the way
operators' files really look:

``regulator_register.xlsx``
    sheet "ATO Register": a title block in rows 1-3, row 4 blank, the header in
    row 5, data from row 6.
``crm_export.xlsx``
    sheet "Organisation" (header row 1) and sheet "Contact Info" (header row 1)
    whose "Org ID" joins to "Organisation"."ID"; phones mostly numeric cells.
``legacy_contacts.xlsx``
    sheet "Contacts DB" (header row 1): one organisation per row, several
    people, phones and emails per cell, the same organisation typed twice.

Beside them, three UTF-8 CSV files hold the truth: ``truth_records.csv`` (one
row per source data row, with what a perfect reader would get out of it),
``truth_organisations.csv`` and ``truth_contacts.csv``.

``rows`` is the exact number of data rows over all four sheets (title and
header rows not counted; every CRM contact row counts). The same ``seed`` gives
byte-identical files. Nothing here is real personal data: names are random
combinations of common first names and surnames, organisation names are
invented, and phone numbers use real South African ranges with random
subscriber digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hotpass.samples._allocate import plan_rows
from hotpass.samples._population import build_population
from hotpass.samples._run import choose_workers, write_all

__all__ = ["SampleSet", "generate_samples", "record_truth", "true_organisations", "DEFAULT_SPLIT"]

DEFAULT_SPLIT = (0.25, 0.40, 0.35)  # regulator, CRM (organisations + contacts), legacy


@dataclass
class SampleSet:
    """Paths of one generated sample."""

    files: list[Path]
    truth_records: Path
    truth_organisations: Path
    truth_contacts: Path


def generate_samples(
    out_dir: str | Path,
    rows: int = 600,
    seed: int = 7,
    duplicate_rate: float = 0.25,
    *,
    split: tuple[float, float, float] = DEFAULT_SPLIT,
    workers: int | None = None,
) -> SampleSet:
    """Write the three workbooks and their truth into ``out_dir`` (created if missing).

    ``rows``: data rows over all sheets, at least 20. ``duplicate_rate``: share of
    true organisations shown by more than one row (0 to 0.9; an organisation has at
    most one regulator row, so a regulator-heavy ``split`` can cap it). ``split``:
    shares of the rows that go to the regulator register, the CRM export (organisation
    rows plus contact rows) and the legacy sheet.
    ``workers``: processes writing the workbooks; by default 1 below 100,000 rows and
    3 forked processes above (on Linux, when this process runs no other threads).
    The output does not depend on ``workers``.
    """
    plan = plan_rows(int(rows), split)
    population_rng, *sheet_rngs = (
        np.random.default_rng(s) for s in np.random.SeedSequence(int(seed)).spawn(4)
    )
    pop = build_population(population_rng, plan, float(duplicate_rate))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = write_all(pop, out, sheet_rngs, choose_workers(workers, plan.total))
    return SampleSet(
        files,
        out / "truth_records.csv",
        out / "truth_organisations.csv",
        out / "truth_contacts.csv",
    )


def true_organisations(truth_records: str | Path) -> dict[tuple[str, str, int], str]:
    """(source file, sheet, Excel row) -> the true organisation id that row shows."""
    import csv

    with open(truth_records, encoding="utf-8", newline="") as handle:
        return {(r["source_file"], r["source_sheet"], int(r["source_row"])): r["org_id"]
                for r in csv.DictReader(handle)}


def record_truth(records, truth_records: str | Path) -> dict[str, str]:
    """``record_key`` -> the true organisation id, for record frames built from the sample files."""
    truth = true_organisations(truth_records)
    return {
        key: truth[(f, s, int(r))]
        for key, f, s, r in zip(
            records["record_key"], records["source_file"], records["source_sheet"], records["source_row"]
        )
    }
