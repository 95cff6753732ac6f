#!/usr/bin/env python3
"""PyTorch CPU training-throughput benchmark: what users would run instead of RNNSweep.

Model: Embedding(65, H) -> LSTM/GRU(H, H, 1 layer, batch_first) -> Linear(H, 65) on the last time
step; random windows of L tokens, batch 128, cross-entropy, Adam lr 1e-3, torch.set_num_threads(1)
(change with --threads). Each config runs in its own child process so peak RSS is per config.
Timing: warm-up (--warmup seconds, at least 3 steps), then forward + backward + Adam step in a loop
for --seconds; windows/s = steps * 128 / elapsed.

FLOPs per sample per time step (E = H):
    3 * 2*G*H*(E+H)  +  3 * 2*H*V / L        (G = 4 LSTM, 3 GRU; V = 65)
i.e. forward + backward (= 3x forward) of the gate products every step, plus the head at the last
step spread over the L steps. GFLOP/s = steps/s * that / 1e9, with steps/s = windows/s * L.
Embedding lookup, activations, loss and Adam are not counted.

Usage: torch_bench.py [--configs lstm-128-20,gru-512-50] [--seconds 3] [--json]
Output keys (also of our `bench --json`): cell, hidden, seq_len, windows_per_s, steps_per_s, gflops,
peak_rss_mb.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

V = 65
BATCH = 128
CELLS = ("lstm", "gru")
HIDDEN = (128, 256, 512)
SEQ_LENS = (20, 50)
GATES = {"lstm": 4, "gru": 3}


def all_configs() -> list[tuple[str, int, int]]:
    return [(c, h, l) for c in CELLS for h in HIDDEN for l in SEQ_LENS]


def parse_config(text: str) -> tuple[str, int, int]:
    parts = text.strip().lower().split("-")
    if len(parts) != 3 or parts[0] not in CELLS or not parts[1].isdigit() or not parts[2].isdigit():
        raise SystemExit(f"torch_bench: bad config {text!r}; expected CELL-HIDDEN-SEQLEN like lstm-128-20")
    return parts[0], int(parts[1]), int(parts[2])


def flops_per_sample_step(cell: str, hidden: int, seq_len: int) -> float:
    g, h, e = GATES[cell], hidden, hidden
    return 3 * 2 * g * h * (e + h) + 3 * 2 * h * V / seq_len


def run_one(cell: str, hidden: int, seq_len: int, seconds: float, warmup: float, threads: int) -> dict:
    import resource
    import time

    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.set_num_threads(threads)
    torch.manual_seed(0)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(V, hidden)
            self.rnn = (nn.LSTM if cell == "lstm" else nn.GRU)(hidden, hidden, batch_first=True)
            self.fc = nn.Linear(hidden, V)

        def forward(self, x):
            out, _ = self.rnn(self.embedding(x))
            return self.fc(out[:, -1, :])

    model = Net()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    batches = [(torch.randint(0, V, (BATCH, seq_len)), torch.randint(0, V, (BATCH,))) for _ in range(8)]

    def step(i):
        x, y = batches[i % len(batches)]
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    i, t0 = 0, time.perf_counter()
    while i < 3 or time.perf_counter() - t0 < warmup:
        step(i)
        i += 1
    n, t0 = 0, time.perf_counter()
    while True:
        step(n)
        n += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= seconds:
            break
    windows = n * BATCH / elapsed
    steps = windows * seq_len
    return {
        "cell": cell, "hidden": hidden, "seq_len": seq_len,
        "windows_per_s": round(windows, 1), "steps_per_s": round(steps, 1),
        "gflops": round(steps * flops_per_sample_step(cell, hidden, seq_len) / 1e9, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description="PyTorch CPU training throughput, 12 LSTM/GRU configs")
    ap.add_argument("--configs", help="comma-separated CELL-HIDDEN-SEQLEN, e.g. lstm-128-20,gru-512-50")
    ap.add_argument("--seconds", type=float, default=3.0, help="timed seconds per config (default 3)")
    ap.add_argument("--warmup", type=float, default=1.0, help="warm-up seconds per config (default 1)")
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    ap.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child:
        print(json.dumps(run_one(*parse_config(args.child), args.seconds, args.warmup, args.threads)))
        return

    configs = [parse_config(c) for c in args.configs.split(",")] if args.configs else all_configs()
    results = []
    if not args.json:
        import torch
        print(f"torch {torch.__version__}, {args.threads} thread(s), batch {BATCH}, V {V}, "
              f"{args.seconds:g} s per config; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        print(f"{'cell':5s} {'H':>4s} {'L':>3s} {'windows/s':>10s} {'steps/s':>10s} {'GFLOP/s':>8s} {'RSS MB':>7s}")
    for cell, hidden, seq_len in configs:
        cmd = [sys.executable, __file__, "--child", f"{cell}-{hidden}-{seq_len}", "--seconds", str(args.seconds),
               "--warmup", str(args.warmup), "--threads", str(args.threads)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"torch_bench: {cell}-{hidden}-{seq_len} failed:\n{proc.stderr}")
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        results.append(r)
        if not args.json:
            print(f"{r['cell']:5s} {r['hidden']:4d} {r['seq_len']:3d} {r['windows_per_s']:10,.0f} "
                  f"{r['steps_per_s']:10,.0f} {r['gflops']:8.1f} {r['peak_rss_mb']:7.0f}", flush=True)
    if args.json:
        print(json.dumps(results, indent=1))
    else:
        print(f"load average at the end {os.getloadavg()[0]:.2f} (a busy machine slows every number)")


if __name__ == "__main__":
    main()
