#!/usr/bin/env python3
"""Replays our trainer's full-batch Adam steps in PyTorch from one of our checkpoints and compares the
result with a later checkpoint of the same trial: whether a loss difference between our trainer and
PyTorch on a full-batch protocol (Problem 1) can come from what a step computes.

Usage: step_check.py FROM.safetensors TO.safetensors TEXT_FILE [--out FILE]

FROM and TO: checkpoints of one trial config trained with the same seed, FROM at epoch k, TO at epoch
k + n; objective last-step, training.full_batch true, optimizer adam, split none (every window trains)
or random (the windows our seeded shuffle puts on each side: SplitRandom below replays it from the
checkpoint's trial seed). PyTorch loads FROM's weights and Adam moments (step k), runs n full-batch Adam
steps on the training windows of TEXT_FILE (read byte for byte, as our trainer reads a dataset path), and
reports per step the training loss beside ours (TO's epoch history), then the validation loss beside
TO's and each tensor's largest absolute difference from TO's. Prints JSON. Exit 2 for a checkpoint that
does not fit (the message names the file and field).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors import safe_open

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_checkpoint import CheckpointError, read_checkpoint  # noqa: E402
from model import CharModel  # noqa: E402


MASK = (1 << 64) - 1


def mix(x: int) -> int:
    """SplitMix64's finaliser (Sources/CharRNN/Data/Split.swift DerivedSeed.mix)."""
    z = (x + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


class SeededGenerator:
    """Our SeededGenerator (xoshiro256** seeded through SplitMix64), for replaying a random split."""

    def __init__(self, seed: int):
        sm = seed
        words = []
        for _ in range(4):
            sm = (sm + 0x9E3779B97F4A7C15) & MASK
            z = sm
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            words.append(z ^ (z >> 31))
        self.s = words

    def next(self) -> int:
        s = self.s
        rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & MASK  # noqa: E731
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def below(self, bound: int) -> int:
        """Swift's RandomNumberGenerator.next(upperBound:) (Lemire's multiply-and-reject)."""
        m = self.next() * bound
        if (m & MASK) < bound:
            threshold = ((1 << 64) - bound) % bound
            while (m & MASK) < threshold:
                m = self.next() * bound
        return m >> 64


def split_random(count: int, fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """LastStepBatcher's random split of window indices 0..<count: (train, validation), each ascending."""
    order = list(range(count))
    generator = SeededGenerator(seed ^ mix(0x53504C4954000000))  # DerivedSeed.split: "SPLIT"
    for i in range(count - 1, 0, -1):
        j = generator.below(i + 1)
        order[i], order[j] = order[j], order[i]
    train = int(count * (1 - fraction))
    return sorted(order[:train]), sorted(order[train:])


def fail(message: str) -> None:
    print(f"step_check: {message}", file=sys.stderr)
    sys.exit(2)


def checkpoint(path: str) -> dict:
    try:
        state, settings, symbols = read_checkpoint(path)
        with safe_open(path, framework="pt") as f:
            meta = f.metadata() or {}
            adam = {k: f.get_tensor(k) for k in f.keys() if k.startswith("__adam__.")}
    except CheckpointError as e:
        fail(str(e))
    try:
        training = json.loads(meta.get("training", "{}"))
        progress = json.loads(meta.get("state", "{}"))
    except json.JSONDecodeError as e:
        fail(f"{path}: __metadata__ training/state is not JSON: {e}")
    expected = {("training", "objective"): (training.get("objective"), "last-step"),
                ("training", "full_batch"): (training.get("full_batch"), True),
                ("training", "optimizer"): (training.get("optimizer"), "adam")}
    for (section, key), (value, want) in expected.items():
        if value != want:
            fail(f"{path}: __metadata__ {section}.{key} is {value!r}; step_check needs {want!r}")
    if settings["split_kind"] not in ("none", "random"):
        fail(f"{path}: __metadata__ split.kind is {settings['split_kind']!r}; step_check needs 'none' or 'random'")
    fraction = settings["split_fraction"]
    if settings["split_kind"] == "random" and not (isinstance(fraction, (int, float)) and 0 < fraction < 1):
        fail(f"{path}: __metadata__ split.fraction is {fraction!r}; expected a number in (0, 1)")
    try:
        seed = int(meta.get("seed", ""))
    except ValueError:
        fail(f"{path}: __metadata__ seed is {meta.get('seed')!r}; expected an unsigned integer")
    if not 0 <= seed <= MASK:
        fail(f"{path}: __metadata__ seed is {seed}; expected an unsigned 64-bit integer")
    epoch = progress.get("epoch")
    if not isinstance(epoch, int) or epoch < 1:
        fail(f"{path}: __metadata__ state.epoch is {epoch!r}; expected an integer >= 1")
    history = progress.get("history")
    if not isinstance(history, list) or len(history) != epoch:
        fail(f"{path}: __metadata__ state.history has {len(history) if isinstance(history, list) else history!r} "
             f"entries; expected {epoch}")
    losses, val_losses = [], []
    for i, entry in enumerate(history):
        for key, out in (("train_loss", losses), ("val_loss", val_losses)):
            loss = entry.get(key) if isinstance(entry, dict) else None
            if not isinstance(loss, (int, float)):
                fail(f"{path}: __metadata__ state.history[{i}].{key} is {loss!r}; expected a number")
            out.append(float(loss))
    step = progress.get("step", epoch)
    if step != epoch:
        fail(f"{path}: __metadata__ state.step is {step!r} at epoch {epoch}; full-batch training takes one step per epoch")
    lr = training.get("learning_rate")
    if not isinstance(lr, (int, float)) or lr <= 0:
        fail(f"{path}: __metadata__ training.learning_rate is {lr!r}; expected a positive number")
    for name in state:
        for moment in ("m", "v"):
            if f"__adam__.{moment}.{name}" not in adam:
                fail(f"{path}: tensor __adam__.{moment}.{name} is missing")
    return {"state": state, "settings": settings, "symbols": symbols, "adam": adam, "epoch": epoch, "seed": seed,
            "losses": losses, "val_losses": val_losses, "lr": float(lr), "config": settings["config"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("start", help="our checkpoint at epoch k")
    ap.add_argument("end", help="our checkpoint of the same trial at epoch k + n")
    ap.add_argument("text", type=Path)
    ap.add_argument("--out", type=Path, help="write the JSON here too")
    args = ap.parse_args()
    torch.set_num_threads(1)
    a, b = checkpoint(args.start), checkpoint(args.end)
    if a["config"] != b["config"] or a["symbols"] != b["symbols"] or a["seed"] != b["seed"] or a["settings"] != b["settings"]:
        fail(f"{args.end}: config, split, seed or vocabulary differs from {args.start}'s")
    if b["losses"][:a["epoch"]] != a["losses"]:
        fail(f"{args.end}: its first {a['epoch']} epochs' losses differ from {args.start}'s (another seed?)")
    steps = b["epoch"] - a["epoch"]
    if steps < 1:
        fail(f"{args.end}: state.epoch {b['epoch']} is not after {args.start}'s {a['epoch']}")
    try:
        text = args.text.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        fail(f"{args.text}: {e}")
    ids = {s: i for i, s in enumerate(a["symbols"])}
    unknown = sorted(set(text) - set(ids))
    if unknown:
        fail(f"{args.text}: characters {unknown!r} are not in the checkpoint's vocabulary")
    tokens = torch.tensor([ids[c] for c in text])
    L = a["settings"]["sequence_length"]
    stride = a["settings"]["stride"]
    starts = torch.arange(0, len(tokens) - L, stride)
    if a["settings"]["split_kind"] == "random":
        train, validation = split_random(len(starts), a["settings"]["split_fraction"], a["seed"])
    else:
        train = validation = list(range(len(starts)))
    windows = {name: (tokens[starts[idx][:, None] + torch.arange(L)], tokens[starts[idx] + L])
               for name, idx in (("train", torch.tensor(train)), ("validation", torch.tensor(validation)))}
    x, y = windows["train"]

    model = CharModel(a["config"])
    model.load_state_dict(a["state"], strict=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=a["lr"], foreach=False)
    names = dict(model.named_parameters())
    for name, p in names.items():
        optimizer.state[p] = {"step": torch.tensor(float(a["epoch"])), "exp_avg": a["adam"][f"__adam__.m.{name}"].clone(),
                              "exp_avg_sq": a["adam"][f"__adam__.v.{name}"].clone()}
    rows = []
    for step in range(steps):
        model.train()
        optimizer.zero_grad()
        logits, _ = model(x, None, "last-step")
        loss = F.cross_entropy(logits, y)
        loss.backward()
        optimizer.step()
        ours = b["losses"][a["epoch"] + step]
        rows.append({"epoch": a["epoch"] + step + 1, "torch_train_loss": loss.item(), "our_train_loss": ours,
                     "difference": ours - loss.item()})
    model.eval()
    with torch.no_grad():
        logits, _ = model(windows["validation"][0], None, "last-step")
        val_loss = F.cross_entropy(logits, windows["validation"][1]).item()
    tensors = {}
    for name, p in names.items():
        theirs = p.detach()
        mine = b["state"][name]
        tensors[name] = {"max_abs_difference": (theirs - mine).abs().max().item(), "max_abs_value": mine.abs().max().item()}
    result = {"start": str(args.start), "end": str(args.end), "from_epoch": a["epoch"], "steps": steps,
              "split": a["settings"]["split_kind"], "train_windows": len(train), "validation_windows": len(validation),
              "torch_version": torch.__version__, "losses": rows,
              "val_loss": {"torch": val_loss, "ours": b["val_losses"][-1], "difference": b["val_losses"][-1] - val_loss},
              "max_abs_loss_difference": max(abs(r["difference"]) for r in rows), "tensors": tensors}
    text_out = json.dumps(result, indent=1)
    if args.out:
        args.out.write_text(text_out + "\n")
    print(text_out)


if __name__ == "__main__":
    main()
