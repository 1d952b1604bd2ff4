/// Writes a configuration back as YAML in the layout of `Config/tokenwatch.yaml`: what
/// `tokenwatch check-config --print` shows, the effective values after defaults and flags. Reading the
/// output back gives the same configuration.
public enum ConfigurationRenderer {
    public static func yaml(_ c: TokenWatchConfiguration) -> String {
        let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        func time(_ minutes: Int) -> String {
            let h = minutes / 60
            let m = minutes % 60
            return "\"\(h < 10 ? "0" : "")\(h):\(m < 10 ? "0" : "")\(m)\""
        }
        func quoted(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        let d = DurationText.format
        let o = c.offHoursBurst
        return """
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
            journal:
              fsync: \(c.journal.fsync.rawValue)
              max_segment_bytes: \(c.journal.maxSegmentBytes)
              max_segments: \(c.journal.maxSegments)
              memory_entries: \(c.journal.memoryEntries)
            catchup:
              endpoint: \(quoted(c.catchup.endpoint))
              max_batch: \(c.catchup.maxBatch)
            detectors:
              repetitive_prompts:
                enabled: \(c.repetitivePrompts.enabled)
                window: \(d(c.repetitivePrompts.window))
                min_repeats: \(c.repetitivePrompts.minRepeats)
                similarity: \(c.repetitivePrompts.similarity)
                max_clusters_per_user: \(c.repetitivePrompts.maxClustersPerUser)
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
                warmup_active_hours: \(o.warmupActiveHours)
                default_baseline_tokens_per_hour: \(o.defaultBaselineTokensPerHour)
              agent_loop:
                enabled: \(c.agentLoop.enabled)
                window: \(d(c.agentLoop.window))
                min_iterations: \(c.agentLoop.minIterations)
                max_cycle_length: \(c.agentLoop.maxCycleLength)

            """
    }
}
