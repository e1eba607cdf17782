"""Two runs of `python -m bench` side by side: `python -m bench.compare before.json after.json [--limit 1.2]`.

Prints each figure of both runs and their ratio (after / before): the roll-up, the exports,
the PDF and the p95 of each kind of request in the step of the busiest hour both runs share
(the highest such factor). With --limit, a figure of the second run costing more than
that many times the first's is marked, and the exit status says whether any is: this is how
three years of history are held to 1.2× one year's cost, and a speed device's worth is read
(the run without it against the run with it).
"""

from __future__ import annotations

import argparse
import json
import sys


def figures(result: dict, factor: float | None) -> dict[str, float]:
    out = {}
    if "rollup" in result:
        out["rollup ms"] = result["rollup"]["product_ms"]
        out["rollup floor ms"] = result["rollup"]["floor_ms"]
    for name, doc in result.get("documents", {}).items():
        if "ms" in doc:
            out[f"{name} ms"] = doc["ms"]
        if "peak_mb" in doc:
            out[f"{name} peak MB"] = doc["peak_mb"]
    for name, page in result.get("pages", {}).items():
        out[f"{name} ms (one request)"] = page["median_ms"]
    for step in result.get("hour", {}).get("steps", []):
        if step["factor"] == factor:
            for kind, row in step["kinds"].items():
                out[f"{factor:g}x {kind} p95 ms"] = row["p95_ms"]
    if "hour" in result:
        out["highest sustained factor"] = result["hour"].get("highest_sustained_factor") or 0
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__.split("\n")[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--limit", type=float, help="mark figures costing more than this × before")
    args = parser.parse_args(argv)
    with open(args.before) as a, open(args.after) as b:
        before, after = json.load(a), json.load(b)
    shared = {s["factor"] for s in before.get("hour", {}).get("steps", [])} & {
        s["factor"] for s in after.get("hour", {}).get("steps", [])
    }
    factor = max(shared, default=None)
    first, second = figures(before, factor), figures(after, factor)
    over = []
    print(f"{'figure':42} {'before':>10} {'after':>10} {'ratio':>7}")
    for name in [n for n in first if n in second]:
        ratio = second[name] / first[name] if first[name] else float("nan")
        costlier = name != "highest sustained factor" and "floor" not in name
        mark = " over" if args.limit and costlier and ratio > args.limit else ""
        if mark:
            over.append(name)
        print(f"{name:42} {first[name]:>10} {second[name]:>10} {ratio:>7.2f}{mark}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
