import Foundation
import Testing
import ERPWMSCore

@Suite("ISO dates")
struct ISODateTests {
    @Test("an instant is written as Foundation's ISO8601DateFormatter writes it: UTC, seconds, the fraction dropped",
          arguments: [0.0, 1_764_460_596, 1_764_460_596.4, 1_764_460_596.999, 951_782_400 /* 2000-02-29 */, 4_102_444_799.5, -1.5, -86_400.25])
    func likeFoundation(seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(ISODate.utcString(date) == ISO8601DateFormatter().string(from: date))
    }

    @Test("what it writes reads back as the same second")
    func roundTrip() {
        for epoch: Int64 in [0, 59, 3_600, 1_764_460_596, -1, -86_401] {
            #expect(ISODate.epochSeconds(ISODate.utcString(epoch)) == epoch)
        }
    }

    @Test("the archive's day folder is the UTC day Foundation's Gregorian calendar gives",
          arguments: [0.0, 1_764_460_596, 1_764_460_799.9, 951_782_400 /* 2000-02-29 */, 951_868_799, 4_102_444_799.5, -1.5, -86_400.25, -2_203_891_200 /* 1900-03-01 */, -2_203_891_201 /* 1900-02-28, the last second */])
    func dayPath(seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let d = calendar.dateComponents([.year, .month, .day], from: date)
        #expect(ISODate.utcDayPath(date) == String(format: "%04d/%02d/%02d", d.year!, d.month!, d.day!))
    }
}
