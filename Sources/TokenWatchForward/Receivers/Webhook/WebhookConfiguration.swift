import TokenWatchCore

/// The webhook receivers' key in `forward`: `webhooks`, each sent every alert's payload as a signed JSON POST.
package struct WebhookConfiguration: ForwardReceiverSection {
    /// The webhooks, in the order they are named `webhook-<index>`. Default none.
    package var webhooks: [Webhook] = []

    package init() {}

    /// A webhook receiver and the key that signs what it is sent.
    package struct Webhook: Sendable, Equatable {
        package var url: String
        /// A file holding the HMAC-SHA256 key: every byte of it, a final newline included; empty sends unsigned.
        package var secretFile: String

        package init(url: String, secretFile: String = "") {
            self.url = url
            self.secretFile = secretFile
        }
    }

    package static let keys = ["webhooks"]

    package mutating func read(_ section: inout ConfigurationSection, in forward: ForwardConfiguration) {
        if section.contains("webhooks") { webhooks = [] }
        section.mappings("webhooks", keys: ["url", "secret_file"], what: "a list of {url, secret_file}") {
            _, webhook in
            guard let url = webhook.string("url") else {
                if !webhook.contains("url") { webhook.reportMissing("url", "a webhook needs a url") }
                return
            }
            if let problem = forward.targetProblem(url) {
                webhook.report("url", problem)
                return
            }
            let secret = webhook.text("secret_file", expecting: "a file path") ?? ""
            self.webhooks.append(Webhook(url: url, secretFile: secret))
        }
    }

    package var yamlLines: [String] {
        guard !webhooks.isEmpty else { return ["webhooks: []"] }
        return ["webhooks:"]
            + webhooks.flatMap {
                ["  - url: \(YAMLScalar.quoted($0.url))", "    secret_file: \(YAMLScalar.quoted($0.secretFile))"]
            }
    }
}
