import Foundation

/// ISO 8601 date-times as exact instants, without Foundation's formatters (fast, and the same everywhere).
public enum ISODate {
    /// Seconds since 1970-01-01T00:00:00Z of `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)`; fractions are dropped.
    /// Nil when the text is not such a date-time.
    public static func epochSeconds(_ s: String) -> Int64? {
        guard OrderValidator.isISODateTimeWithOffset(s) else { return nil }
        let b = Array(s.utf8)
        func n(_ from: Int, _ len: Int) -> Int64 {
            var v: Int64 = 0
            for i in from..<(from + len) { v = v * 10 + Int64(b[i] - 0x30) }
            return v
        }
        let days = daysFromCivil(year: n(0, 4), month: n(5, 2), day: n(8, 2))
        var seconds = days * 86_400 + n(11, 2) * 3600 + n(14, 2) * 60 + n(17, 2)
        var i = 19
        if b[i] == UInt8(ascii: ".") {
            i += 1
            while b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
        }
        if b[i] != UInt8(ascii: "Z") {
            let offset = n(i + 1, 2) * 3600 + n(i + 4, 2) * 60
            seconds += b[i] == UInt8(ascii: "+") ? -offset : offset
        }
        return seconds
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` for an instant, its fraction of a second dropped: what Foundation's
    /// `ISO8601DateFormatter` writes by default, without its cost (a formatter loads ICU's calendar and time-zone
    /// data; the first one of a run took 1.4 ms, and every file's timestamps made one).
    public static func utcString(_ date: Date) -> String { utcString(epochSecond(date)) }

    /// `YYYY-MM-DDTHH:MM:SSZ` for an epoch second.
    public static func utcString(_ epoch: Int64) -> String {
        let (day, secs) = dayAndSecond(epoch)
        let (y, m, d) = civilFromDays(day)
        return "\(y)-\(padded(m, 2))-\(padded(d, 2))T\(padded(secs / 3600, 2)):\(padded(secs / 60 % 60, 2)):\(padded(secs % 60, 2))Z"
    }

    /// `YYYY/MM/DD`, the UTC day of an instant, as a folder path (the archive's day folders). Foundation's
    /// `Calendar` with a UTC `TimeZone` loaded ICU's calendar and time-zone data for it: 5 ms of CPU in a run.
    public static func utcDayPath(_ date: Date) -> String {
        let (y, m, d) = civilFromDays(dayAndSecond(epochSecond(date)).day)
        return "\(padded(y, 4))/\(padded(m, 2))/\(padded(d, 2))"
    }

    /// The instant's whole seconds since the epoch, its fraction dropped (toward the past).
    private static func epochSecond(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }

    /// The epoch second's day since the epoch (toward the past, for instants before it too) and second of that day.
    private static func dayAndSecond(_ epoch: Int64) -> (day: Int64, second: Int64) {
        let day = epoch >= 0 ? epoch / 86_400 : (epoch - 86_399) / 86_400
        return (day, epoch - day * 86_400)
    }

    /// A non-negative number's digits, zero-padded to `width`.
    private static func padded(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    // Howard Hinnant's civil-date algorithms (public domain), proleptic Gregorian calendar.
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
