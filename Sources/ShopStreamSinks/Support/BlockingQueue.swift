import Foundation

/// A FIFO that threads hand work through; `take` waits for an item.
/// `@unchecked Sendable`: `items`, `head` and `closed` are touched only with `condition` locked;
/// an item belongs to the one thread that took it.
final class BlockingQueue<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private var head = 0
    private var closed = false

    func put(_ item: Element) {
        condition.lock()
        items.append(item)
        condition.signal()
        condition.unlock()
    }

    /// The next item; nil once closed and empty, or when `timeout` passes first.
    func take(timeout: Duration? = nil) -> Element? {
        condition.lock()
        defer { condition.unlock() }
        let deadline = timeout.map { Date().addingTimeInterval(Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18) }
        while head == items.count && !closed {
            if let deadline {
                if !condition.wait(until: deadline) { return nil }
            } else {
                condition.wait()
            }
        }
        guard head < items.count else { return nil }
        let item = items[head]
        head += 1
        // Let go of taken items: a drained queue empties at once (items can be whole batches
        // of rows, and holding a thousand taken ones cost gigabytes), a long one now and then.
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1024 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return item
    }

    /// Wakes every waiter; `take` returns what is left (nothing when `discardingPending`), then nil.
    func close(discardingPending: Bool = false) {
        condition.lock()
        closed = true
        if discardingPending {
            items.removeAll()
            head = 0
        }
        condition.broadcast()
        condition.unlock()
    }
}
