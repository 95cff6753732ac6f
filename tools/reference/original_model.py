"""The model class of the original 54-model Shakespeare grid report, rebuilt from its description.

Embedding(V, H) -> RNN/LSTM/GRU(H, H, batch_first) -> a head held in an nn.ModuleList of Linear
layers only: fc[0] = Linear(H, V) when fc_layers == 1, else Linear(H, H); then fc_layers - 2 more
Linear(H, H) and a final Linear(H, V). forward applies ReLU right after fc[0] (so with one Linear it
is ReLU on the logits) and nothing after the others, on the last step's output only.

Its state_dict names the head fc.0, fc.1, fc.2 (a ModuleList counts only its modules), where
RNNSweep's default nn.Sequential names them fc.0, fc.2, fc.3 (the ReLU takes index 1). A trial with
`head_names: "module-list"` writes the former, so `load_state_dict(strict=True)` works on this class.
"""

from __future__ import annotations

import torch
import torch.nn as nn

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class OriginalGridModel(nn.Module):
    def __init__(self, vocab_size: int, hidden_size: int, cell: str = "lstm", fc_layers: int = 1):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"cell must be rnn|lstm|gru, got {cell!r}")
        if not isinstance(fc_layers, int) or fc_layers < 1:
            raise ValueError(f"fc_layers must be an integer >= 1, got {fc_layers!r}")
        self.embedding = nn.Embedding(vocab_size, hidden_size)
        self.rnn = CELLS[cell](hidden_size, hidden_size, batch_first=True)
        layers = [nn.Linear(hidden_size, hidden_size) for _ in range(fc_layers - 1)]
        layers.append(nn.Linear(hidden_size, vocab_size))
        self.fc = nn.ModuleList(layers)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """tokens: int64 [B, L] -> logits [B, V] of the last step."""
        out, _ = self.rnn(self.embedding(tokens))
        x = torch.relu(self.fc[0](out[:, -1, :]))
        for layer in self.fc[1:]:
            x = layer(x)
        return x


def original_model_for(config: dict) -> OriginalGridModel:
    """The original class for one of our model configs; refuses configs it cannot represent."""
    wanted = {"layers": 1, "input": "embedding", "head_activation": "after-first", "activation": "relu",
              "batch_norm": False, "head_names": "module-list"}
    for key, value in wanted.items():
        if config.get(key, value) != value:
            raise ValueError(f"config: the original class needs {key} = {value!r}, got {config.get(key)!r}")
    H = config["hidden_size"]
    if config.get("embedding_size", H) != H or any(w != H for w in config.get("fc_hidden", [])):
        raise ValueError("config: the original class needs embedding_size and every fc_hidden width = hidden_size")
    if (config.get("dropout") or 0) != 0 or (config.get("head_dropout") or 0) != 0:
        raise ValueError("config: the original class has no dropout")
    return OriginalGridModel(config["vocab_size"], H, config["cell"], config.get("fc_layers", 1))
