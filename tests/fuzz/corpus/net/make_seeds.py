#!/usr/bin/env python3
"""Writes the seed frames of the net fuzz target (tests/fuzz/net_fuzz.cc) next to
this script. The target's interface is 02:00:00:00:00:01, 10.0.0.1/24, gateway
10.0.0.254; SIP on 5060 and 5080, RTP on 10000-20000. Re-run after editing:

    python3 tests/fuzz/corpus/net/make_seeds.py
"""
import os
import struct

OUR_MAC = bytes([0x02, 0, 0, 0, 0, 0x01])
PEER_MAC = bytes([0x02, 0, 0, 0, 0, 0x02])
BROADCAST = b"\xff" * 6
OUR_IP = bytes([10, 0, 0, 1])
PEER_IP = bytes([10, 0, 0, 2])
REMOTE_IP = bytes([192, 0, 2, 7])


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(dst: bytes, src: bytes, ethertype: int) -> bytes:
    return dst + src + struct.pack("!H", ethertype)


def ipv4(src: bytes, dst: bytes, proto: int, payload: bytes, ident=0x1234, flags_frag=0) -> bytes:
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, flags_frag,
                         64, proto, 0, src, dst)
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + payload


def udp(src: bytes, dst: bytes, sport: int, dport: int, payload: bytes) -> bytes:
    length = 8 + len(payload)
    header = struct.pack("!HHHH", sport, dport, length, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 17, length)
    c = checksum(pseudo + header + payload) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, length, c) + payload


def pad(frame: bytes) -> bytes:
    return frame + b"\0" * max(0, 60 - len(frame))


def arp(op: int, sha: bytes, spa: bytes, tha: bytes, tpa: bytes) -> bytes:
    return struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + sha + spa + tha + tpa


def icmp_echo(ident: int, seq: int, data: bytes) -> bytes:
    header = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
    c = checksum(header + data)
    return struct.pack("!BBHHH", 8, 0, c, ident, seq) + data


SIP = (b"OPTIONS sip:10.0.0.1 SIP/2.0\r\n"
       b"Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK776asdhds\r\n"
       b"Max-Forwards: 70\r\n"
       b"To: <sip:10.0.0.1>\r\n"
       b"From: <sip:peer@10.0.0.2>;tag=1928301774\r\n"
       b"Call-ID: a84b4c76e66710@10.0.0.2\r\n"
       b"CSeq: 63104 OPTIONS\r\n"
       b"Content-Length: 0\r\n\r\n")


def seeds():
    # ARP request for our address, broadcast, padded to the minimum frame.
    yield "arp_request", pad(eth(BROADCAST, PEER_MAC, 0x0806) +
                             arp(1, PEER_MAC, PEER_IP, b"\0" * 6, OUR_IP))
    # ARP reply to us (learned, consumed).
    yield "arp_reply", pad(eth(OUR_MAC, PEER_MAC, 0x0806) +
                           arp(2, PEER_MAC, PEER_IP, OUR_MAC, OUR_IP))
    # ICMP echo request from an on-link peer.
    yield "icmp_echo", eth(OUR_MAC, PEER_MAC, 0x0800) + ipv4(
        PEER_IP, OUR_IP, 1, icmp_echo(0x4242, 1, bytes(range(32))))
    # UDP datagram to the SIP port, from behind the gateway.
    yield "udp_sip_5060", eth(OUR_MAC, PEER_MAC, 0x0800) + ipv4(
        REMOTE_IP, OUR_IP, 17, udp(REMOTE_IP, OUR_IP, 5062, 5060, SIP))
    # UDP datagram to the RTP range, checksum 0 (none), padded.
    rtp = b"\x80\x00\x00\x01" + b"\0" * 8 + b"\xaa" * 4
    u = struct.pack("!HHHH", 30000, 10002, 8 + len(rtp), 0) + rtp
    yield "udp_rtp", pad(eth(OUR_MAC, PEER_MAC, 0x0800) + ipv4(PEER_IP, OUR_IP, 17, u))
    # First IPv4 fragment (MF set, offset 0) of a UDP datagram to 5060.
    whole = udp(PEER_IP, OUR_IP, 5060, 5060, SIP * 2)
    yield "ipv4_fragment", eth(OUR_MAC, PEER_MAC, 0x0800) + ipv4(
        PEER_IP, OUR_IP, 17, whole[:48], ident=0x77, flags_frag=0x2000)
    # Last fragment (offset 48 bytes = 6 units, MF clear).
    yield "ipv4_fragment_last", eth(OUR_MAC, PEER_MAC, 0x0800) + ipv4(
        PEER_IP, OUR_IP, 17, whole[48:], ident=0x77, flags_frag=6)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for name, frame in seeds():
        with open(os.path.join(here, name + ".bin"), "wb") as f:
            f.write(frame)


if __name__ == "__main__":
    main()
