"""Learning from decisions: pairwise F1 before and after retraining from labels.

    .venv/bin/python benchmarks/bench_labels.py --rows 1500 --labels 60

Generates organisation samples and refines them once in a fresh workspace
with a copy of the aviation profile whose model is weaker (one EM training
rule instead of two, so the name comparison keeps Splink's default m), then
plays a reviewer: the truth of the K most uncertain review-band pairs
(smallest |match weight|, the order of the review queue) is recorded as same/different decisions. It refines again
honouring those decisions without retraining ("decisions only", so the
effect of the decisions themselves is visible), and once more with
``retrain_from_labels`` (``hotpass refine --retrain-from-labels``). Pairwise
precision, recall and F1 (pairs inside each cluster against the true
same-organisation pairs) are printed for each run, with the label accuracy
table (``hotpass.label_accuracy``) of the last run. Results go to
benchmarks/results/labels-<rows>.json.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_resolve import pairwise_scores  # noqa: E402
from common import machine, save  # noqa: E402

import hotpass  # noqa: E402
from hotpass.pipeline import prepare_records  # noqa: E402
from hotpass.samples import record_truth  # noqa: E402

#: The shipped profile trains m with two EM sessions; the weak copy keeps only the one blocked on
#: region, so the name comparison is never estimated by EM (it keeps Splink's default m).
STRONG_RULES = "      training_rules:\n      - - name_key\n      - - region\n"
WEAK_RULES = "      training_rules:\n      - - region\n"


def weak_profile(workdir: Path):
    """A copy of the aviation profile with fewer training rules: an unlabelled model that is weaker."""
    text = (Path(__file__).resolve().parents[1] / "profiles" / "aviation.yaml").read_text(encoding="utf-8")
    assert STRONG_RULES in text, "the aviation profile's training rules changed; update this benchmark"
    path = workdir / "aviation-weak.yaml"
    path.write_text(text.replace(STRONG_RULES, WEAK_RULES), encoding="utf-8")
    return hotpass.load_profile(str(path))


def refine_once(files, profile, ws, workdir: Path, name: str, **options) -> tuple[dict, dict, object]:
    """One refine in the workspace: (record_key -> cluster_id, resolution meta, pairs frame)."""
    result = hotpass.refine(files, profile, output=workdir / f"{name}.xlsx", workspace=ws, raise_blocked=False,
                            **options)
    with result:
        clusters = result.db.frame("SELECT record_key, cluster_id FROM clusters")
        pairs = result.db.frame("SELECT key_l, key_r, match_probability, match_weight, band FROM pairs")
        meta = result.db.meta("resolution")
    return dict(zip(clusters["record_key"], clusters["cluster_id"], strict=True)), meta, pairs


def label_uncertain(ws, pairs, truth: dict[str, str], count: int) -> dict:
    """Decide the ``count`` most uncertain review-band pairs by their truth, as a reviewer working
    down the review queue would."""
    queue = pairs[pairs["band"] == "review"]
    chosen = queue.assign(doubt=queue["match_weight"].abs()).sort_values(["doubt", "key_l", "key_r"]).head(count)
    kinds = {"same": 0, "different": 0}
    for a, b in chosen[["key_l", "key_r"]].itertuples(index=False):
        kind = "same" if truth[a] == truth[b] else "different"
        ws.decide(kind, a, b, reviewer="bench")
        kinds[kind] += 1
    return kinds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1500)
    parser.add_argument("--labels", type=int, default=60, help="decisions a reviewer records (K)")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        profile = weak_profile(workdir)
        samples = hotpass.generate_samples(workdir / "samples", rows=args.rows, seed=args.seed)
        orgs, _ = prepare_records(samples.files, profile)
        truth = record_truth(orgs, samples.truth_records)
        with hotpass.Workspace(workdir / "ws") as ws:
            before, _, pairs = refine_once(samples.files, profile, ws, workdir, "before")
            kinds = label_uncertain(ws, pairs, truth, args.labels)
            decided, _, _ = refine_once(samples.files, profile, ws, workdir, "decided")
            after, meta, _ = refine_once(samples.files, profile, ws, workdir, "after", retrain_from_labels=True)
            table = hotpass.label_accuracy(ws)
    scores = {name: pairwise_scores(clusters, truth) for name, clusters in
              (("before", before), ("decisions_only", decided), ("after_retrain", after))}
    result = {"rows": args.rows, "records": len(orgs), "labels": kinds, "labels_used": meta.get("labels"),
              "scores": scores, "label_accuracy": table.to_dict(orient="records"), "machine": machine()}
    print(f"{len(orgs)} organisation records; labels: {kinds['same']} same, {kinds['different']} different "
          f"({meta.get('labels')} used)")
    for name, score in scores.items():
        print(f"  {name:<15} F1 {score['f1']:.4f}  precision {score['precision']:.4f}  "
              f"recall {score['recall']:.4f}")
    print(table.to_string(index=False))
    print(f"results: {save(f'labels-{args.rows}', result)}")


if __name__ == "__main__":
    main()
