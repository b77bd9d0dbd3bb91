// Sample SIP messages shared by the SIP unit tests. Written with "\n" line ends for
// readability; crlf() turns them into wire format.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "sip/message.h"

namespace sipwire::sip {

// gtest prints ParseError by name.
inline void PrintTo(ParseError e, std::ostream* os) { *os << parse_error_name(e); }

}  // namespace sipwire::sip

namespace sipwire::sip::test {

inline std::string crlf(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 16);
    for (char c : text) {
        if (c == '\n') out += '\r';
        out += c;
    }
    return out;
}

inline constexpr std::string_view kSdp =
    "v=0\n"
    "o=alice 2890844526 2890844526 IN IP4 pc33.atlanta.example.com\n"
    "s=Session SDP\n"
    "c=IN IP4 192.0.2.101\n"
    "t=0 0\n"
    "m=audio 49172 RTP/AVP 0 8 101\n"
    "a=rtpmap:0 PCMU/8000\n"
    "a=rtpmap:8 PCMA/8000\n"
    "a=rtpmap:101 telephone-event/8000\n"
    "a=fmtp:101 0-16\n"
    "a=ptime:20\n"
    "a=sendrecv\n";

// A typical INVITE (~900 bytes, 12 headers, SDP body). Content-Length filled in by
// invite_with_sdp().
inline constexpr std::string_view kInviteHead =
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
    "User-Agent: sipwire-test/1.0\n"
    "Content-Type: application/sdp\n";

inline std::string invite_with_sdp() {
    const std::string body = crlf(kSdp);
    return crlf(kInviteHead) + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

inline constexpr std::string_view kOk200 =
    "SIP/2.0 200 OK\n"
    "Via: SIP/2.0/UDP server10.biloxi.example.com;branch=z9hG4bKnashds8;received=192.0.2.3\n"
    "Via: SIP/2.0/UDP bigbox3.site3.atlanta.example.com;branch=z9hG4bK77ef4c2312983.1;received=192.0.2.2\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;received=192.0.2.1\n"
    "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\n"
    "CSeq: 314159 INVITE\n"
    "Contact: <sip:bob@192.0.2.4>\n"
    "Content-Length: 0\n"
    "\n";

inline constexpr std::string_view kRegister =
    "REGISTER sip:registrar.biloxi.example.com SIP/2.0\n"
    "Via: SIP/2.0/UDP bobspc.biloxi.example.com:5060;branch=z9hG4bKnashds7\n"
    "Max-Forwards: 70\n"
    "To: Bob <sip:bob@biloxi.example.com>\n"
    "From: Bob <sip:bob@biloxi.example.com>;tag=456248\n"
    "Call-ID: 843817637684230@998sdasdh09\n"
    "CSeq: 1826 REGISTER\n"
    "Contact: <sip:bob@192.0.2.4>;expires=7200, \"Bob, mobile\" <sip:bob@192.0.2.5;transport=tcp>;q=0.5\n"
    "Expires: 7200\n"
    "Content-Length: 0\n"
    "\n";

}  // namespace sipwire::sip::test
