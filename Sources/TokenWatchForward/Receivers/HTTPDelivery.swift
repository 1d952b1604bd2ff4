import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One POST and what it means for the delivery: accepted, worth retrying, or refused for good.
///
/// The whole exchange, the response's body included, has one deadline: a receiver that sends its head and
/// then stalls costs one `timeout`, not the delivery loop. Redirects are not followed: a 301 or 302 would turn
/// the POST into a GET elsewhere, and a 307 would send the signed body to another origin. A 3xx is a failed
/// attempt, retried like a 5xx, whose reason names the `Location`, so that a moved receiver shows in the log.
package struct HTTPDelivery: Sendable {
    package enum Result: Sendable, Equatable {
        case delivered
        /// A network error, a timeout, a redirect, 5xx, 408 or 429: the receiver may take it later.
        case retry(String)
        /// Another 4xx: the receiver will refuse it however often it is sent.
        case refused(Int)
    }

    let client: HTTPClient
    let timeout: Duration

    /// A delivery with its own HTTP client, which follows no redirects; ``shutdown()`` releases it.
    package init(timeout: Duration) {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.timeout = timeout
    }

    package func shutdown() async { try? await client.shutdown() }

    package func post(_ url: String, body: [UInt8], headers: [(String, String)]) async -> Result {
        let timeout = timeout
        do {
            return try await withThrowingTaskGroup(of: Result?.self) { group in
                group.addTask { try await exchange(url, body: body, headers: headers) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard case let result?? = try await group.next() else {
                    return .retry("no complete response within \(timeout)")
                }
                return result
            }
        } catch {
            return .retry("\(error)")
        }
    }

    /// The request and the whole response, as the caller's task allows (cancelled at the deadline).
    private func exchange(_ url: String, body: [UInt8], headers: [(String, String)]) async throws -> Result {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "tokenwatch-forward")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: .seconds(Int64(timeout.components.seconds) + 1))
        // A body past 64 KiB is not read further: the status says all that is needed.
        _ = try? await response.body.collect(upTo: 64 * 1024)
        let code = Int(response.status.code)
        switch code {
        case 200..<300: return .delivered
        case 300..<400:
            let location = response.headers.first(name: "Location") ?? "nowhere"
            return .retry("HTTP \(code) redirect to \(location), not followed")
        case 408, 429, 500..<600: return .retry("HTTP \(code)")
        default: return .refused(code)
        }
    }
}
