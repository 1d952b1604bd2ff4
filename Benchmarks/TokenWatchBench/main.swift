// tokenwatch-bench: measurements for BENCHMARKS.md, run by `make bench` (Benchmarks/run.sh).
//
//   tokenwatch-bench stages FILE            cost per event of each stage: parse + validate, each detector, all
//   tokenwatch-bench memory N [CONFIG]      resident bytes per tracked subject, and time per event, at N subjects
//                                           (CONFIG: a configuration file, e.g. with some detectors disabled)
//   tokenwatch-bench latency EVENTS ALERTS RATE SECONDS
//                                           event-to-alert latency at a steady RATE against a running daemon
//   tokenwatch-bench threads FILE           the detection stage with 1 and 2 threads, and an estimate for more
//   tokenwatch-bench once FILE              decodes and detects the file once, on one thread (for callgrind)
//
// Output: one JSON object per measurement on standard output. Timings come from ContinuousClock; nothing
// here asserts anything.
import Foundation
import Histogram
import Synchronization
import TokenWatchCore
import ZeroMQ

func emit(_ object: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

func nanoseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
}

func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// Parse + validate, then each detector alone, then the whole engine, over the same events.
func stages(file: String) {
    let lines = (try! String(contentsOfFile: file, encoding: .utf8)).split(separator: "\n").map(String.init)
    let decoder = EventDecoder()
    let clock = ContinuousClock()
    var events: [TokenEvent] = []
    events.reserveCapacity(lines.count)
    let parseTime = clock.measure {
        // Through `decodeEvent`, as `run` and `replay` decode.
        for var line in lines {
            let decoded = line.withUTF8 { decoder.decodeEvent(UnsafeRawBufferPointer($0)) }
            if decoded.rejection == nil { events.append(decoded.event) }
        }
    }
    emit([
        "stage": "parse+validate+fingerprint", "events": lines.count,
        "ns_per_event": nanoseconds(parseTime) / Double(lines.count),
    ])
    // Fingerprinting alone (part of the line above), per prompt, over the prompts the events carry: taken out
    // beforehand with Foundation, untimed. Best of three passes, each over every prompt.
    let prompts: [[UInt8]] = lines.compactMap { line in
        let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        return (object?["prompt"] as? String).map { Array($0.utf8) }
    }
    var fingerprintBest = Duration.seconds(1_000_000)
    var sketched = 0
    for _ in 0..<3 {
        fingerprintBest = min(
            fingerprintBest,
            clock.measure {
                for prompt in prompts {
                    sketched &+= prompt.withUnsafeBytes { PromptFingerprint(text: $0) }.shingles.count
                }
            })
    }
    emit([
        "stage": "fingerprint (prompt text only)", "prompts": prompts.count, "shingles": sketched / 3,
        "ns_per_prompt": nanoseconds(fingerprintBest) / Double(max(prompts.count, 1)),
    ])
    let configuration = TokenWatchConfiguration()
    var tracker = ProgressTracker()
    var novelties: [CallProgress] = []
    novelties.reserveCapacity(events.count)
    let progressTime = clock.measure {
        for event in events { novelties.append(tracker.observe(event, arrivedAt: event.time)) }
    }
    emit([
        "stage": "progress (novelty per call)", "events": events.count,
        "ns_per_event": nanoseconds(progressTime) / Double(events.count),
    ])
    // The ids' hashes, as the decoder hands them to the engine with each event.
    let keys = events.map(EventKeys.init(of:))
    func measure(_ name: String, _ body: (TokenEvent, EventKeys, CallProgress, inout [Finding]) -> Void) {
        var findings: [Finding] = []
        let time = clock.measure {
            for index in events.indices {
                body(events[index], keys[index], novelties[index], &findings)
                findings.removeAll(keepingCapacity: true)
            }
        }
        emit(["stage": name, "events": events.count, "ns_per_event": nanoseconds(time) / Double(events.count)])
    }
    let repetitiveSettings = configuration.detectors.repetitivePrompts
    var repetitive = RepetitivePromptsDetector(configuration: repetitiveSettings)
    measure("repetitive_prompts") {
        repetitive.ingest($0, keys: $1, progress: $2, arrivedAt: $0.time, with: repetitiveSettings, into: &$3)
    }
    let offHoursSettings = configuration.detectors.offHoursBurst
    var offHours = OffHoursBurstDetector(configuration: offHoursSettings)
    measure("offhours_burst") {
        offHours.ingest($0, keys: $1, progress: $2, arrivedAt: $0.time, with: offHoursSettings, into: &$3)
    }
    let loopSettings = configuration.detectors.agentLoop
    var loop = AgentLoopDetector(configuration: loopSettings)
    measure("agent_loop") { loop.ingest($0, keys: $1, progress: $2, arrivedAt: $0.time, with: loopSettings, into: &$3) }
    let cadenceSettings = configuration.detectors.scriptedCadence
    var cadence = ScriptedCadenceDetector(configuration: cadenceSettings)
    measure("scripted_cadence") {
        cadence.ingest($0, keys: $1, progress: $2, arrivedAt: $0.time, with: cadenceSettings, into: &$3)
    }
    let floodSettings = configuration.detectors.trivialFlood
    var flood = TrivialFloodDetector(configuration: floodSettings)
    measure("trivial_flood") {
        flood.ingest($0, keys: $1, progress: $2, arrivedAt: $0.time, with: floodSettings, into: &$3)
    }
    let paddingSettings = configuration.detectors.contextPadding
    var padding = ContextPaddingDetector(configuration: paddingSettings)
    measure("context_padding") {
        padding.ingest($0, keys: $1, progress: $2, arrivedAt: $0.time, with: paddingSettings, into: &$3)
    }
    var engine = DetectionEngine(configuration: configuration)
    var alerts: [Alert] = []
    let engineTime = clock.measure { for event in events { engine.process(event, into: &alerts) } }
    emit([
        "stage": "engine (all detectors + lifecycle)", "events": events.count, "alerts": alerts.count,
        "ns_per_event": nanoseconds(engineTime) / Double(events.count),
    ])
}

/// N distinct people, each with two prompts, off-hours volume and an agent call, so every detector tracks
/// them; then two more passes over the same subjects, each timed. Each pass spans one minute of event time
/// whatever N is, so that nothing expires and every size does the same work per event; sizes under a million
/// repeat the experiment on fresh engines until a million events are timed, so small sizes are not a few
/// milliseconds of noise.
///
/// The later passes visit the people in scattered orders (``SyntheticCalls/visitingOrders``). The second pass is each
/// subject's second call and the third its third (`ns_per_event`); both still grow arrays, whose new storage
/// comes from memory freed earlier or from pages the kernel maps and clears on first touch. A daemon that has
/// run a while reuses what expired subjects freed, so the timed repetitions come after a first one on a fresh
/// allocator: that first one gives the resident size, which grows by each subject's state after its first
/// call (`resident_bytes_per_subject`) and after its third (the windows and the prompts each detector keeps
/// hold three calls then), and the time of its third pass (`ns_per_event_first_touch`, pages included).
func memory(subjects: Int, configurationFile: String? = nil) throws {
    var configuration = TokenWatchConfiguration()
    if let configurationFile {
        let yaml = try String(contentsOfFile: configurationFile, encoding: .utf8)
        configuration = try ConfigurationLoader.load(yaml: yaml, file: configurationFile)
    }
    // The cost of state itself is measured here, so the cap (and its evictions) is lifted.
    configuration.state.maxTrackedSubjects = 100_000_000
    let teams = ["alpha", "beta", "gamma"]
    func events(pass: Int) -> [TokenEvent] {
        SyntheticCalls.pass(pass, of: subjects, order: pass) { n in
            "please review pull request \(n % 97) for the team \(teams[pass]) and summarize the main risks"
        }
    }
    let repetitions = max(1, 1_000_000 / subjects)
    let clock = ContinuousClock()
    var timed = [Duration.zero, Duration.zero]
    var bytesPerSubject = 0.0
    var bytesPerSubjectSettled = 0.0
    var tracked: [String: Int] = [:]
    var alertCount = 0
    // The same events for every repetition: made once, outside the measurements, and alive through every
    // reading of the resident size, so that its growth is the engine's state alone. (Made inside the loop,
    // the first pass's events could be freed right after their last use, before the second reading, which
    // took about 300 bytes per subject off the figure at a million subjects.)
    // Detected as `run` detects: decoded events (their shard and ids' hashes worked out, as the decode
    // thread does, before timing) in batches, on one thread.
    var passes = (0..<3).map { events(pass: $0).map(DecodedEvent.init) }
    let executor = InlineShardExecutor()
    var firstTouch = Duration.zero
    for repetition in 0...repetitions {
        var engine = DetectionEngine(configuration: configuration)
        let before = residentBytes()
        alertCount += detectInBatches(&passes[0], engine: &engine, on: executor)
        let after = residentBytes()
        if repetition == 0 { bytesPerSubject = Double(after - before) / Double(subjects) }
        for pass in 1..<3 {
            let time = clock.measure { alertCount += detectInBatches(&passes[pass], engine: &engine, on: executor) }
            if repetition > 0 { timed[pass - 1] += time } else if pass == 2 { firstTouch = time }
        }
        if repetition == 0 { bytesPerSubjectSettled = Double(residentBytes() - before) / Double(subjects) }
        tracked = engine.trackedSubjects.mapKeys(\.rawValue)
    }
    let timedEvents = Double(subjects * repetitions)
    emit([
        "subjects": subjects, "tracked": tracked, "resident_bytes_per_subject": bytesPerSubject,
        "timed_events": subjects * repetitions, "ns_per_event": nanoseconds(timed[1]) / timedEvents,
        "ns_per_event_second_call": nanoseconds(timed[0]) / timedEvents, "alerts": alertCount,
        "ns_per_event_first_touch": nanoseconds(firstTouch) / Double(subjects),
        "resident_bytes_per_subject_after_three_calls": bytesPerSubjectSettled,
    ])
}

extension Dictionary {
    func mapKeys<T: Hashable>(_ transform: (Key) -> T) -> [T: Value] {
        [T: Value](uniqueKeysWithValues: map { (transform($0.key), $0.value) })
    }
}

/// Background traffic at `rate` events/s from 200 000 people (a realistic per-person pace: a few calls each in a
/// ten-second run); every 25th event advances a "trigger" series (8 equal prompts from
/// one user, the eighth of which completes a repetitive_prompts incident). Latency is the time from sending
/// that eighth event to receiving its alert.
func latency(events endpoint: String, alerts alertEndpoint: String, rate: Int, seconds: Int) throws {
    let context = try ZMQContext()
    let publisher = try ZMQSocket(context: context, type: .xpub)
    try publisher.setXPubNoDrop(true)
    try publisher.setSendHighWaterMark(100_000)
    try publisher.connect(endpoint)
    guard try publisher.waitReadable(timeoutMilliseconds: 10_000), try publisher.receiveMultipart() != nil else {
        print("no daemon at \(endpoint)")
        exit(1)
    }
    let sent = Mutex([String: ContinuousClock.Instant]())
    let samples = Mutex(
        Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three))
    let received = Atomic<Int>(0)
    let done = Atomic<Bool>(false)
    let listenerReady = Atomic<Bool>(false)
    let listener = Thread {
        let subscriber = try! ZMQSocket(context: context, type: .sub)
        try! subscriber.subscribe("alert.repetitive_prompts.")
        try! subscriber.connect(alertEndpoint)
        listenerReady.store(true, ordering: .releasing)
        while !done.load(ordering: .acquiring) {
            guard (try? subscriber.waitReadable(timeoutMilliseconds: 100)) == true,
                let frames = try? subscriber.receiveMultipart(dontWait: true), frames.count == 3
            else { continue }
            let now = ContinuousClock.now
            let payload = String(decoding: frames[1], as: UTF8.self)
            guard let range = payload.range(of: #""user":""#) else { continue }
            let user = String(payload[range.upperBound...].prefix { $0 != "\"" })
            if let start = sent.withLock({ $0.removeValue(forKey: user) }) {
                let ns = UInt64(max(0, nanoseconds(now - start)))
                if ProcessInfo.processInfo.environment["BENCH_TRACE"] != nil && ns > 10_000_000 {
                    FileHandle.standardError.write(Data("slow \(user) \(ns / 1_000_000) ms\n".utf8))
                }
                _ = samples.withLock { $0.record(ns) }
                received.add(1, ordering: .relaxed)
            }
        }
        subscriber.close()
    }
    listener.start()
    while !listenerReady.load(ordering: .acquiring) { Thread.sleep(forTimeInterval: 0.01) }
    Thread.sleep(forTimeInterval: 0.5)  // the SUB's subscription reaching the daemon: warm-up, not measured

    // The first `warmup` seconds fill the daemon's tables (a cold start grows every dictionary, which is a
    // start-up cost, not the steady-state latency measured here); their triggers are not measured.
    let warmup = 5
    let total = rate * (seconds + warmup)
    let measuredFrom = rate * warmup
    let base = Int64(1_794_000_000_000)
    let clock = ContinuousClock()
    let begin = clock.now
    var triggers = 0
    var opened = 0
    var series: [(id: Int, sent: Int)] = []  // open trigger series: which user, how many prompts sent
    for i in 0..<total {
        let due = begin + .nanoseconds(Int64(Double(i) * 1e9 / Double(rate)))
        // Sleep, never spin, until the event is due: on two cores a spinning pacer takes a whole core from the
        // daemon it measures. Sleeps overshoot by tens of microseconds, so events leave in small bursts (a few
        // at a time) that keep the average rate exact.
        let ahead = due - clock.now
        if ahead > .zero { usleep(UInt32(max(1, nanoseconds(ahead) / 1000))) }
        let ts = base + Int64(i) * 1000 / Int64(rate)
        let payload: String
        var triggerUser: String?
        if i % 25 == 0 {
            if series.count < 8 {
                series.append((opened, 0))
                opened += 1
            }
            let slot = (i / 25) % series.count
            series[slot].sent += 1
            let user = "lat-\(series[slot].id)"
            payload =
                #"{"ts":\#(ts),"user":"\#(user)","session":"x\#(i)","input_tokens":300,"output_tokens":50,"prompt":"repeat this very same prompt for latency"}"#
            if series[slot].sent == 8 {
                series.remove(at: slot)
                if i >= measuredFrom {
                    triggerUser = user
                    triggers += 1
                }
            }
        } else {
            // Distinct words, not numbers: numbers normalise to one placeholder, and prompts differing only in
            // them are repeats (an earlier version of this benchmark measured the alert storm that caused).
            payload =
                #"{"ts":\#(ts),"user":"bg-\#(i % 200_000)","session":"b\#(i)","input_tokens":400,"output_tokens":60,"prompt":"background question about \#(letters(i)) and \#(letters(i / 3 + 7919)) for \#(letters(i * 31 + 17))"}"#
        }
        if let triggerUser { sent.withLock { $0[triggerUser] = clock.now } }
        try publisher.send(frames: [Array("tokens".utf8), Array(payload.utf8)])
    }
    let elapsed = clock.now - begin
    let deadline = clock.now + .seconds(5)
    while received.load(ordering: .relaxed) < triggers && clock.now < deadline { Thread.sleep(forTimeInterval: 0.01) }
    done.store(true, ordering: .releasing)
    let histogram = samples.withLock { $0 }
    func ms(_ p: Double) -> Double { Double(histogram.valueAtPercentile(p)) / 1e6 }
    emit([
        "rate_target": rate, "rate_achieved": Double(total) / (nanoseconds(elapsed) / 1e9),
        "events": total - measuredFrom,
        "warmup_events": measuredFrom,
        "alerts_expected": triggers, "alerts_measured": Int(histogram.totalCount),
        "p50_ms": ms(50), "p99_ms": ms(99), "p99_9_ms": ms(99.9), "max_ms": Double(histogram.max) / 1e6,
    ])
    publisher.close()
}

/// A word made of letters only, distinct for each number.
func letters(_ number: Int) -> String {
    var n = number
    var text = ""
    repeat {
        text.append(Character(UnicodeScalar(UInt8(97 + n % 26))))
        n /= 26
    } while n > 0
    return text
}

let arguments = CommandLine.arguments
switch arguments.dropFirst().first {
case "stages" where arguments.count == 3: stages(file: arguments[2])
case "memory" where arguments.count == 3: try memory(subjects: Int(arguments[2])!)
case "memory" where arguments.count == 4: try memory(subjects: Int(arguments[2])!, configurationFile: arguments[3])
case "history" where arguments.count == 4: memoryHistory(subjects: Int(arguments[2])!, calls: Int(arguments[3])!)
case "threads" where arguments.count == 3: detectionThreads(file: arguments[2])
case "once" where arguments.count == 3: once(file: arguments[2])
case "latency" where arguments.count == 6:
    try latency(events: arguments[2], alerts: arguments[3], rate: Int(arguments[4])!, seconds: Int(arguments[5])!)
default:
    print(
        "usage: tokenwatch-bench stages FILE | memory N [CONFIG] | history N CALLS | latency EVENTS ALERTS RATE SECONDS"
            + " | threads FILE | once FILE"
    )
    exit(2)
}
