/// The receiver kinds' sections of `forward` (``ForwardReceiverSection``), one per kind, each reached by its
/// type: `receivers[WebhookConfiguration.self]`.
///
/// They are kept in the order of their first key, which is the order they are read and printed, so the printed
/// file does not depend on the order the kinds are registered in (that order is when alerts are recorded).
package struct ForwardReceiverSections: Sendable, Equatable {
    private var sections: [any ForwardReceiverSection] = []

    package init(_ sections: [any ForwardReceiverSection] = []) {
        for section in sections { insert(section) }
    }

    /// The kind's section; its defaults when the configuration was built without it.
    package subscript<Section: ForwardReceiverSection>(_ type: Section.Type) -> Section {
        get { sections.lazy.compactMap { $0 as? Section }.first ?? Section() }
        set { insert(newValue) }
    }

    /// Every kind's keys, in order.
    var keys: [String] { sections.flatMap { Swift.type(of: $0).keys } }

    var yamlLines: [String] { sections.flatMap(\.yamlLines) }

    mutating func read(_ section: inout ConfigurationSection, in forward: ForwardConfiguration) {
        for index in sections.indices { sections[index].read(&section, in: forward) }
    }

    package static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.sections.count == rhs.sections.count
            && zip(lhs.sections, rhs.sections).allSatisfy { $0.isEqual(to: $1) }
    }

    /// Replaces the section of the same kind, or adds it in its place.
    private mutating func insert<Section: ForwardReceiverSection>(_ section: Section) {
        if let index = sections.firstIndex(where: { $0 is Section }) {
            sections[index] = section
            return
        }
        let first = Section.keys.first ?? ""
        let index = sections.firstIndex { (Swift.type(of: $0).keys.first ?? "") > first } ?? sections.endIndex
        sections.insert(section, at: index)
    }
}
