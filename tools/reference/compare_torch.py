#!/usr/bin/env python3
"""Trains the original reports' protocols in PyTorch, several seeds per config, and prints val loss,
accuracy and perplexity (mean and sample sd over seeds) as JSON, for docs/fidelity.md: at equal
settings and steps our trainer and PyTorch should reach the same validation loss within that spread.

Protocols (as the sweep files seed004-p1.json and d2l-*.json define them):
  p1   the Problem 1 paragraph (nextchar-jhaywoo6.txt, V = 46): every window of L characters predicts
       the next one; a seeded random 80/20 split of the windows; Embedding(46, 256) -> cell(256) ->
       Linear(256, 46); one full-batch Adam step (lr 1e-3) per epoch, 100 epochs.
  d2l  The Time Machine, letters only, lowercased, vocabulary sorted(set(['<unk>'] + chars)) (V = 28):
       windows of 32 at every position with targets at every step, the first 10,000 train, the next
       5,000 validate; one-hot input; SGD, global-norm clipping 1, batch 1024 shuffled, 50 epochs.
  spear  the 54-model grid's protocol (seed004.json) for a cut: Tiny Shakespeare (V = 65), every window
       of L = 20 predicts the next character, no split (validation = every window, after training),
       Embedding(65, 128) -> cell(128) -> Linear(128, 65) -> ReLU, Adam 1e-3, batch 8192 shuffled,
       one epoch capped at --spear-batches batches (our `max_batches_per_epoch`).

Seeds reach everything: torch.manual_seed(seed) draws the initialisation, a second generator draws the
p1 split and the d2l/spear shuffles. With --draws independent (the default) that generator is seeded with
seed ^ DRAW_SALT, so its stream is unrelated to the initialisation's. --draws shared seeds it with the
seed itself, as this tool did before: torch.manual_seed(s) and Generator().manual_seed(s) give the same
raw stream, so the split was a function of the very numbers that drew the weights (a p1 split and
initialisation correlated; kept to reproduce the earlier numbers and show the effect).

Usage: compare_torch.py --data DIR [--seeds N] [--first-seed K] [--only NAME ...] [--out FILE] [--draws independent|shared] [--spear-batches N]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from model import CharModel  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
DRAW_SALT = 0x5EED_5EED


def draw_generator(seed: int, draws: str) -> torch.Generator:
    """The generator of the split and shuffles; see --draws."""
    return torch.Generator().manual_seed(seed if draws == "shared" else seed ^ DRAW_SALT)


def p1_configs():
    for L in (10, 20, 30):
        for cell in ("rnn", "lstm", "gru"):
            yield {"name": f"p1-{cell}-L{L}", "protocol": "p1", "cell": cell, "hidden_size": 256, "sequence_length": L,
                   "layers": 1, "dropout": 0.0, "learning_rate": 1e-3, "epochs": 100}


def d2l_configs():
    for cell in ("gru", "lstm"):
        for H in (8, 16, 32, 64, 128):
            yield {"name": f"d2l-{cell}-{H}", "protocol": "d2l", "cell": cell, "hidden_size": H, "layers": 1,
                   "dropout": 0.0, "learning_rate": 4.0, "epochs": 50}
    yield {"name": "d2l-rnn-64", "protocol": "d2l", "cell": "rnn", "hidden_size": 64, "layers": 1, "dropout": 0.0,
           "learning_rate": 1.0, "epochs": 50}
    for cell in ("gru", "lstm"):
        for layers in (3, 5):
            yield {"name": f"d2l-deep-{cell}-{layers}", "protocol": "d2l", "cell": cell, "hidden_size": 32,
                   "layers": layers, "dropout": 0.5, "learning_rate": 2.0, "epochs": 50}


def spear_configs(batches: int):
    for cell in ("gru", "lstm"):
        yield {"name": f"spear-{cell}-128", "protocol": "spear", "cell": cell, "hidden_size": 128, "sequence_length": 20,
               "fc_layers": 1, "learning_rate": 1e-3, "batch_size": 8192, "epochs": 1, "max_batches_per_epoch": batches}


def train_p1(cfg: dict, text: str, seed: int, draws: str) -> dict:
    torch.manual_seed(seed)
    chars = sorted(set(text))
    ids = {c: i for i, c in enumerate(chars)}
    tokens = torch.tensor([ids[c] for c in text])
    L = cfg["sequence_length"]
    starts = torch.arange(len(tokens) - L)
    order = torch.randperm(len(starts), generator=draw_generator(seed, draws))
    n_train = int(len(starts) * 0.8)
    train, val = starts[order[:n_train]], starts[order[n_train:]]
    offsets = torch.arange(L)
    x_train, y_train = tokens[train[:, None] + offsets], tokens[train + L]
    x_val, y_val = tokens[val[:, None] + offsets], tokens[val + L]
    model = CharModel({"cell": cfg["cell"], "hidden_size": cfg["hidden_size"], "vocab_size": len(chars)})
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg["learning_rate"], foreach=False)
    for _ in range(cfg["epochs"]):
        model.train()
        optimizer.zero_grad()
        logits, _ = model(x_train, None, "last-step")
        loss = F.cross_entropy(logits, y_train)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        logits, _ = model(x_val, None, "last-step")
        val_loss = F.cross_entropy(logits, y_val).item()
        accuracy = (logits.argmax(1) == y_val).float().mean().item()
    return {"train_loss": loss.item(), "val_loss": val_loss, "val_accuracy": accuracy, "parameters": sum(p.numel() for p in model.parameters())}


def train_d2l(cfg: dict, text: str, seed: int, draws: str) -> dict:
    torch.manual_seed(seed)
    text = re.sub("[^A-Za-z]+", " ", text).lower()
    vocab = sorted(set(["<unk>"] + list(text)))
    ids = {t: i for i, t in enumerate(vocab)}
    tokens = torch.tensor([ids[c] for c in text])
    L, B = 32, 1024
    offsets = torch.arange(L)
    starts = torch.arange(15_000)
    x = tokens[starts[:, None] + offsets]
    y = tokens[starts[:, None] + offsets + 1]
    x_train, y_train, x_val, y_val = x[:10_000], y[:10_000], x[10_000:], y[10_000:]
    model = CharModel({"cell": cfg["cell"], "hidden_size": cfg["hidden_size"], "layers": cfg["layers"],
                       "dropout": cfg["dropout"], "input": "one-hot", "vocab_size": len(vocab)})
    optimizer = torch.optim.SGD(model.parameters(), lr=cfg["learning_rate"], foreach=False)
    generator = draw_generator(seed, draws)
    for _ in range(cfg["epochs"]):
        model.train()
        order = torch.randperm(10_000, generator=generator)
        total, count = 0.0, 0
        for i in range(0, 10_000, B):
            batch = order[i:i + B]
            optimizer.zero_grad()
            logits, _ = model(x_train[batch], None, "every-step")
            loss = F.cross_entropy(logits, y_train[batch].reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            total += loss.item() * len(batch) * L
            count += len(batch) * L
    model.eval()
    with torch.no_grad():
        loss_sum, correct = 0.0, 0
        for i in range(0, 5_000, B):
            logits, _ = model(x_val[i:i + B], None, "every-step")
            target = y_val[i:i + B].reshape(-1)
            loss_sum += F.cross_entropy(logits, target, reduction="sum").item()
            correct += (logits.argmax(1) == target).sum().item()
    val_loss = loss_sum / (5_000 * L)
    return {"train_loss": total / count, "val_loss": val_loss, "val_accuracy": correct / (5_000 * L),
            "val_perplexity": math.exp(val_loss), "parameters": sum(p.numel() for p in model.parameters())}


def train_spear(cfg: dict, text: str, seed: int, draws: str) -> dict:
    torch.manual_seed(seed)
    chars = sorted(set(text))
    ids = {c: i for i, c in enumerate(chars)}
    tokens = torch.tensor([ids[c] for c in text])
    L, B = cfg["sequence_length"], cfg["batch_size"]
    windows = len(tokens) - L
    offsets = torch.arange(L)
    model = CharModel({"cell": cfg["cell"], "hidden_size": cfg["hidden_size"], "vocab_size": len(chars),
                       "fc_layers": cfg["fc_layers"], "head_activation": "after-first", "activation": "relu"})
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg["learning_rate"], foreach=False)
    generator = draw_generator(seed, draws)
    for _ in range(cfg["epochs"]):
        model.train()
        order = torch.randperm(windows, generator=generator)
        total, count = 0.0, 0
        for b in range(min(cfg["max_batches_per_epoch"], math.ceil(windows / B))):
            starts = order[b * B:(b + 1) * B]
            optimizer.zero_grad()
            logits, _ = model(tokens[starts[:, None] + offsets], None, "last-step")
            loss = F.cross_entropy(logits, tokens[starts + L])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(starts)
            count += len(starts)
    model.eval()
    with torch.no_grad():
        loss_sum, correct = 0.0, 0
        for i in range(0, windows, B):
            starts = torch.arange(i, min(i + B, windows))
            logits, _ = model(tokens[starts[:, None] + offsets], None, "last-step")
            target = tokens[starts + L]
            loss_sum += F.cross_entropy(logits, target, reduction="sum").item()
            correct += (logits.argmax(1) == target).sum().item()
    return {"train_loss": total / count, "val_loss": loss_sum / windows, "val_accuracy": correct / windows,
            "parameters": sum(p.numel() for p in model.parameters())}


def summary(values: list[float]) -> dict:
    return {"mean": statistics.fmean(values), "sd": statistics.stdev(values) if len(values) > 1 else 0.0, "values": values}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="folder with timemachine.txt")
    ap.add_argument("--seeds", type=int, default=3, help="how many seeds (default 3)")
    ap.add_argument("--first-seed", type=int, default=1, help="seeds run first-seed ... first-seed + seeds - 1 (default 1)")
    ap.add_argument("--only", nargs="*", help="config names (default: all)")
    ap.add_argument("--out", type=Path, help="write the JSON here (default: standard output)")
    ap.add_argument("--draws", choices=["independent", "shared"], default="independent",
                    help="the split/shuffle generator's seed: independent of the initialisation's (default) or shared")
    ap.add_argument("--spear-batches", type=int, default=60, help="batches of the spear cut's one epoch (default 60)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    texts = {"p1": (REPO / "sweeps" / "texts" / "nextchar-jhaywoo6.txt").read_text(encoding="utf-8"),
             "d2l": (args.data / "timemachine.txt").read_text(encoding="utf-8"),
             "spear": (args.data / "tinyshakespeare.txt").read_text(encoding="utf-8")}
    trainers = {"p1": train_p1, "d2l": train_d2l, "spear": train_spear}
    if args.seeds < 1 or args.spear_batches < 1 or args.first_seed < 0:
        ap.error(f"--seeds and --spear-batches must be >= 1 and --first-seed >= 0, got {args.seeds}, "
                 f"{args.spear_batches} and {args.first_seed}")
    results = {}
    configs = list(p1_configs()) + list(d2l_configs()) + list(spear_configs(args.spear_batches))
    unknown = sorted(set(args.only or []) - {c["name"] for c in configs})
    if unknown:
        ap.error(f"--only: unknown config(s) {', '.join(unknown)}; known: {', '.join(c['name'] for c in configs)}")
    for cfg in configs:
        if args.only and cfg["name"] not in args.only:
            continue
        runs, start, load_start = [], time.time(), os.getloadavg()
        seeds = list(range(args.first_seed, args.first_seed + args.seeds))
        for seed in seeds:
            runs.append(trainers[cfg["protocol"]](cfg, texts[cfg["protocol"]], seed, args.draws))
        entry = {"config": cfg, "seeds": seeds, "draws": args.draws, "seconds": time.time() - start, "parameters": runs[0]["parameters"],
                 "load_start": list(load_start), "load_end": list(os.getloadavg())}
        for key in ("train_loss", "val_loss", "val_accuracy", "val_perplexity"):
            if key in runs[0]:
                entry[key] = summary([r[key] for r in runs])
        results[cfg["name"]] = entry
        print(f"{cfg['name']}: val_loss {entry['val_loss']['mean']:.4f} ± {entry['val_loss']['sd']:.4f} "
              f"({entry['seconds']:.0f} s)", file=sys.stderr)
    text = json.dumps({"torch_version": torch.__version__, "results": results}, indent=1)
    if args.out:
        args.out.write_text(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()
