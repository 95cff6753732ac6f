#!/usr/bin/env python3
"""Loads an RNNSweep checkpoint into the PyTorch reference model and prints its validation loss.

Usage: load_checkpoint.py CHECKPOINT TEXT_FILE [--json] [--split-fraction F] [--split-kind K]
                          [--objective O] [--sequence-length L] [--batch-size B] [--stride S]
                          [--original-class]

With --original-class the tensors are loaded, strict=True, into the original Shakespeare-grid
report's own model class (original_model.py, a ModuleList head) instead of our reference model: a
checkpoint of a trial with head_names "module-list" loads there unchanged; one with the default
nn.Sequential names does not (its error says which names differ).

The checkpoint is a safetensors file whose tensors carry PyTorch state_dict names; tensors whose name
starts with "__" (optimizer moments, RNG state, ...) are ignored. Every other tensor must match the
model built from the config exactly (load_state_dict strict=True), so a wrong name or shape is an error.

__metadata__ keys read (each value is a JSON string, as the Swift side writes it):
  config      REQUIRED. Object with the model keys of the shared vocabulary -- cell, layers,
              hidden_size, input, embedding_size, fc_layers, fc_hidden, head_activation, activation,
              batch_norm, dropout, head_dropout -- plus vocab_size. It may also hold the training keys
              below (a flattened trial config).
  vocabulary  REQUIRED. A JSON string holding the symbols in id order, e.g. "\\n !$&'..." (Swift's
              Vocabulary Codable form); a JSON list of one-symbol strings is accepted too.
  training    optional. Object; read: objective ("last-step"|"every-step", default last-step),
              sequence_length (required from here or config), stride (last-step, default 1),
              batch_size (required for every-step). Where both are present, `training` wins over `config`.
  split       optional. Object {"kind": "tail"|"none"|"random"|"windows", "fraction": 0.1,
              "train_windows": N, "validation_windows": M}; default tail 0.1.
              "random" cannot be reproduced here (it needs the Swift seeded shuffle): error.
  dataset     optional. Object; read: preprocess ("none"|"letters-lowercase"), also accepted in config;
              unk_token (the vocabulary holds U+FFFD for d2l's <unk>; other characters map to it).

Validation set, as Sources/CharRNN/Data (Split, LastStepBatcher, EveryStepBatcher) defines it:
  tail: the text's n tokens split at cut = int(n * (1 - fraction)); validation = tokens[cut:].
  none: validation = the whole text.
  windows: windows start at 0, stride, 2*stride, ...; validation = windows N .. N+M-1 (evaluated
             with targets at every step for window-every-step, at the last step for last-step).
  last-step: a window starts at every p = cut, cut+stride, ... with p + L < n; input tokens[p:p+L],
             target tokens[p+L]; zero initial state; loss = mean cross-entropy over the windows.
  every-step: the validation tokens (m of them) form B streams of T = (m-1)//B steps; stream b reads
             tokens[cut + b*T + t] and predicts the next; chunks of L steps (the last may be shorter)
             with the hidden state carried; loss = mean over the B*T targets.
The model runs in eval mode (BatchNorm uses running statistics, dropout off).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors import safe_open

sys.path.insert(0, str(Path(__file__).resolve().parent))
from model import CharModel, detach_state  # noqa: E402
from original_model import original_model_for  # noqa: E402


class CheckpointError(Exception):
    pass


def _json_meta(meta: dict, key: str, path: str, required: bool):
    if key not in meta:
        if required:
            raise CheckpointError(f"{path}: __metadata__ has no '{key}' entry (have: {sorted(meta)})")
        return None
    try:
        return json.loads(meta[key])
    except json.JSONDecodeError as e:
        raise CheckpointError(f"{path}: __metadata__ '{key}' is not valid JSON ({e}): {meta[key][:80]!r}")


def read_checkpoint(path: str):
    """Returns (state_dict without '__' entries, settings dict, vocabulary list)."""
    try:
        with safe_open(path, framework="pt") as f:
            meta = f.metadata() or {}
            state = {k: f.get_tensor(k) for k in f.keys() if not k.startswith("__")}
    except Exception as e:  # safetensors raises several types for unreadable files
        raise CheckpointError(f"{path}: not a readable safetensors file: {e}")

    config = _json_meta(meta, "config", path, required=True)
    if not isinstance(config, dict):
        raise CheckpointError(f"{path}: __metadata__ 'config' must be a JSON object")
    training = _json_meta(meta, "training", path, required=False) or {}
    split = _json_meta(meta, "split", path, required=False) or {}
    dataset = _json_meta(meta, "dataset", path, required=False) or {}
    vocab = _json_meta(meta, "vocabulary", path, required=True)
    if isinstance(vocab, str):
        symbols = list(vocab)
    elif isinstance(vocab, list) and all(isinstance(s, str) and len(s) == 1 for s in vocab):
        symbols = vocab
    else:
        raise CheckpointError(f"{path}: __metadata__ 'vocabulary' must be a JSON string of symbols")
    if len(set(symbols)) != len(symbols):
        raise CheckpointError(f"{path}: __metadata__ 'vocabulary' repeats a symbol")
    if config.get("vocab_size") != len(symbols):
        raise CheckpointError(f"{path}: config.vocab_size = {config.get('vocab_size')!r} but the vocabulary "
                              f"has {len(symbols)} symbols")

    def pick(key, default=None):
        for source in (training, config):
            if key in source and source[key] is not None:
                return source[key]
        return default

    settings = {
        "objective": pick("objective", "last-step"),
        "sequence_length": pick("sequence_length"),
        "stride": pick("stride", 1),
        "batch_size": pick("batch_size"),
        "split_kind": split.get("kind", "tail"),
        "split_fraction": split.get("fraction", 0.1),
        "train_windows": split.get("train_windows"),
        "validation_windows": split.get("validation_windows"),
        "preprocess": dataset.get("preprocess", config.get("preprocess", "none")),
        "config": config,
    }
    return state, settings, symbols


def preprocess(text: str, how: str) -> str:
    if how in (None, "none"):
        return text
    if how == "letters-lowercase":
        return re.sub("[^A-Za-z]+", " ", text).lower()
    raise CheckpointError(f"preprocess must be none|letters-lowercase, got {how!r}")


def validation_range(n: int, kind: str, fraction: float) -> range:
    if kind == "none":
        return range(0, n)
    if kind == "tail":
        if not 0 < fraction < 1:
            raise CheckpointError(f"split.fraction must be in (0, 1), got {fraction!r}")
        return range(int(n * (1 - fraction)), n)
    raise CheckpointError(f"split.kind {kind!r} cannot be evaluated here (random needs the Swift shuffle); "
                          f"pass --split-kind tail or none")


@torch.no_grad()
def evaluate_last_step(model, tokens: torch.Tensor, rng: range, L: int, stride: int, batch: int = 1024):
    starts = torch.arange(rng.start, rng.stop - L, stride)
    if len(starts) == 0:
        raise CheckpointError(f"validation part has {len(rng)} tokens: too short for one window of {L} + target")
    total, correct = 0.0, 0
    offsets = torch.arange(L)
    for i in range(0, len(starts), batch):
        s = starts[i:i + batch]
        x = tokens[s[:, None] + offsets[None, :]]
        y = tokens[s + L]
        logits, _ = model(x, None, "last-step")
        total += F.cross_entropy(logits, y, reduction="sum").item()
        correct += (logits.argmax(1) == y).sum().item()
    return total / len(starts), correct / len(starts), len(starts)


@torch.no_grad()
def evaluate_every_step(model, tokens: torch.Tensor, rng: range, L: int, B: int):
    T = (len(rng) - 1) // B
    if T < 1:
        raise CheckpointError(f"validation part has {len(rng)} tokens: too short for {B} streams (batch_size)")
    base = rng.start + torch.arange(B)[:, None] * T
    state, total, correct = None, 0.0, 0
    for t0 in range(0, T, L):
        idx = base + torch.arange(t0, min(t0 + L, T))[None, :]
        x, y = tokens[idx], tokens[idx + 1].reshape(-1)
        logits, state = model(x, state, "every-step")
        state = detach_state(state)
        total += F.cross_entropy(logits, y, reduction="sum").item()
        correct += (logits.argmax(1) == y).sum().item()
    return total / (B * T), correct / (B * T), B * T


@torch.no_grad()
def evaluate_windows(model, tokens: torch.Tensor, first: int, count: int, L: int, stride: int, every_step: bool,
                     batch: int = 1024):
    starts = torch.arange(first, first + count) * stride
    if len(starts) == 0 or int(starts[-1]) + L >= len(tokens):
        raise CheckpointError(f"the text's {len(tokens)} tokens hold fewer than {first + count} windows of {L}")
    total, correct, targets = 0.0, 0, 0
    offsets = torch.arange(L)
    for i in range(0, len(starts), batch):
        s = starts[i:i + batch]
        x = tokens[s[:, None] + offsets[None, :]]
        if every_step:
            y = tokens[s[:, None] + offsets[None, :] + 1].reshape(-1)
            logits, _ = model(x, None, "every-step")
        else:
            y = tokens[s + L]
            logits, _ = model(x, None, "last-step")
        total += F.cross_entropy(logits, y, reduction="sum").item()
        correct += (logits.argmax(1) == y).sum().item()
        targets += len(y)
    return total / targets, correct / targets, targets


class _OriginalAdapter(torch.nn.Module):
    """The original class behind the reference model's call signature (last step only)."""

    def __init__(self, original):
        super().__init__()
        self.original = original

    def forward(self, tokens, state=None, objective="last-step"):
        if objective != "last-step" or state is not None:
            raise CheckpointError("the original class predicts from the last step only")
        return self.original(tokens), None


def evaluate_checkpoint(checkpoint: str, text_file: str, overrides: dict | None = None,
                        original_class: bool = False) -> dict:
    state, settings, symbols = read_checkpoint(checkpoint)
    settings.update({k: v for k, v in (overrides or {}).items() if v is not None})
    try:
        model = original_model_for(settings["config"]) if original_class else CharModel(settings["config"])
    except ValueError as e:
        raise CheckpointError(f"{checkpoint}: {e}")
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as e:
        raise CheckpointError(f"{checkpoint}: tensors do not match the config's model: {e}")
    model.eval()
    if original_class:
        model = _OriginalAdapter(model)

    try:
        text = Path(text_file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise CheckpointError(f"{text_file}: cannot read as UTF-8 text: {e}")
    text = preprocess(text, settings["preprocess"])
    ids = {s: i for i, s in enumerate(symbols)}
    if "\ufffd" in ids:  # d2l's <unk>: characters outside the vocabulary map to it
        unk = ids["\ufffd"]
        text_ids = [ids.get(ch, unk) for ch in text]
    else:
        text_ids = None
    try:
        tokens = torch.tensor(text_ids if text_ids is not None else [ids[ch] for ch in text], dtype=torch.int64)
    except KeyError as e:
        pos = next(i for i, ch in enumerate(text) if ch not in ids)
        raise CheckpointError(f"{text_file}: character {e.args[0]!r} at offset {pos} is not in the checkpoint's "
                              f"vocabulary of {len(symbols)} symbols")

    L = settings["sequence_length"]
    if not isinstance(L, int) or L < 1:
        raise CheckpointError(f"{checkpoint}: sequence_length must be an integer >= 1 (from 'training' or "
                              f"'config' metadata, or --sequence-length), got {L!r}")
    objective = settings["objective"]
    if settings["split_kind"] == "windows":
        first, count = settings["train_windows"], settings["validation_windows"]
        if not isinstance(first, int) or not isinstance(count, int) or first < 1 or count < 1:
            raise CheckpointError(f"{checkpoint}: split windows needs train_windows and validation_windows >= 1")
        if objective not in ("last-step", "window-every-step"):
            raise CheckpointError(f"{checkpoint}: split windows needs objective last-step or window-every-step")
        loss, acc, count = evaluate_windows(model, tokens, first, count, L, int(settings["stride"]),
                                            objective == "window-every-step")
        return {"val_loss": loss, "val_accuracy": acc, "val_perplexity": math.exp(loss), "targets": count,
                "objective": objective, "sequence_length": L, "split_kind": "windows",
                "split_fraction": None, "validation_tokens": None,
                "parameters": sum(p.numel() for p in model.parameters())}
    rng = validation_range(len(tokens), settings["split_kind"], settings["split_fraction"])
    if objective == "last-step":
        loss, acc, count = evaluate_last_step(model, tokens, rng, L, int(settings["stride"]))
    elif objective == "every-step":
        B = settings["batch_size"]
        if not isinstance(B, int) or B < 1:
            raise CheckpointError(f"{checkpoint}: every-step needs batch_size >= 1 (from 'training' or 'config' "
                                  f"metadata, or --batch-size), got {B!r}")
        loss, acc, count = evaluate_every_step(model, tokens, rng, L, B)
    else:
        raise CheckpointError(f"{checkpoint}: objective must be last-step|every-step, got {objective!r}")
    return {"val_loss": loss, "val_accuracy": acc, "val_perplexity": math.exp(loss), "targets": count,
            "objective": objective, "sequence_length": L, "split_kind": settings["split_kind"],
            "split_fraction": settings["split_fraction"], "validation_tokens": len(rng),
            "parameters": sum(p.numel() for p in model.parameters())}


def main() -> None:
    ap = argparse.ArgumentParser(description="Validation loss of an RNNSweep checkpoint, computed by PyTorch")
    ap.add_argument("checkpoint")
    ap.add_argument("text_file")
    ap.add_argument("--json", action="store_true", help="print a JSON object")
    ap.add_argument("--split-kind", choices=["tail", "none"])
    ap.add_argument("--split-fraction", type=float)
    ap.add_argument("--objective", choices=["last-step", "every-step"])
    ap.add_argument("--sequence-length", type=int)
    ap.add_argument("--batch-size", type=int)
    ap.add_argument("--stride", type=int)
    ap.add_argument("--original-class", action="store_true",
                    help="load into the original grid report's ModuleList model class (head_names module-list)")
    args = ap.parse_args()
    overrides = {"split_kind": args.split_kind, "split_fraction": args.split_fraction, "objective": args.objective,
                 "sequence_length": args.sequence_length, "batch_size": args.batch_size, "stride": args.stride}
    torch.set_num_threads(1)
    try:
        r = evaluate_checkpoint(args.checkpoint, args.text_file, overrides, original_class=args.original_class)
    except CheckpointError as e:
        print(f"load_checkpoint: error: {e}", file=sys.stderr)
        sys.exit(2)
    if args.json:
        print(json.dumps(r))
    else:
        print(f"val_loss {r['val_loss']:.6f}  val_accuracy {r['val_accuracy']:.4f}  "
              f"val_perplexity {r['val_perplexity']:.4f}  ({r['targets']} targets, {r['objective']}, "
              f"L={r['sequence_length']}, split {r['split_kind']} {r['split_fraction']}, "
              f"{r['parameters']} parameters)")


if __name__ == "__main__":
    main()
