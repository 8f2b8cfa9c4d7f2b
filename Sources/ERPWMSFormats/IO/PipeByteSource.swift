import Foundation

/// A bounded in-memory pipe between two threads: one side writes (`ByteSink`), the other reads
/// (`ByteSource`). Lets an output be checked against its schema on the second core while it is being
/// written, instead of reading the whole file again afterwards. At most `capacity` bytes wait in the pipe,
/// so memory stays flat whatever the size of the output.
public final class PipeByteSource: ByteSource, ByteSink, @unchecked Sendable {
    private let condition = NSCondition()
    private var chunks: [[UInt8]] = []
    private var offset = 0
    private var queued = 0
    private var closed = false
    private var abandoned = false
    private let capacity: Int

    /// 1 MiB by default. Every output being written has a pipe of its own (a warehouse's shipment orders, the ERP's
    /// feedback), so the bytes that may wait add up per output: with 4 MiB a pipe, five warehouses' checks lagging
    /// behind could hold 20 MiB, and a million orders' peak RSS ran 3-5 MiB of anonymous memory above 10,000 orders'
    /// (eighteenth session, sampled: 19.1-20.8 MiB of it at the peak, 18.5-19.0 with 1 MiB pipes), and 1 MiB was no
    /// slower (100,000 orders, 25 runs alternating in three sets: 2.08 -> 1.82, 1.84 -> 1.71 and 2.13 -> 2.10 s).
    public init(capacity: Int = 1 << 20) {
        self.capacity = capacity
    }

    /// Writer side: blocks while the pipe is full (unless the reader gave up).
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        condition.lock()
        defer { condition.unlock() }
        while queued >= capacity && !abandoned { condition.wait() }
        if abandoned { return }
        chunks.append(Array(bytes))
        queued += bytes.count
        condition.broadcast()
    }

    /// Writer side: no more bytes will come; the reader sees the end once the pipe is empty.
    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Reader side: stops reading; later writes are dropped (so a failed reader never blocks the writer).
    public func abandon() {
        condition.lock()
        abandoned = true
        chunks.removeAll()
        queued = 0
        condition.broadcast()
        condition.unlock()
    }

    /// Reader side: blocks until bytes or the end arrive.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        condition.lock()
        defer { condition.unlock() }
        while chunks.isEmpty && !closed && !abandoned { condition.wait() }
        guard let first = chunks.first else { return 0 }
        let n = min(buffer.count, first.count - offset)
        first.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + offset, byteCount: n)
        }
        offset += n
        if offset == first.count {
            chunks.removeFirst()
            offset = 0
        }
        queued -= n
        condition.broadcast()
        return n
    }
}

/// Writes every byte to two sinks.
public final class TeeByteSink: ByteSink {
    private let first: ByteSink
    private let second: ByteSink

    public init(_ first: ByteSink, _ second: ByteSink) {
        self.first = first
        self.second = second
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try first.write(bytes)
        try second.write(bytes)
    }
}

/// Validates one of our own outputs against an embedded XSD on a thread of its own while it is written into
/// `pipe` (as our writer's document, without the attribute guard meant for hostile inputs).
public final class BackgroundSchemaValidation: @unchecked Sendable {
    public let pipe = PipeByteSource()
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<[FormatError], Error> = .success([])
    private var joined = false

    public init(schema: String) {
        let thread = Thread { [self] in
            do {
                result = .success(try XMLSchemaValidator.validate(pipe, schema: schema, ownOutput: true))
            } catch {
                result = .failure(error)
            }
            pipe.abandon()
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Ends the document and waits for the verdict: the schema errors, or the error that stopped parsing.
    public func finish() throws -> [FormatError] {
        pipe.close()
        join()
        return try result.get()
    }

    /// Gives up (the output is being discarded) and waits for the thread to end.
    public func cancel() {
        pipe.abandon()
        join()
    }

    private func join() {
        if joined { return }
        done.wait()
        joined = true
    }
}
