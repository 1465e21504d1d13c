import PacketDecoding

/// `%.Nf` formatting of network times and durations, exactly as C's printf rounds.
public enum FixedPoint {
    public static func format(_ value: Double, decimals: Int = 6) -> String {
        FixedDecimal.string(value, decimals: decimals)
    }
}
