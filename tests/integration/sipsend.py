#!/usr/bin/env python3
"""A minimal SIP peer for the cases sipp does not script easily: sends one request from
a UDP socket and prints the status lines of the responses that come back, as JSON.
Runs inside the test's network namespace.

usage: sipsend.py LOCAL_IP LOCAL_PORT DEST_IP DEST_PORT KIND [SDP_BYTES]
  KIND: options | invite | garbage"""
import json
import socket
import sys
import time
import uuid


def request(kind, local_ip, local_port, dest_ip, dest_port, sdp_bytes):
    call_id = uuid.uuid4().hex
    branch = "z9hG4bK" + uuid.uuid4().hex[:16]
    if kind == "garbage":
        return b"INVITE sip:x SIP/2.0\r\nVia: SIP/2.0/UDP %s:%d;branch=%s\r\nFrom: <sip:a@b>;tag=1\r\n" \
               b"To: <sip:c@d>\r\nCall-ID: %s\r\nCSeq: nonsense\r\n\r\n" % (
                   local_ip.encode(), local_port, branch.encode(), call_id.encode()), call_id
    method = "OPTIONS" if kind == "options" else "INVITE"
    uri = f"sip:{dest_ip}:{dest_port}" if kind == "options" else f"sip:service@{dest_ip}:{dest_port}"
    body = ""
    if kind == "invite":
        body = ("v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio 16000 RTP/AVP 0\r\n"
                % (local_ip, local_ip))
        padding = max(0, sdp_bytes - len(body))
        body += "".join("a=x-pad:%s\r\n" % ("p" * 60) for _ in range(padding // 72 + 1))
    headers = [
        f"{method} {uri} SIP/2.0",
        f"Via: SIP/2.0/UDP {local_ip}:{local_port};branch={branch};rport",
        "Max-Forwards: 70",
        f"From: <sip:tester@{local_ip}>;tag={uuid.uuid4().hex[:8]}",
        f"To: <{uri}>",
        f"Call-ID: {call_id}",
        f"CSeq: 1 {method}",
        f"Contact: <sip:tester@{local_ip}:{local_port}>",
    ]
    if body:
        headers.append("Content-Type: application/sdp")
    headers.append(f"Content-Length: {len(body.encode())}")
    return ("\r\n".join(headers) + "\r\n\r\n" + body).encode(), call_id


def main():
    local_ip, local_port, dest_ip, dest_port, kind = sys.argv[1:6]
    sdp_bytes = int(sys.argv[6]) if len(sys.argv) > 6 else 0
    local_port, dest_port = int(local_port), int(dest_port)
    message, call_id = request(kind, local_ip, local_port, dest_ip, dest_port, sdp_bytes)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((local_ip, local_port))
    sock.settimeout(0.5)
    sock.sendto(message, (dest_ip, dest_port))
    statuses = []
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        try:
            data, _ = sock.recvfrom(65535)
        except socket.timeout:
            if statuses and int(statuses[-1].split()[1]) >= 200:
                break
            continue
        statuses.append(data.split(b"\r\n", 1)[0].decode(errors="replace"))
    print(json.dumps({"sent_bytes": len(message), "call_id": call_id, "responses": statuses}))


if __name__ == "__main__":
    main()
