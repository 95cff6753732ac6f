/// torch.nn.utils.clip_grad_norm_: total = ‖(‖g_1‖, …, ‖g_n‖)‖₂ over all parameters;
/// if max_norm / (total + 1e-6) < 1, every gradient is scaled by that factor.
/// Returns the total norm before clipping (non-finite if any gradient is).
@discardableResult
public func clipGradientNorm(_ store: ParameterStore, maxNorm: Double) -> Double {
    let total = gradientNorm(store)
    let coef = maxNorm / (total + 1e-6)
    if coef < 1 {
        let c = Float(coef), g = store.gradients
        for i in 0..<store.count { g[i] *= c }
    }
    return total
}

/// Global L2 norm of all gradients (accumulated in Double).
public func gradientNorm(_ store: ParameterStore) -> Double {
    var s = 0.0
    let g = store.gradients
    for i in 0..<store.count { let x = Double(g[i]); s += x * x }
    return s.squareRoot()
}
