import Testing
import Timebase

@Suite struct TimebaseTests {
    @Test func durationsParseInEveryUnit() {
        #expect(parseDuration("30m") == .seconds(1800))
        #expect(parseDuration("2min") == .seconds(120))
        #expect(parseDuration("2h") == .seconds(7200))
        #expect(parseDuration("1d") == .seconds(86_400))
        #expect(parseDuration("1w") == .seconds(604_800))
        #expect(parseDuration("1.5s") == .milliseconds(1500))
        #expect(parseDuration("250ms") == .milliseconds(250))
        #expect(parseDuration("90") == .seconds(90))
        for bad in ["", "h", "0h", "-1d", "2y", "nans", "infs"] { #expect(parseDuration(bad) == nil, "\(bad)") }
    }

    @Test(arguments: [
        (Duration.milliseconds(250), "250ms"), (.seconds(5), "5s"), (.milliseconds(1500), "1.5s"), (.seconds(90), "90s"),
        (.milliseconds(1), "1ms"), (.milliseconds(1001), "1.001s"), (.seconds(7200), "7200s"),
    ])
    func durationsPrintAsTheyParse(duration: Duration, text: String) {
        #expect(duration.text == text)
        #expect(parseDuration(text) == duration)
    }

    /// One rule for OSDP's 100 ms units, service and CLI alike: up, so a pulse is never shorter than asked.
    @Test func tenthsOfASecondRoundUp() {
        #expect(Duration.zero.tenthsOfSecond == 0)
        #expect(Duration.milliseconds(1).tenthsOfSecond == 1)
        #expect(Duration.milliseconds(100).tenthsOfSecond == 1)
        #expect(Duration.milliseconds(101).tenthsOfSecond == 2)
        #expect(Duration.milliseconds(240).tenthsOfSecond == 3)
        #expect(Duration.seconds(5).tenthsOfSecond == 50)
        #expect(Duration.seconds(-1).tenthsOfSecond == 0)
    }

    @Test func unitsConvert() {
        #expect(Duration.milliseconds(1500).seconds == 1.5)
        #expect(Duration.milliseconds(1500).nanoseconds == 1_500_000_000)
        #expect(Duration.nanoseconds(1).millisecondsRoundedUp == 1)
        #expect(Duration.seconds(-3).nanoseconds == 0)
    }

    @Test func theMonotonicClockNeverGoesBack() {
        var last = MonotonicClock.now()
        for _ in 0..<1000 {
            let now = MonotonicClock.now()
            #expect(now >= last)
            last = now
        }
        #expect(last > 0)
    }
}
