/// The queue of trial ids waiting for a worker, front first, with every operation O(1) amortized
/// however long the sweep: a sweep of many small trials takes one decision per trial, so a queue
/// that shifted or searched an array per decision would cost O(N) each and O(N²) in all.
///
/// Requeued trials go to the front (a stack), the rest wait in schedule order behind them (an
/// array read from a moving head). Removing a trial only forgets its ticket; the stale entry is
/// skipped and dropped when the scan reaches it, and pushing a trial again gives it a new ticket,
/// so it is never in the queue twice.
struct TrialQueue: Sendable {
    private struct Entry: Sendable {
        let id: String
        let ticket: Int
    }

    /// Front entries, the first in line last.
    private var front: [Entry] = []
    private var back: [Entry] = []
    private var head = 0
    /// The live ticket of each queued trial; an entry whose ticket differs is stale.
    private var tickets: [String: Int] = [:]
    private var nextTicket = 0
    /// Entries examined by `first(where:)`, live or stale: the work the queue did.
    private(set) var entriesExamined = 0

    var count: Int { tickets.count }
    func contains(_ id: String) -> Bool { tickets[id] != nil }

    /// Adds `id` behind everything queued (moving it there if it was queued).
    mutating func pushBack(_ id: String) {
        back.append(Entry(id: id, ticket: issue(id)))
    }

    /// Puts `id` first in line (moving it there if it was queued).
    mutating func pushFront(_ id: String) {
        front.append(Entry(id: id, ticket: issue(id)))
    }

    mutating func remove(_ id: String) {
        tickets[id] = nil
    }

    /// The first queued id that `accept`s, leaving it queued. Stale entries met on the way are
    /// dropped; live ones that do not accept (orphans waiting for their worker) are stepped over.
    mutating func first(where accept: (String) -> Bool) -> String? {
        var index = front.count - 1
        while index >= 0 {
            entriesExamined += 1
            let entry = front[index]
            if tickets[entry.id] != entry.ticket {
                if index == front.count - 1 { front.removeLast() }
            } else if accept(entry.id) {
                return entry.id
            }
            index -= 1
        }
        var position = head
        while position < back.count {
            entriesExamined += 1
            let entry = back[position]
            if tickets[entry.id] != entry.ticket {
                if position == head { head += 1 }
            } else if accept(entry.id) {
                compact()
                return entry.id
            }
            position += 1
        }
        compact()
        return nil
    }

    /// Whether every queued id, front first, satisfies `accept`; stops at the first that does not.
    func allSatisfy(_ accept: (String) -> Bool) -> Bool {
        for entry in front.reversed() where tickets[entry.id] == entry.ticket {
            if !accept(entry.id) { return false }
        }
        for entry in back[head...] where tickets[entry.id] == entry.ticket {
            if !accept(entry.id) { return false }
        }
        return true
    }

    /// Every queued id, front first (O(N): for tests and diagnostics, not per decision).
    var ids: [String] {
        (front.reversed() + back[head...]).filter { tickets[$0.id] == $0.ticket }.map(\.id)
    }

    private mutating func issue(_ id: String) -> Int {
        nextTicket += 1
        tickets[id] = nextTicket
        return nextTicket
    }

    /// Gives back the space of entries the head has passed once they are most of the array.
    private mutating func compact() {
        guard head > 1024, head * 2 > back.count else { return }
        back.removeFirst(head)
        head = 0
    }
}
