"""Measure enrichment proposals against the generated ground truth: precision and fill rates.

    .venv/bin/python benchmarks/bench_enrich.py --rows 10000

Generates the sample workbooks, refines them (no workspace: every proposal
stays pending, nothing is applied), then maps each golden organisation to its
true organisation (the majority of its source rows' truth) and checks every
proposal: a website or domain is correct when its registrable domain is the
true organisation's; an email when it is the true address or one at the true
domain; a region or phone when it equals the truth's. Fill
rate: of the golden organisations that lack a website (region) while the truth
knows one, the share that received a correct proposal. Targets: at least 95% of
proposals correct; at least half of the missing websites and regions filled.
Results go to benchmarks/results/enrich-<rows>.json.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, save  # noqa: E402

CHECKED = {"website": "domain", "domain": "domain", "region": "region", "email": "email", "phone": "phone_e164"}


def true_org_of(organisations, truth_records: Path) -> dict[str, str]:
    """Golden organisation id -> true organisation id (majority of its source rows)."""
    from hotpass.samples import true_organisations

    truth = true_organisations(truth_records)
    out = {}
    for org_id, rows in zip(organisations["organisation_id"], organisations["source_rows"]):
        votes = Counter()
        for part in str(rows).split("; "):
            file, sheet, row = (p.strip() for p in part.split(" | "))
            found = truth.get((file, sheet, int(row.removeprefix("row "))))
            if found:
                votes[found] += 1
        if votes:
            out[org_id] = votes.most_common(1)[0][0]
    return out


def correct(field: str, proposed: str, truth: dict) -> bool:
    """Website and domain: the true registrable domain; email: the true address or one at the true
    domain (a role or person's address at the organisation's own domain reaches it); region and
    phone: equal to the truth."""
    from hotpass.normalise import registrable_domain

    expected = truth.get(CHECKED[field]) or ""
    true_domain = registrable_domain(truth.get("domain") or "") if truth.get("domain") else None
    if field in ("website", "domain"):
        host = proposed.split("//")[-1].split("/")[0]
        return bool(expected) and registrable_domain(host) == registrable_domain(expected)
    if field == "email":
        address = proposed.strip().lower()
        at_domain = true_domain is not None and registrable_domain(address.rpartition("@")[2]) == true_domain
        return address == expected.strip().lower() or at_domain
    return proposed.strip().lower() == expected.strip().lower()


def run(rows: int, seed: int, workdir: Path) -> dict:
    from hotpass.pipeline import refine
    from hotpass.profile import load_profile
    from hotpass.samples import generate_samples
    from hotpass.text import is_missing

    samples = generate_samples(workdir, rows=rows, seed=seed)
    start = time.perf_counter()
    refined = refine(samples.files, load_profile("aviation"))
    seconds = time.perf_counter() - start
    with open(samples.truth_organisations, encoding="utf-8", newline="") as handle:
        truth = {r["org_id"]: r for r in csv.DictReader(handle)}
    true_of = true_org_of(refined.organisations, samples.truth_records)
    proposals = refined.enrichment
    by_provider: dict[str, Counter] = {}
    filled: dict[str, set] = {"website": set(), "region": set()}
    for p in proposals.itertuples(index=False):
        org = truth.get(true_of.get(p.record_id, ""), {})
        ok = p.field in CHECKED and correct(p.field, str(p.proposed), org)
        by_provider.setdefault(p.provider, Counter())["correct" if ok else "wrong"] += 1
        if ok and p.field in filled:
            filled[p.field].add(p.record_id)
    fill = {}
    for field, truth_column in (("website", "website"), ("region", "region")):
        lacking = [o for o, v in zip(refined.organisations["organisation_id"], refined.organisations[field])
                   if is_missing(v) and truth.get(true_of.get(o, ""), {}).get(truth_column)]
        fill[field] = {"lacking": len(lacking), "filled": len(filled[field] & set(lacking)),
                       "rate": round(len(filled[field] & set(lacking)) / len(lacking), 4) if lacking else 1.0}
    total = sum(sum(c.values()) for c in by_provider.values())
    right = sum(c["correct"] for c in by_provider.values())
    return {"rows": rows, "seed": seed, "refine_seconds": round(seconds, 1),
            "organisations": len(refined.organisations), "proposals": total,
            "precision": round(right / total, 4) if total else 1.0,
            "by_provider": {k: dict(v) for k, v in sorted(by_provider.items())},
            "fill": fill, "machine": machine()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = run(args.rows, args.seed, Path(tmp))
    print(f"{result['rows']:,} source rows, {result['organisations']:,} golden organisations, "
          f"{result['proposals']:,} proposals")
    for name, counts in result["by_provider"].items():
        n = counts.get("correct", 0) + counts.get("wrong", 0)
        print(f"  {name:<18} {n:>6} proposals, {counts.get('correct', 0) / n:.1%} correct")
    print(f"proposals correct: {result['precision']:.1%} (target at least 95%)")
    for field, f in result["fill"].items():
        print(f"{field}s missing but known to the truth: {f['lacking']:,}; filled by a correct proposal: "
              f"{f['filled']:,} ({f['rate']:.1%}, target at least 50%)")
    print(f"results: {save(f'enrich-{args.rows}', result)}")


if __name__ == "__main__":
    main()
