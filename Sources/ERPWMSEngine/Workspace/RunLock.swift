#if canImport(Glibc)
import Glibc
#endif

/// One run at a time per workspace: an exclusive `flock` on `state/run.lock`, released by the kernel when
/// the process ends, however it ends (so a crash never leaves a stale lock).
public final class RunLock {
    private let fd: Int32

    /// Thrown when another process holds the lock.
    public struct Busy: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "another erpwms run holds \(path)" }
    }

    /// Takes the lock at once or throws `Busy`.
    public init(path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FS.fail("open lock", path) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            close(fd)
            if e == EWOULDBLOCK { throw Busy(path: path) }
            throw FS.fail("lock", path, e)
        }
        self.fd = fd
        // The holder's pid, for a person looking at the file.
        let pid = Array("\(getpid())\n".utf8)
        ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
