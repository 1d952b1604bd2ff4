import ServiceLifecycle

/// Publishes, twice a second, the log records' calls whose span did not come in time (``CallJoiner``); at
/// graceful shutdown, all that still wait.
package struct CallJoinerSweep: Service {
    let export: OTLPExportHandler

    package init(export: OTLPExportHandler) { self.export = export }

    package func run() async throws {
        while !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(500)) }
            export.sweep()
        }
        export.sweep(now: .max)
    }
}
