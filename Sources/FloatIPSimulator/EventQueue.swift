import FloatIPCore

/// A min-heap of timed events; ties run in the order they were scheduled, so a run is deterministic.
/// The heap holds small keys; the events themselves stay put in slots (moving them is costly).
struct EventQueue<Event> {
    private struct Key {
        var at: Instant
        var order: UInt64
        var slot: Int
    }

    private var heap: [Key] = []
    private var slots: [Event?] = []
    private var freeSlots: [Int] = []
    private var counter: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }

    mutating func schedule(_ event: Event, at: Instant) {
        counter += 1
        let slot: Int
        if let reused = freeSlots.popLast() {
            slot = reused
            slots[slot] = event
        } else {
            slot = slots.count
            slots.append(event)
        }
        heap.append(Key(at: at, order: counter, slot: slot))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard before(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (at: Instant, event: Event)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count && before(heap[left], heap[smallest]) { smallest = left }
            if right < heap.count && before(heap[right], heap[smallest]) { smallest = right }
            if smallest == parent { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        guard let event = slots[top.slot] else { return nil }
        slots[top.slot] = nil
        freeSlots.append(top.slot)
        return (top.at, event)
    }

    private func before(_ a: Key, _ b: Key) -> Bool {
        a.at != b.at ? a.at < b.at : a.order < b.order
    }
}
