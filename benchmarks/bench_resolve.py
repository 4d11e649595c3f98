"""Resolve generated organisation records and print accuracy, wall time and peak memory.

    .venv/bin/python benchmarks/bench_resolve.py --rows 10000
    .venv/bin/python benchmarks/bench_resolve.py --rows 100000

Generates the sample workbooks and builds the organisation and contact records
(not timed), then times the resolution stage (``hotpass.resolve.resolve``:
features, training, scoring, constrained clustering, keeping the scores as a
workspace does), a second run with the cached model on its own, and a re-run
with the cached model and the kept scores (what ``hotpass refine`` does after
review decisions on the same workbooks). Pairwise precision, recall and F1 compare the pairs inside each
cluster with the true same-organisation pairs among organisation records.
From 100,000 rows (or with ``--bare``) it also times bare Splink with the same
settings on the same feature frame: the same training calls (prior from the
same deterministic rules, u by random sampling with the same max_pairs and
seed, the same EM sessions), predict and Splink's own clustering. Each timed
run is a forked child process, so every peak RSS starts from the same prepared
data. Results go to benchmarks/results/resolve-<rows>.json.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, measure, rss_mb, save  # noqa: E402

_DATA: dict = {}  # what forked children read: profile, orgs, contacts, features


def prepare(rows: int, seed: int, workdir: Path) -> tuple[dict, dict[str, str]]:
    """Sample files -> organisation and contact records; returns them and each record's true org."""
    from hotpass.pipeline import prepare_records
    from hotpass.profile import load_profile
    from hotpass.samples import generate_samples, record_truth

    samples = generate_samples(workdir, rows=rows, seed=seed)
    profile = load_profile("aviation")
    orgs, contacts = prepare_records(samples.files, profile)
    return {"profile": profile, "orgs": orgs, "contacts": contacts}, record_truth(orgs, samples.truth_records)


def pairwise_scores(cluster_of: dict[str, str], org_of: dict[str, str]) -> dict:
    """Precision, recall and F1 of same-cluster pairs against same-organisation pairs."""

    def pairs(groups: dict[str, str]) -> set:
        members: dict[str, list[str]] = {}
        for key, group in groups.items():
            members.setdefault(group, []).append(key)
        return {p for keys in members.values() for p in itertools.combinations(sorted(keys), 2)}

    found, truth = pairs(cluster_of), pairs(org_of)
    hits = len(found & truth)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "found_pairs": len(found),
        "true_pairs": len(truth),
    }


def run_resolve(name: str, model: dict | None, scores_dir: str | None) -> dict:
    """The resolution stage, timed; returns timings, clusters and the model."""
    from hotpass.resolve import ScoreCache
    from hotpass.resolve import resolve_frames as resolve

    stages: dict = {}
    scores = ScoreCache(scores_dir, _DATA["profile"]) if scores_dir else None
    with measure(stages, name, len(_DATA["orgs"])):
        result = resolve(
            _DATA["orgs"], _DATA["profile"], model=model, contacts=_DATA["contacts"], scores=scores
        )
    return {
        "stage": stages[name],
        "steps": result.timings,
        "trained": result.trained,
        "model": result.model,
        "clusters": dict(zip(result.clusters["record_key"], result.clusters["cluster_id"])),
    }


def run_bare() -> dict:
    """Bare Splink with the resolver's settings on the same feature frame."""
    import logging

    from splink import DuckDBAPI, Linker

    from hotpass.resolve import settings as rs

    logging.getLogger("splink").setLevel(logging.ERROR)  # its warnings would go to stderr
    stages: dict = {}
    spec = rs.ModelSpec.from_profile(_DATA["profile"])
    with measure(stages, "bare_splink", len(_DATA["features"])):
        db = DuckDBAPI()
        settings = rs.splink_settings(spec).create_settings_dict("duckdb")
        if "blocking_rules" in _DATA:  # the rules the resolver kept under resolution.max_comparisons
            settings["blocking_rules_to_generate_predictions"] = _DATA["blocking_rules"]
        linker = Linker(
            db.register(_DATA["features"], dataset_display_name="orgs"),
            settings,
            log_level=None,
        )
        linker.training.estimate_probability_two_random_records_match(
            rs.deterministic_rules(spec), recall=spec.deterministic_recall
        )
        linker.training.estimate_u_using_random_sampling(
            max_pairs=spec.max_pairs_for_u, seed=spec.seed
        )
        for rule in rs.training_rules(spec):
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, max_pairs=spec.em_max_pairs, record_sample_proportion=rs.EM_PROBE
            )
        predictions = linker.inference.predict(threshold_match_probability=spec.predict_floor)
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=spec.match
        ).as_pandas_dataframe()
        db.duckdb_con.close()
    return {
        "stage": stages["bare_splink"],
        "clusters": dict(zip(clusters["unique_id"], clusters["cluster_id"].astype(str))),
    }


def _child(func, args, conn) -> None:
    conn.send(func(*args))
    conn.close()


def in_child(func, *args):
    """Run ``func(*args)`` in a forked child and return its result."""
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(func, args, child))
    process.start()
    result = parent.recv()
    process.join()
    return result


def run(rows: int, seed: int, bare: bool, workdir: Path) -> dict:
    from hotpass.resolve import features

    start = time.perf_counter()
    data, org_of = prepare(rows, seed, workdir)
    _DATA.update(data)
    prepared = round(time.perf_counter() - start, 1)
    workspace = str(workdir / "workspace")
    first = in_child(run_resolve, "resolve", None, workspace)
    cached = in_child(run_resolve, "resolve_cached", first["model"], None)
    rerun = in_child(run_resolve, "resolve_rerun", first["model"], workspace)
    out = {
        "rows": rows,
        "seed": seed,
        "organisation_records": len(data["orgs"]),
        "prepare_seconds": prepared,
        "rss_before_mb": round(rss_mb(), 1),
        "resolve": first["stage"],
        "resolve_steps": first["steps"],
        "resolve_cached": cached["stage"],
        "resolve_cached_steps": cached["steps"],
        "resolve_rerun": rerun["stage"],
        "resolve_rerun_steps": rerun["steps"],
        "cached_same_clusters": cached["clusters"] == first["clusters"] == rerun["clusters"],
        "accuracy": pairwise_scores(first["clusters"], org_of),
    }
    if bare:
        _DATA["features"] = features(data["orgs"], data["profile"], data["contacts"])
        baseline = in_child(run_bare)
        out["bare_splink"] = baseline["stage"]
        out["bare_splink_accuracy"] = pairwise_scores(baseline["clusters"], org_of)
        out["ratio_to_bare"] = round(first["stage"]["seconds"] / baseline["stage"]["seconds"], 2)
        out["cached_ratio_to_bare"] = round(
            cached["stage"]["seconds"] / baseline["stage"]["seconds"], 2
        )
        out["rerun_ratio_to_bare"] = round(
            rerun["stage"]["seconds"] / baseline["stage"]["seconds"], 2
        )
    out["machine"] = machine()
    return out


def report(result: dict) -> None:
    acc = result["accuracy"]
    print(
        f"{result['rows']:,} source rows, {result['organisation_records']:,} organisation records"
    )
    print(
        f"pairwise precision {acc['precision']:.4f}  recall {acc['recall']:.4f}  "
        f"F1 {acc['f1']:.4f} "
        f"({acc['found_pairs']:,} pairs found, {acc['true_pairs']:,} true)"
    )
    print(f"{'run':<16} {'seconds':>8} {'peak MB':>8}")
    for name in ("resolve", "resolve_cached", "resolve_rerun", "bare_splink"):
        if name in result:
            print(f"{name:<16} {result[name]['seconds']:>8.2f} {result[name]['peak_rss_mb']:>8.0f}")
    print("resolve steps:", ", ".join(f"{k} {v:.2f} s" for k, v in result["resolve_steps"].items()))
    print("re-run steps:", ", ".join(f"{k} {v:.2f} s" for k, v in result["resolve_rerun_steps"].items()))
    print(f"cached runs give the same clusters: {result['cached_same_clusters']}")
    if "ratio_to_bare" in result:
        print(
            f"ratio to bare Splink: {result['ratio_to_bare']:.2f}x "
            f"(cached model {result['cached_ratio_to_bare']:.2f}x, "
            f"re-run with kept scores {result['rerun_ratio_to_bare']:.2f}x)"
            f"; bare Splink F1 {result['bare_splink_accuracy']['f1']:.4f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--bare", action="store_true", help="also time bare Splink (always from 100,000 rows)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = run(args.rows, args.seed, args.bare or args.rows >= 100_000, Path(tmp))
    report(result)
    print(f"results: {save(f'resolve-{args.rows}', result)}")


if __name__ == "__main__":
    main()
