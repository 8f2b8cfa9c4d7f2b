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
}
