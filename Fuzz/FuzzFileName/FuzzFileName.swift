// libFuzzer target: the file-name sanitiser. Its output must be one printable line, and names without
// anything to escape must come back unchanged.
import ERPWMSCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let name = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let shown = FileNames.printable(name)
    for sc in shown.unicodeScalars {
        precondition(sc.value >= 0x20 && !(0x7F...0x9F).contains(sc.value) && sc.value != 0x2028 && sc.value != 0x2029,
                     "control character left in \(shown.debugDescription)")
    }
    if !name.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\\" ||
        (0x2028...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value) }) {
        precondition(shown == name)
    }
    return 0
}
