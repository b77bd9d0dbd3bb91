#!/usr/bin/env python3
"""Writes benchmark captures for sipwire: classic pcap files (LINKTYPE_ETHERNET) of
SIP INVITEs with distinct Call-IDs, or of G.711 RTP frames for many streams.

The frames are meant to be replayed into sipwire-dp by DPDK's net_pcap
(`--vdev=net_pcap0,rx_pcap=FILE,infinite_rx=1`); they never reach a real network.
Addresses come from the documentation ranges (RFC 5737): sources 192.0.2.100 to
192.0.2.200, the data plane at 192.0.2.1. The destination MAC is broadcast, which
sipwire's L2 stage accepts (it then checks the IPv4 destination), so the capture does
not depend on the MAC address of the port that replays it.

Python 3 standard library only. Examples:

    sipgen.py --out invites.pcap                      # 10,000 INVITEs, ~900-byte frames
    sipgen.py --kind rtp --out rtp.pcap               # 214-byte PCMU frames, 10,000 streams
    sipgen.py --verify invites.pcap                   # parse back, check every checksum
    sipgen.py --selftest                              # generate both kinds and verify them
"""
import argparse
import ipaddress
import os
import random
import struct
import sys
import tempfile

PCAP_MAGIC = 0xA1B2C3D4  # microsecond timestamps, written in native order
LINKTYPE_ETHERNET = 1
SNAPLEN = 65535

BROADCAST_MAC = b"\xff" * 6
SRC_MAC = bytes.fromhex("020000000001")  # locally administered, unicast
ETHERTYPE_IPV4 = 0x0800
IP_PROTO_UDP = 17
MAX_FRAME = 1514  # Ethernet MTU 1500 + 14-byte header: no fragmentation

SOURCE_FIRST = "192.0.2.100"  # TEST-NET-1 (RFC 5737)
SOURCE_COUNT = 101            # .100 .. .200


# --- checksums ------------------------------------------------------------------
def ones_complement_sum(data, start=0):
    """16-bit ones' complement sum of `data` (big-endian words), folded."""
    if len(data) % 2:
        data = data + b"\0"
    total = start + sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def ipv4_checksum(header):
    return ~ones_complement_sum(header) & 0xFFFF


def udp_checksum(src_ip, dst_ip, udp_segment):
    pseudo = src_ip + dst_ip + struct.pack("!BBH", 0, IP_PROTO_UDP, len(udp_segment))
    c = ~ones_complement_sum(pseudo + udp_segment) & 0xFFFF
    return c or 0xFFFF  # RFC 768: a computed zero is sent as all ones


# --- framing --------------------------------------------------------------------
def udp_frame(src_ip, dst_ip, src_port, dst_port, payload, ip_id):
    """Ethernet + IPv4 (no options, DF clear) + UDP with both checksums filled in."""
    s, d = ipaddress.IPv4Address(src_ip).packed, ipaddress.IPv4Address(dst_ip).packed
    udp_len = 8 + len(payload)
    udp = struct.pack("!HHHH", src_port, dst_port, udp_len, 0) + payload
    udp = udp[:6] + struct.pack("!H", udp_checksum(s, d, udp)) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, ip_id & 0xFFFF, 0, 64,
                     IP_PROTO_UDP, 0, s, d)
    ip = ip[:10] + struct.pack("!H", ipv4_checksum(ip)) + ip[12:]
    return BROADCAST_MAC + SRC_MAC + struct.pack("!H", ETHERTYPE_IPV4) + ip + udp


def source_ip(i):
    return str(ipaddress.IPv4Address(SOURCE_FIRST) + (i % SOURCE_COUNT))


# --- SIP INVITE -------------------------------------------------------------------
SDP_TEMPLATE = (
    "v=0\r\n"
    "o=- {sess} {sess} IN IP4 {ip}\r\n"
    "s=-\r\n"
    "c=IN IP4 {ip}\r\n"
    "t=0 0\r\n"
    "m=audio {rtp_port} RTP/AVP 0 8 101\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-16\r\n"
    "a=ptime:20\r\n"
    "a=sendrecv\r\n"
)


def invite_payload(i, rng, dst_ip, dst_port):
    ip = source_ip(i)
    caller = "+1555%07d" % (i % 10_000_000)
    callee = "+1666%07d" % ((i * 7919) % 10_000_000)
    # Distinct by construction (the index), random-looking like a real UA's.
    call_id = "%016x%08x@%s" % (rng.getrandbits(64), i, ip)
    branch = "z9hG4bK-%016x" % rng.getrandbits(64)
    tag = "%012x" % rng.getrandbits(48)
    sdp = SDP_TEMPLATE.format(sess=1_000_000 + i, ip=ip, rtp_port=10000 + 2 * (i % 5000))
    headers = [
        "INVITE sip:%s@%s:%d SIP/2.0" % (callee, dst_ip, dst_port),
        "Via: SIP/2.0/UDP %s:5060;branch=%s;rport" % (ip, branch),
        "Max-Forwards: 70",
        'From: "Caller %s" <sip:%s@%s>;tag=%s' % (caller[-4:], caller, ip, tag),
        "To: <sip:%s@%s>" % (callee, dst_ip),
        "Call-ID: %s" % call_id,
        "CSeq: 1 INVITE",
        "Contact: <sip:%s@%s:5060;transport=udp>" % (caller, ip),
        "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, PRACK, UPDATE, INFO, REFER, NOTIFY",
        "Supported: replaces, timer, 100rel",
        "P-Asserted-Identity: <sip:%s@%s>" % (caller, ip),
        "User-Agent: sipwire-pcapgen/1.0 (bench)",
        "Content-Type: application/sdp",
        "Content-Length: %d" % len(sdp),
    ]
    return ("\r\n".join(headers) + "\r\n\r\n" + sdp).encode("ascii")


def invite_frames(count, dst_ip, dst_port, seed):
    rng = random.Random(seed)
    for i in range(count):
        payload = invite_payload(i, rng, dst_ip, dst_port)
        yield udp_frame(source_ip(i), dst_ip, 5060, dst_port, payload, ip_id=i)


# --- RTP (RFC 3550), G.711 mu-law, 20 ms -----------------------------------------------
RTP_PAYLOAD_LEN = 160  # 20 ms of 8 kHz G.711: frame = 14 + 20 + 8 + 12 + 160 = 214 bytes


def rtp_frames(count, streams, dst_ip, port_min, port_max, seed):
    rng = random.Random(seed)
    even_ports = (port_max - port_min + 1) // 2
    if even_ports < 1:
        raise ValueError("empty RTP port range")
    ssrc = [rng.getrandbits(32) for _ in range(streams)]
    seq0 = [rng.getrandbits(16) for _ in range(streams)]
    ts0 = [rng.getrandbits(32) for _ in range(streams)]
    payload = bytes([0xFF]) * RTP_PAYLOAD_LEN  # mu-law silence
    for k in range(count):
        s, n = k % streams, k // streams  # round robin: packet n of stream s
        header = struct.pack("!BBHII", 0x80, (0x80 if n == 0 else 0) | 0,  # V=2; M on first; PT 0
                             (seq0[s] + n) & 0xFFFF, (ts0[s] + RTP_PAYLOAD_LEN * n) & 0xFFFFFFFF,
                             ssrc[s])
        yield udp_frame(source_ip(s), dst_ip, 16384 + 2 * s, port_min + 2 * (s % even_ports),
                        header + payload, ip_id=k)


# --- pcap I/O -----------------------------------------------------------------------
def write_pcap(path, frames):
    n = 0
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("=IHHiIII", PCAP_MAGIC, 2, 4, 0, 0, SNAPLEN, LINKTYPE_ETHERNET))
        for frame in frames:
            if len(frame) > MAX_FRAME:
                raise ValueError("frame %d is %d bytes (> %d)" % (n, len(frame), MAX_FRAME))
            sec, usec = divmod(n * 1000, 1_000_000)  # one frame per millisecond
            f.write(struct.pack("=IIII", 1_700_000_000 + sec, usec, len(frame), len(frame)))
            f.write(frame)
            n += 1
    os.replace(tmp, path)
    return n


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError("%s: too short for a pcap header" % path)
    magic = struct.unpack("<I", data[:4])[0]
    if magic == PCAP_MAGIC:
        e = "<"
    elif magic == 0xD4C3B2A1:
        e = ">"
    else:
        raise ValueError("%s: not a classic microsecond pcap (magic %08x)" % (path, magic))
    _, major, minor, _, _, _, linktype = struct.unpack(e + "IHHiIII", data[:24])
    if linktype != LINKTYPE_ETHERNET:
        raise ValueError("%s: linktype %d, expected 1 (Ethernet)" % (path, linktype))
    off, frames = 24, []
    while off < len(data):
        _, _, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
        if incl != orig:
            raise ValueError("record %d truncated (%d of %d bytes)" % (len(frames), incl, orig))
        frames.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return frames


def check_frame(i, frame):
    """Returns (src_ip, dst_ip, src_port, dst_port, payload); raises on any defect."""
    if len(frame) > MAX_FRAME:
        raise ValueError("frame %d: %d bytes" % (i, len(frame)))
    if struct.unpack("!H", frame[12:14])[0] != ETHERTYPE_IPV4:
        raise ValueError("frame %d: not IPv4" % i)
    ip = frame[14:34]
    if ip[0] != 0x45 or ip[9] != IP_PROTO_UDP:
        raise ValueError("frame %d: not IPv4/UDP without options" % i)
    if ones_complement_sum(ip) != 0xFFFF:
        raise ValueError("frame %d: bad IPv4 header checksum" % i)
    total = struct.unpack("!H", ip[2:4])[0]
    if total != len(frame) - 14:
        raise ValueError("frame %d: IPv4 total length %d, frame carries %d" % (i, total, len(frame) - 14))
    if struct.unpack("!H", ip[6:8])[0] & 0x3FFF:
        raise ValueError("frame %d: fragment" % i)
    udp = frame[34:]
    sport, dport, ulen, csum = struct.unpack("!HHHH", udp[:8])
    if ulen != len(udp):
        raise ValueError("frame %d: UDP length %d, segment %d" % (i, ulen, len(udp)))
    pseudo = ip[12:16] + ip[16:20] + struct.pack("!BBH", 0, IP_PROTO_UDP, ulen)
    if csum == 0 or ones_complement_sum(pseudo + udp) != 0xFFFF:
        raise ValueError("frame %d: bad UDP checksum" % i)
    return (str(ipaddress.IPv4Address(ip[12:16])), str(ipaddress.IPv4Address(ip[16:20])),
            sport, dport, udp[8:])


def verify(path, quiet=False):
    """Parses `path` back and checks every frame; returns a one-line summary."""
    frames = read_pcap(path)
    if not frames:
        raise ValueError("%s: no frames" % path)
    call_ids, streams, kinds = set(), {}, set()
    sizes = [len(f) for f in frames]
    for i, frame in enumerate(frames):
        if frame[:6] != BROADCAST_MAC:
            raise ValueError("frame %d: destination MAC is not broadcast" % i)
        src, dst, sport, dport, payload = check_frame(i, frame)
        if payload.startswith(b"INVITE "):
            kinds.add("invite")
            head, sep, body = payload.partition(b"\r\n\r\n")
            if not sep:
                raise ValueError("frame %d: no end of SIP headers" % i)
            fields = {}
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                fields[name.strip().lower()] = value.strip()
            for need in (b"via", b"max-forwards", b"from", b"to", b"call-id", b"cseq",
                         b"contact", b"content-type", b"content-length", b"user-agent"):
                if need not in fields:
                    raise ValueError("frame %d: no %s header" % (i, need.decode()))
            if int(fields[b"content-length"]) != len(body):
                raise ValueError("frame %d: Content-Length %s, body %d" %
                                 (i, fields[b"content-length"].decode(), len(body)))
            if b"branch=z9hG4bK" not in fields[b"via"] or b";rport" not in fields[b"via"]:
                raise ValueError("frame %d: Via without branch or rport" % i)
            if fields[b"call-id"] in call_ids:
                raise ValueError("frame %d: duplicate Call-ID" % i)
            call_ids.add(fields[b"call-id"])
        elif len(payload) >= 12 and payload[0] >> 6 == 2:
            kinds.add("rtp")
            seq, ts, ssrc = struct.unpack("!HII", payload[2:12])
            key = (src, sport, dst, dport, ssrc)
            if key in streams:
                pseq, pts = streams[key]
                if seq != (pseq + 1) & 0xFFFF or ts != (pts + RTP_PAYLOAD_LEN) & 0xFFFFFFFF:
                    raise ValueError("frame %d: RTP seq/timestamp do not follow the stream's" % i)
            streams[key] = (seq, ts)
        else:
            raise ValueError("frame %d: neither a SIP INVITE nor RTP" % i)
    if len(kinds) != 1:
        raise ValueError("%s: mixed content %s" % (path, sorted(kinds)))
    kind = kinds.pop()
    detail = ("%d distinct Call-IDs" % len(call_ids)) if kind == "invite" else ("%d streams" % len(streams))
    summary = "%s: %d %s frames, %d-%d bytes (mean %.0f), %s, checksums ok" % (
        path, len(frames), kind, min(sizes), max(sizes), sum(sizes) / len(sizes), detail)
    if not quiet:
        print(summary)
    return summary


def selftest():
    with tempfile.TemporaryDirectory(prefix="sipgen-") as d:
        inv = os.path.join(d, "invite.pcap")
        n = write_pcap(inv, invite_frames(500, "192.0.2.1", 5060, seed=1))
        s = verify(inv)
        assert n == 500 and "500 distinct Call-IDs" in s, s
        rtp = os.path.join(d, "rtp.pcap")
        n = write_pcap(rtp, rtp_frames(600, 200, "192.0.2.1", 20000, 29999, seed=1))
        s = verify(rtp)
        assert n == 600 and "200 streams" in s and "214-214 bytes" in s, s
        # A corrupted byte must be caught.
        with open(inv, "r+b") as f:
            f.seek(24 + 16 + 300)
            b = f.read(1)
            f.seek(-1, 1)
            f.write(bytes([b[0] ^ 0x01]))
        try:
            verify(inv, quiet=True)
        except ValueError as e:
            print("corruption detected as expected:", e)
        else:
            raise AssertionError("a flipped payload bit went unnoticed")
    print("selftest: ok")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kind", choices=("invite", "rtp"), default="invite")
    p.add_argument("--count", type=int, help="frames to write (invite: 10000; rtp: 4 per stream)")
    p.add_argument("--out", help="output pcap file")
    p.add_argument("--dst-ip", default="192.0.2.1", help="the data plane's address (192.0.2.1)")
    p.add_argument("--dst-port", type=int, default=5060, help="SIP port for --kind invite (5060)")
    p.add_argument("--streams", type=int, default=10000, help="RTP streams for --kind rtp (10000)")
    p.add_argument("--rtp-port-min", type=int, default=20000)
    p.add_argument("--rtp-port-max", type=int, default=29999)
    p.add_argument("--seed", type=int, default=5060, help="random seed (output is deterministic)")
    p.add_argument("--verify", metavar="FILE", help="parse FILE back and check it, then exit")
    p.add_argument("--selftest", action="store_true", help="generate small files and verify them")
    a = p.parse_args(argv)
    try:
        if a.selftest:
            selftest()
            return 0
        if a.verify:
            verify(a.verify)
            return 0
        if not a.out:
            p.error("--out is required")
        if a.kind == "invite":
            count = 10000 if a.count is None else a.count
            frames = invite_frames(count, a.dst_ip, a.dst_port, a.seed)
        else:
            if a.streams < 1:
                p.error("--streams must be at least 1")
            count = 4 * a.streams if a.count is None else a.count
            frames = rtp_frames(count, a.streams, a.dst_ip, a.rtp_port_min, a.rtp_port_max, a.seed)
        if count < 1:
            p.error("--count must be at least 1")
        n = write_pcap(a.out, frames)
        size = os.path.getsize(a.out)
        print("%s: %d %s frames, %d bytes" % (a.out, n, a.kind, size))
        return 0
    except (ValueError, OSError) as e:
        print("sipgen: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
