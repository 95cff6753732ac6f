/// The allocator's decision: lend idle cores when there is no work for them, take them back
/// when there is.
extension CoreAllocator {
    /// - Parameters:
    ///   - idle: members that said READY and train nothing, in arrival order (their cores may be lent).
    ///   - runnable: trials waiting for a worker now.
    ///   - remaining: estimated work left of a running trial; larger ones get spare cores first.
    mutating func rebalance(idle: [String], runnable: Int, remaining: (String) -> Double) -> [CoreCommand] {
        // Cores of departed lenders go back in any case.
        let departed = Set(held.filter { members[$0.key] == nil && !$0.value.isEmpty }.keys)
        var commands = departed.isEmpty ? [] : reclaim(lenders: departed)
        if runnable > 0 {
            commands += reclaimFor(runnable: runnable, idle: idle)
        } else {
            commands += lend(idle: Set(idle), remaining: remaining)
        }
        return commands
    }

    /// Takes back the cores of as many lending idle workers as trials wait (first come first).
    private mutating func reclaimFor(runnable: Int, idle: [String]) -> [CoreCommand] {
        let lenders = idle.filter { !mayAssign(member: $0) }.prefix(runnable)
        return lenders.isEmpty ? [] : reclaim(lenders: Set(lenders))
    }

    /// Spreads the free cores of each host evenly over its running attempts (the larger remaining
    /// work first for the remainder); only grows, so no attempt is shrunk to grow another.
    private mutating func lend(idle: Set<String>, remaining: (String) -> Double) -> [CoreCommand] {
        var commands: [CoreCommand] = []
        let hosts = Set(grants.values.map(\.host))
        for host in hosts.sorted() {
            var free = freeSlots(host: host, idle: idle)
            guard !free.isEmpty else { continue }
            let borrowers = grants.filter { $0.value.host == host && !$0.value.inFlight && $0.value.releasing.isEmpty
                && members[$0.value.member]?.worker == $0.value.worker }
                .sorted { a, b in
                    let ra = remaining(a.key), rb = remaining(b.key)
                    return ra != rb ? ra > rb : a.key < b.key
                }
            guard !borrowers.isEmpty else { continue }
            let total = free.count + borrowers.reduce(0) { $0 + $1.value.borrowed.count }
            for (i, entry) in borrowers.enumerated() {
                var grant = entry.value
                let share = total / borrowers.count + (i < total % borrowers.count ? 1 : 0)
                let target = min(share, maxThreads - grant.base)
                guard target > grant.borrowed.count else { continue }
                let previous = grant.commanded
                while grant.borrowed.count < target, !free.isEmpty {
                    // Its own worker's spare cores first, then others in arrival order.
                    let pick = free.firstIndex { $0.lender == grant.member } ?? free.startIndex
                    let slot = free.remove(at: pick)
                    hold(slot)
                    grant.borrowed.append(slot)
                }
                grant.commanded = grant.base + grant.borrowed.count
                guard grant.commanded != previous else { continue }
                setGrant(entry.key, grant)
                commands.append(command(entry.key, grant, previous: previous))
            }
        }
        return commands
    }

    /// Cores of `host` nobody uses: every core of an idle member, the spare cores of a busy one.
    private func freeSlots(host: String, idle: Set<String>) -> [Slot] {
        var slots: [Slot] = []
        for key in memberOrder {
            guard let member = members[key], member.host == host else { continue }
            let own = grants.values.first { $0.member == key }
            let first: Int
            if let own { first = own.base } else if idle.contains(key) { first = 0 } else { continue }
            let taken = held[key] ?? []
            for index in first..<max(first, member.cores) where !taken.contains(index) {
                slots.append(Slot(lender: key, index: index))
            }
        }
        return slots
    }
}
