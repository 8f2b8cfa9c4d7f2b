#if canImport(Glibc)
import Glibc
#endif

/// Crash-test hooks. With `ERPWMS_FAILPOINT=NAME` (or `NAME:N` for the N-th time it is reached) the
/// process ends on the spot with exit code 99, as abruptly as SIGKILL: no cleanup, no flush beyond what
/// was made durable. Tests use it to stop the batch at each durable step and rerun.
public enum Failpoint {
    /// Every failpoint, in the order a file passes them.
    public static let all = [
        "after-claim", "after-claim-record", "mid-orders", "mid-documents", "before-commit", "after-commit", "after-publish-one",
        "before-archive", "after-archive-move", "after-fail-record", "after-fail-move",
    ]

    private static let spec: (name: String, count: Int)? = {
        guard let raw = getenv("ERPWMS_FAILPOINT").map({ String(cString: $0) }), !raw.isEmpty else { return nil }
        let parts = raw.split(separator: ":", maxSplits: 1)
        return (String(parts[0]), parts.count > 1 ? Int(parts[1]) ?? 1 : 1)
    }()

    nonisolated(unsafe) private static var hits = 0

    public static let exitCode: Int32 = 99

    /// Ends the process if the failpoint `name` is armed and reached for the configured time.
    @inline(__always)
    public static func hit(_ name: String) {
        guard let spec, spec.name == name else { return }
        hits += 1
        if hits == spec.count { _exit(exitCode) }
    }
}
