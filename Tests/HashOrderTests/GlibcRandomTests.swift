import HashOrder
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class GlibcRandomTests: XCTestCase {
    func testFirstOutputsOfTheReferenceSeed() {
        var random = GlibcRandom(seed: 3_695_555_201)
        XCTAssertEqual([random.next(), random.next(), random.next()], [575_989_999, 1_961_070_108, 210_974_641])
    }

    func testDefaultSeedIsTheGoldenRunsSeed() {
        var a = GlibcRandom()
        var b = GlibcRandom(seed: 3_695_555_201)
        XCTAssertEqual((0..<10).map { _ in a.next() }, (0..<10).map { _ in b.next() })
    }

    func testOutputsAre31Bits() {
        var random = GlibcRandom(seed: 12345)
        for _ in 0..<10_000 { XCTAssertLessThan(random.next(), 1 << 31) }
    }

    #if canImport(Glibc)
    /// Cross-check with the C library itself (this machine's libc is glibc):
    /// seeds with the high bit set (negative as int32), zero, small and large.
    func testMatchesTheSystemGlibc() {
        for seed: UInt32 in [3_695_555_201, 0, 1, 42, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF] {
            var model = GlibcRandom(seed: seed)
            Glibc.srandom(seed)
            for k in 0..<2_000 {
                let expected = UInt32(Glibc.random())
                let actual = model.next()
                if expected != actual {
                    XCTFail("seed \(seed), output \(k): glibc \(expected), model \(actual)")
                    break
                }
            }
        }
    }
    #endif
}
