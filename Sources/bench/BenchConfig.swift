import ArgumentParser
import CharRNN

/// One benchmark model: Embedding(65, H) → 1-layer LSTM/GRU(H) → Linear(H, 65), written
/// `cell-H-L` (last-step objective, as tools/reference/torch_bench.py) or `cell-H-L-every`; a `-fN`
/// suffix gives the head N Linear layers (`lstm-512-50-f3` is the largest Shakespeare-grid model).
struct BenchConfig: Equatable, CustomStringConvertible {
    static let vocab = 65
    /// The batch of tools/reference/torch_bench.py (`bench train --batch` changes it).
    static let defaultBatch = 128

    let cell: ModelConfig.Cell
    let hidden: Int
    let seqLen: Int
    let objective: Objective
    var fcLayers = 1

    var description: String {
        "\(cell.rawValue)-\(hidden)-\(seqLen)" + (objective == .everyStep ? "-every" : "") + (fcLayers > 1 ? "-f\(fcLayers)" : "")
    }

    /// The 12 reference configs compared with PyTorch (docs/torch-bench.md), then every-step at H = 256.
    static let lastStepGrid: [BenchConfig] = [ModelConfig.Cell.lstm, .gru].flatMap { cell in
        [128, 256, 512].flatMap { h in [20, 50].map { BenchConfig(cell: cell, hidden: h, seqLen: $0, objective: .lastStep) } }
    }
    static let everyStepH256: [BenchConfig] = [ModelConfig.Cell.lstm, .gru].flatMap { cell in
        [20, 50].map { BenchConfig(cell: cell, hidden: 256, seqLen: $0, objective: .everyStep) }
    }

    init(cell: ModelConfig.Cell, hidden: Int, seqLen: Int, objective: Objective) {
        self.cell = cell
        self.hidden = hidden
        self.seqLen = seqLen
        self.objective = objective
    }

    init(parsing text: String) throws {
        var parts = text.lowercased().split(separator: "-").map(String.init)
        var fcLayers = 1
        if let last = parts.last, last.hasPrefix("f"), let f = Int(last.dropFirst()), f >= 1 {
            fcLayers = f
            parts.removeLast()
        }
        guard parts.count == 3 || (parts.count == 4 && parts[3] == "every"),
              let cell = ModelConfig.Cell(rawValue: parts[0]), cell != .rnn,
              let hidden = Int(parts[1]), hidden > 0, let seqLen = Int(parts[2]), seqLen > 0 else {
            throw ValidationError("--configs: bad config '\(text)'; expected CELL-HIDDEN-SEQLEN[-every][-fN] like lstm-128-20, gru-256-50-every or lstm-512-50-f3")
        }
        self.init(cell: cell, hidden: hidden, seqLen: seqLen, objective: parts.count == 4 ? .everyStep : .lastStep)
        self.fcLayers = fcLayers
    }

    var gates: Int { cell == .lstm ? 4 : 3 }

    /// PyTorch-equivalent FLOPs per sample per time step (E = H), as tools/reference/torch_bench.py:
    /// 3·2·G·H·(E+H) for forward + backward of the gate products, plus the head 3·2·H·V at the last
    /// step (spread over L steps) or at every step.
    var flopsPerSampleStep: Double {
        let g = Double(gates), h = Double(hidden), e = Double(hidden), v = Double(Self.vocab)
        let head = 3 * 2 * h * v + 3 * 2 * h * h * Double(fcLayers - 1)
        return 3 * 2 * g * h * (e + h) + (objective == .lastStep ? head / Double(seqLen) : head)
    }

    static let flopFormula = "FLOPs per sample per time step = 3·2·G·H·(E+H) + 3·2·H·(V + (f−1)·H)/L (last-step) or without /L (every-step); f = FC layers; G = 4 LSTM, 3 GRU; E = H; V = 65"
}
