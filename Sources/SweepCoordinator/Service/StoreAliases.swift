import SweepStore

/// The store's result row. The module and its main class share the name `SweepStore`, and
/// SweepProtocol has its own `TrialResult`, so the row gets an unambiguous name here.
typealias StoreTrialResult = TrialResult
