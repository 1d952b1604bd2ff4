import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One POST and what it means for the delivery: accepted, worth retrying, or refused for good.
package struct HTTPDelivery: Sendable {
    package enum Result: Sendable, Equatable {
        case delivered
        /// A network error, a timeout, 5xx, 408 or 429: the receiver may take it later.
        case retry(String)
        /// Another 4xx: the receiver will refuse it however often it is sent.
        case refused(Int)
    }

    let client: HTTPClient
    let timeout: Duration

    package init(client: HTTPClient, timeout: Duration) {
        self.client = client
        self.timeout = timeout
    }

    package func post(_ url: String, body: [UInt8], headers: [(String, String)]) async -> Result {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "tokenwatch-forward")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let seconds = timeout.components.seconds
            let response = try await client.execute(request, timeout: .seconds(max(1, seconds)))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            switch response.status.code {
            case 200..<300: return .delivered
            case 408, 429, 500..<600: return .retry("HTTP \(response.status.code)")
            default: return .refused(Int(response.status.code))
            }
        } catch {
            return .retry("\(error)")
        }
    }
}

/// The waits between attempts: doubling from `initial` up to `maximum`.
package struct Backoff: Sendable {
    let initial: Duration
    let maximum: Duration
    private(set) var next: Duration

    package init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = maximum
        next = initial
    }

    /// The wait before the next attempt; each call doubles the following one.
    package mutating func failed() -> Duration {
        let wait = next
        next = min(next * 2, maximum)
        return wait
    }

    package mutating func succeeded() { next = initial }
}
