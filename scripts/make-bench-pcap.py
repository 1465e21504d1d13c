#!/usr/bin/env python3
"""Write a large classic pcap by repeating the records of a small one.

Usage: make-bench-pcap.py SOURCE.pcap OUT.pcap TARGET_BYTES

Every repetition shifts the timestamps by the source's span plus one second,
so the output stays in time order (what a real long capture looks like to the
reader). The output ends on a record boundary at or below TARGET_BYTES.
Only classic pcap (either byte order, us or ns) is accepted as the source.
"""
import struct
import sys


def main() -> int:
    source, out_path, target = sys.argv[1], sys.argv[2], int(sys.argv[3])
    data = open(source, "rb").read()
    if len(data) < 24:
        sys.exit(f"{source}: too short for a pcap header")
    magic = struct.unpack_from("<I", data, 0)[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        order = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        order = ">"
    else:
        sys.exit(f"{source}: not a classic pcap (magic {magic:#x})")
    header, body = data[:24], data[24:]
    # Offsets of every record header in the body, and the seconds span.
    offsets = []
    pos = 0
    while pos + 16 <= len(body):
        caplen = struct.unpack_from(order + "I", body, pos + 8)[0]
        if pos + 16 + caplen > len(body):
            break
        offsets.append(pos)
        pos += 16 + caplen
    if not offsets:
        sys.exit(f"{source}: no complete record")
    body = body[:pos]
    first = struct.unpack_from(order + "I", body, offsets[0])[0]
    last = struct.unpack_from(order + "I", body, offsets[-1])[0]
    shift = last - first + 1
    written = 24
    with open(out_path, "wb") as out:
        out.write(header)
        rep = 0
        while written + 16 < target:
            chunk = bytearray(body)
            if rep:
                for off in offsets:
                    sec = struct.unpack_from(order + "I", chunk, off)[0]
                    struct.pack_into(order + "I", chunk, off, (sec + rep * shift) & 0xFFFFFFFF)
            if written + len(chunk) > target:
                # Last, partial repetition: stop at the last whole record that fits.
                end = 0
                for off in offsets:
                    rec_end = off + 16 + struct.unpack_from(order + "I", chunk, off + 8)[0]
                    if written + rec_end > target:
                        break
                    end = rec_end
                chunk = chunk[:end]
                if not chunk:
                    break
            out.write(chunk)
            written += len(chunk)
            rep += 1
    print(f"{out_path}: {written} bytes, {rep} repetitions of {len(offsets)} records", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
