import Foundation

/// Which journal this is: an id the catch-up reply carries (`"epoch"`), so that a consumer whose cursor
/// points into another journal (the daemon came back with a new state directory, or none) knows its `seq`
/// means nothing here, and starts again from the journal's oldest alert.
///
/// A new id is made whenever the journal starts empty, and whenever its file is missing; it is kept in
/// `journal.epoch` of the state directory (beside `journal/`, whose files are all segments), so that a daemon
/// restarted on its own journal keeps its epoch. Without a state directory every start is a new journal, and a
/// new epoch.
enum JournalEpoch {
    static func current(in journal: URL?, journalIsEmpty: Bool) -> String {
        let file = journal.map { $0.deletingLastPathComponent().appendingPathComponent("journal.epoch") }
        if !journalIsEmpty, let file, let data = try? Data(contentsOf: file),
            let saved = String(data: data, encoding: .utf8), isWellFormed(saved)
        {
            return saved
        }
        let fresh = UUID().uuidString.lowercased()
        if let file { try? DurableFile.replace(file, with: Data(fresh.utf8)) }
        return fresh
    }

    /// Letters, digits and dashes only, so that the id goes into the reply's JSON as it is.
    static func isWellFormed(_ epoch: String) -> Bool {
        !epoch.isEmpty && epoch.count <= 64
            && epoch.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }
}
