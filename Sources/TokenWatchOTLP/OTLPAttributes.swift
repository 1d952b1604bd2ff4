/// A record's attributes and its resource's, looked up by name: every name on the record first, then every
/// name on the resource, so that a span's own `user.id` wins over a service-wide `enduser.id`.
struct OTLPAttributes {
    let own: [OTLPKeyValue]
    let resource: [OTLPKeyValue]

    /// The first of `names` that is present with a value.
    func value(_ names: [String]) -> OTLPAnyValue? {
        for list in [own, resource] {
            for name in names {
                if let pair = list.first(where: { $0.key == name }), pair.hasValue, pair.value.value != nil {
                    return pair.value
                }
            }
        }
        return nil
    }

    /// A text field: a string, or an integer written out (numeric user ids are common).
    func text(_ names: [String]) -> Result<String?, OTLPRecordRejection> {
        guard let value = value(names) else { return .success(nil) }
        switch value.value {
        case .stringValue(let text): return .success(text.isEmpty ? nil : text)
        case .intValue(let number): return .success(String(number))
        default: return .failure(.wrongType)
        }
    }

    /// A token count: an integer, or a string or a whole double holding one (JSON exporters differ).
    func count(_ names: [String]) -> Result<Int64?, OTLPRecordRejection> {
        guard let value = value(names) else { return .success(nil) }
        switch value.value {
        case .intValue(let number): return number >= 0 ? .success(number) : .failure(.wrongType)
        case .stringValue(let text):
            guard let number = Int64(text), number >= 0 else { return .failure(.wrongType) }
            return .success(number)
        case .doubleValue(let number):
            guard number >= 0, number < 9e18, number.rounded() == number else { return .failure(.wrongType) }
            return .success(Int64(number))
        default: return .failure(.wrongType)
        }
    }
}
