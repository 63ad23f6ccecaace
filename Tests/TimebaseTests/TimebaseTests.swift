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
        (.milliseconds(1), "1ms"), (.milliseconds(1001), "1.001s"), (.milliseconds(1050), "1.05s"), (.seconds(7200), "7200s"),
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

/// Durations from outside are bounded where they come in, and no conversion traps on any duration.
@Suite struct DurationLimitTests {
    @Test(arguments: [
        ("99999999999999s", "99999999999999s is too long: at most 6553.5s (the longest OSDP output timer)"),
        ("99999999999999999999999999s", "99999999999999999999999999s is too long: at most 6553.5s (the longest OSDP output timer)"),
        ("6553.6s", "6553.6s is too long: at most 6553.5s (the longest OSDP output timer)"),
        ("2h", "2h is too long: at most 6553.5s (the longest OSDP output timer)"),
        ("-1s", "-1s is too short: at least 100ms"),
        ("0s", "0s is too short: at least 100ms"),
        ("0", "0 is too short: at least 100ms"),
        ("0.0001s", "0.0001s is too short: at least 100ms"),
        ("99ms", "99ms is too short: at least 100ms"),
        ("1.0005s", "1.0005s is finer than a millisecond, the finest duration Keyway counts"),
        ("1e308", "\"1e308\" is not a duration (like 500ms, 5s, 2m)"),
        ("1e3s", "\"1e3s\" is not a duration (like 500ms, 5s, 2m)"),
        ("nans", "\"nans\" is not a duration (like 500ms, 5s, 2m)"),
        ("", "\"\" is not a duration (like 500ms, 5s, 2m)"),
        (".s", "\".s\" is not a duration (like 500ms, 5s, 2m)"),
    ])
    func relayPulsesOutsideTheirLimitsAreRefusedWithTheLimit(text: String, message: String) {
        switch parseDuration(text, within: .relayPulse) {
        case .success(let duration): Issue.record("\(text) was accepted as \(duration)")
        case .failure(let problem): #expect(problem.description == message)
        }
    }

    @Test func relayPulsesWithinTheLimitsAreExact() throws {
        #expect(try parseDuration("100ms", within: .relayPulse).get() == .milliseconds(100))
        #expect(try parseDuration("6553.5s", within: .relayPulse).get() == .milliseconds(6_553_500))
        #expect(try parseDuration("1.001s", within: .relayPulse).get() == .milliseconds(1001))
        #expect(try parseDuration("0.25", within: .relayPulse).get() == .milliseconds(250))
        #expect(try parseDuration("+2.50min", within: .relayPulse).get() == .seconds(150))
        #expect(try parseDuration("007s", within: .relayPulse).get() == .seconds(7))
    }

    @Test func secondsFromTheControlSocketAreBoundedAlike() throws {
        for seconds in [1e19, 1e300, .infinity, 6553.6] {
            #expect(throws: DurationProblem.self) { try parseDuration(seconds: seconds, within: .relayPulse).get() }
        }
        for seconds in [-1, 0, 0.05, -.infinity, .nan] {
            #expect(throws: DurationProblem.self) { try parseDuration(seconds: seconds, within: .relayPulse).get() }
        }
        #expect(try parseDuration(seconds: 1.001, within: .relayPulse).get() == .milliseconds(1001))
        #expect(try parseDuration(seconds: 6553.5, within: .relayPulse).get() == .milliseconds(6_553_500))
        #expect(throws: DurationProblem.self) { try parseDuration(seconds: 1.0005, within: .relayPulse).get() }
    }

    @Test func conversionsSaturateInsteadOfTrapping() {
        let longest = Duration.seconds(Int64.max)
        #expect(longest.nanoseconds == .max)
        #expect(longest.tenthsOfSecond == UInt64.max / 100_000_000)
        #expect(longest.millisecondsRoundedUp == UInt64.max / 1_000_000)
        #expect(Duration.seconds(20_000_000_000).nanoseconds == .max)
        #expect(!longest.text.isEmpty)
        #expect(Duration.seconds(-5).text == "0ms")
        #expect(UInt64.max.advanced(by: .seconds(1)) == .max)
        #expect(UInt64(5).advanced(by: .nanoseconds(3)) == 8)
        #expect(parseDuration("99999999999999999999999s") == nil)
        #expect(parseDuration("1e308") == nil)
    }
}
