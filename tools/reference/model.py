"""The RNNSweep character model in PyTorch — the reference the Swift trainer is checked against.

Built from a config dict with the shared snake_case keys (the keys of docs/sweep-file.md):
  cell ("rnn"|"lstm"|"gru"), layers, hidden_size, input ("embedding"|"one-hot"), embedding_size
  (default hidden_size; ignored for one-hot), vocab_size, fc_layers, fc_hidden (fc_layers-1 widths,
  default hidden_size each), head_activation ("between"|"after-first"), activation ("relu"|"tanh"),
  batch_norm, dropout (between recurrent layers), head_dropout, head_names ("sequential"|"module-list").

state_dict names: embedding.weight, rnn.{weight_ih,weight_hh,bias_ih,bias_hh}_l{k}, fc.<i>.* where
the head's indices count every module. Head layout, for block i in 0..<fc_layers-1:
  Linear(w_i, w_{i+1}), [BatchNorm1d if batch_norm], [activation], [Dropout if head_dropout > 0]
then Linear(w_last, V). With head_names "module-list" the head's tensors are named as an
nn.ModuleList of the Linear layers alone would name them (fc.0, fc.1, ...; see original_model.py);
the modules and their order are the same. With head_activation "between" every block has the activation; with
"after-first" only block 0 has it (right after its Linear, or after its BatchNorm when batch_norm is
set), and with fc_layers == 1 the activation follows the final Linear (ReLU on the logits).
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh}


def normalized_config(config: dict) -> dict:
    """Fills defaults and validates; raises ValueError naming the key and value."""
    c = dict(config)
    for key in ("cell", "hidden_size", "vocab_size"):
        if key not in c:
            raise ValueError(f"config: missing required key '{key}'")
    c.setdefault("layers", 1)
    c.setdefault("input", "embedding")
    if c.get("embedding_size") is None:
        c["embedding_size"] = c["hidden_size"]
    c.setdefault("fc_layers", 1)
    if c.get("fc_hidden") is None:
        c["fc_hidden"] = [c["hidden_size"]] * (c["fc_layers"] - 1)
    c.setdefault("head_activation", "between")
    c.setdefault("activation", "relu")
    c.setdefault("batch_norm", False)
    c.setdefault("head_names", "sequential")
    c["dropout"] = c.get("dropout") or 0.0
    c["head_dropout"] = c.get("head_dropout") or 0.0

    if c["cell"] not in CELLS:
        raise ValueError(f"config: cell must be rnn|lstm|gru, got {c['cell']!r}")
    if c["input"] not in ("embedding", "one-hot"):
        raise ValueError(f"config: input must be embedding|one-hot, got {c['input']!r}")
    if c["activation"] not in ACTIVATIONS:
        raise ValueError(f"config: activation must be relu|tanh, got {c['activation']!r}")
    if c["head_activation"] not in ("between", "after-first"):
        raise ValueError(f"config: head_activation must be between|after-first, got {c['head_activation']!r}")
    if not isinstance(c["fc_layers"], int) or c["fc_layers"] < 1:
        raise ValueError(f"config: fc_layers must be an integer >= 1, got {c['fc_layers']!r}")
    if len(c["fc_hidden"]) != c["fc_layers"] - 1:
        raise ValueError(
            f"config: fc_hidden must list fc_layers-1 = {c['fc_layers'] - 1} widths, got {c['fc_hidden']!r}")
    if not isinstance(c["layers"], int) or not 1 <= c["layers"] <= 8:
        raise ValueError(f"config: layers must be an integer in 1...8, got {c['layers']!r}")
    if c["head_names"] not in ("sequential", "module-list"):
        raise ValueError(f"config: head_names must be sequential|module-list, got {c['head_names']!r}")
    if c["head_names"] == "module-list" and c["batch_norm"]:
        raise ValueError("config: head_names module-list cannot hold the head's BatchNorm")
    for key in ("dropout", "head_dropout"):
        if not 0.0 <= c[key] < 1.0:
            raise ValueError(f"config: {key} must be in [0, 1), got {c[key]!r}")
    return c


class CharModel(nn.Module):
    def __init__(self, config: dict):
        super().__init__()
        c = normalized_config(config)
        self.config = c
        self.cell = c["cell"]
        self.vocab_size = V = c["vocab_size"]
        H = c["hidden_size"]
        self.one_hot = c["input"] == "one-hot"
        if self.one_hot:
            rnn_input = V
        else:
            self.embedding = nn.Embedding(V, c["embedding_size"])
            rnn_input = c["embedding_size"]

        kwargs = dict(input_size=rnn_input, hidden_size=H, num_layers=c["layers"], batch_first=True,
                      dropout=c["dropout"] if c["layers"] > 1 else 0.0)
        if self.cell == "rnn":
            kwargs["nonlinearity"] = "tanh"
        self.rnn = CELLS[self.cell](**kwargs)

        act = ACTIVATIONS[c["activation"]]
        widths = [H] + list(c["fc_hidden"])
        modules: list[nn.Module] = []
        for i in range(c["fc_layers"] - 1):
            modules.append(nn.Linear(widths[i], widths[i + 1]))
            if c["batch_norm"]:
                modules.append(nn.BatchNorm1d(widths[i + 1]))
            if c["head_activation"] == "between" or i == 0:
                modules.append(act())
            if c["head_dropout"] > 0:
                modules.append(nn.Dropout(c["head_dropout"]))
        modules.append(nn.Linear(widths[-1], V))
        if c["fc_layers"] == 1 and c["head_activation"] == "after-first":
            modules.append(act())
        self.fc = nn.Sequential(*modules)

        self.module_list_names = c["head_names"] == "module-list"

    def _linear_positions(self) -> list[int]:
        return [i for i, m in enumerate(self.fc) if isinstance(m, nn.Linear)]

    def state_dict(self, *args, **kwargs):
        """With head_names "module-list", fc.<k> counts only the Linear layers."""
        state = super().state_dict(*args, **kwargs)
        if not self.module_list_names:
            return state
        renamed = {f"fc.{i}.": f"fc.{k}." for k, i in enumerate(self._linear_positions())}
        out = type(state)()
        for name, value in state.items():
            for old, new in renamed.items():
                if name.startswith(old):
                    name = new + name[len(old):]
                    break
            out[name] = value
        return out

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        if self.module_list_names:
            renamed = {f"fc.{k}.": f"fc.{i}." for k, i in enumerate(self._linear_positions())}
            mapped = {}
            for name, value in state_dict.items():
                for old, new in renamed.items():
                    if name.startswith(old):
                        name = new + name[len(old):]
                        break
                mapped[name] = value
            state_dict = mapped
        return super().load_state_dict(state_dict, strict=strict, assign=assign)

    def forward(self, tokens: torch.Tensor, state=None, objective: str = "last-step"):
        """tokens: int64 [B, L]. state: None (zeros), h [layers, B, H], or (h, c) for LSTM.

        Returns (logits, final_state): logits [B, V] for last-step, [B*L, V] for every-step
        (rows in (batch, time) order)."""
        if self.one_hot:
            x = F.one_hot(tokens, self.vocab_size).to(torch.float32)
        else:
            x = self.embedding(tokens)
        out, final_state = self.rnn(x, state)
        if objective == "last-step":
            logits = self.fc(out[:, -1, :])
        elif objective in ("every-step", "window-every-step"):
            logits = self.fc(out.reshape(-1, out.shape[-1]))
        else:
            raise ValueError(f"objective must be last-step|every-step, got {objective!r}")
        return logits, final_state


def detach_state(state):
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
