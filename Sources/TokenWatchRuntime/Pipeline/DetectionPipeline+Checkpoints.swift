import Foundation
import Logging
import TokenWatchCore

/// Restoring the engine at start and checkpointing it while running and at the end.
extension DetectionPipeline {
    /// The engine of the last checkpoint under the current configuration, or a fresh one.
    func restoredEngine() -> DetectionEngine {
        let configuration = settings.configuration
        guard let store = settings.checkpoints else { return DetectionEngine(configuration: configuration) }
        switch store.load() {
        case .none:
            logger.info("no checkpoint yet; starting fresh", metadata: ["path": "\(store.file.path)"])
        case .restored(let state, let savedAt):
            let engine = DetectionEngine(restoring: state, configuration: configuration)
            logger.info(
                "state restored",
                metadata: [
                    "path": "\(store.file.path)", "saved_at": "\(savedAt)", "events": "\(engine.eventsProcessed)",
                    "open_incidents": "\(engine.openIncidents)", "next_seq": "\(engine.nextSequence)",
                ])
            switch engine.upgrade {
            case .split:
                logger.notice("checkpoint from before the detection shards: its state was split by user")
            case .windowsDropped:
                logger.warning(
                    "checkpoint from before the detection shards: users are pseudonymised, so windows and baselines start afresh; open incidents, seq and the population's prior are kept"
                )
            case nil: break
            }
            return engine
        case .setAside(let reason, let movedTo):
            logger.error(
                "checkpoint set aside; starting fresh", metadata: ["reason": "\(reason)", "moved_to": "\(movedTo)"])
        }
        return DetectionEngine(configuration: configuration)
    }

    /// Writes a copy of the engine on another thread: the copy is cheap (copy-on-write) and encoding a
    /// large state must not pause ingest.
    func checkpointInBackground(_ engine: DetectionEngine, to store: CheckpointStore) {
        let logger = self.logger
        Thread.detachNewThread {
            do {
                try store.write(engine)
                logger.debug("checkpoint written", metadata: ["path": "\(store.file.path)"])
            } catch {
                logger.error("checkpoint failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// The checkpoint at the end, written on the detection thread before it closes its sockets.
    func writeFinalCheckpoint(_ engine: DetectionEngine) {
        guard let store = settings.checkpoints else { return }
        do {
            try store.write(engine)
            logger.info(
                "checkpoint written", metadata: ["path": "\(store.file.path)", "events": "\(engine.eventsProcessed)"])
        } catch {
            logger.error("final checkpoint failed", metadata: ["error": "\(error)"])
        }
    }
}
