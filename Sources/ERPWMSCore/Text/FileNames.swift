/// File names as they are shown to people: drop folders accept any name a partner's system makes, and a
/// name with a line break or an escape sequence must not forge a log line or move a terminal's cursor.
public enum FileNames {
    /// `name` with every control character (C0, DEL, C1, and the Unicode line and paragraph separators)
    /// written as `\u{XX}`, and a backslash as `\\`, so that the result is one printable line.
    public static func printable(_ name: String) -> String {
        var out = ""
        out.reserveCapacity(name.utf8.count)
        var changed = false
        for sc in name.unicodeScalars {
            switch sc.value {
            case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069:
                out += "\\u{" + String(sc.value, radix: 16, uppercase: true) + "}"
                changed = true
            case 0x5C:
                out += "\\\\"
                changed = true
            default:
                out.unicodeScalars.append(sc)
            }
        }
        return changed ? out : name
    }
}
