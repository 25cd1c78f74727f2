"""Time one tree's clinical engine, in its own process: what scripts/bench runs for the tree and for its baseline.

    .venv/bin/python scripts/engine_timer.py --tree PATH --inputs INPUTS.json [--seconds 1.0] [--serve]

INPUTS.json is a list of contract inputs (decoded JSON objects). The tree's `assessments.clinical` is imported from
PATH (checked: not from another tree on the path, such as the editable install's), then, after one untimed pass:

- `full_per_s`: inputs a second through the full engine path, `to_json(assess(parse_input(data).input))`: the
  validation of the decoded contract input, the rules and the contract output as Python objects (what the API,
  the page and the CDS card each call). The JSON text codec (`json.loads`/`dumps`, the standard library's) is left
  out: it costs the same in every tree.
- `assess_per_s`: `assess()` alone on the inputs parsed beforehand.

Each is timed for --seconds of CPU time, in whole passes over the inputs. Prints one JSON object. With --serve,
it stays up after the import and the untimed pass, and answers each line `full SECONDS` or `assess SECONDS` on
standard input with one JSON line {"per_s": ...}: scripts/bench keeps one such process per tree and alternates
short timings between them, so that both trees see the same moments of a busy machine.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path
from typing import Any

# Where the public API may live, first the package itself; a baseline from before or after a move of a function
# between modules still works.
MODULES = ("assessments.clinical", "assessments.clinical.parse", "assessments.clinical.engine",
           "assessments.clinical.serialize")  # fmt: skip


def engine_api(tree: Path) -> tuple[Any, Any, Any, str]:
    sys.path.insert(0, str(tree))
    package = importlib.import_module("assessments.clinical")
    where = Path(package.__file__).resolve()
    if not where.is_relative_to(tree.resolve()):
        raise SystemExit(f"engine_timer: assessments.clinical came from {where}, not from the tree {tree}")
    found: dict[str, Any] = {}
    for name in ("parse_input", "assess", "to_json"):
        for module_name in MODULES:
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                continue
            if callable(getattr(module, name, None)):
                found[name] = getattr(module, name)
                break
        else:
            raise SystemExit(f"engine_timer: no {name}() in {', '.join(MODULES)} of {tree}")
    return found["parse_input"], found["assess"], found["to_json"], str(where.parent)


def rate(work: Any, items: list[Any], seconds: float) -> float:
    """Inputs per second of this process's CPU time (not the wall clock: on a shared machine the time the process
    waits for a core would count against whichever tree happened to be timed then)."""
    count, started = 0, time.process_time()
    while True:
        work(items)
        count += len(items)
        elapsed = time.process_time() - started
        if elapsed >= seconds:
            return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, required=True)
    parser.add_argument("--inputs", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--serve", action="store_true", help="time on request, one line of stdin each")
    args = parser.parse_args()
    parse_input, assess, to_json, where = engine_api(args.tree)
    inputs = json.loads(args.inputs.read_text())

    parsed = []
    for number, data in enumerate(inputs):
        result = parse_input(data)
        if getattr(result, "input", None) is None:
            raise SystemExit(f"engine_timer: input {number} is refused by {where}: {getattr(result, 'errors', '')}")
        parsed.append(result.input)

    def full(items: list[Any]) -> None:
        for data in items:
            to_json(assess(parse_input(data).input))

    def assess_only(items: list[Any]) -> None:
        for data in items:
            assess(data)

    full(inputs)  # one untimed pass: imports, first-call caches
    if args.serve:
        work = {"full": (full, inputs), "assess": (assess_only, parsed)}
        print(json.dumps({"ready": True, "inputs": len(inputs), "engine": where}), flush=True)
        for line in sys.stdin:
            kind, seconds = line.split()
            function, items = work[kind]
            print(json.dumps({"per_s": rate(function, items, float(seconds))}), flush=True)
        return
    figures = {
        "full_per_s": rate(full, inputs, args.seconds),
        "assess_per_s": rate(assess_only, parsed, args.seconds),
        "inputs": len(inputs),
        "engine": where,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
