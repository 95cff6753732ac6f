/// Owns every scratch buffer of a model: all are allocated once, for the largest batch, when the
/// model is built, so a training step never touches the heap.
final class Workspace {
    private var blocks: [UnsafeMutableRawPointer] = []
    private(set) var floats = 0

    func floats(_ count: Int) -> UnsafeMutablePointer<Float> {
        let n = max(count, 1)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: n * 4, alignment: 64)
        blocks.append(raw)
        floats += n
        let p = raw.bindMemory(to: Float.self, capacity: n)
        p.initialize(repeating: 0, count: n)
        return p
    }

    func ints(_ count: Int) -> UnsafeMutablePointer<Int32> {
        let n = max(count, 1)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: n * 4, alignment: 64)
        blocks.append(raw)
        let p = raw.bindMemory(to: Int32.self, capacity: n)
        p.initialize(repeating: 0, count: n)
        return p
    }

    deinit { for b in blocks { b.deallocate() } }
}
