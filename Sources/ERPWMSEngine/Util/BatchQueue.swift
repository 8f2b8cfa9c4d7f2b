import Foundation

/// Batches handed from one thread to another, at most `limit` waiting, so memory stays flat. The pushing side
/// ends it with `close` (its error, if any, reaches the popping side after every batch); the popping side
/// ends it with `stop` (waiting batches are dropped, later pushes are refused, its error reaches the pusher).
/// `Prefetch` (a reading thread ahead of the ledger loop) and `BackgroundBatches` (the report's formatting
/// thread) are the two directions of it.
final class BatchQueue<T>: @unchecked Sendable {
    private let condition = NSCondition()
    private var batches: [[T]] = []
    private var closed = false
    private var stopped = false
    private var failure: Error?
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Blocks while `limit` batches wait; answers how many wait once this one is in, or nil (the batch dropped)
    /// once the popping side stopped. The batch is taken over (`consuming`): the popping side then owns the only
    /// reference and can move elements out.
    func push(_ batch: consuming [T]) -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= limit && !stopped { condition.wait() }
        if stopped { return nil }
        if !batch.isEmpty { batches.append(consume batch) }
        condition.broadcast()
        return batches.count
    }

    /// The next batch; blocks while none waits and the pushing side is not done. Nil at the end (closed and
    /// drained, or stopped).
    func pop() -> [T]? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty && !closed && !stopped { condition.wait() }
        if stopped || batches.isEmpty { return nil }
        condition.broadcast()
        return batches.removeFirst()
    }

    /// The pushing side is done, with the error that ended it, if any.
    func close(error: Error? = nil) {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        if failure == nil { failure = error }
        condition.broadcast()
    }

    /// The popping side is done, with the error that ended it, if any: waiting batches are dropped.
    func stop(error: Error? = nil) {
        condition.lock()
        defer { condition.unlock() }
        stopped = true
        batches.removeAll()
        if failure == nil { failure = error }
        condition.broadcast()
    }

    /// The error either side ended with, if any.
    var error: Error? {
        condition.lock()
        defer { condition.unlock() }
        return failure
    }
}
