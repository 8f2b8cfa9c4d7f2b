import Foundation

/// Work handed to a second thread in batches through a small bounded queue: the report reads and reconciles
/// the ledger on one core while the CSV and JSON details are formatted and written on the other. At most
/// `limit` batches wait, so memory stays flat; the first error the worker meets is rethrown to the producer.
final class BackgroundBatches<T: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [[T]] = []
    private var closed = false
    private var failure: Error?
    private let done = DispatchSemaphore(value: 0)
    private let limit: Int
    private var finished = false

    init(limit: Int = 4, _ body: @escaping @Sendable ([T]) throws -> Void) {
        self.limit = limit
        let thread = Thread { [self] in
            while true {
                condition.lock()
                while queue.isEmpty && !closed { condition.wait() }
                if queue.isEmpty {
                    condition.unlock()
                    break
                }
                let batch = queue.removeFirst()
                let failed = failure != nil
                condition.broadcast()
                condition.unlock()
                if failed { continue }
                do {
                    try body(batch)
                } catch {
                    condition.lock()
                    failure = error
                    condition.broadcast()
                    condition.unlock()
                }
            }
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Queues a batch; blocks while `limit` batches wait. Throws the worker's error, if it met one.
    func push(_ batch: [T]) throws {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= limit && failure == nil { condition.wait() }
        if let failure { throw failure }
        queue.append(batch)
        condition.broadcast()
    }

    /// No more batches: waits until the worker has done every queued one, then throws its error, if any.
    /// Safe to call again (the second call only rethrows).
    func finish() throws {
        condition.lock()
        closed = true
        condition.broadcast()
        let wait = !finished
        finished = true
        condition.unlock()
        if wait { done.wait() }
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw failure }
    }
}
