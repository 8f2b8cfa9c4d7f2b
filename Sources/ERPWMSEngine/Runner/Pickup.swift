import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Finds complete files in a drop folder. Knows nothing about formats.
struct Pickup {
    /// Suffixes of files still being written by common transfer tools.
    static let temporarySuffixes = [".tmp", ".temp", ".part", ".partial", ".filepart", ".crdownload", ".swp", "~",
                                    ".writing", ".upload"]

    struct Candidate {
        var name: String
        var path: String
        var size: Int64
        var markerPath: String?
    }

    /// Why a file was passed over this time (for logs).
    enum Skip {
        case notRegular(String), tooYoung(String), noMarker(String), hardLink(String)
    }

    /// Complete regular files in `directory`, sorted by name (deterministic order).
    static func candidates(in directory: String, rule: PickupRule, now: Date, skipped: inout [Skip]) -> [Candidate] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var result: [Candidate] = []
        for name in names.sorted() {
            if name.hasPrefix(".") { continue }
            if temporarySuffixes.contains(where: { name.lowercased().hasSuffix($0) }) { continue }
            if let m = rule.doneMarkerSuffix, name.hasSuffix(m) { continue }
            let path = directory + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            guard (st.st_mode & S_IFMT) == S_IFREG else {
                // Symlinks, FIFOs, sockets, devices and folders are never taken.
                skipped.append(.notRegular(name))
                continue
            }
            // File ages use the real clock (mtimes are real), even when ERPWMS_NOW fixes the ledger's clock.
            // A second name for the same file (a hard link) could be a path to anything the process can read:
            // never taken.
            if st.st_nlink > 1 {
                skipped.append(.hardLink(name))
                continue
            }
            let mtime = Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
            if now.timeIntervalSince1970 - mtime < Double(rule.minAgeSeconds) {
                skipped.append(.tooYoung(name))
                continue
            }
            var marker: String?
            if let m = rule.doneMarkerSuffix {
                marker = path + m
                guard FS.exists(marker!) else {
                    skipped.append(.noMarker(name))
                    continue
                }
            }
            result.append(Candidate(name: name, path: path, size: Int64(st.st_size), markerPath: marker))
        }
        return result
    }
}
