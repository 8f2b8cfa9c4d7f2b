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
    private let queue: BatchQueue<Element>
    private let done = DispatchSemaphore(value: 0)
    private let batchSize: Int
    // Consumer side only: the batch being handed out, in reverse order (see `next`). Only the consumer's thread
    // touches it: no dynamic exclusivity check at each element.
    @exclusivity(unchecked) private var current: [Element] = []

    /// Runs `produce` (nil: the end) ahead of `consume`, which reads with `next()`.
    static func run<R>(batchSize: Int = 64, batches: Int = 8, produce: @escaping () throws -> Element?,
                       consume: (Prefetch<Element>) throws -> R) throws -> R {
        try run(batchSize: batchSize, batches: batches, pacedProduce: { _ in try produce() }, consume: consume)
    }

    /// As `run(produce:consume:)`, telling `produce` whether the consumer has fallen behind: more than half of
    /// the batches it may hold are waiting. Work either side can do is then better done on the producing side.
    private static func run<R>(batchSize: Int = 64, batches: Int = 8,
                               pacedProduce produce: @escaping (_ consumerBehind: Bool) throws -> Element?,
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
        try run(reading: read, pacedPreparing: { raw, _ in try prepare(raw) }, twoStages: twoStages, consume: consume)
    }

    /// As `run(reading:preparing:twoStages:consume:)`; `prepare` is told whether the consumer has fallen behind
    /// (see `run(batchSize:batches:pacedProduce:consume:)`), so that work either side may do lands on the side
    /// with time to spare. What the elements come to must not depend on it: it depends on the two threads' pace.
    static func run<Raw, R>(reading read: @escaping () throws -> Raw?,
                            pacedPreparing prepare: @escaping (Raw, _ consumerBehind: Bool) throws -> Element,
                            twoStages: Bool = true, consume: (Prefetch<Element>) throws -> R) throws -> R {
        if !twoStages { return try run(pacedProduce: { behind in try read().map { try prepare($0, behind) } }, consume: consume) }
        return try Prefetch<Raw>.run(produce: read) { raws in
            // Only the preparing thread reads `raws` from here on.
            let source = UncheckedBox(raws)
            return try Prefetch<Element>.run(pacedProduce: { behind in try source.value.next().map { try prepare($0, behind) } },
                                             consume: consume)
        }
    }

    private init(batchSize: Int, batches: Int) {
        self.batchSize = batchSize
        queue = BatchQueue(limit: batches)
    }

    private func start(_ produce: @escaping (_ consumerBehind: Bool) throws -> Element?) {
        let box = UncheckedBox(produce)
        let thread = Thread { [self] in
            var batch: [Element] = []
            batch.reserveCapacity(batchSize)
            var failure: Error?
            // As of the last batch handed over.
            var behind = false
            do {
                while let e = try box.value(behind) {
                    batch.append(consume e)  // moved: a copy retained every String of the order, released again at once
                    if batch.count == batchSize {
                        // Handed over, not shared: the consumer must hold the only reference to move elements out.
                        var full: [Element] = []
                        full.reserveCapacity(batchSize)
                        swap(&full, &batch)
                        Self.reverse(&full)
                        guard let waiting = queue.push(consume full) else { break }
                        behind = 2 * waiting > queue.limit
                    }
                }
            } catch {
                failure = error
            }
            Self.reverse(&batch)
            _ = queue.push(consume batch)
            queue.close(error: failure)
            done.signal()
        }
        // libxml2 and deep decoders: the same stack as the main thread.
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Reverses in place by moving elements: `Array.reverse()` swaps through a copy of each element (an order's
    /// every String retained and released again).
    private static func reverse(_ elements: inout [Element]) {
        elements.withUnsafeMutableBufferPointer { $0.reverse() }
    }

    /// The next element, nil at the end; rethrows the producer's error in its place.
    /// Batches arrive reversed, so that each element is moved out with `popLast` rather than copied out of the
    /// array and destroyed again with it: a copy of an order retains each of its Strings, and the array's
    /// release on the other thread releases them once more.
    func next() throws -> Element? {
        while true {
            if let e = current.popLast() { return e }
            guard let batch = queue.pop() else { break }
            current = consume batch
        }
        if let error = queue.error { throw error }
        return nil
    }

    /// Stops the producer (it ends after the element it is making) and waits for its thread to end.
    private func stop() {
        queue.stop()
        done.wait()
    }
}

/// Hands a value that is used by one thread at a time to another thread.
private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
