/// Lower bounds on the earliest expiry time in each expiring table. A table sweep
/// can only remove an entry whose expiry is before now, so while `bound >= now`
/// the sweep is skipped without touching the table. Entries added or refreshed
/// later get an expiry of (a time ≥ the last sweep) + lifetime, never below the
/// bound computed then, so the bound stays valid until the next real sweep.
struct ExpiryBounds {
    var weirdIgnore = -Double.infinity
    var didNoticeConnection = -Double.infinity
    var didNoticeOriginator = -Double.infinity
    var didWeirdLog = -Double.infinity
    var distinctPeers = -Double.infinity
    var distinctPorts = -Double.infinity
    var distinctLowPorts = -Double.infinity
    var preDistinctPeers = -Double.infinity
    var backscatterPeers = -Double.infinity
    var possibleScanSources = -Double.infinity
}

/// Keys of entries expiring before `now`, and the earliest expiry among the rest.
@inline(__always)
func expiredKeys<Key, Value>(_ table: [Key: Value], now: Double, lifetime: Double,
                             expiry: (Value) -> Double) -> (keys: [Key], nextBound: Double) {
    var keys: [Key] = []
    var earliest = now + lifetime
    for (key, value) in table {
        let time = expiry(value)
        if time < now {
            keys.append(key)
        } else if time < earliest {
            earliest = time
        }
    }
    return (keys, earliest)
}

/// Removes the entries expiring before `now` (in place: no table rebuild) unless
/// `bound` proves there are none; updates `bound`.
@inline(__always)
func expireEntries<Key, Value>(_ table: inout [Key: Value], now: Double, lifetime: Double, bound: inout Double,
                               expiry: (Value) -> Double) {
    guard bound < now else { return }
    let (keys, nextBound) = expiredKeys(table, now: now, lifetime: lifetime, expiry: expiry)
    for key in keys { table[key] = nil }
    bound = nextBound
}
