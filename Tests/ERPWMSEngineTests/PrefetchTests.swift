import Foundation
import Testing
@testable import ERPWMSEngine

@Suite("Prefetch (reading ahead on the second core)")
struct PrefetchTests {
    struct Boom: Error, Equatable { var at: Int }

    /// A producer of 0..<count that counts how far it got, and throws at `failAt`.
    final class Counter: @unchecked Sendable {
        let lock = NSLock()
        private var made = 0
        let count: Int
        let failAt: Int?
        init(count: Int, failAt: Int? = nil) {
            self.count = count
            self.failAt = failAt
        }
        var produced: Int { lock.withLock { made } }
        func next() throws -> Int? {
            try lock.withLock {
                if made == failAt { throw Boom(at: made) }
                guard made < count else { return nil }
                made += 1
                return made - 1
            }
        }
    }

    @Test("elements come out in order, every one, with batch boundaries anywhere")
    func order() throws {
        for count in [0, 1, 63, 64, 65, 1000] {
            let c = Counter(count: count)
            let got = try Prefetch<Int>.run(batchSize: 64, batches: 2, produce: c.next) { p in
                var all: [Int] = []
                while let e = try p.next() { all.append(e) }
                #expect(try p.next() == nil)
                return all
            }
            #expect(got == Array(0..<count))
        }
    }

    @Test("the producer's error comes after every element made before it")
    func errorInPlace() throws {
        let c = Counter(count: 500, failAt: 130)
        var seen: [Int] = []
        #expect(throws: Boom(at: 130)) {
            try Prefetch<Int>.run(batchSize: 16, batches: 2, produce: c.next) { p in
                while let e = try p.next() { seen.append(e) }
            }
        }
        #expect(seen == Array(0..<130))
    }

    @Test("a consumer that stops early stops the producer, which never runs more than the bound ahead")
    func bounded() throws {
        let c = Counter(count: 1_000_000)
        try Prefetch<Int>.run(batchSize: 10, batches: 3, produce: c.next) { p in
            for _ in 0..<5 { _ = try p.next() }
            Thread.sleep(forTimeInterval: 0.2)  // let the producer fill the queue
            // 3 queued batches, the one handed out, and the one being filled when the queue was full.
            #expect(c.produced <= 10 * 5)
            #expect(c.produced >= 10)
        }
        // `run` joined the producer: nothing moves after it returned.
        let after = c.produced
        Thread.sleep(forTimeInterval: 0.05)
        #expect(c.produced == after)
        #expect(after < 1_000_000)
    }

    @Test("two stages: order kept, an error of either stage in its place, an early stop stops both")
    func twoStages() throws {
        let c = Counter(count: 1000)
        let all = try Prefetch<String>.run(reading: c.next, preparing: { "#\($0)" }) { p in
            var out: [String] = []
            while let e = try p.next() { out.append(e) }
            return out
        }
        #expect(all == (0..<1000).map { "#\($0)" })

        var seen: [Int] = []
        #expect(throws: Boom(at: 70)) {
            try Prefetch<Int>.run(reading: Counter(count: 500, failAt: 70).next, preparing: { $0 }) { p in
                while let e = try p.next() { seen.append(e) }
            }
        }
        #expect(seen == Array(0..<70))

        seen = []
        #expect(throws: Boom(at: 33)) {
            try Prefetch<Int>.run(reading: Counter(count: 500).next, preparing: { v -> Int in
                if v == 33 { throw Boom(at: 33) }
                return v
            }) { p in
                while let e = try p.next() { seen.append(e) }
            }
        }
        #expect(seen == Array(0..<33))

        let big = Counter(count: 1_000_000)
        try Prefetch<Int>.run(reading: big.next, preparing: { $0 }) { p in
            for _ in 0..<3 { _ = try p.next() }
        }
        let after = big.produced
        Thread.sleep(forTimeInterval: 0.05)
        #expect(big.produced == after)
        #expect(after < 1_000_000)
    }

    /// What the preparing side was told for each element, by element.
    final class Paces: @unchecked Sendable {
        let lock = NSLock()
        private var flags: [Int: Bool] = [:]
        func record(_ e: Int, _ behind: Bool) { lock.withLock { flags[e] = behind } }
        var all: [Int: Bool] { lock.withLock { flags } }
    }

    @Test("the preparing side hears that the consumer is behind once more than half the queue waits, and only then")
    func pace() throws {
        // The consumer reads nothing until the producer blocks on a full queue (8 batches of 64 waiting, a ninth
        // made): the first five batches were prepared before more than four waited.
        let c = Counter(count: 2000)
        let paces = Paces()
        let got = try Prefetch<Int>.run(reading: c.next, pacedPreparing: { e, behind in paces.record(e, behind); return e },
                                        twoStages: false) { p in
            let deadline = Date().addingTimeInterval(10)
            while c.produced < 9 * 64 && Date() < deadline { Thread.sleep(forTimeInterval: 0.001) }
            Thread.sleep(forTimeInterval: 0.02)
            #expect(c.produced == 9 * 64)
            let stalled = paces.all
            #expect((0..<(5 * 64)).allSatisfy { stalled[$0] == false })
            #expect(((5 * 64)..<(9 * 64)).allSatisfy { stalled[$0] == true })
            var all: [Int] = []
            while let e = try p.next() { all.append(e) }
            return all
        }
        #expect(got == Array(0..<2000))

        // A consumer waiting on a slow producer: never more than one batch waits.
        let slow = Paces()
        let few = try Prefetch<Int>.run(reading: Counter(count: 3 * 64).next, pacedPreparing: { e, behind in
            Thread.sleep(forTimeInterval: 0.002)
            slow.record(e, behind)
            return e
        }) { p in
            var all: [Int] = []
            while let e = try p.next() { all.append(e) }
            return all
        }
        #expect(few == Array(0..<(3 * 64)))
        #expect(slow.all.count == 3 * 64 && slow.all.values.allSatisfy { !$0 })
    }
}

@Suite("Background batches (the report's formatting thread)")
struct BackgroundBatchesTests {
    struct Failed: Error, Equatable { var batch: Int }

    final class Seen: @unchecked Sendable {
        let lock = NSLock()
        var batches: [[Int]] = []
        func add(_ b: [Int]) { lock.withLock { batches.append(b) } }
    }

    @Test("every batch is worked in order; finish waits for the last one")
    func inOrder() throws {
        let seen = Seen()
        let b = BackgroundBatches<Int>(limit: 2) { batch in
            Thread.sleep(forTimeInterval: 0.001)
            seen.add(batch)
        }
        for i in 0..<20 { try b.push([i, i]) }
        try b.finish()
        #expect(seen.batches == (0..<20).map { [$0, $0] })
        try b.finish()
    }

    @Test("the worker's error stops the producer at its next push, never hangs it, and finish rethrows it")
    func workerError() throws {
        let seen = Seen()
        let b = BackgroundBatches<Int>(limit: 2) { batch in
            if batch[0] == 3 { throw Failed(batch: 3) }
            seen.add(batch)
        }
        var pushed = 0
        #expect(throws: Failed(batch: 3)) {
            for i in 0..<10_000 {
                try b.push([i])
                pushed += 1
            }
        }
        #expect(pushed < 10_000)
        #expect(throws: Failed(batch: 3)) { try b.finish() }
        #expect(seen.batches == [[0], [1], [2]])
    }
}
