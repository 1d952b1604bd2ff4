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

    func text(_ names: [String]) -> Result<String?, OTLPRecordRejection> {
        Result { () throws(OTLPRecordRejection) in try value(names).flatMap(AttributeValue.init)?.text() }
    }

    func count(_ names: [String]) -> Result<Int64?, OTLPRecordRejection> {
        Result { () throws(OTLPRecordRejection) in try value(names).flatMap(AttributeValue.init)?.count() }
    }
}
