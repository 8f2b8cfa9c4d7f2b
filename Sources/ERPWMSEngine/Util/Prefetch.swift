import Foundation

/// Runs a producer on a thread of its own, a bounded number of elements ahead of the consumer, so that the
/// work that needs no ledger (reading, decoding, validating an input) overlaps the work that does (dedupe,
/// ledger rows, outputs) on the second core. Elements come out in the producer's order; an error the
/// producer throws comes out after every element produced before it. At most `batchSize * batches`
/// elements wait, so memory stays flat whatever the size of the input.
///
/// Use it through `Prefetch.run`, which always stops and joins the thread before it returns (a consumer
/// that throws early must not leave the producer holding the input file).
final class Prefetch<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var ready: [[Element]] = []
    private var finished = false
    private var cancelled = false
    private var failure: Error?
    private let done = DispatchSemaphore(value: 0)
    private var joined = false
    private let batchSize: Int
    private let batches: Int
    // Consumer side only.
    private var current: [Element] = []
    private var index = 0

    /// Runs `produce` (nil: the end) ahead of `consume`, which reads with `next()`.
    static func run<R>(batchSize: Int = 64, batches: Int = 8, produce: @escaping () throws -> Element?,
                       consume: (Prefetch<Element>) throws -> R) throws -> R {
        let p = Prefetch(batchSize: batchSize, batches: batches)
        p.start(produce)
        defer { p.stop() }
        return try consume(p)
    }

    /// Two stages ahead of `consume`, each on a thread of its own: `read` makes raw elements, `prepare` turns
    /// them into elements, in the same order. When reading and preparing together would take longer than the
    /// consumer's work (XML: libxml2, then the business rules), the three share the two cores.
    /// With `twoStages` false, one thread does both.
    static func run<Raw, R>(reading read: @escaping () throws -> Raw?, preparing prepare: @escaping (Raw) throws -> Element,
                            twoStages: Bool = true, consume: (Prefetch<Element>) throws -> R) throws -> R {
        if !twoStages { return try run(produce: { try read().map(prepare) }, consume: consume) }
        return try Prefetch<Raw>.run(produce: read) { raws in
            // Only the preparing thread reads `raws` from here on.
            let source = UncheckedBox(raws)
            return try Prefetch<Element>.run(produce: { try source.value.next().map(prepare) }, consume: consume)
        }
    }

    private init(batchSize: Int, batches: Int) {
        self.batchSize = batchSize
        self.batches = batches
    }

    private func start(_ produce: @escaping () throws -> Element?) {
        let box = UncheckedBox(produce)
        let thread = Thread { [self] in
            var batch: [Element] = []
            batch.reserveCapacity(batchSize)
            do {
                while let e = try box.value() {
                    batch.append(e)
                    if batch.count == batchSize {
                        guard push(batch) else { break }
                        batch.removeAll(keepingCapacity: true)
                    }
                }
                _ = push(batch)
            } catch {
                _ = push(batch)
                condition.lock()
                failure = error
                condition.unlock()
            }
            condition.lock()
            finished = true
            condition.broadcast()
            condition.unlock()
            done.signal()
        }
        // libxml2 and deep decoders: the same stack as the main thread.
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Queues a batch; false when the consumer stopped.
    private func push(_ batch: [Element]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while ready.count >= batches && !cancelled { condition.wait() }
        if cancelled { return false }
        if !batch.isEmpty { ready.append(batch) }
        condition.broadcast()
        return true
    }

    /// The next element, nil at the end; rethrows the producer's error in its place.
    func next() throws -> Element? {
        if index < current.count {
            index += 1
            return current[index - 1]
        }
        condition.lock()
        while ready.isEmpty && !finished { condition.wait() }
        if !ready.isEmpty {
            current = ready.removeFirst()
            condition.broadcast()
            condition.unlock()
            index = 1
            return current[0]
        }
        let failure = self.failure
        condition.unlock()
        current = []
        index = 0
        if let failure { throw failure }
        return nil
    }

    /// Stops the producer (it ends after the element it is making) and waits for its thread to end.
    private func stop() {
        condition.lock()
        cancelled = true
        ready.removeAll()
        condition.broadcast()
        condition.unlock()
        if !joined {
            done.wait()
            joined = true
        }
    }
}

/// Hands a value that is used by one thread at a time to another thread.
private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
