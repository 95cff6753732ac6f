#!/usr/bin/env python3
"""Produces docs/fidelity.md: the original reports' tables beside ours.

  fidelity.py run [--part NAME ...] [--side both|ours|torch] [--workers N]
                       trains the parts below, in order: ours with the release build (`coordinator run`,
                       N local workers, default 1) into runs/fidelity/runs/, PyTorch (compare_torch.py) into
                       runs/fidelity/torch-PART.json, the two sides side by side; each side of each part
                       leaves a record (command, wall time, load average) in runs/fidelity/PART-SIDE.run.json
  fidelity.py render [--runs DIR]
                       writes docs/fidelity.md from those runs (or from an archive of them in DIR),
                       `coordinator macs` and the reports' tables in $RNNSWEEP_DATA_DIR
                       (model_results_prob1.csv, model_results_spear.csv)
  fidelity.py archive DIR
                       copies what render reads (run records, PyTorch results, our results.csv files,
                       the step checks' results; no checkpoints or logs) to DIR: docs/fidelity-runs
                       holds the archive the page was rendered from
  fidelity.py all      run (every part), then render

Each part trains a subset of one or more report sweep files as written (`keep` restricts grid axes,
a `seed` grid key replaces the training seed, `training` overrides epochs or batches for the 54-model
grid) and the same configs in PyTorch with as many seeds. The page lists which parts were run, on
what machine and load, and marks every row without runs.
Needs: swift build -c release; RNNSWEEP_DATA_DIR; PyTorch for `run` (docs/reference-tools.md).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RUNS = REPO / "runs" / "fidelity"
COORDINATOR = REPO / ".build" / "release" / "coordinator"
PAGE = REPO / "docs" / "fidelity.md"

# Batches of 8192 windows each 54-grid cut model trains (one capped epoch), both sides.
GRID_CUT_BATCHES = 60

# In priority order (a short compute budget runs the first parts). `ours`: sweep files and the subset
# of each grid; `torch`: compare_torch.py config names; `seeds`: 1...seeds on both sides (ours: 1...ours_seeds
# when given).
PARTS = [
    # Our side is fast enough on this config for more seeds: its mean then rests on more than PyTorch's few.
    {"name": "p1-rnn-L10", "seeds": 3, "ours_seeds": 20, "torch": ["p1-rnn-L10"],
     "ours": [{"file": "seed004-p1.json", "keep": {"sequence_length": [10], "cell": ["rnn"]}}]},
    # Seeds 4...6 of the same PyTorch config, pooled with 1...3 (run side by side with them).
    {"name": "p1-rnn-L10-b", "seeds": 3, "torch_first_seed": 4, "torch": ["p1-rnn-L10"], "ours": []},
    # Same init, same split: PyTorch replays our seed-1 trial from its epoch-1 checkpoint (step_check.py).
    {"name": "p1-step-check", "seeds": 1, "step_check": "p1-rnn-L10", "torch": [], "ours": []},
    # compare_torch.py as it was before --draws: the split drawn from the initialisation's own stream.
    # Shown beside the independent draws under Problem 1, never pooled with them.
    {"name": "p1-rnn-L10-shared", "seeds": 5, "torch_draws": "shared", "aside": True, "torch": ["p1-rnn-L10"], "ours": []},
    # Run before --draws existed (shared draws: each seed's first epoch shuffle replays its init's stream).
    {"name": "d2l-small", "seeds": 3, "torch_draws": "shared",
     "torch": ["d2l-gru-8", "d2l-gru-16", "d2l-gru-32", "d2l-lstm-8", "d2l-lstm-16", "d2l-lstm-32", "d2l-rnn-64"],
     "ours": [{"file": "d2l-timemachine.json", "keep": {"hidden_size": [8, 16, 32]}}, {"file": "d2l-rnn.json"}]},
    {"name": "p1-rnn-L20-L30", "seeds": 3, "torch": ["p1-rnn-L20"],
     "ours": [{"file": "seed004-p1.json", "keep": {"sequence_length": [20, 30], "cell": ["rnn"]}}]},
    {"name": "p1-rnn-L30", "seeds": 3, "torch": ["p1-rnn-L30"], "ours": []},
    {"name": "d2l-deep", "seeds": 3, "torch": ["d2l-deep-gru-3", "d2l-deep-gru-5", "d2l-deep-lstm-3", "d2l-deep-lstm-5"],
     "ours": [{"file": "d2l-deep.json"}]},
    {"name": "d2l-64", "seeds": 3, "torch": ["d2l-gru-64", "d2l-lstm-64"],
     "ours": [{"file": "d2l-timemachine.json", "keep": {"hidden_size": [64]}}]},
    {"name": "p1-gru-lstm-L10", "seeds": 3, "torch": ["p1-gru-L10", "p1-lstm-L10"],
     "ours": [{"file": "seed004-p1.json", "keep": {"sequence_length": [10], "cell": ["gru", "lstm"]}}]},
    {"name": "grid-cut", "seeds": 3, "ours_seeds": 4, "torch": ["spear-gru-128", "spear-lstm-128"],
     "ours": [{"file": "seed004.json", "keep": {"sequence_length": [20], "hidden_size": [128], "cell": ["gru", "lstm"], "fc_layers": [1]},
               "training": {"epochs": 1, "max_batches_per_epoch": GRID_CUT_BATCHES}}]},
    # The grid cut's GRU on PyTorch's side with one seed: what a loaded machine could afford beside the rest.
    {"name": "grid-cut-gru-torch", "seeds": 1, "torch": ["spear-gru-128"], "ours": []},
    # Seeds 2...3 of it once the machine was quieter (pooled with seed 1).
    {"name": "grid-cut-gru-torch-b", "seeds": 2, "torch_first_seed": 2, "torch": ["spear-gru-128"], "ours": []},
    # The grid cut's GRU trials of seeds 1...6 again (`worker train`; 1...4 are the cut's own): their loss over every
    # window (PyTorch), and seed 1's 60 mini-batch Adam steps of a second epoch replayed in PyTorch from its first
    # epoch (step_check.py).
    {"name": "grid-cut-step-check", "seeds": 6, "step_check": "grid-cut", "replay": "mini-batch", "torch": [], "ours": []},
    {"name": "d2l-128", "seeds": 3, "torch": ["d2l-gru-128", "d2l-lstm-128"],
     "ours": [{"file": "d2l-timemachine.json", "keep": {"hidden_size": [128]}}]},
    {"name": "p1-gru-lstm-L20-L30", "seeds": 3, "torch": ["p1-gru-L20", "p1-lstm-L20", "p1-gru-L30", "p1-lstm-L30"],
     "ours": [{"file": "seed004-p1.json", "keep": {"sequence_length": [20, 30], "cell": ["gru", "lstm"]}}]},
    # The grid cut's LSTM on PyTorch's side (the grid-cut part ran its GRU only).
    {"name": "grid-cut-lstm-torch", "seeds": 3, "torch": ["spear-lstm-128"], "ours": []},
    # d2l-small's PyTorch configs again with independent draws; where both exist these replace the shared ones.
    {"name": "d2l-small-independent", "seeds": 3,
     "torch": ["d2l-gru-8", "d2l-gru-16", "d2l-gru-32", "d2l-lstm-8", "d2l-lstm-16", "d2l-lstm-32", "d2l-rnn-64"], "ours": []},
]
P1_SEEDS_NOTE = """\
PyTorch's seed reaches both the split and the initialisation in `compare_torch.py`: `torch.manual_seed(seed)`
draws the initialisation and a generator seeded with the seed draws the 80/20 split, so each seed
validates on different windows (the per-seed accuracies differ). Seeds 1 and 2 of RNN L10 landing within
1e-4 of each other (see the per-seed values below) is a coincidence of two different splits and inits;
seed 3 lands 0.11 lower. The validation set is about 490 windows, so the split alone moves the loss by
several hundredths from seed to seed, on both sides."""
# The Time Machine reports' published profiler counts (ptflops, an input of 1024 positions).
PUBLISHED_MACS = {("gru", 8): "991.23 KMac", ("rnn", 64): "6.23 MMac"}


def usage_error(message: str) -> None:
    print(f"fidelity: {message}", file=sys.stderr)
    sys.exit(2)


def data_dir() -> Path:
    value = os.environ.get("RNNSWEEP_DATA_DIR")
    if not value:
        usage_error("set RNNSWEEP_DATA_DIR to the folder with the datasets and the reports' tables")
    return Path(value)


def part_named(name: str) -> dict:
    for part in PARTS:
        if part["name"] == name:
            return part
    usage_error(f"--part {name!r} is not one of: " + ", ".join(p["name"] for p in PARTS))


def run_name(part: dict, sub: dict) -> str:
    return f"fidelity-{part['name']}-" + sub["file"].removesuffix(".json")


def derived_sweep(part: dict, sub: dict) -> Path:
    """The sweep file as written, restricted by the part; relative paths made absolute."""
    source = REPO / "sweeps" / sub["file"]
    sweep = json.loads(source.read_text())
    sweep["name"] = run_name(part, sub)
    grid = sweep.setdefault("grid", {})
    for axis, values in sub.get("keep", {}).items():
        if axis in grid:
            grid[axis] = values
        else:
            raise SystemExit(f"fidelity: part {part['name']}: {axis} is not a grid key of {source.name}")
    sweep.setdefault("training", {}).pop("seed", None)
    grid["seed"] = list(range(1, part.get("ours_seeds", part["seeds"]) + 1))
    sweep["training"].update(sub.get("training", {}))
    dataset = sweep.get("dataset")
    if isinstance(dataset, dict) and "path" in dataset:
        dataset["path"] = str((source.parent / dataset["path"]).resolve())
    generate = sweep.get("generate", {})
    if "prompt_files" in generate:
        generate["prompt_files"] = [str((source.parent / p).resolve()) for p in generate["prompt_files"]]
    sweep["schedule"] = "largest-first"
    folder = RUNS / "sweeps"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (run_name(part, sub) + ".json")
    path.write_text(json.dumps(sweep, indent=1) + "\n")
    return path


def recorded(part: dict, side: str, commands: list[list[str]], action) -> None:
    """Runs `action`, then writes what ran, how long it took and the load average around it."""
    start_load, start = os.getloadavg(), time.time()
    action()
    record = {"part": part["name"], "side": side, "commands": [[str(c) for c in cmd] for cmd in commands],
              "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start)), "seconds": round(time.time() - start, 1),
              "load_start": [round(x, 2) for x in start_load], "load_end": [round(x, 2) for x in os.getloadavg()],
              "machine": machine()}
    path = RUNS / f"{part['name']}-{side}.run.json"
    # A part run again (more seeds; --extend keeps the trials already trained) adds a record.
    earlier = record_list(json.loads(path.read_text())) if path.exists() else []
    path.write_text(json.dumps({"runs": earlier + [record]}, indent=1) + "\n")


def record_list(loaded) -> list[dict]:
    return loaded["runs"] if isinstance(loaded, dict) and "runs" in loaded else [loaded]


def run_ours(part: dict, workers: int) -> None:
    if not part["ours"]:
        return
    commands = []
    for sub in part["ours"]:
        path = derived_sweep(part, sub)
        commands.append([".build/release/coordinator", "run", str(path.relative_to(REPO)), "--workers", str(workers),
                         "--runs", str(RUNS.relative_to(REPO)), "--extend"])

    def action() -> None:
        for cmd in commands:
            print(f"fidelity: ours {part['name']}: {cmd[2]}", flush=True)
            with open(RUNS / f"{Path(cmd[2]).stem}.log", "w") as log:
                subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, check=True, cwd=REPO)
    recorded(part, "ours", commands, action)


def run_torch(part: dict) -> None:
    if not part["torch"]:
        return
    out = RUNS / f"torch-{part['name']}.json"
    cmd = ["tools/reference/compare_torch.py", "--data", "$RNNSWEEP_DATA_DIR", "--seeds", str(part["seeds"]),
           "--first-seed", str(part.get("torch_first_seed", 1)), "--draws", part.get("torch_draws", "independent"),
           "--spear-batches", str(GRID_CUT_BATCHES), "--out", str(out.relative_to(REPO)), "--only", *part["torch"]]

    def action() -> None:
        print(f"fidelity: PyTorch {part['name']}", flush=True)
        with open(RUNS / f"torch-{part['name']}.log", "w") as log:
            real = [sys.executable] + [str(data_dir()) if c == "$RNNSWEEP_DATA_DIR" else c for c in cmd]
            subprocess.run(real, stdout=log, stderr=subprocess.STDOUT, check=True, cwd=REPO)
    recorded(part, "torch", [["python3", *cmd]], action)


STEP_CHECK = RUNS / "step-check"


def checkpoint_metadata(path: Path) -> dict:
    """The __metadata__ of a safetensors file (its JSON header), without loading the tensors."""
    with open(path, "rb") as f:
        size = int.from_bytes(f.read(8), "little")
        return json.loads(f.read(size)).get("__metadata__", {})


def run_step_check(part: dict) -> None:
    """Our seed-1 trial of the part named by `step_check` trained again for one epoch with the same trial
    seed (`worker train --seed`), then step_check.py replays epochs 2...100 in PyTorch from that checkpoint
    on the same split and compares with the trial's epoch-100 checkpoint."""
    source = part_named(part["step_check"])
    sub = source["ours"][0]
    results = RUNS / "runs" / run_name(source, sub) / "results.csv"
    rows = [r for r in read_csv(results) if r.get("seed") == "1" and r.get("status") == "done"] if results.exists() else []
    if not rows:
        sys.exit(f"fidelity: {part['name']}: run part {source['name']} (ours) first; no finished seed-1 trial in {results}")
    trial = rows[0]
    final = sorted((RUNS / "runs" / run_name(source, sub) / "checkpoints" / trial["trial_id"]).glob("epoch-100-*.safetensors"))
    if not final:
        sys.exit(f"fidelity: {part['name']}: trial {trial['trial_id']} has no epoch-100 checkpoint")
    seed = checkpoint_metadata(final[-1])["seed"]
    sweep = json.loads((REPO / "sweeps" / sub["file"]).read_text())
    text = (REPO / "sweeps" / sweep["dataset"]["path"]).resolve()
    sweep["name"] = f"fidelity-{part['name']}"
    sweep["dataset"]["path"] = str(text)
    sweep["training"]["epochs"] = 1
    for axis, values in sub["keep"].items():
        (sweep["training"] if axis == "sequence_length" else sweep["model"])[axis] = values[0]
    sweep.pop("grid")
    STEP_CHECK.mkdir(parents=True, exist_ok=True)
    (STEP_CHECK / "epoch-1.json").write_text(json.dumps(sweep, indent=1) + "\n")
    trials = STEP_CHECK / "trials"
    commands = [[".build/release/coordinator", "plan", "runs/fidelity/step-check/epoch-1.json", "--gflops", "10",
                 "--write-trials", "runs/fidelity/step-check/trials"],
                [".build/release/worker", "train", "runs/fidelity/step-check/trials/TRIAL.json", "--seed", seed,
                 "--output", "runs/fidelity/step-check/epoch-1"],
                ["python3", "tools/reference/step_check.py", "runs/fidelity/step-check/epoch-1/checkpoints/epoch-0001.safetensors",
                 str(final[-1].relative_to(REPO)), str(text.relative_to(REPO)), "--out", "runs/fidelity/step-check/result.json"]]

    def action() -> None:
        print(f"fidelity: {part['name']}: trial {trial['trial_id']}, seed {seed}", flush=True)
        with open(STEP_CHECK / "log.txt", "w") as log:
            subprocess.run(commands[0], stdout=log, stderr=subprocess.STDOUT, check=True, cwd=REPO)
            files = sorted(trials.glob("*.json"))
            if len(files) != 1:
                sys.exit(f"fidelity: {part['name']}: expected one planned trial in {trials}, found {len(files)}")
            # `plan` leaves a path dataset's sha256 empty; `worker train` finds the file by its hash.
            planned = json.loads(files[0].read_text())
            planned["config"]["dataset"]["sha256"] = hashlib.sha256(text.read_bytes()).hexdigest()
            files[0].write_text(json.dumps(planned, indent=1) + "\n")
            env = dict(os.environ, RNNSWEEP_DATA_DIR=str(text.parent))
            worker = [str(files[0].relative_to(REPO)) if c.endswith("TRIAL.json") else c for c in commands[1]]
            subprocess.run(worker, stdout=log, stderr=subprocess.STDOUT, check=True, cwd=REPO, env=env)
            subprocess.run([sys.executable] + commands[2][1:], stdout=log, stderr=subprocess.STDOUT, check=True, cwd=REPO)
    recorded(part, "torch", commands, action)


GRID_STEP_CHECK = RUNS / "grid-step-check"


def run_grid_step_check(part: dict) -> None:
    """The grid cut's GRU-128 trials (the part named by `step_check`: same configs, so the same trial ids and
    seeds) trained again with `worker train` for seeds 1...n; PyTorch's loss over every window of each (our
    trainer's own validation is capped with training at max_batches_per_epoch batches, i.e. the text's first
    windows); then seed 1 trained for a second epoch and step_check.py replaying that epoch from the first's
    checkpoint. Results in runs/fidelity/grid-step-check/result.json."""
    source = part_named(part["step_check"])
    sub = json.loads(json.dumps(source["ours"][0]))
    sub["keep"]["cell"] = ["gru"]
    text = data_dir() / "tinyshakespeare.txt"
    if not text.exists():
        usage_error(f"part {part['name']}: {text} does not exist (RNNSWEEP_DATA_DIR must hold tinyshakespeare.txt)")
    sweep = derived_sweep(part, sub)
    folder = GRID_STEP_CHECK
    rel = folder.relative_to(REPO)
    commands = [[".build/release/coordinator", "plan", str(sweep.relative_to(REPO)), "--gflops", "10", "--write-trials", f"{rel}/trials"],
                [".build/release/worker", "train", f"{rel}/trials/N-ID.json", "--output", f"{rel}/seed-S"],
                ["python3", "tools/reference/load_checkpoint.py", "--json", f"{rel}/seed-S/checkpoints/epoch-0001.safetensors",
                 "$RNNSWEEP_DATA_DIR/tinyshakespeare.txt"],
                [".build/release/worker", "train", f"{rel}/seed-1-epochs-2.json", "--output", f"{rel}/seed-1-epochs-2"],
                ["python3", "tools/reference/step_check.py", f"{rel}/seed-1/checkpoints/epoch-0001.safetensors",
                 f"{rel}/seed-1-epochs-2/checkpoints/epoch-0002.safetensors", "$RNNSWEEP_DATA_DIR/tinyshakespeare.txt",
                 "--out", f"{rel}/step-check.json"]]
    # PyTorch's evaluations on one thread, like compare_torch.py.
    env = dict(os.environ, OMP_NUM_THREADS="1")

    def action() -> None:
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "log.txt", "w") as log:
            def call(cmd: list[str]) -> str:
                real = [sys.executable if c == "python3" else str(text) if c.endswith("tinyshakespeare.txt") else c for c in cmd]
                print(f"fidelity: {part['name']}: {' '.join(cmd)}", file=log, flush=True)
                out = subprocess.run(real, stdout=subprocess.PIPE, stderr=log, text=True, check=True, cwd=REPO, env=env).stdout
                log.write(out)
                return out
            def save(rows: list[dict]) -> None:
                # After every seed, so a stopped run keeps what it finished.
                (folder / "result.json").write_text(json.dumps({"seeds": rows, "step_check": json.loads(
                    (folder / "step-check.json").read_text())}, indent=1) + "\n")
            call(commands[0])
            trials = {}
            for path in sorted((folder / "trials").glob("*.json")):
                trial = json.loads(path.read_text())
                trials[int(trial["config"]["training"]["seed"])] = (path, trial)
            seeds = list(range(1, part["seeds"] + 1))
            if sorted(trials) != seeds:
                sys.exit(f"fidelity: {part['name']}: expected trials of seeds {seeds} in {folder / 'trials'}, found {sorted(trials)}")
            # A run with more seeds keeps the trials an earlier run finished (same trial id, so the same result).
            done = {}
            if (folder / "result.json").exists():
                done = {(r["seed"], r["trial_id"]): r for r in json.loads((folder / "result.json").read_text())["seeds"]}
            rows = []
            for seed in seeds:
                path, trial = trials[seed]
                if (seed, trial["id"]) in done and (seed != 1 or (folder / "step-check.json").exists()):
                    rows.append(done[(seed, trial["id"])])
                    continue
                if rows:
                    save(rows)
                print(f"fidelity: {part['name']}: seed {seed}, trial {trial['id']}", flush=True)
                call([str(path.relative_to(REPO)) if c.endswith("N-ID.json") else c.replace("seed-S", f"seed-{seed}")
                      for c in commands[1]])
                checkpoint = folder / f"seed-{seed}" / "checkpoints" / "epoch-0001.safetensors"
                history = json.loads(checkpoint_metadata(checkpoint)["state"])["history"]
                every = json.loads(call([c.replace("seed-S", f"seed-{seed}") for c in commands[2]]))
                rows.append({"seed": seed, "trial_id": trial["id"], "trial_seed": trial["seed"], "train_loss": history[-1]["train_loss"],
                             "our_val_loss": history[-1]["val_loss"], "every_window_loss": every["val_loss"],
                             "every_window_count": every["targets"]})
                if seed == 1:
                    # The same trial (same seed) with a second epoch, for the replay.
                    trial["config"]["training"]["epochs"] = 2
                    (folder / "seed-1-epochs-2.json").write_text(json.dumps(trial, indent=1) + "\n")
                    call(commands[3])
                    call(commands[4])
            save(rows)
    recorded(part, "torch", commands, action)


def run(names: list[str], side: str, workers: int) -> None:
    data_dir()
    if side in ("both", "ours") and not COORDINATOR.exists():
        usage_error("build first: swift build -c release --product coordinator && swift build -c release --product worker")
    RUNS.mkdir(parents=True, exist_ok=True)
    parts = [part_named(n) for n in names] if names else PARTS
    # PyTorch's parts run one after another on a thread while ours run here: one core each side.
    failures = []

    def torch_side() -> None:
        for part in parts:
            try:
                if "step_check" not in part:
                    run_torch(part)
            except subprocess.CalledProcessError:
                failures.append(f"compare_torch.py failed for {part['name']}; see {RUNS / ('torch-' + part['name'] + '.log')}")
                return
    worker = threading.Thread(target=torch_side) if side in ("both", "torch") else None
    if worker:
        worker.start()
    if side in ("both", "ours"):
        for part in parts:
            run_ours(part, workers)
    # A replay needs our trial's checkpoints, so it runs after our parts, beside PyTorch's.
    if side in ("both", "torch"):
        for part in parts:
            if "step_check" in part:
                (run_grid_step_check if part.get("replay") == "mini-batch" else run_step_check)(part)
    if worker:
        worker.join()
    if failures:
        sys.exit("fidelity: " + "; ".join(failures))


# ---------------------------------------------------------------- render

def read_csv(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    return list(csv.DictReader(io.StringIO(text)))


def macs_table(sweep: str) -> list[dict]:
    out = subprocess.run([str(COORDINATOR), "macs", str(REPO / "sweeps" / sweep), "--steps", "1024"], capture_output=True,
                         text=True, check=True, env=os.environ)
    return list(csv.DictReader(io.StringIO(out.stdout), delimiter="\t"))


def ours(file: str) -> list[dict]:
    """Our results for one sweep file, over every part that trained some of it."""
    rows = []
    for part in PARTS:
        # A part stopped before it finished left no record; its partial results stay off the page.
        if not (RUNS / f"{part['name']}-ours.run.json").exists():
            continue
        for sub in part["ours"]:
            path = RUNS / "runs" / run_name(part, sub) / "results.csv"
            if sub["file"] == file and path.exists():
                rows += read_csv(path)
    return rows


def torch_runs(aside: bool = False) -> tuple[str, dict]:
    """compare_torch.py results of every part (or of the `aside` parts only), merged; and the PyTorch version."""
    version, results, draws = "not run", {}, {}
    for part in PARTS:
        if part.get("aside", False) != aside:
            continue
        path = RUNS / f"torch-{part['name']}.json"
        if path.exists():
            loaded = json.loads(path.read_text())
            version = loaded.get("torch_version", version)
            part_draws = part.get("torch_draws", "independent")
            for name, entry in loaded.get("results", {}).items():
                if name in results and draws[name] != part_draws:
                    # Independent draws replace shared ones; seeds of the two are never pooled.
                    if part_draws == "shared":
                        continue
                    del results[name]
                draws[name] = part_draws
                if name not in results:
                    results[name] = json.loads(json.dumps(entry))
                    continue
                # The same config run again with other seeds (a part with torch_first_seed): pool the seeds.
                merged = results[name]
                for key, value in entry.items():
                    if isinstance(value, dict) and "values" in value and key in merged:
                        merged[key]["values"] += value["values"]
    return version, results


def records() -> dict:
    out = {}
    for part in PARTS:
        for side in ("ours", "torch"):
            path = RUNS / f"{part['name']}-{side}.run.json"
            if path.exists():
                out[(part["name"], side)] = record_list(json.loads(path.read_text()))
    return out


def machine() -> dict:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": model, "cores": os.cpu_count(), "system": platform.platform()}


def stats(values: list[float]) -> str:
    values = [v for v in values if v is not None and math.isfinite(v)]
    if not values:
        return "—"
    if len(values) == 1:
        return f"{values[0]:.4f} (1 seed)"
    return f"{statistics.fmean(values):.4f} ± {statistics.stdev(values):.4f} ({len(values)} seeds)"


def num(row: dict, key: str):
    try:
        return float(row[key])
    except (KeyError, TypeError, ValueError):
        return None


def group(rows: list[dict], **match) -> list[dict]:
    return [r for r in rows if r.get("status") == "done" and all(str(r.get(k)) == str(v) for k, v in match.items())]


def cell_of(name: str) -> str:
    return name.upper()


def subset_text(sub: dict) -> str:
    parts = [f"{k} {', '.join(map(str, v))}" for k, v in sub.get("keep", {}).items()]
    parts += [f"{k} {v}" for k, v in sub.get("training", {}).items()]
    return f"`{sub['file']}`" + (f" ({'; '.join(parts)})" if parts else "")


def per_seed(values: list[float]) -> str:
    return ", ".join(f"{v:.4f}" for v in values) if values else "—"


def ours_for(config: dict) -> list[dict]:
    """Our rows of the config compare_torch.py names."""
    c = config
    if c["protocol"] == "p1":
        return group(ours("seed004-p1.json"), cell=c["cell"], sequence_length=c["sequence_length"])
    if c["protocol"] == "spear":
        return group(ours("seed004.json"), cell=c["cell"], hidden_size=c["hidden_size"], sequence_length=c["sequence_length"],
                     fc_layers=c["fc_layers"])
    if c["layers"] == 1 and c["cell"] == "rnn":
        return group(ours("d2l-rnn.json"))
    if c["layers"] == 1:
        return group(ours("d2l-timemachine.json"), cell=c["cell"], hidden_size=c["hidden_size"])
    return group(ours("d2l-deep.json"), cell=c["cell"], layers=c["layers"])


def values(rows: list[dict], key: str) -> list[float]:
    return [v for v in (num(r, key) for r in rows) if v is not None]


def welch(mine: list[float], theirs: list[float]) -> tuple[float, float, float, float, float]:
    """Means, sds and Welch's t (difference over the standard error of the difference)."""
    mo, mt = statistics.fmean(mine), statistics.fmean(theirs)
    so, st = statistics.stdev(mine), statistics.stdev(theirs)
    se = math.sqrt(so ** 2 / len(mine) + st ** 2 / len(theirs))
    return mo, so, mt, st, ((mo - mt) / se if se > 0 else float("inf"))


def welch_p(mine: list[float], theirs: list[float]) -> tuple[float, float]:
    """Welch–Satterthwaite degrees of freedom and the two-sided p-value of Welch's t (Student's t, its
    density integrated by Simpson's rule: no SciPy needed)."""
    a, b = statistics.variance(mine) / len(mine), statistics.variance(theirs) / len(theirs)
    if a + b == 0:
        return float("inf"), 0.0
    df = (a + b) ** 2 / (a ** 2 / (len(mine) - 1) + b ** 2 / (len(theirs) - 1))
    t = abs(statistics.fmean(mine) - statistics.fmean(theirs)) / math.sqrt(a + b)
    log_c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    density = lambda x: math.exp(log_c - (df + 1) / 2 * math.log1p(x * x / df))  # noqa: E731
    n = 2000
    h = t / n
    area = h / 3 * sum(density(i * h) * (1 if i in (0, n) else 4 if i % 2 else 2) for i in range(n + 1))
    return df, max(0.0, 1 - 2 * area)


def p1_gap_note(torch_results: dict) -> list[str]:
    """What the P1 RNN L10 comparison says, from the numbers (the config whose first runs differed)."""
    entry = torch_results.get("p1-rnn-L10")
    mine = values(group(ours("seed004-p1.json"), cell="rnn", sequence_length=10), "val_loss")
    independent = entry["val_loss"]["values"] if entry else []
    shared_entry = torch_runs(aside=True)[1].get("p1-rnn-L10")
    shared = shared_entry["val_loss"]["values"] if shared_entry else []
    lines = ["### The P1 RNN L10 gap", ""]
    if len(mine) < 2:
        return lines + ["Not enough seeds of ours to compare (part p1-rnn-L10)."]

    def versus(theirs: list[float], label: str) -> str:
        mo, so, mt, st, t = welch(mine, theirs)
        return (f"{label} {mt:.4f} ± {st:.4f} over {len(theirs)} seeds: Δ {mo - mt:+.4f}, {abs(t):.1f} standard errors of "
                f"the difference (Welch's t)")
    first = mine[:5]
    lines += [f"Ours: {statistics.fmean(mine):.4f} ± {statistics.stdev(mine):.4f} over {len(mine)} seeds (seeds 1–5 alone:",
              f"{statistics.fmean(first):.4f} ± {statistics.stdev(first):.4f}). The validation set is 488 windows, and the loss",
              "moves by several hundredths between seeds on both sides (per-seed values in the last section), so a few",
              "seeds a side cannot resolve a difference of 0.05.", ""]
    if len(shared) > 1:
        lines += ["- " + versus(shared, "PyTorch, `--draws shared` (compare_torch.py before `--draws`, part p1-rnn-L10-shared):") + ".",
                  "  Its seeds did reach the split and the initialisation, but through one stream: `torch.manual_seed(s)`",
                  "  (the weights) and `torch.Generator().manual_seed(s)` (the split) give identical raw numbers, so each",
                  "  split was chosen by the numbers that drew the embedding. Fixed: `--draws independent` is the default."]
    if len(independent) > 1:
        lines += ["- " + versus(independent, "PyTorch, `--draws independent` (part p1-rnn-L10 and p1-rnn-L10-b):") + "."]
        if len(shared) > 1:
            ms, ss, mi, si, t = welch(shared, independent)
            effect = abs(t)
            lines += [f"- PyTorch shared against independent draws: Δ {ms - mi:+.4f}, {effect:.1f} standard errors: "
                      + ("no measurable effect of the shared stream" if effect < 2 else
                         "a borderline effect of the shared stream at this many seeds" if effect < 3 else
                         "the shared stream moved PyTorch's mean") + "."]
        else:
            effect = 0.0
        _, _, _, _, t = welch(mine, independent)
        cause = ("the seeds' spread" if effect < 2 else
                 "the seeds' spread, and possibly the earlier tool's correlated split and initialisation")
        lines += ["", (f"**Verdict:** ours and PyTorch agree within two standard errors of the difference; the gap first seen"
                       f" with two seeds a side was {cause}." if abs(t) < 2 else
                       "**Verdict:** ours and PyTorch still differ by more than two standard errors; not explained here.")]
    else:
        lines += ["- PyTorch with independent draws was not run (part p1-rnn-L10)."]
    lines += ["", "The same-state replay under Problem 1 checks the trainers themselves: from the same weights, Adam",
              "moments and split, PyTorch and ours agree to about 1e-6 for 99 full-batch steps and in the final validation",
              "loss, so the columns can differ only in the initialisations and splits the two sides draw; ours draws",
              "PyTorch's default distributions (`Sources/CharRNN/Model/Initialization.swift`) and its split from a stream",
              "of its own (`DerivedSeed.split`)."]
    return lines


def grid_step_check_note(runs: list[dict], torch_entry: dict | None) -> list[str]:
    """What part grid-cut-step-check found (its result.json), with the verdict computed from the numbers."""
    path = GRID_STEP_CHECK / "result.json"
    if not path.exists() or not (RUNS / "grid-cut-step-check-torch.run.json").exists():
        return ["The GRU-128 replay and every-window check (part grid-cut-step-check) was not run.", ""]
    result = json.loads(path.read_text())
    check, rows = result["step_check"], result["seeds"]
    loss = check["losses"][-1]
    lines = ["**Same state, same mini-batches (part grid-cut-step-check).** Our seed-1 GRU-128 trial of the cut, trained",
             f"again (`worker train`) for a second epoch of {check['batches_per_epoch']} batches: `step_check.py` loads its",
             f"state after epoch {check['from_epoch']} (weights and Adam moments at step {check['from_step']}), replays the",
             "windows our trainer puts in each batch (the epoch's shuffle of every window, our seeded Fisher–Yates",
             f"reimplemented in Python) and runs the same {check['steps']} Adam steps in PyTorch {check['torch_version']}:", "",
             "| | PyTorch | ours | largest difference |", "|---|---|---|---|",
             f"| training loss, epoch {loss['epoch']} (mean over its {check['steps'] // check['epochs'] * check['batch_size']:,} windows) | "
             f"{loss['torch_train_loss']:.6f} | {loss['our_train_loss']:.6f} | {check['max_abs_loss_difference']:.1e} |",
             f"| loss after epoch {loss['epoch']}, the {check['evaluated_windows']:,} windows our trainer validates on | "
             f"{check['val_loss']['torch']:.6f} | {check['val_loss']['ours']:.6f} | {abs(check['val_loss']['difference']):.1e} |",
             f"| every weight after epoch {loss['epoch']} | | | {check['max_abs_weight_difference']:.1e} |", "",
             "With `max_batches_per_epoch` our trainer caps validation like training, so a cut with `split: none` reports",
             f"the loss over the text's first {check['evaluated_windows']:,} windows, where `compare_torch.py` averages over all",
             f"{rows[0]['every_window_count']:,}. The same trials of the cut (seeds 1…{len(rows)}, retrained with `worker train`; the",
             "cut's own results beside them), their loss over every window computed by `load_checkpoint.py`:", "",
             "| seed | trial | our reported loss | the cut's reported loss | loss over every window (PyTorch on our weights) | difference |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        cut = values(group(runs, cell="gru", hidden_size=128, sequence_length=20, fc_layers=1, seed=r["seed"]), "val_loss")
        lines.append(f"| {r['seed']} | {r['trial_id']} | {r['our_val_loss']:.4f} | {cut[0]:.4f} | " if cut else
                     f"| {r['seed']} | {r['trial_id']} | {r['our_val_loss']:.4f} | — | ")
        lines[-1] += f"{r['every_window_loss']:.4f} | {r['our_val_loss'] - r['every_window_loss']:+.4f} |"
    every = [r["every_window_loss"] for r in rows]
    theirs = torch_entry["val_loss"]["values"] if torch_entry else []
    lines += [""]
    if len(every) < 2 or len(theirs) < 2:
        return lines + ["Too few seeds on one side to compare over every window (at least 2 each needed).", ""]
    mo, so, mt, st, t = welch(every, theirs)
    df, p = welch_p(every, theirs)
    cut = values(group(runs, cell="gru", hidden_size=128, sequence_length=20, fc_layers=1), "val_loss")
    shift = statistics.fmean(r["our_val_loss"] - r["every_window_loss"] for r in rows)
    same_steps = check["max_abs_loss_difference"] < 1e-5 and abs(check["val_loss"]["difference"]) < 1e-5
    spread = p >= 0.05
    lines += [f"Over every window on both sides: ours {mo:.4f} ± {so:.4f} ({len(every)} seeds), PyTorch {mt:.4f} ± {st:.4f}",
              f"({len(theirs)} seeds): Δ {mo - mt:+.4f}, Welch's t {abs(t):.2f} on {df:.1f} degrees of freedom, two-sided p = {p:.3f}.",
              f"The capped validation moves our loss by {shift:+.4f} on average"
              + (f", against a gap of {statistics.fmean(cut) - mt:+.4f} in the table above: most of that gap is not the windows."
                 if cut else "."), "",
              "**Verdict:** " + ("the trainers take the same mini-batch steps (PyTorch replays ours to the differences above), so"
                                 if same_steps else "the replay does NOT match (see the differences above), so")
              + (" what is left is what the two sides draw — initialisation and batch order, from the same distributions"
                 " (PyTorch's defaults; a uniform shuffle): the gap is consistent with seed spread — with this few seeds a"
                 f" side the difference is not significant (p {p:.2f} ≥ 0.05)." if same_steps and spread else
                 " what is left is between the initialisations and batch orders the two sides draw, and it is significant"
                 f" at this many seeds (p {p:.3f}); more seeds of both would tell spread from a difference in the draws."
                 if same_steps else " the gap may come from the trainer itself."), ""]
    return lines


def render() -> None:
    data = data_dir()
    version, torch_results = torch_runs()
    runs_made = records()
    lines = ["# Fidelity: the original reports beside our runs", "",
             "Generated by `python3 tools/reference/fidelity.py render --runs docs/fidelity-runs` from the records of the runs",
             "`fidelity.py run` made (archived in `docs/fidelity-runs` by `fidelity.py archive`; the commands, machine and load",
             "are under *How these numbers were made*); do not edit by hand. Parameters, sizes and MACs",
             "come from `coordinator macs` over the report sweep files; losses from our runs of those files (release",
             f"build, one worker on one thread) and from `tools/reference/compare_torch.py` (PyTorch {version}, one thread),",
             "with seeds 1…n on each side.", "",
             "**The cut.** The runs are split into parts, run in the priority order below (both sides of a part side by",
             "side, one core each) on a 2-core machine shared with other builds, until the time budget ran out. A part",
             "marked *not run* was not trained for this page, and the rows it covers show — below; parameters, sizes",
             "and MACs are compared for every row regardless.", "",
             "| part | our runs (sweep file, subset) | PyTorch configs | seeds | ours | PyTorch |", "|---|---|---|---|---|---|"]
    for part in PARTS:
        status = {side: (f"run, {sum(r['seconds'] for r in runs_made[(part['name'], side)]):.0f} s"
                         if (part["name"], side) in runs_made else "*not run*") for side in ("ours", "torch")}
        sides = {"ours": bool(part["ours"]), "torch": bool(part["torch"]) or "step_check" in part}
        status = {side: (text if sides[side] else "—") for side, text in status.items()}
        # A part whose PyTorch configs other parts ran (one config at a time, as the machine allowed).
        others = [other["name"] for other in PARTS if other is not part and (other["name"], "torch") in runs_made
                  and set(other["torch"]) & set(part["torch"])]
        if (part["name"], "torch") not in runs_made and part["torch"] and others \
                and all(name in torch_results for name in part["torch"]):
            status["torch"] = "by " + ", ".join(others)
        first = part.get("torch_first_seed", 1)
        seeds = f"{first}…{first + part['seeds'] - 1}" + (f" (ours 1…{part['ours_seeds']})" if "ours_seeds" in part else "")
        if "step_check" in part:
            seeds = f"our seed-1 trial of {part['step_check']}, replayed"
        if part.get("replay") == "mini-batch":
            seeds = f"our GRU trials of {part['step_check']}, seeds 1…{part['seeds']}; seed 1 replayed"
        draws = f" (draws {part['torch_draws']})" if "torch_draws" in part else ""
        lines.append(f"| {part['name']} | {'; '.join(subset_text(sub) for sub in part['ours']) or '—'} | "
                     f"{(', '.join(part['torch']) + draws) if part['torch'] else ('step_check.py' if 'step_check' in part else '—')} | "
                     f"{seeds} | {status['ours']} | {status['torch']} |")
    lines += [""]

    # Problem 1
    reference = read_csv(data / "model_results_prob1.csv")
    macs = macs_table("seed004-p1.json")
    runs = ours("seed004-p1.json")
    lines += ["## Problem 1: next character of one paragraph (`sweeps/seed004-p1.json`)", "",
              "Report: `model_results_prob1.csv` (9 models, hidden 256, full-batch Adam, 100 epochs, random 80/20 split).",
              "Its `Loss` column is as published; its split and initialisation draw from PyTorch's RNG, ours from our",
              "seeded generator, so losses agree in distribution (mean ± sd over seeds), not digit by digit.", "",
              "| model | L | cell | parameters (report / ours) | size MB (report / ours) | report loss | report val acc | our val loss | our val acc | PyTorch val loss | PyTorch val acc | our MACs/char | calflops Linear MACs |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for ref, m in zip(reference, macs):
        cell = m["cell"]
        L = m["sequence_length"]
        mine = group(runs, cell=cell, sequence_length=L)
        t = torch_results.get(f"p1-{cell}-L{L}")
        same_params = "=" if ref["Parameters"] == m["parameters"] else "≠"
        same_size = "=" if abs(float(ref["Size (MB)"]) - float(m["size_mb"])) < 1e-9 else "≠"
        lines.append(f"| {ref['Model']} | {L} | {cell_of(cell)} | {ref['Parameters']} {same_params} {m['parameters']} | "
                     f"{float(ref['Size (MB)']):.4f} {same_size} {float(m['size_mb']):.4f} | {float(ref['Loss']):.4f} | "
                     f"{float(ref['Validation Accuracy']):.4f} | {stats(values(mine, 'val_loss'))} | "
                     f"{stats(values(mine, 'val_accuracy'))} | "
                     f"{stats(t['val_loss']['values']) if t else '—'} | {stats(t['val_accuracy']['values']) if t else '—'} | "
                     f"{m['macs_per_char']} | {m['calflops_text']} |")
    lines += ["", P1_SEEDS_NOTE, ""]
    check_path = STEP_CHECK / "result.json"
    if check_path.exists():
        check = json.loads(check_path.read_text())
        worst = max(t["max_abs_difference"] for t in check["tensors"].values())
        lines += ["**Same initialisation, same split.** `step_check.py` loads our seed-1 RNN L10 trial's state after",
                  f"epoch {check['from_epoch']} (weights and Adam moments; `worker train --seed` with the trial's seed and one",
                  f"epoch), replays our random split ({check['train_windows']} training / {check['validation_windows']} validation",
                  f"windows, our seeded shuffle reimplemented in Python) and runs the remaining {check['steps']} full-batch Adam",
                  f"steps in PyTorch {check['torch_version']}:", "",
                  "| | PyTorch | ours | largest difference |", "|---|---|---|---|",
                  f"| training loss, epochs {check['from_epoch'] + 1}…{check['from_epoch'] + check['steps']} | | | "
                  f"{check['max_abs_loss_difference']:.1e} |",
                  f"| validation loss after epoch {check['from_epoch'] + check['steps']} | {check['val_loss']['torch']:.6f} | "
                  f"{check['val_loss']['ours']:.6f} | {abs(check['val_loss']['difference']):.1e} |",
                  f"| every weight after epoch {check['from_epoch'] + check['steps']} | | | {worst:.1e} |", ""]
    else:
        lines += ["The same-initialisation check (part p1-step-check) was not run.", ""]

    # 54-model grid
    reference = read_csv(data / "model_results_spear.csv")
    macs = macs_table("seed004.json")
    runs = ours("seed004.json")
    equal = sum(1 for ref, m in zip(reference, macs) if ref["Parameters"] == m["parameters"]
                and abs(float(ref["Size (MB)"]) - float(m["size_mb"])) < 1e-9)
    lines += ["## The 54-model Tiny Shakespeare grid (`sweeps/seed004.json`)", "",
              f"Parameters and sizes: **{equal} of {len(reference)}** rows of `model_results_spear.csv` equal ours exactly",
              "(same trial order: sequence length, cell, hidden size, fully connected layers).",
              "Checkpoints of this sweep name the head `fc.0`, `fc.1`, `fc.2` (`head_names: \"module-list\"`), so the",
              "report's own model class loads them with `strict=True` (`tools/reference/load_checkpoint.py --original-class`).", "",
              "| model | L | cell | H | FC | parameters (report / ours) | size MB | our MACs/char | calflops Linear MACs | report val loss (100 epochs) |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for ref, m in zip(reference, macs):
        mark = "=" if ref["Parameters"] == m["parameters"] else "≠"
        lines.append(f"| {ref['Model']} | {m['sequence_length']} | {ref['RNN Type']} | {m['hidden_size']} | {m['fc_layers']} | "
                     f"{ref['Parameters']} {mark} {m['parameters']} | {float(m['size_mb']):.4f} | {m['macs_per_char']} | "
                     f"{m['calflops_text']} | {float(ref['Validation Loss']):.4f} |")
    grid = part_named("grid-cut")
    lines += ["", "### The cut of the grid: ours and PyTorch at equal steps", "",
              "Training the grid as written takes 100 epochs over 1.1 M windows per model (about 50 core-days here).",
              "The cut trains GRU-128 and LSTM-128 (L 20, one Linear, the report's settings otherwise) for one epoch",
              f"capped at {GRID_CUT_BATCHES} batches of 8192 windows ({GRID_CUT_BATCHES * 8192:,} windows, about",
              f"{GRID_CUT_BATCHES * 8192 / 1_115_374:.2f} of an epoch) with the same settings and steps on both sides; the seeds",
              "each side ran are in the table (— where a side was not run). The report has no validation split (`split:",
              "none` validates on the training windows); PyTorch's loss after training is over every window of the text,",
              f"ours over the first {GRID_CUT_BATCHES * 8192:,} (our trainer caps validation like training at",
              "`max_batches_per_epoch` batches; the replay below puts both on every window). The",
              "report's 100-epoch losses beside it are **not comparable** (about",
              f"{100 * 1_115_374 / (GRID_CUT_BATCHES * 8192):.0f}× more steps).", "",
              "| model | our train loss | PyTorch train loss | our loss, first windows | PyTorch loss, every window | report val loss (100 epochs, not comparable) |",
              "|---|---|---|---|---|---|"]
    for name in grid["torch"]:
        t = torch_results.get(name)
        cell = name.split("-")[1]
        mine = group(runs, cell=cell, hidden_size=128, sequence_length=20, fc_layers=1)
        ref = next((r for r in reference if r["RNN Type"].lower() == cell and r["Hidden Size"] == "128"
                    and r["Sequence Length"] == "20" and r["Fully Connected Layers"] == "1"), None)
        ref_loss = f"{float(ref['Validation Loss']):.4f}" if ref else "—"
        lines.append(f"| {cell.upper()}-128 L20 FC1 | {stats(values(mine, 'train_loss'))} | "
                     f"{stats(t['train_loss']['values']) if t else '—'} | {stats(values(mine, 'val_loss'))} | "
                     f"{stats(t['val_loss']['values']) if t else '—'} | {ref_loss} |")
    lines += [""]
    for name in grid["torch"]:
        t = torch_results.get(name)
        cell = name.split("-")[1]
        mine = values(group(runs, cell=cell, hidden_size=128, sequence_length=20, fc_layers=1), "val_loss")
        if not t or len(t["val_loss"]["values"]) < 2 or len(mine) < 2:
            lines.append(f"{cell.upper()}-128: too few seeds on one side to compare (at least 2 each needed).")
            continue
        mo, so, mt, st, w = welch(mine, t["val_loss"]["values"])
        lines.append(f"{cell.upper()}-128: ours {mo:.4f} ± {so:.4f}, PyTorch {mt:.4f} ± {st:.4f}: Δ {mo - mt:+.4f}, {abs(w):.1f} "
                     "standard errors of the difference: " + ("the same loss within the seeds' spread." if abs(w) < 2 else
                                                                "more than two standard errors apart; see the replay and the every-window comparison below."))
    lines += ["", *grid_step_check_note(runs, torch_results.get("spear-gru-128"))]
    prompt = (REPO / "sweeps" / "texts" / "warwick-prompt.txt").read_text(encoding="utf-8")
    lines += ["", "Generated after the 544-character WARWICK prompt with its indentation (greedy, first 120 characters):", "",
              "| model | seed | generated |", "|---|---|---|"]
    for r in group(runs):
        sample = r.get("sample", "")
        tail = sample[len(prompt):] if sample.startswith(prompt) else sample
        shown = tail[:120].replace("\n", "⏎").replace("|", "\\|")
        lines.append(f"| ours {r['cell'].upper()}-{r['hidden_size']} L{r['sequence_length']} FC{r['fc_layers']} | {r.get('seed', '')} | `{shown}` |")
    first = reference[0]["Predicted next character"]
    lines.append(f"| report model 1 (LSTM-128 L20 FC1, 100 epochs) | 4 | `{first[len(prompt):][:120].replace(chr(10), '⏎')}` |")
    lines += [""]

    # Time Machine
    lines += ["## The Time Machine (`sweeps/d2l-timemachine.json`, `d2l-rnn.json`, `d2l-deep.json`)", "",
              "d2l protocol: V = 28 (26 letters, space, `<unk>`), 173,428 tokens; the first 10,000 windows of 32 train,",
              "the next 5,000 validate; perplexity = exp(validation loss). The reports' published MAC counts are",
              "ptflops' (the recurrent module only, an input of 1024 positions); ours count every matrix product of the",
              "stack and the head per character.", "",
              "| model | parameters | ptflops MACs (1024 positions) | published | our MACs/char | our val perplexity | PyTorch val perplexity |",
              "|---|---|---|---|---|---|---|"]
    for sweep in ("d2l-timemachine.json", "d2l-rnn.json", "d2l-deep.json"):
        rows = ours(sweep)
        for m in macs_table(sweep):
            cell = m.get("cell") or ("rnn" if sweep == "d2l-rnn.json" else "")
            hidden = m.get("hidden_size") or ("64" if sweep == "d2l-rnn.json" else "32")
            layers = m.get("layers") or "1"
            match = {"hidden_size": hidden, "layers": layers}
            if m.get("cell"):
                match["cell"] = cell
            mine = group(rows, **match)
            name = f"{cell.upper()}-{hidden}" + (f" × {layers} layers" if layers != "1" else "")
            published = PUBLISHED_MACS.get((cell, int(hidden)), "") if layers == "1" else ""
            mark = (" (=)" if published and published == m["ptflops_text"] else (" (≠)" if published else ""))
            torch_key = f"d2l-{cell}-{hidden}" if layers == "1" else f"d2l-deep-{cell}-{layers}"
            t = torch_results.get(torch_key)
            tp = stats([math.exp(v) for v in t["val_loss"]["values"]]) if t else "—"
            lines.append(f"| {name} | {m['parameters']} | {m['ptflops_text']}{mark} | {published or '—'} | {m['macs_per_char']} | "
                         f"{stats([math.exp(v) for v in values(mine, 'val_loss')])} | {tp} |")
    lines += ["", "The Time Machine reports' loss tables are not among the shared data, so only their MAC counts and",
              "protocol are compared here; PyTorch on the same protocol stands in for their numbers.", ""]

    # Ours vs PyTorch
    lines += ["## Our trainer against PyTorch at equal settings and steps", "",
              "`tools/reference/compare_torch.py` trains each config below in PyTorch with the same data, split rule,",
              "model, optimizer, clipping, batch size and number of steps. Same seeds do not mean the same draws",
              "(initialisation, split and shuffles use different generators), so the check is that the means",
              "differ by less than the seeds' spread: |Δ| / √(sd_ours² + sd_torch²). With 3 seeds a side an sd is a",
              "rough estimate; a ratio above 2 marks a config to rerun with more seeds before reading it as a",
              "difference between the trainers. Validation loss, per seed in seed order:", "",
              "*PyTorch draws*: `independent` = the split and shuffles come from a generator unrelated to the",
              "initialisation's; `shared` = from the initialisation's own stream (the tool before `--draws`, see Problem 1).", "",
              "| config | ours | PyTorch | PyTorch draws | Δ | Δ / combined sd | ours per seed | PyTorch per seed |",
              "|---|---|---|---|---|---|---|---|"]
    order = [name for part in PARTS for name in part["torch"]]
    for name in sorted(torch_results, key=lambda n: order.index(n) if n in order else len(order)):
        entry = torch_results[name]
        mine = values(ours_for(entry["config"]), "val_loss")
        theirs = entry["val_loss"]["values"]
        if not mine:
            lines.append(f"| {name} | — (not run) | {stats(theirs)} | {entry.get('draws', 'shared')} | — | — | — | {per_seed(theirs)} |")
            continue
        mo, so = statistics.fmean(mine), (statistics.stdev(mine) if len(mine) > 1 else 0.0)
        mt, st = statistics.fmean(theirs), (statistics.stdev(theirs) if len(theirs) > 1 else 0.0)
        spread = math.sqrt(so ** 2 + st ** 2)
        # A spread needs two seeds on each side; with fewer the ratio would rest on one side's sd alone.
        ratio = f"{abs(mo - mt) / spread:.2f}" if spread > 0 and len(mine) > 1 and len(theirs) > 1 else "— (needs ≥ 2 seeds each)"
        lines.append(f"| {name} | {stats(mine)} | {stats(theirs)} | {entry.get('draws', 'shared')} | {mo - mt:+.4f} | {ratio} | "
                     f"{per_seed(mine)} | {per_seed(theirs)} |")
    lines += ["", *p1_gap_note(torch_results), ""]

    # How
    lines += ["## How these numbers were made", "",
              "```sh", "swift build -c release --product coordinator && swift build -c release --product worker",
              "RNNSWEEP_DATA_DIR=../shared/data nice -n 5 python3 tools/reference/fidelity.py run --part NAME ...   # or: run (every part)",
              "RNNSWEEP_DATA_DIR=../shared/data python3 tools/reference/fidelity.py archive docs/fidelity-runs",
              "RNNSWEEP_DATA_DIR=../shared/data python3 tools/reference/fidelity.py render --runs docs/fidelity-runs", "```", "",
              "Each part ran these commands (from the repository root; `fidelity.py run` writes the derived sweep files);",
              "wall time and the 1-minute load average at the start and the end of each side:", "",
              "| part | side | commands | started (UTC) | wall time | load average start → end |", "|---|---|---|---|---|---|"]
    machines = set()
    for part in PARTS:
        for side in ("ours", "torch"):
            for r in runs_made.get((part["name"], side), []):
                machines.add(json.dumps(r.get("machine", {}), sort_keys=True))
                cmds = "<br>".join("`" + " ".join(c).replace("|", "\\|") + "`" for c in r["commands"])
                note = f"<br>({r['note']})" if r.get("note") else ""
                lines.append(f"| {part['name']} | {'PyTorch' if side == 'torch' else 'ours'} | {cmds}{note} | {r['started']} | "
                             f"{r['seconds']:.0f} s | {r['load_start'][0]:.1f} → {r['load_end'][0]:.1f} |")
    lines += [""]
    for text in sorted(machines):
        m = json.loads(text)
        lines.append(f"Machine: {m.get('cpu', 'unknown')}, {m.get('cores', '?')} cores, {m.get('system', 'unknown')}; "
                     "other engineers' Swift builds and tests shared it, and this page's own parts ran up to five processes at"
                     " once (one thread each), so every wall time above is a loaded one; the load averages count all of it.")
    lines += [""]
    PAGE.write_text("\n".join(lines) + "\n")
    print(f"fidelity: wrote {PAGE}")


ARCHIVED = ["*.run.json", "torch-*.json", "runs/*/results.csv", "step-check/result.json", "grid-step-check/result.json"]


def archive(target: Path) -> None:
    """The files render reads, copied from RUNS to `target` (same relative paths)."""
    copied = 0
    for pattern in ARCHIVED:
        for path in sorted(RUNS.glob(pattern)):
            destination = target / path.relative_to(RUNS)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
            copied += 1
    print(f"fidelity: {copied} files archived in {target}")


def use_runs(folder: Path) -> None:
    """Reads runs from `folder` instead of runs/fidelity."""
    global RUNS, STEP_CHECK, GRID_STEP_CHECK
    if not folder.is_dir():
        usage_error(f"--runs {folder}: no such folder")
    RUNS, STEP_CHECK, GRID_STEP_CHECK = folder, folder / "step-check", folder / "grid-step-check"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("command", choices=["run", "render", "all", "archive"])
    ap.add_argument("folder", nargs="?", type=Path, help="archive: the folder to copy the runs' records to")
    ap.add_argument("--runs", type=Path, help="render: read the runs from this folder (an archive) instead of runs/fidelity")
    ap.add_argument("--part", nargs="+", default=[], help="run only these parts (default: every part, in order)")
    ap.add_argument("--side", choices=["both", "ours", "torch"], default="both")
    ap.add_argument("--workers", type=int, default=1, help="our local workers (default 1: one core, PyTorch has the other)")
    args = ap.parse_args()
    if args.workers < 1:
        ap.error(f"--workers must be >= 1, got {args.workers}")
    if (args.command == "archive") != (args.folder is not None):
        ap.error("archive takes one folder; the other commands take none")
    if args.runs is not None and args.command != "render":
        ap.error("--runs is for render only")
    if args.command == "archive":
        archive(args.folder)
        return
    if args.runs is not None:
        use_runs(args.runs)
    if args.command == "all" and (args.part or args.side != "both"):
        ap.error("all runs every part on both sides; use run --part/--side for a subset")
    if args.command in ("run", "all"):
        run(args.part, args.side, args.workers)
    if args.command in ("render", "all"):
        render()


if __name__ == "__main__":
    main()
