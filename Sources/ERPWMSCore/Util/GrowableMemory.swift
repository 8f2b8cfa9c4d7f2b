extension UnsafeMutablePointer where Pointee: BitwiseCopyable {
    /// Moves the first `count` elements to new memory of at least `needed` (and at least double `capacity`)
    /// elements, frees the old memory, and updates `capacity`: for the hot-path buffers that keep raw memory
    /// instead of an `Array` (the CSV parser's record and field ends, the output buffer).
    package mutating func grow(count: Int, capacity: inout Int, toHold needed: Int) {
        let newCapacity = Swift.max(needed, capacity * 2)
        let grown = UnsafeMutablePointer<Pointee>.allocate(capacity: newCapacity)
        grown.initialize(from: self, count: count)
        deallocate()
        self = grown
        capacity = newCapacity
    }
}
