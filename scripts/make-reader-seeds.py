#!/usr/bin/env python3
"""Regenerates the reader fuzzer's seed corpus, Tests/FuzzSeeds/reader/.

Seeds are small on purpose (the whole directory stays well under 200 KB):
the first 2 KiB of every corpus trace, plus hand-made files covering each
container variant the reader accepts: classic pcap in both byte orders with
micro- and nanosecond magics, pcapng little/big endian with enhanced, simple
and obsolete packet blocks, options, an unknown block and two sections, and
zstd (one frame, several frames, a skippable frame).

Usage: scripts/make-reader-seeds.py   (from the repository root; needs `zstd`)
"""
import os
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "FuzzSeeds", "reader")
PREFIX_BYTES = 2048

# A minimal Ethernet / IPv4 / UDP datagram to port 111 (portmapper NULL call).
# The reader never looks inside packets; a realistic frame just makes the seeds
# reusable by later, deeper fuzz targets.
RPC_NULL_CALL = bytes.fromhex(
    "0000006400000000000000020001 86a0 00000002 00000000 00000000 00000000 00000000 00000000".replace(" ", ""))
UDP = struct.pack(">HHHH", 40000, 111, 8 + len(RPC_NULL_CALL), 0) + RPC_NULL_CALL
IP = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(UDP), 1, 0, 64, 17, 0,
                 bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + UDP
FRAME = bytes.fromhex("020000000002020000000001" "0800") + IP


def pcap(endian, nanosecond, packets, snaplen=65535, linktype=1):
    magic = 0xA1B23C4D if nanosecond else 0xA1B2C3D4
    out = struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)
    for sec, frac, data in packets:
        out += struct.pack(endian + "IIII", sec, frac, len(data), len(data) + 4) + data
    return out


def pad4(data):
    return data + b"\0" * (-len(data) % 4)


def block(endian, btype, body):
    total = 12 + len(body)
    return struct.pack(endian + "II", btype, total) + body + struct.pack(endian + "I", total)


def option(endian, code, value):
    return struct.pack(endian + "HH", code, len(value)) + pad4(value)


def end_of_options(endian):
    return struct.pack(endian + "HH", 0, 0)


def shb(endian):
    body = struct.pack(endian + "IHHq", 0x1A2B3C4D, 1, 0, -1)
    body += option(endian, 3, b"seed-hw") + end_of_options(endian)
    return block(endian, 0x0A0D0D0A, body)


def idb(endian, linktype, tsresol):
    body = struct.pack(endian + "HHI", linktype, 0, 65535)
    if tsresol is not None:
        body += option(endian, 9, bytes([tsresol])) + end_of_options(endian)
    return block(endian, 1, body)


def epb(endian, interface, ticks, data, comment=None):
    body = struct.pack(endian + "IIIII", interface, ticks >> 32, ticks & 0xFFFFFFFF, len(data), len(data))
    body += pad4(data)
    if comment is not None:
        body += option(endian, 1, comment) + end_of_options(endian)
    return block(endian, 6, body)


def spb(endian, data):
    return block(endian, 3, struct.pack(endian + "I", len(data)) + pad4(data))


def opb(endian, interface, ticks, data):
    body = struct.pack(endian + "HHIIII", interface, 0, ticks >> 32, ticks & 0xFFFFFFFF, len(data), len(data))
    return block(endian, 2, body + pad4(data))


def unknown_block(endian):
    return block(endian, 0x0BAD0001, b"\x01\x02\x03\x04")


def pcapng_section(endian, tsresol):
    scale = {None: 10**6, 9: 10**9, 0x86: 2**6}[tsresol]
    t0 = 1_700_000_000 * scale
    return (shb(endian) + idb(endian, 1, tsresol) + idb(endian, 101, None)
            + epb(endian, 0, t0 + 1, FRAME)
            + spb(endian, FRAME)
            + unknown_block(endian)
            + epb(endian, 1, 1_700_000_000 * 10**6 + 7, IP, comment=b"raw ip on interface 1")
            + opb(endian, 0, t0 + 5, FRAME[:30]))


def zstd(data, *args):
    return subprocess.run(["zstd", "-q", "-c", *args], input=data, stdout=subprocess.PIPE, check=True).stdout


def skippable_frame(payload):
    return struct.pack("<II", 0x184D2A50, len(payload)) + payload


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def main():
    os.makedirs(OUT, exist_ok=True)
    corpora = os.path.join(ROOT, "corpora")
    for name in sorted(os.listdir(corpora)):
        for trace in ("trace.pcap", "trace.pcapng", "trace.pcap.zst"):
            path = os.path.join(corpora, name, trace)
            if os.path.exists(path):
                with open(path, "rb") as f:
                    write("prefix-" + name + "-" + trace, f.read(PREFIX_BYTES))

    packets = [(1_700_000_000, 1, FRAME), (1_700_000_000, 999_999, FRAME[:42]), (1_700_000_001, 0, b"")]
    pcap_le_us = pcap("<", False, packets)
    write("pcap-le-us.pcap", pcap_le_us)
    write("pcap-be-us.pcap", pcap(">", False, packets))
    write("pcap-le-ns.pcap", pcap("<", True, [(s, f * 1000, d) for s, f, d in packets]))
    write("pcap-be-ns.pcap", pcap(">", True, [(s, f * 1000, d) for s, f, d in packets]))
    write("pcap-header-only.pcap", pcap("<", False, []))
    write("magic-only.bin", struct.pack("<I", 0xA1B2C3D4))

    ng_le = pcapng_section("<", 9)
    ng_be = pcapng_section(">", 0x86)
    write("pcapng-le.pcapng", ng_le)
    write("pcapng-be.pcapng", ng_be)
    write("pcapng-two-sections.pcapng", pcapng_section("<", None) + ng_be)

    write("zstd-one-frame.pcap.zst", zstd(pcap_le_us))
    # A record that straddles two frames (frames split mid-record).
    write("zstd-two-frames.pcap.zst", zstd(pcap_le_us[:50]) + zstd(pcap_le_us[50:]))
    write("zstd-skippable.pcap.zst", skippable_frame(b"seed") + zstd(pcap_le_us))
    write("zstd-pcapng.pcapng.zst", zstd(ng_le, "--no-check"))

    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"{len(os.listdir(OUT))} seeds, {total} bytes in {OUT}")
    if total >= 200_000:
        sys.exit("seed corpus too large")


if __name__ == "__main__":
    main()
