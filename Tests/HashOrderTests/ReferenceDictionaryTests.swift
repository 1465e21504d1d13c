import CorpusSynth
import HashOrder
import XCTest

final class ReferenceDictionaryTests: XCTestCase {
    // MARK: order without resizing

    func testDumpEntriesAreVisitedInBucketOrder() {
        var entries = ReferenceDictionary<UInt32, String>()
        for index: UInt32 in 1...5 { entries.updateValue("entry \(index)", forKey: index) }
        XCTAssertEqual(entries.keys, [4, 2, 5, 1, 3])
        XCTAssertEqual(entries.map(\.value), ["entry 4", "entry 2", "entry 5", "entry 1", "entry 3"])
    }

    func testSameBucketKeepsInsertionOrder() {
        // Indices 5 and 7 share bucket 8; 13 and 14 share bucket 13.
        var entries = ReferenceDictionary<UInt32, Int>()
        for index: UInt32 in [14, 7, 13, 5] { entries.updateValue(0, forKey: index) }
        XCTAssertEqual(entries.keys, [7, 5, 14, 13])
    }

    func testServiceChoiceIsTheFirstElementOfTheSet() {
        func first(_ names: [String]) -> String? {
            var set = ReferenceSet<String>()
            for name in names { set.insert(name) }
            return set.first?.key
        }
        // Observed in the goldens (SEMANTICS-RPC.md / SEMANTICS-CONN.md §4.4).
        XCTAssertEqual(first(["pm_getport", "pm_null"]), "pm_null")
        XCTAssertEqual(first(["pm_set", "pm_getport", "pm_dump", "pm_unset"]), "pm_dump")
        XCTAssertEqual(first(["pm_null", "pm_set", "pm_getport", "pm_dump", "pm_callit"]), "pm_callit")
        // pm_null and pm_set share a bucket: whichever came first wins.
        XCTAssertEqual(first(["pm_set", "pm_null"]), "pm_set")
        XCTAssertEqual(first(["pm_null", "pm_set"]), "pm_null")
        XCTAssertEqual(first(["pm_unset", "pm_getport"]), "pm_getport")
        XCTAssertNil(first([]))
    }

    /// rpcinfo-client, nochecksum golden: 13 TCP connections 127.0.0.1:668...680
    /// to 127.0.0.1:111 are flushed in this order (SEMANTICS-CONN.md §2.7).
    func testRpcinfoClientFlushOrder() {
        func key(_ port: UInt16) -> [UInt8] {
            // Canonical key: side 1 is port 111 (smaller as little-endian integer of its wire bytes).
            [127, 0, 0, 1, 127, 0, 0, 1, 0x00, 0x6F, UInt8(port >> 8), UInt8(port & 0xFF)]
        }
        var table = ReferenceDictionary<[UInt8], UInt16>()
        for port: UInt16 in 668...680 { table.updateValue(port, forKey: key(port)) }  // pending SYNs
        for port: UInt16 in 668...680 {  // instantiation on the first reply: remove, insert again
            table.removeValue(forKey: key(port))
            table.updateValue(port, forKey: key(port))
        }
        XCTAssertEqual(table.map(\.value), [680, 669, 670, 679, 678, 672, 671, 673, 677, 674, 675, 668, 676])
    }

    // MARK: insert / replace / remove

    func testReplaceKeepsPositionAndReturnsOldValue() {
        var set = ReferenceDictionary<String, Int>()
        XCTAssertNil(set.updateValue(1, forKey: "pm_null"))
        XCTAssertNil(set.updateValue(2, forKey: "pm_set"))
        XCTAssertEqual(set.updateValue(3, forKey: "pm_null"), 1)
        XCTAssertEqual(set.count, 2)
        XCTAssertEqual(set.keys, ["pm_null", "pm_set"])
        XCTAssertEqual(set["pm_null"], 3)
    }

    func testRemoveKeepsOthersAndReinsertGoesToChainEnd() {
        var set = ReferenceDictionary<String, Int>()
        for (i, name) in ["pm_null", "pm_set", "pm_getport", "pm_callit"].enumerated() { set.updateValue(i, forKey: name) }
        XCTAssertEqual(set.keys, ["pm_callit", "pm_null", "pm_set", "pm_getport"])
        XCTAssertEqual(set.removeValue(forKey: "pm_null"), 0)
        XCTAssertNil(set.removeValue(forKey: "pm_null"))
        XCTAssertNil(set["pm_null"])
        XCTAssertEqual(set.keys, ["pm_callit", "pm_set", "pm_getport"])
        set.updateValue(9, forKey: "pm_null")
        XCTAssertEqual(set.keys, ["pm_callit", "pm_set", "pm_null", "pm_getport"])
        XCTAssertEqual(set.count, 4)
    }

    func testIteratorIsASnapshot() {
        var entries = ReferenceDictionary<UInt32, Int>()
        for i: UInt32 in 1...5 { entries.updateValue(Int(i), forKey: i) }
        var iterator = entries.makeIterator()
        entries.removeValue(forKey: 2)
        entries.updateValue(6, forKey: 6)
        var seen: [UInt32] = []
        while let (key, _) = iterator.next() { seen.append(key) }
        XCTAssertEqual(seen, [4, 2, 5, 1, 3])
        XCTAssertEqual(entries.keys, [4, 6, 5, 1, 3])
    }

    func testRemoveAllStartsOver() {
        var entries = ReferenceDictionary<UInt32, Int>()
        for i: UInt32 in 1...200 { entries.updateValue(0, forKey: i) }
        entries.removeAll()
        XCTAssertTrue(entries.isEmpty)
        XCTAssertEqual(entries.bucketCount, 17)
        for i: UInt32 in 1...5 { entries.updateValue(0, forKey: i) }
        XCTAssertEqual(entries.keys, [4, 2, 5, 1, 3])
    }

    // MARK: resizing

    func testNextPrime() {
        typealias D = ReferenceDictionary<UInt32, Int>
        XCTAssertEqual([35, 75, 159, 327, 663, 1347, 2695].map(D.nextPrime), [37, 79, 163, 331, 673, 1347, 2695])
        XCTAssertEqual(D.nextPrime(16), 17)
        XCTAssertEqual(D.nextPrime(1000), 1001, "above 1000 only oddness is enforced")
        XCTAssertEqual(D.nextPrime(990), 991)
        XCTAssertEqual(D.nextPrime(9), 11, "9 = 3 * 3 is not prime")
    }

    func testResizeStartsAtThreeTimesTheBuckets() {
        var entries = ReferenceDictionary<UInt32, Int>()
        for i: UInt32 in 1...50 { entries.updateValue(0, forKey: i) }
        XCTAssertFalse(entries.isResizing)
        let before = entries.keys
        entries.updateValue(0, forKey: 51)  // count reaches int(3.0 * 17) = 51
        XCTAssertTrue(entries.isResizing)
        XCTAssertEqual(entries.resizeBucketCount, 37)
        XCTAssertEqual(entries.bucketCount, 17)
        // Starting a resize moves nothing: the order is the old one plus the new key.
        XCTAssertEqual(entries.keys.filter { $0 != 51 }, before)
        XCTAssertFalse(entries.bucket(of: 1).inResizeTable)
    }

    func testEachInsertDuringResizeMovesWholeChainsOfAtLeastEight() {
        var entries = ReferenceDictionary<UInt32, Int>()
        for i: UInt32 in 1...51 { entries.updateValue(0, forKey: i) }
        let chains = Dictionary(grouping: (1...51).map { UInt32($0) }) { H3Hash.reference.hash($0) % 17 }
        entries.updateValue(0, forKey: 1000)
        // Buckets are moved in order until >= 8 entries moved; work out where that stops.
        var moved = 0
        var cursor = 0
        repeat { moved += chains[UInt32(cursor)]?.count ?? 0; cursor += 1 } while moved < 8 && cursor < 17
        for key: UInt32 in 1...51 {
            let oldBucket = Int(H3Hash.reference.hash(key) % 17)
            XCTAssertEqual(entries.bucket(of: key).inResizeTable, oldBucket < cursor, "key \(key)")
        }
        // Iteration: unmoved old buckets first, then the new table.
        let keys = entries.keys
        let firstMoved = keys.firstIndex { entries.bucket(of: $0).inResizeTable }!
        XCTAssertTrue(keys[firstMoved...].allSatisfy { entries.bucket(of: $0).inResizeTable })
        XCTAssertEqual(keys.count - firstMoved, moved + (entries.bucket(of: 1000).inResizeTable ? 1 : 0))
    }

    func testResizeFinishesAndRaisesTheThreshold() {
        var entries = ReferenceDictionary<UInt32, Int>()
        var inserted: UInt32 = 0
        repeat { inserted += 1; entries.updateValue(Int(inserted), forKey: inserted) } while !entries.isResizing
        repeat { inserted += 1; entries.updateValue(Int(inserted), forKey: inserted) } while entries.isResizing
        XCTAssertEqual(entries.bucketCount, 37)
        XCTAssertLessThanOrEqual(inserted, 51 + 17, "at least one bucket per insert")
        XCTAssertEqual(entries.count, Int(inserted))
        for key in 1...inserted { XCTAssertEqual(entries[key], Int(key)) }
        // Next resize at int(3.0 * 37) = 111 entries.
        while entries.count < 110 { inserted += 1; entries.updateValue(0, forKey: inserted) }
        XCTAssertFalse(entries.isResizing)
        inserted += 1
        entries.updateValue(0, forKey: inserted)
        XCTAssertEqual(entries.resizeBucketCount, 79)
    }

    func testReplacementsAlsoAdvanceAResize() {
        var entries = ReferenceDictionary<UInt32, Int>()
        for i: UInt32 in 1...51 { entries.updateValue(0, forKey: i) }
        var steps = 0
        while entries.isResizing {
            entries.updateValue(steps, forKey: 1)  // replace only
            steps += 1
        }
        XCTAssertEqual(entries.count, 51)
        XCTAssertEqual(entries.bucketCount, 37)
        XCTAssertLessThanOrEqual(steps, 17)
    }

    func testRemovalsNeverMoveChains() {
        var entries = ReferenceDictionary<UInt32, Int>()
        for i: UInt32 in 1...52 { entries.updateValue(0, forKey: i) }
        XCTAssertTrue(entries.isResizing)
        let before = entries.keys
        for i: UInt32 in 1...40 { entries.removeValue(forKey: i) }
        XCTAssertTrue(entries.isResizing)
        XCTAssertEqual(entries.keys, before.filter { $0 > 40 })
    }

    /// Long random operation sequences, through several resizes (up to sizes
    /// above 1000 buckets), against the plain transcription of the spec.
    func testMatchesThePlainModelOnRandomOperations() {
        var generator = SplitMix64(seed: 0x5EED)
        var model = ReferenceDictionary<[UInt8], Int>()
        var oracle = NaiveReferenceTable()
        let pool: [[UInt8]] = (0..<6_000).map { _ in
            (0..<(1 + Int(generator.next() % 12))).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        }
        var maximumBuckets = 0
        for step in 0..<30_000 {
            let key = pool[Int(generator.next() % UInt64(pool.count))]
            if generator.next() % 100 < 70 {
                XCTAssertEqual(model.updateValue(step, forKey: key), oracle.insert(key, step))
            } else {
                XCTAssertEqual(model.removeValue(forKey: key), oracle.remove(key))
            }
            XCTAssertEqual(model[key], oracle.lookup(key))
            if step % 211 == 0 || step == 29_999 {
                XCTAssertEqual(model.keys, oracle.order, "order differs at step \(step)")
                XCTAssertEqual(model.bucketCount, oracle.bucketCount)
                XCTAssertEqual(model.count, oracle.order.count)
            }
            maximumBuckets = max(maximumBuckets, model.bucketCount)
        }
        XCTAssertGreaterThanOrEqual(maximumBuckets, 1347, "exercise sizes above the prime threshold")
    }

    func testManyKeysInOneBucketStayCorrect() {
        // Crafted traffic can put many keys in one chain; order and lookups must hold.
        var entries = ReferenceDictionary<UInt32, Int>()
        let sameBucket = (UInt32(1)...UInt32(200_000)).filter { H3Hash.reference.hash($0) % 17 == 0 }.prefix(40)
        for key in sameBucket { entries.updateValue(Int(key), forKey: key) }
        XCTAssertEqual(entries.count, 40)
        for key in sameBucket { XCTAssertEqual(entries[key], Int(key)) }
    }
}

/// Compile-time check: a table of sendable keys and values is itself sendable.
private func requireSendable<T: Sendable>(_: T.Type) {}
private let _sendableCheck: Void = requireSendable(ReferenceDictionary<String, Int>.self)
