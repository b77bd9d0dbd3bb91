// SIP messages shared by the benchmarks, so that every figure is about the same bytes.
#pragma once

#include <string>
#include <string_view>

namespace sipwire::bench {

// Line ends written as \n in the source become CRLF.
inline std::string crlf(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '\n') out += '\r';
        out += c;
    }
    return out;
}

inline std::string with_body(std::string_view head, std::string_view body_text) {
    const std::string body = crlf(body_text);
    return crlf(head) + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

inline constexpr std::string_view kSdp =
    "v=0\n"
    "o=alice 2890844526 2890844526 IN IP4 pc33.atlanta.example.com\n"
    "s=Session SDP\n"
    "c=IN IP4 192.0.2.101\n"
    "t=0 0\n"
    "m=audio 49172 RTP/AVP 0 8 18 101\n"
    "a=rtpmap:0 PCMU/8000\n"
    "a=rtpmap:8 PCMA/8000\n"
    "a=rtpmap:18 G729/8000\n"
    "a=fmtp:18 annexb=no\n"
    "a=rtpmap:101 telephone-event/8000\n"
    "a=fmtp:101 0-16\n"
    "a=ptime:20\n"
    "a=maxptime:150\n"
    "a=sendrecv\n";

// A typical INVITE: ~900 bytes, 12 headers, an SDP offer.
inline const std::string kInvite = with_body(
    "INVITE sip:bob@biloxi.example.com SIP/2.0\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport\n"
    "Max-Forwards: 70\n"
    "To: Bob <sip:bob@biloxi.example.com>\n"
    "From: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\n"
    "CSeq: 314159 INVITE\n"
    "Contact: <sip:alice@192.0.2.101:5060;transport=udp>\n"
    "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, PRACK, UPDATE, INFO, REFER, NOTIFY\n"
    "Supported: replaces, timer, 100rel\n"
    "User-Agent: sipwire-bench/1.0 (Linux x86_64)\n"
    "Content-Type: application/sdp\n",
    kSdp);

}  // namespace sipwire::bench
