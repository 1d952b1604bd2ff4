/// Writes a configuration back as YAML in the layout of `Config/tokenwatch.yaml`: what
/// `tokenwatch check-config --print` shows, the effective values after defaults and flags. Reading the
/// output back gives the same configuration.
public enum ConfigurationRenderer {
    public static func yaml(_ c: TokenWatchConfiguration) -> String {
        let d = DurationText.format
        var text = """
            events:
              endpoint: \(quoted(c.events.endpoint))
              topic: \(quoted(c.events.topic))
              receive_high_water_mark: \(c.events.receiveHighWaterMark)
              max_message_bytes: \(c.events.limits.maxPayloadBytes)
              max_json_depth: \(c.events.limits.maxDepth)
              max_identifier_bytes: \(c.events.limits.maxIdentifierBytes)
              max_tokens_per_event: \(c.events.limits.maxTokensPerEvent)
              allowed_lateness: \(d(c.events.allowedLateness))
              max_future: \(d(c.events.maxFuture))
              max_age: \(d(c.events.maxAge))
            alerts:
              endpoint: \(quoted(c.alerts.endpoint))
              send_high_water_mark: \(c.alerts.sendHighWaterMark)
              cooldown: \(d(c.alerts.cooldown))
              resolve_after: \(d(c.alerts.resolveAfter))
              critical_factor: \(c.alerts.criticalFactor)
            logging:
              level: \(c.logging.level)
            metrics:
              listen: \(quoted(c.metrics.listen))
            state:
              directory: \(quoted(c.state.directory))
              checkpoint_interval: \(d(c.state.checkpointInterval))
              max_tracked_subjects: \(c.state.maxTrackedSubjects)
            journal:
              fsync: \(c.journal.fsync.rawValue)
              max_segment_bytes: \(c.journal.maxSegmentBytes)
              max_segments: \(c.journal.maxSegments)
              memory_entries: \(c.journal.memoryEntries)
            security:
              curve: \(c.security.curve)
              server_secret_key_file: \(quoted(c.security.serverSecretKeyFile))
              allowed_client_keys: [\(c.security.allowedClientKeys.map(quoted).joined(separator: ", "))]
              allowed_client_keys_dir: \(quoted(c.security.allowedClientKeysDirectory))
              allow_plaintext: \(c.security.allowPlaintext)
            privacy:
              pseudonymize_users: \(c.privacy.pseudonymizeUsers)
              key_file: \(quoted(c.privacy.keyFile))
            catchup:
              endpoint: \(quoted(c.catchup.endpoint))
              max_batch: \(c.catchup.maxBatch)
            detectors:

            """
        text += detectors(repetitive: c.repetitivePrompts, offHours: c.offHoursBurst, loop: c.agentLoop,
                          cadence: c.scriptedCadence, flood: c.trivialFlood, indent: "  ")
        text += c.overrides.isEmpty ? "overrides: []\n" : "overrides:\n"
        for override in c.overrides {
            switch override.match {
            case .user(let user): text += "  - user: \(quoted(user))\n"
            case .team(let team): text += "  - team: \(quoted(team))\n"
            }
            text += "    detectors:\n"
            text += detectors(repetitive: override.repetitivePrompts, offHours: override.offHoursBurst, loop: override.agentLoop,
                              cadence: override.scriptedCadence, flood: override.trivialFlood, indent: "      ")
        }
        text += c.allowances.isEmpty ? "allowances: []\n" : "allowances:\n"
        for allowance in c.allowances {
            var first = true
            func field(_ name: String, _ value: String) {
                text += (first ? "  - " : "    ") + "\(name): \(value)\n"
                first = false
            }
            if let user = allowance.user { field("user", quoted(user)) }
            if let agent = allowance.agent { field("agent", quoted(agent)) }
            if let tool = allowance.tool { field("tool", quoted(tool)) }
            field("detectors", "[\(allowance.detectors.map(\.rawValue).sorted().joined(separator: ", "))]")
            field("reason", quoted(allowance.reason))
            field("expires", quoted(allowance.expires.rfc3339))
        }
        return text
    }

    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    private static func time(_ minutes: Int) -> String {
        let h = minutes / 60
        let m = minutes % 60
        return "\"\(h < 10 ? "0" : "")\(h):\(m < 10 ? "0" : "")\(m)\""
    }

    private static func detectors(
        repetitive r: RepetitivePromptsConfiguration, offHours o: OffHoursBurstConfiguration, loop l: AgentLoopConfiguration,
        cadence s: ScriptedCadenceConfiguration, flood f: TrivialFloodConfiguration, indent: String
    ) -> String {
        let d = DurationText.format
        let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        let lines = """
            repetitive_prompts:
              enabled: \(r.enabled)
              window: \(d(r.window))
              min_repeats: \(r.minRepeats)
              similarity: \(r.similarity)
              max_clusters_per_user: \(r.maxClustersPerUser)
              min_words: \(r.minWords)
            offhours_burst:
              enabled: \(o.enabled)
              window: \(d(o.window))
              work_hours:
                start: \(time(o.workStartMinute))
                end: \(time(o.workEndMinute))
              work_days: [\(o.workDays.sorted().map { days[$0] }.joined(separator: ", "))]
              timezone: \(quoted(o.timeZone))
              min_tokens: \(o.minTokens)
              multiplier: \(o.multiplier)
              baseline_days: \(o.baselineDays)
              baseline_rank: \(o.baselineRank)
              warmup_active_hours: \(o.warmupActiveHours)
              default_baseline_tokens_per_hour: \(o.defaultBaselineTokensPerHour)
            agent_loop:
              enabled: \(l.enabled)
              window: \(d(l.window))
              min_iterations: \(l.minIterations)
              max_cycle_length: \(l.maxCycleLength)
            scripted_cadence:
              enabled: \(s.enabled)
              window: \(d(s.window))
              min_calls: \(s.minCalls)
              max_interval: \(d(s.maxInterval))
              max_variation: \(s.maxVariation)
            trivial_flood:
              enabled: \(f.enabled)
              window: \(d(f.window))
              min_calls: \(f.minCalls)
              max_prompt_words: \(f.maxPromptWords)
              max_input_tokens: \(f.maxInputTokens)
            """
        return lines.split(separator: "\n").map { indent + $0 + "\n" }.joined()
    }
}
