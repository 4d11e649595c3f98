"""``python -m hotpass.samples OUT_DIR --rows N --seed S``: write a sample set."""

from __future__ import annotations

import argparse
import sys
import time

from hotpass.samples import DEFAULT_SPLIT, generate_samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m hotpass.samples",
        description="Write synthetic sample workbooks (invented data) and their ground truth.",
    )
    parser.add_argument("out_dir", help="folder to write into (created if missing)")
    parser.add_argument(
        "--rows", type=int, default=600, help="data rows over all sheets (default 600)"
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument(
        "--duplicate-rate",
        type=float,
        default=0.25,
        help="share of organisations shown by more than one row (default 0.25)",
    )
    parser.add_argument(
        "--split",
        type=float,
        nargs=3,
        default=list(DEFAULT_SPLIT),
        metavar=("REGULATOR", "CRM", "LEGACY"),
        help="shares of rows per workbook (default 0.25 0.40 0.35)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        samples = generate_samples(
            args.out_dir,
            rows=args.rows,
            seed=args.seed,
            duplicate_rate=args.duplicate_rate,
            split=tuple(args.split),
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for path in [
        *samples.files,
        samples.truth_records,
        samples.truth_organisations,
        samples.truth_contacts,
    ]:
        print(path)
    print(f"{args.rows} rows in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
