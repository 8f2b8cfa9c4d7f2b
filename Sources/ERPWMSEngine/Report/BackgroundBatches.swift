import Foundation

/// Work handed to a second thread in batches through a small bounded queue: the report reads and reconciles
/// the ledger on one core while the CSV and JSON details are formatted and written on the other. At most
/// `limit` batches wait, so memory stays flat; the first error the worker meets is rethrown to the producer.
final class BackgroundBatches<T: Sendable>: @unchecked Sendable {
    private let queue: BatchQueue<T>
    private let done = DispatchSemaphore(value: 0)
    private var finished = false

    init(limit: Int = 4, _ body: @escaping @Sendable ([T]) throws -> Void) {
        queue = BatchQueue(limit: limit)
        let thread = Thread { [self] in
            while let batch = queue.pop() {
                do {
                    try body(batch)
                } catch {
                    queue.stop(error: error)
                    break
                }
            }
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Queues a batch; blocks while `limit` batches wait. Throws the worker's error, if it met one.
    func push(_ batch: [T]) throws {
        if queue.push(batch) == nil, let error = queue.error { throw error }
    }

    /// No more batches: waits until the worker has done every queued one, then throws its error, if any.
    /// Safe to call again (the second call only rethrows).
    func finish() throws {
        if !finished {
            finished = true
            queue.close()
            done.wait()
        }
        if let error = queue.error { throw error }
    }
}
