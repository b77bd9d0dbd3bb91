#!/usr/bin/env python3
"""Sends hand-built Ethernet frames to sipwire-dp through a tap interface and checks
the replies byte by byte. Runs inside the test's network namespace (ip netns exec).

usage: rawframes.py IFACE DP_IP ARP_COUNT ICMP_COUNT UDP_COUNT UDP_PORT
Prints one JSON object: what was sent and what correct replies came back.
"""
import json
import os
import select
import socket
import struct
import sys
import time

OUR_MAC = bytes.fromhex("020000000002")
OUR_IP = "192.0.2.2"
ETH_P_ALL = 0x0003


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4_header(src: str, dst: str, proto: int, payload_len: int) -> bytes:
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + payload_len, 0x1234, 0, 64, proto, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    return hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]


def arp_request(target_ip: str) -> bytes:
    eth = b"\xff" * 6 + OUR_MAC + b"\x08\x06"
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, OUR_MAC, socket.inet_aton(OUR_IP),
                      b"\0" * 6, socket.inet_aton(target_ip))
    return eth + arp


def icmp_echo(dp_mac: bytes, dp_ip: str, seq: int) -> bytes:
    payload = b"sipwire-integration-" + bytes([seq % 256]) * 20
    icmp = struct.pack("!BBHHH", 8, 0, 0, 0x4242, seq) + payload
    icmp = icmp[:2] + struct.pack("!H", checksum(icmp)) + icmp[4:]
    return dp_mac + OUR_MAC + b"\x08\x00" + ipv4_header(OUR_IP, dp_ip, 1, len(icmp)) + icmp


def udp_datagram(dp_mac: bytes, dp_ip: str, port: int, seq: int) -> bytes:
    payload = b"not a service %d" % seq
    length = 8 + len(payload)
    pseudo = socket.inet_aton(OUR_IP) + socket.inet_aton(dp_ip) + struct.pack("!BBH", 0, 17, length)
    udp = struct.pack("!HHHH", 40000 + seq, port, length, 0) + payload
    csum = checksum(pseudo + udp) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", csum) + udp[8:]
    return dp_mac + OUR_MAC + b"\x08\x00" + ipv4_header(OUR_IP, dp_ip, 17, len(udp)) + udp


def receive(sock, want, timeout=2.0):
    """Frames addressed to us until `want` returns True for one (returned) or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([sock], [], [], deadline - time.monotonic())
        if not ready:
            break
        frame = sock.recv(2048)
        if frame[:6] == OUR_MAC and want(frame):
            return frame
    return None


def main():
    iface, dp_ip = sys.argv[1], sys.argv[2]
    arp_count, icmp_count, udp_count, udp_port = map(int, sys.argv[3:7])
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.bind((iface, 0))
    result = {"arp_sent": 0, "arp_replies_ok": 0, "icmp_sent": 0, "icmp_replies_ok": 0,
              "udp_sent": 0, "dp_mac": None}

    dp_mac = None
    for _ in range(arp_count):
        sock.send(arp_request(dp_ip))
        result["arp_sent"] += 1
        reply = receive(sock, lambda f: f[12:14] == b"\x08\x06")
        if reply is None:
            continue
        op, sha, spa, tha, tpa = struct.unpack("!6xH6s4s6s4s", reply[14:42])
        if (op == 2 and spa == socket.inet_aton(dp_ip) and tha == OUR_MAC
                and tpa == socket.inet_aton(OUR_IP) and reply[6:12] == sha):
            result["arp_replies_ok"] += 1
            dp_mac = sha
    if dp_mac is None:
        print(json.dumps(result))
        return
    result["dp_mac"] = dp_mac.hex(":")

    for seq in range(icmp_count):
        request = icmp_echo(dp_mac, dp_ip, seq)
        sock.send(request)
        result["icmp_sent"] += 1
        reply = receive(sock, lambda f: f[12:14] == b"\x08\x00" and f[23] == 1)
        if reply is None:
            continue
        ip, icmp = reply[14:34], reply[34:]
        if (checksum(ip) == 0 and ip[12:16] == socket.inet_aton(dp_ip)
                and ip[16:20] == socket.inet_aton(OUR_IP) and icmp[0] == 0
                and checksum(icmp) == 0 and icmp[4:] == request[38:]):
            result["icmp_replies_ok"] += 1

    for seq in range(udp_count):
        sock.send(udp_datagram(dp_mac, dp_ip, udp_port, seq))
        result["udp_sent"] += 1
    time.sleep(0.3)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
