// First pass of the SIP parser: start line, headers, body, error reasons.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "sip/sip.h"
#include "sip_messages.h"

namespace sipwire::sip {
namespace {

using test::crlf;

// Parses a private heap copy of exactly the message bytes, so that ASan catches any
// read past the end.
class Parsed {
public:
    explicit Parsed(std::string_view wire, const ParseOptions& options = {})
        : bytes_(new char[wire.size() + 1]) {
        std::memcpy(bytes_.get(), wire.data(), wire.size());
        error = parse_message(bytes_.get(), static_cast<uint32_t>(wire.size()), msg, options);
    }
    ParseError error;
    SipMessage msg;

private:
    std::unique_ptr<char[]> bytes_;
};

// Minimal valid request around extra headers / body.
std::string request(std::string_view extra_headers, std::string_view body = {}) {
    std::string s = crlf(
        "OPTIONS sip:carol@chicago.example.com SIP/2.0\n"
        "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKhjhs8ass877\n"
        "Max-Forwards: 70\n"
        "To: <sip:carol@chicago.example.com>\n"
        "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\n"
        "Call-ID: a84b4c76e66710\n"
        "CSeq: 63104 OPTIONS\n");
    s += crlf(extra_headers);
    s += "\r\n";
    s += body;
    return s;
}

TEST(SipParser, TypicalInvite) {
    const std::string wire = test::invite_with_sdp();
    Parsed p(wire);
    ASSERT_EQ(p.error, ParseError::ok) << parse_error_name(p.error);
    const SipMessage& m = p.msg;
    EXPECT_TRUE(m.is_request());
    EXPECT_FALSE(m.is_response());
    EXPECT_EQ(m.method(), Method::invite);
    EXPECT_EQ(m.method_name(), "INVITE");
    EXPECT_EQ(m.request_uri(), "sip:bob@biloxi.example.com");
    EXPECT_EQ(m.status_code(), 0);
    EXPECT_EQ(m.header_count(), 12u);
    EXPECT_EQ(m.call_id(), "a84b4c76e66710@pc33.atlanta.example.com");
    EXPECT_EQ(m.cseq_number(), 314159u);
    EXPECT_EQ(m.cseq_method(), Method::invite);
    EXPECT_EQ(m.cseq_method_name(), "INVITE");
    EXPECT_TRUE(m.has_max_forwards());
    EXPECT_EQ(m.max_forwards(), 70u);
    EXPECT_TRUE(m.has_content_length());
    EXPECT_EQ(m.content_type(), "application/sdp");
    EXPECT_EQ(m.body(), crlf(test::kSdp));
    EXPECT_EQ(m.content_length(), m.body().size());
    EXPECT_EQ(m.trailing_bytes(), 0u);
    EXPECT_EQ(m.body_offset() + m.body().size(), wire.size());
    EXPECT_EQ(m.from_tag(), "1928301774");
    EXPECT_EQ(m.to_tag(), "");
    EXPECT_EQ(m.header(HeaderId::supported), "replaces, timer, 100rel");
    EXPECT_EQ(m.header(HeaderId::user_agent), "sipwire-test/1.0");
    EXPECT_EQ(m.header("user-agent"), "sipwire-test/1.0");
    EXPECT_EQ(m.header("X-Absent"), "");
    EXPECT_EQ(m.header(HeaderId::route), "");
    EXPECT_EQ(m.count(HeaderId::route), 0u);
    EXPECT_EQ(m.first_index(HeaderId::route), kNoHeader);

    Via v;
    ASSERT_EQ(m.top_via(v), ParseError::ok);
    EXPECT_EQ(v.protocol_name, "SIP");
    EXPECT_EQ(v.protocol_version, "2.0");
    EXPECT_EQ(v.transport, "UDP");
    EXPECT_EQ(v.host, "pc33.atlanta.example.com");
    EXPECT_EQ(v.port, 5060);
    EXPECT_EQ(v.branch, "z9hG4bK776asdhds");
    EXPECT_TRUE(v.has_rport);
    EXPECT_EQ(v.rport, 0);

    // Zero copy: every view points into the caller's buffer.
    const char* begin = m.data();
    const char* end = begin + m.length();
    for (const HeaderField& h : m.headers()) {
        EXPECT_GE(m.value(h).data(), begin);
        EXPECT_LE(m.value(h).data() + m.value(h).size(), end);
    }
    EXPECT_EQ(m.call_id().data(), begin + wire.find("a84b4c76"));

    SipUri ruri;
    ASSERT_TRUE(parse_sip_uri(m.request_uri(), ruri));
    EXPECT_EQ(ruri.user, "bob");
    EXPECT_EQ(ruri.host, "biloxi.example.com");

    NameAddr contact;
    ASSERT_TRUE(parse_name_addr(m.header(HeaderId::contact), contact));
    SipUri curi;
    ASSERT_TRUE(parse_sip_uri(contact.uri, curi));
    EXPECT_EQ(curi.host, "192.0.2.101");
    EXPECT_EQ(curi.port, 5060);
    EXPECT_EQ(curi.params, "transport=udp");
}

TEST(SipParser, HeaderOrderAndNames) {
    Parsed p(test::invite_with_sdp());
    ASSERT_EQ(p.error, ParseError::ok);
    const auto hs = p.msg.headers();
    ASSERT_EQ(hs.size(), 12u);
    EXPECT_EQ(p.msg.name(hs[0]), "Via");
    EXPECT_EQ(hs[0].id, HeaderId::via);
    EXPECT_EQ(p.msg.name(hs[1]), "Max-Forwards");
    EXPECT_EQ(hs[1].id, HeaderId::max_forwards);
    EXPECT_EQ(hs[11].id, HeaderId::content_length);
}

TEST(SipParser, Responses) {
    {
        Parsed p(crlf(test::kOk200));
        ASSERT_EQ(p.error, ParseError::ok) << parse_error_name(p.error);
        EXPECT_TRUE(p.msg.is_response());
        EXPECT_EQ(p.msg.status_code(), 200);
        EXPECT_EQ(p.msg.reason_phrase(), "OK");
        EXPECT_EQ(p.msg.method(), Method::none);
        EXPECT_EQ(p.msg.cseq_method(), Method::invite);
        EXPECT_EQ(p.msg.to_tag(), "a6c85cf");
        EXPECT_EQ(p.msg.from_tag(), "1928301774");
        EXPECT_EQ(p.msg.count(HeaderId::via), 3u);
        Via top;
        ASSERT_EQ(p.msg.top_via(top), ParseError::ok);
        EXPECT_EQ(top.received, "192.0.2.3");
        EXPECT_EQ(p.msg.body(), "");
        EXPECT_FALSE(p.msg.has_max_forwards());
        EXPECT_EQ(p.msg.max_forwards(), 70u);
    }
    const struct {
        std::string_view status_line;
        uint16_t code;
        std::string_view reason;
    } cases[] = {
        {"SIP/2.0 100 Trying", 100, "Trying"},
        {"SIP/2.0 180 Ringing", 180, "Ringing"},
        {"SIP/2.0 401 Unauthorized", 401, "Unauthorized"},
        {"SIP/2.0 503 Service Unavailable", 503, "Service Unavailable"},
        {"SIP/2.0 699 ", 699, ""},
        {"SIP/2.0 486 Busy Here\t(really)", 486, "Busy Here\t(really)"},
        {"sip/2.0 200 OK", 200, "OK"},
        {"SIP/2.0 606 Ne\xc3\xa9t", 606, "Ne\xc3\xa9t"},
    };
    for (const auto& c : cases) {
        std::string wire = std::string(c.status_line) + "\r\n" +
                           crlf("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\n"
                                "From: <sip:a@example.com>;tag=1\n"
                                "To: <sip:b@example.com>;tag=2\n"
                                "Call-ID: x\n"
                                "CSeq: 1 INVITE\n"
                                "WWW-Authenticate: Digest realm=\"atlanta.example.com\", nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", qop=\"auth\"\n"
                                "Retry-After: 120\n"
                                "\n");
        Parsed p(wire);
        ASSERT_EQ(p.error, ParseError::ok) << c.status_line;
        EXPECT_EQ(p.msg.status_code(), c.code);
        EXPECT_EQ(p.msg.reason_phrase(), c.reason);
        EXPECT_EQ(p.msg.header(HeaderId::retry_after), "120");
        EXPECT_EQ(p.msg.body(), "");
    }
}

TEST(SipParser, AllMethods) {
    const struct {
        std::string_view token;
        Method method;
    } cases[] = {
        {"INVITE", Method::invite},       {"ACK", Method::ack},
        {"BYE", Method::bye},             {"CANCEL", Method::cancel},
        {"OPTIONS", Method::options},     {"REGISTER", Method::register_},
        {"PRACK", Method::prack},         {"UPDATE", Method::update},
        {"INFO", Method::info},           {"SUBSCRIBE", Method::subscribe},
        {"NOTIFY", Method::notify},       {"REFER", Method::refer},
        {"MESSAGE", Method::message},     {"PUBLISH", Method::publish},
        {"FOO-BAR.x", Method::other},
    };
    uint32_t seen = 0;
    for (const auto& c : cases) {
        const std::string tok(c.token);
        std::string wire = tok + " sip:x@example.com SIP/2.0\r\n" +
                           crlf("Via: SIP/2.0/UDP h;branch=z9hG4bK1\nFrom: <sip:a@h>;tag=1\nTo: <sip:b@h>\n"
                                "Call-ID: c\nCSeq: 7 ") +
                           tok + "\r\n\r\n";
        Parsed p(wire);
        ASSERT_EQ(p.error, ParseError::ok) << c.token;
        EXPECT_EQ(p.msg.method(), c.method);
        EXPECT_EQ(p.msg.cseq_method(), c.method);
        EXPECT_EQ(p.msg.method_name(), c.token);
        EXPECT_EQ(method_from_token(c.token), c.method);
        if (c.method != Method::other) {
            EXPECT_EQ(method_name(c.method), c.token);
        }
        EXPECT_EQ(seen & static_cast<uint32_t>(c.method), 0u);  // distinct bits
        seen |= static_cast<uint32_t>(c.method);
    }
    EXPECT_TRUE(any_of(Method::bye, Method::invite | Method::bye));
    EXPECT_FALSE(any_of(Method::ack, Method::invite | Method::bye));
    EXPECT_EQ(method_from_token("invite"), Method::other);  // methods are case-sensitive
    EXPECT_EQ(method_from_token(""), Method::none);
    EXPECT_EQ(method_from_token("IN VITE"), Method::none);
}

TEST(SipParser, CompactFormsAndCase) {
    const std::string wire = crlf(
        "MESSAGE sip:user2@domain.com SIP/2.0\n"
        "v: SIP/2.0/UDP user1pc.domain.com;branch=z9hG4bK776sgdkse\n"
        "V: SIP/2.0/TCP second.example.com:5070;branch=z9hG4bK2\n"
        "MAX-FORWARDS: 70\n"
        "f: sip:user1@domain.com;tag=49583\n"
        "t: sip:user2@domain.com\n"
        "I: asd88asd77a@1.2.3.4\n"
        "cseq: 1 MESSAGE\n"
        "m: <sip:user1@1.2.3.4>\n"
        "c: text/plain\n"
        "k: 100rel\n"
        "s: hello\n"
        "e: gzip\n"
        "o: presence\n"
        "r: <sip:carol@example.com>\n"
        "u: dialog\n"
        "x: 1800;refresher=uac\n"
        "b: <sip:bob@example.com>\n"
        "X-Custom: yes\n"
        "l: 5\n"
        "\n"
        "Hello");
    Parsed p(wire);
    ASSERT_EQ(p.error, ParseError::ok) << parse_error_name(p.error);
    const SipMessage& m = p.msg;
    EXPECT_EQ(m.count(HeaderId::via), 2u);
    EXPECT_EQ(m.call_id(), "asd88asd77a@1.2.3.4");
    EXPECT_EQ(m.from_tag(), "49583");
    EXPECT_EQ(m.header(HeaderId::to), "sip:user2@domain.com");
    EXPECT_EQ(m.header(HeaderId::contact), "<sip:user1@1.2.3.4>");
    EXPECT_EQ(m.content_type(), "text/plain");
    EXPECT_EQ(m.header(HeaderId::supported), "100rel");
    EXPECT_EQ(m.header(HeaderId::subject), "hello");
    EXPECT_EQ(m.header(HeaderId::content_encoding), "gzip");
    EXPECT_EQ(m.header(HeaderId::event), "presence");
    EXPECT_EQ(m.header(HeaderId::refer_to), "<sip:carol@example.com>");
    EXPECT_EQ(m.header(HeaderId::allow_events), "dialog");
    EXPECT_EQ(m.header(HeaderId::session_expires), "1800;refresher=uac");
    EXPECT_EQ(m.header(HeaderId::referred_by), "<sip:bob@example.com>");
    EXPECT_EQ(m.header(HeaderId::other), "yes");
    EXPECT_EQ(m.content_length(), 5u);
    EXPECT_EQ(m.body(), "Hello");
    EXPECT_EQ(m.max_forwards(), 70u);
}

TEST(SipParser, HeaderIdTable) {
    const struct {
        std::string_view name;
        HeaderId id;
    } cases[] = {
        {"i", HeaderId::call_id},           {"m", HeaderId::contact},
        {"f", HeaderId::from},              {"t", HeaderId::to},
        {"v", HeaderId::via},               {"l", HeaderId::content_length},
        {"c", HeaderId::content_type},      {"k", HeaderId::supported},
        {"s", HeaderId::subject},           {"e", HeaderId::content_encoding},
        {"o", HeaderId::event},             {"r", HeaderId::refer_to},
        {"u", HeaderId::allow_events},      {"x", HeaderId::session_expires},
        {"b", HeaderId::referred_by},       {"L", HeaderId::content_length},
        {"call-id", HeaderId::call_id},     {"CALL-ID", HeaderId::call_id},
        {"Call-Id", HeaderId::call_id},     {"cseq", HeaderId::cseq},
        {"Www-Authenticate", HeaderId::www_authenticate},
        {"record-ROUTE", HeaderId::record_route},
        {"z", HeaderId::other},             {"Viaa", HeaderId::other},
        {"Vi", HeaderId::other},            {"", HeaderId::other},
        {"Content-Lengt", HeaderId::other}, {"Content_Length", HeaderId::other},
        {"Call\rID", HeaderId::other},
    };
    for (const auto& c : cases) EXPECT_EQ(header_id(c.name), c.id) << c.name;
    // Every canonical name round-trips, in any case.
    for (uint8_t i = 1; i < kHeaderIdCount; ++i) {
        const auto id = static_cast<HeaderId>(i);
        const std::string_view n = header_name(id);
        ASSERT_FALSE(n.empty());
        EXPECT_EQ(header_id(n), id) << n;
        std::string upper(n), lower(n);
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        EXPECT_EQ(header_id(upper), id) << upper;
        EXPECT_EQ(header_id(lower), id) << lower;
    }
    EXPECT_EQ(header_name(HeaderId::other), "");
}

TEST(SipParser, LineFolding) {
    const std::string wire = request(
        "Subject: I know you're there,\n"
        "         pick up the phone\n"
        "\tand talk to me!\n"
        "Route: <sip:p1.example.com;lr>,\n"
        " <sip:p2.example.com;lr>\n"
        "X-Empty:\n"
        "X-Fold-Empty:\n"
        " \n"
        "Contact:\n"
        "  <sip:alice@192.0.2.1>\n");
    Parsed p(wire);
    ASSERT_EQ(p.error, ParseError::ok) << parse_error_name(p.error);
    EXPECT_EQ(p.msg.header(HeaderId::subject),
              "I know you're there,\r\n         pick up the phone\r\n\tand talk to me!");
    EXPECT_EQ(p.msg.header("x-empty"), "");
    EXPECT_EQ(p.msg.header("X-Fold-Empty"), "");
    EXPECT_EQ(p.msg.header(HeaderId::contact), "<sip:alice@192.0.2.1>");
    HeaderValues routes(p.msg, HeaderId::route);
    std::string_view v;
    ASSERT_TRUE(routes.next(v));
    EXPECT_EQ(v, "<sip:p1.example.com;lr>");
    ASSERT_TRUE(routes.next(v));
    EXPECT_EQ(v, "<sip:p2.example.com;lr>");
    EXPECT_FALSE(routes.next(v));
}

TEST(SipParser, FoldedViaAndCSeq) {
    const std::string wire = crlf(
        "BYE sip:bob@192.0.2.4 SIP/2.0\n"
        "Via: SIP/2.0/UDP\n"
        "  pc33.atlanta.example.com\n"
        "  ;branch=z9hG4bKnashds10\n"
        "Via  :  SIP / 2.0 / UDP\tproxy.example.com : 5062 ; branch = z9hG4bK3 ; ttl = 16\n"
        "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\n"
        "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\n"
        "Call-ID: a84b4c76e66710\n"
        "CSeq:\n"
        " 231\n"
        "\t BYE\n"
        "Content-Length: 0\n"
        "\n");
    Parsed p(wire);
    ASSERT_EQ(p.error, ParseError::ok) << parse_error_name(p.error);
    Via top;
    ASSERT_EQ(p.msg.top_via(top), ParseError::ok);
    EXPECT_EQ(top.host, "pc33.atlanta.example.com");
    EXPECT_EQ(top.branch, "z9hG4bKnashds10");
    EXPECT_EQ(p.msg.cseq_number(), 231u);
    EXPECT_EQ(p.msg.cseq_method(), Method::bye);
    ViaIterator it(p.msg);
    Via v;
    ASSERT_TRUE(it.next(v));
    ASSERT_TRUE(it.next(v));
    EXPECT_EQ(v.host, "proxy.example.com");
    EXPECT_EQ(v.port, 5062);
    EXPECT_EQ(v.branch, "z9hG4bK3");
    EXPECT_EQ(v.ttl, 16);
    EXPECT_FALSE(it.next(v));
    EXPECT_FALSE(it.malformed());
}

TEST(SipParser, MultipleViaAcrossLinesAndCommas) {
    const std::string wire = crlf(
        "SIP/2.0 180 Ringing\n"
        "Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bK1;received=192.0.2.10;rport=5070,"
        " SIP/2.0/TCP [2001:db8::9]:5061;branch=z9hG4bK2;maddr=224.2.0.1;ttl=1\n"
        "v: SIP/2.0/TLS p3.example.com;branch=\"z9hG4bK,3\";x=\"a,b\" , SIP/2.0/WS df7jal23ls0d.invalid;rport;branch=z9hG4bK4\n"
        "Via: SIP/2.0/SCTP p5.example.com:5080\n"
        "From: <sip:a@example.com>;tag=1\n"
        "To: <sip:b@example.com>;tag=2\n"
        "Call-ID: x\n"
        "CSeq: 1 INVITE\n"
        "\n");
    Parsed p(wire);
    ASSERT_EQ(p.error, ParseError::ok) << parse_error_name(p.error);
    std::vector<Via> vias;
    EXPECT_TRUE(for_each_via(p.msg, [&](const Via& v) { vias.push_back(v); }));
    ASSERT_EQ(vias.size(), 5u);
    EXPECT_EQ(vias[0].host, "p1.example.com");
    EXPECT_EQ(vias[0].received, "192.0.2.10");
    EXPECT_TRUE(vias[0].has_rport);
    EXPECT_EQ(vias[0].rport, 5070);
    EXPECT_EQ(vias[0].params, "branch=z9hG4bK1;received=192.0.2.10;rport=5070");
    EXPECT_EQ(vias[1].transport, "TCP");
    EXPECT_EQ(vias[1].host, "[2001:db8::9]");
    EXPECT_EQ(vias[1].port, 5061);
    EXPECT_EQ(vias[1].maddr, "224.2.0.1");
    EXPECT_EQ(vias[1].ttl, 1);
    EXPECT_EQ(vias[2].transport, "TLS");
    EXPECT_EQ(vias[2].branch, "\"z9hG4bK,3\"");
    EXPECT_EQ(vias[3].transport, "WS");
    EXPECT_TRUE(vias[3].has_rport);
    EXPECT_EQ(vias[3].rport, 0);
    EXPECT_EQ(vias[3].branch, "z9hG4bK4");
    EXPECT_EQ(vias[4].host, "p5.example.com");
    EXPECT_EQ(vias[4].port, 5080);
    EXPECT_EQ(vias[4].branch, "");
    EXPECT_FALSE(vias[4].has_rport);
    EXPECT_EQ(vias[4].ttl, -1);

    int n = 0;
    EXPECT_TRUE(for_each_via(p.msg, [&](const Via&) { return ++n < 2; }));
    EXPECT_EQ(n, 2);
}

TEST(SipParser, MalformedLaterViaReportedByIterator) {
    Parsed p(request("Via: garbage here\n"));
    ASSERT_EQ(p.error, ParseError::ok);  // Via values are parsed on demand
    Via top;
    EXPECT_EQ(p.msg.top_via(top), ParseError::ok);
    int n = 0;
    EXPECT_FALSE(for_each_via(p.msg, [&](const Via&) { ++n; }));
    EXPECT_EQ(n, 1);
}

TEST(SipParser, ContactsRoutesRecordRoutes) {
    Parsed p(crlf(test::kRegister));
    ASSERT_EQ(p.error, ParseError::ok) << parse_error_name(p.error);
    HeaderValues contacts(p.msg, HeaderId::contact);
    std::string_view v;
    NameAddr na;
    ASSERT_TRUE(contacts.next(v));
    ASSERT_TRUE(parse_name_addr(v, na));
    EXPECT_EQ(na.uri, "sip:bob@192.0.2.4");
    EXPECT_EQ(header_param(na.params, "expires"), "7200");
    ASSERT_TRUE(contacts.next(v));
    ASSERT_TRUE(parse_name_addr(v, na));
    EXPECT_EQ(na.display_name, "Bob, mobile");
    EXPECT_TRUE(na.quoted);
    EXPECT_EQ(na.uri, "sip:bob@192.0.2.5;transport=tcp");
    EXPECT_EQ(header_param(na.params, "q"), "0.5");
    EXPECT_FALSE(contacts.next(v));

    Parsed rr(request(
        "Record-Route: <sip:p4.domain.com;lr>, <sip:p3.middle.com;lr;x=\"a,b\">\n"
        "Record-Route: <sip:p2.example.com;lr>\n"
        "Route: <sip:[2001:db8::1]:5060;lr>\n"));
    ASSERT_EQ(rr.error, ParseError::ok);
    std::vector<std::string_view> values;
    HeaderValues it(rr.msg, HeaderId::record_route);
    while (it.next(v)) values.push_back(v);
    ASSERT_EQ(values.size(), 3u);
    EXPECT_EQ(values[1], "<sip:p3.middle.com;lr;x=\"a,b\">");
    EXPECT_EQ(values[2], "<sip:p2.example.com;lr>");
    ASSERT_TRUE(parse_name_addr(rr.msg.header(HeaderId::route), na));
    SipUri u;
    ASSERT_TRUE(parse_sip_uri(na.uri, u));
    EXPECT_EQ(u.host, "[2001:db8::1]");
    EXPECT_EQ(u.port, 5060);
    EXPECT_EQ(u.params, "lr");
    EXPECT_EQ(header_param(u.params, "lr"), "");
    EXPECT_EQ(rr.msg.count(HeaderId::record_route), 2u);
}

TEST(SipParser, QuotedDisplayNamesWithEscapes) {
    Parsed p(crlf(
        "INVITE sip:bob@example.com SIP/2.0\n"
        "Via: SIP/2.0/UDP h;branch=z9hG4bK1\n"
        "From: \"Alice \\\"The Boss\\\" <CEO>, Inc\\\\\" <sip:alice@example.com>;tag=88sja8x\n"
        "To: \"J\xc3\xbcrgen M\xc3\xbcller\"<sip:j@example.com>\n"
        "Call-ID: c\n"
        "CSeq: 1 INVITE\n"
        "Contact: \"a,b\" <sip:a@192.0.2.1>, <sip:b@192.0.2.2>\n"
        "\n"));
    ASSERT_EQ(p.error, ParseError::ok) << parse_error_name(p.error);
    EXPECT_EQ(p.msg.from_tag(), "88sja8x");
    NameAddr na;
    ASSERT_TRUE(parse_name_addr(p.msg.header(HeaderId::from), na));
    EXPECT_EQ(na.display_name, "Alice \\\"The Boss\\\" <CEO>, Inc\\\\");
    char buf[64];
    EXPECT_EQ(std::string_view(buf, unquote(na.display_name, buf, sizeof buf)), "Alice \"The Boss\" <CEO>, Inc\\");
    ASSERT_TRUE(parse_name_addr(p.msg.header(HeaderId::to), na));
    EXPECT_EQ(na.display_name, "J\xc3\xbcrgen M\xc3\xbcller");
    EXPECT_EQ(na.uri, "sip:j@example.com");
    HeaderValues contacts(p.msg, HeaderId::contact);
    std::string_view v;
    int n = 0;
    while (contacts.next(v)) ++n;
    EXPECT_EQ(n, 2);
}

TEST(SipParser, ContentLength) {
    // Exact.
    Parsed exact(request("Content-Length: 4\n", "abcd"));
    ASSERT_EQ(exact.error, ParseError::ok);
    EXPECT_EQ(exact.msg.body(), "abcd");
    // Smaller: body truncated to Content-Length, the rest ignored (RFC 3261 18.3).
    Parsed smaller(request("Content-Length: 2\n", "abcd"));
    ASSERT_EQ(smaller.error, ParseError::ok);
    EXPECT_EQ(smaller.msg.body(), "ab");
    EXPECT_EQ(smaller.msg.trailing_bytes(), 2u);
    // Larger than what arrived.
    EXPECT_EQ(Parsed(request("Content-Length: 5\n", "abcd")).error, ParseError::content_length_mismatch);
    // Missing over UDP: the body is the rest.
    Parsed missing(request("", "v=0\r\n"));
    ASSERT_EQ(missing.error, ParseError::ok);
    EXPECT_FALSE(missing.msg.has_content_length());
    EXPECT_EQ(missing.msg.body(), "v=0\r\n");
    // Binary body: NUL and any byte allowed after the blank line.
    const std::string bin("\0\xff\x01\r\n", 5);
    Parsed binary(request("Content-Length: 5\n", bin));
    ASSERT_EQ(binary.error, ParseError::ok);
    EXPECT_EQ(binary.msg.body(), bin);
    // Folded and with white space.
    Parsed ws(request("l:\n   3  \n", "xyz"));
    ASSERT_EQ(ws.error, ParseError::ok);
    EXPECT_EQ(ws.msg.content_length(), 3u);
    // Duplicates must agree.
    EXPECT_EQ(Parsed(request("Content-Length: 3\nl: 3\n", "xyz")).error, ParseError::ok);
    EXPECT_EQ(Parsed(request("Content-Length: 3\nl: 2\n", "xyz")).error, ParseError::bad_content_length);
    for (std::string_view bad : {"Content-Length: \n", "Content-Length: -1\n", "Content-Length: 1 2\n",
                                 "Content-Length: 0x10\n", "Content-Length: 9999999999\n",
                                 "Content-Length: +3\n"})
        EXPECT_EQ(Parsed(request(bad, "xyz")).error, ParseError::bad_content_length) << bad;
}

TEST(SipParser, MaxForwardsAndCSeq) {
    Parsed zero(crlf("OPTIONS sip:a@h SIP/2.0\nVia: SIP/2.0/UDP h\nMax-Forwards: 0\nFrom: <sip:a@h>\n"
                     "To: <sip:a@h>\nCall-ID: 1\nCSeq: 0 OPTIONS\n\n"));
    ASSERT_EQ(zero.error, ParseError::ok);
    EXPECT_EQ(zero.msg.max_forwards(), 0u);
    EXPECT_EQ(zero.msg.cseq_number(), 0u);
    Parsed big(request("", ""));
    ASSERT_EQ(big.error, ParseError::ok);
    EXPECT_EQ(big.msg.cseq_number(), 63104u);
    const std::string max_cseq = crlf(
        "OPTIONS sip:a@h SIP/2.0\nVia: SIP/2.0/UDP h\nFrom: <sip:a@h>\n"
        "To: <sip:a@h>\nCall-ID: 1\nCSeq: 2147483647 OPTIONS\n\n");
    Parsed mc(max_cseq);
    ASSERT_EQ(mc.error, ParseError::ok);
    EXPECT_EQ(mc.msg.cseq_number(), 2147483647u);
}

// Every ParseError but ok, with inputs that produce it.
struct ErrorCase {
    const char* label;
    std::string wire;
    ParseError expected;
};

std::vector<ErrorCase> error_cases() {
    const std::string via = "Via: SIP/2.0/UDP h;branch=z9hG4bK1\n";
    const std::string from = "From: <sip:a@h>;tag=1\n";
    const std::string to = "To: <sip:b@h>\n";
    const std::string cid = "Call-ID: c\n";
    const std::string cseq = "CSeq: 1 INVITE\n";
    const std::string rl = "INVITE sip:b@h SIP/2.0\n";
    const auto msg = [&](std::string text) { return crlf(text); };
    std::string many_headers = rl + via + from + to + cid + cseq;
    for (int i = 0; i < 60; ++i) many_headers += "X-H: " + std::to_string(i) + "\n";
    std::vector<ErrorCase> v = {
        {"empty", "", ParseError::empty},
        {"keepalive", "\r\n\r\n", ParseError::empty},
        {"oversize", request("X-Pad: " + std::string(4000, 'a') + "\n"), ParseError::oversize},
        {"too many headers", msg(many_headers + "\n"), ParseError::too_many_headers},
        {"no blank line", msg(rl + via + from + to + cid + cseq), ParseError::truncated},
        {"only start line", "INVITE sip:b@h SIP/2.0", ParseError::truncated},
        {"ends in CR", "INVITE sip:b@h SIP/2.0\r", ParseError::truncated},
        {"cut UTF-8", "INVITE sip:b@h SIP/2.0\r\nSubject: \xc3", ParseError::truncated},
        {"blank line CR only", msg(rl + via + from + to + cid + cseq) + "\r", ParseError::truncated},
        {"request line no version", msg("INVITE sip:b@h\n" + via + "\n"), ParseError::bad_start_line},
        {"request line two spaces", msg("INVITE  sip:b@h SIP/2.0\n" + via + "\n"), ParseError::bad_start_line},
        {"request line no uri", msg("INVITE SIP/2.0\n" + via + "\n"), ParseError::bad_start_line},
        {"method not token", msg("INV(TE sip:b@h SIP/2.0\n" + via + "\n"), ParseError::bad_start_line},
        {"garbage version", msg("INVITE sip:b@h HTTP/1.1\n" + via + "\n"), ParseError::bad_start_line},
        {"status not number", msg("SIP/2.0 2x0 OK\n" + via + "\n"), ParseError::bad_start_line},
        {"status out of range", msg("SIP/2.0 099 Hm\n" + via + "\n"), ParseError::bad_start_line},
        {"status 700", msg("SIP/2.0 700 Hm\n" + via + "\n"), ParseError::bad_start_line},
        {"status line short", msg("SIP/2.0 20\n" + via + "\n"), ParseError::bad_start_line},
        {"status no space", msg("SIP/2.0 200OK\n" + via + "\n"), ParseError::bad_start_line},
        {"status line only version", msg("SIP/2.0\n" + via + "\n"), ParseError::bad_start_line},
        {"uri with control", "INVITE sip:b@h\x01x SIP/2.0\r\n\r\n", ParseError::bad_header},
        {"uri with UTF-8", "INVITE sip:b\xc3\xa9@h SIP/2.0\r\n\r\n", ParseError::bad_start_line},
        {"start line folded", msg(rl + " more\n" + via + "\n"), ParseError::bad_header},
        {"request version 1.0", msg("INVITE sip:b@h SIP/1.0\n" + via + "\n"), ParseError::unsupported_version},
        {"response version 3.0", msg("SIP/3.0 200 OK\n" + via + "\n"), ParseError::unsupported_version},
        {"no colon", msg(rl + "Via SIP/2.0/UDP h\n\n"), ParseError::bad_header},
        {"empty name", msg(rl + ": value\n\n"), ParseError::bad_header},
        {"space in name", msg(rl + "Call ID: x\n\n"), ParseError::bad_header},
        {"bad name char", msg(rl + "Call@ID: x\n\n"), ParseError::bad_header},
        {"bare CR", "INVITE sip:b@h SIP/2.0\rVia: x\r\n\r\n", ParseError::bad_header},
        {"control char", msg(rl + "Subject: a\x01" "b\n\n"), ParseError::bad_header},
        {"DEL", msg(rl + "Subject: a\x7f" "b\n\n"), ParseError::bad_header},
        {"ESC", msg(rl + "Subject: \x1b[31m\n\n"), ParseError::bad_header},
        {"bad blank line", msg(rl + via) + "\rX", ParseError::bad_header},
        {"NUL in value", msg(rl) + std::string("Subject: a\0b\r\n\r\n", 16), ParseError::nul_byte},
        {"NUL in start line", std::string("INVITE sip:b@h\0 SIP/2.0\r\n\r\n", 27), ParseError::nul_byte},
        {"lone continuation", msg(rl + "Subject: \x80\n\n"), ParseError::invalid_utf8},
        {"overlong", msg(rl + "Subject: \xc0\xaf\n\n"), ParseError::invalid_utf8},
        {"surrogate", msg(rl + "Subject: \xed\xa0\x80\n\n"), ParseError::invalid_utf8},
        {"above U+10FFFF", msg(rl + "Subject: \xf4\x90\x80\x80\n\n"), ParseError::invalid_utf8},
        {"bad continuation", msg(rl + "Subject: \xe2\x82" "a\n\n"), ParseError::invalid_utf8},
        {"latin-1", msg(rl + "Subject: caf\xe9\n\n"), ParseError::invalid_utf8},
        {"0xff", msg(rl + "Subject: \xff\n\n"), ParseError::invalid_utf8},
        {"no via", msg(rl + from + to + cid + cseq + "\n"), ParseError::missing_via},
        {"no from", msg(rl + via + to + cid + cseq + "\n"), ParseError::missing_from},
        {"empty from", msg(rl + via + "From:  \n" + to + cid + cseq + "\n"), ParseError::missing_from},
        {"no to", msg(rl + via + from + cid + cseq + "\n"), ParseError::missing_to},
        {"no call-id", msg(rl + via + from + to + cseq + "\n"), ParseError::missing_call_id},
        {"empty call-id", msg(rl + via + from + to + "Call-ID:\n" + cseq + "\n"), ParseError::missing_call_id},
        {"no cseq", msg(rl + via + from + to + cid + "\n"), ParseError::missing_cseq},
        {"response no via", msg("SIP/2.0 200 OK\n" + from + to + cid + cseq + "\n"), ParseError::missing_via},
        {"via empty", msg(rl + "Via:\n" + from + to + cid + cseq + "\n"), ParseError::bad_via},
        {"via no transport", msg(rl + "Via: SIP/2.0 h\n" + from + to + cid + cseq + "\n"), ParseError::bad_via},
        {"via no host", msg(rl + "Via: SIP/2.0/UDP\n" + from + to + cid + cseq + "\n"), ParseError::bad_via},
        {"via no space", msg(rl + "Via: SIP/2.0/UDPh\n" + from + to + cid + cseq + "\n"), ParseError::bad_via},
        {"via bad port", msg(rl + "Via: SIP/2.0/UDP h:70000\n" + from + to + cid + cseq + "\n"), ParseError::bad_via},
        {"via empty port", msg(rl + "Via: SIP/2.0/UDP h:;branch=1\n" + from + to + cid + cseq + "\n"), ParseError::bad_via},
        {"via bad host", msg(rl + "Via: SIP/2.0/UDP h@x\n" + from + to + cid + cseq + "\n"), ParseError::bad_via},
        {"via bad ipv6", msg(rl + "Via: SIP/2.0/UDP [zz::1]\n" + from + to + cid + cseq + "\n"), ParseError::bad_via},
        {"via open ipv6", msg(rl + "Via: SIP/2.0/UDP [::1\n" + from + to + cid + cseq + "\n"), ParseError::bad_via},
        {"via trailing junk", msg(rl + "Via: SIP/2.0/UDP h x\n" + from + to + cid + cseq + "\n"), ParseError::bad_via},
        {"via branch flag", msg(rl + "Via: SIP/2.0/UDP h;branch\n" + from + to + cid + cseq + "\n"), ParseError::bad_via},
        {"via bad rport", msg(rl + "Via: SIP/2.0/UDP h;rport=x\n" + from + to + cid + cseq + "\n"), ParseError::bad_via},
        {"via bad ttl", msg(rl + "Via: SIP/2.0/UDP h;ttl=256\n" + from + to + cid + cseq + "\n"), ParseError::bad_via},
        {"via bad maddr", msg(rl + "Via: SIP/2.0/UDP h;maddr=a@b\n" + from + to + cid + cseq + "\n"), ParseError::bad_via},
        {"via empty param", msg(rl + "Via: SIP/2.0/UDP h;=x\n" + from + to + cid + cseq + "\n"), ParseError::bad_via},
        {"cseq no method", msg(rl + via + from + to + cid + "CSeq: 1\n\n"), ParseError::bad_cseq},
        {"cseq no number", msg(rl + via + from + to + cid + "CSeq: INVITE\n\n"), ParseError::bad_cseq},
        {"cseq no space", msg(rl + via + from + to + cid + "CSeq: 1INVITE\n\n"), ParseError::bad_cseq},
        {"cseq too big", msg(rl + via + from + to + cid + "CSeq: 2147483648 INVITE\n\n"), ParseError::bad_cseq},
        {"cseq 11 digits", msg(rl + via + from + to + cid + "CSeq: 00000000001 INVITE\n\n"), ParseError::bad_cseq},
        {"cseq method mismatch", msg(rl + via + from + to + cid + "CSeq: 1 BYE\n\n"), ParseError::bad_cseq},
        {"cseq other mismatch", msg("FOO sip:b@h SIP/2.0\n" + via + from + to + cid + "CSeq: 1 BAR\n\n"), ParseError::bad_cseq},
        {"cseq trailing junk", msg(rl + via + from + to + cid + "CSeq: 1 INVITE x\n\n"), ParseError::bad_cseq},
        {"max-forwards text", msg(rl + via + from + to + cid + cseq + "Max-Forwards: ten\n\n"), ParseError::bad_max_forwards},
        {"max-forwards empty", msg(rl + via + from + to + cid + cseq + "Max-Forwards:\n\n"), ParseError::bad_max_forwards},
        {"content-length text", msg(rl + via + from + to + cid + cseq + "Content-Length: x\n\n"), ParseError::bad_content_length},
        {"content-length beyond datagram", msg(rl + via + from + to + cid + cseq + "Content-Length: 10\n\n") + "short",
         ParseError::content_length_mismatch},
    };
    return v;
}

// What a proxy does: the first pass, then the top Via on demand.
ParseError parse_with_top_via(const Parsed& p) {
    if (p.error != ParseError::ok) return p.error;
    Via via;
    return p.msg.top_via(via);
}

TEST(SipParser, EveryErrorReason) {
    std::set<ParseError> covered;
    for (const ErrorCase& c : error_cases()) {
        Parsed p(c.wire);
        const ParseError e = parse_with_top_via(p);
        EXPECT_EQ(e, c.expected) << c.label << ": got " << parse_error_name(e);
        // Only the top Via is left to the on-demand step.
        if (c.expected == ParseError::bad_via) {
            EXPECT_EQ(p.error, ParseError::ok) << c.label;
        }
        covered.insert(c.expected);
    }
    for (int i = 1; i < static_cast<int>(ParseError::count); ++i)
        EXPECT_TRUE(covered.count(static_cast<ParseError>(i))) << parse_error_name(static_cast<ParseError>(i));
}

TEST(SipParser, ErrorNamesAndPhrases) {
    EXPECT_EQ(parse_error_name(ParseError::ok), "ok");
    EXPECT_EQ(parse_error_name(ParseError::missing_call_id), "missing_call_id");
    EXPECT_EQ(parse_error_phrase(ParseError::missing_call_id), "Missing Call-ID header");
    EXPECT_EQ(parse_error_name(ParseError::content_length_mismatch), "content_length_mismatch");
    EXPECT_EQ(parse_error_name(ParseError::count), "unknown");
    std::set<std::string_view> names;
    for (int i = 0; i < static_cast<int>(ParseError::count); ++i) {
        const auto e = static_cast<ParseError>(i);
        const std::string_view n = parse_error_name(e);
        EXPECT_TRUE(names.insert(n).second) << n;
        for (char c : n) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') << n;
        const std::string_view phrase = parse_error_phrase(e);
        EXPECT_FALSE(phrase.empty());
        EXPECT_LT(phrase.size(), 64u);
        for (char c : phrase) EXPECT_TRUE(c >= 0x20 && c < 0x7f && c != '"') << phrase;
    }
}

TEST(SipParser, EveryTruncationOfAnInviteFails) {
    const std::string wire = test::invite_with_sdp();
    for (size_t n = 0; n < wire.size(); ++n) {
        Parsed p(std::string_view(wire).substr(0, n));
        EXPECT_NE(p.error, ParseError::ok) << "cut at " << n;
        const size_t body_start = wire.find("\r\n\r\n") + 4;
        if (n > 0 && n < body_start - 1) {
            EXPECT_EQ(p.error, ParseError::truncated) << "cut at " << n;
        } else if (n >= body_start) {
            EXPECT_EQ(p.error, ParseError::content_length_mismatch) << "cut at " << n;
        }
    }
    EXPECT_EQ(Parsed(wire).error, ParseError::ok);
}

TEST(SipParser, EveryTruncationWithoutContentLength) {
    std::string wire = crlf(test::kOk200);
    wire.erase(wire.find("Content-Length: 0\r\n"), 19);
    wire += "body";
    for (size_t n = 0; n <= wire.size(); ++n) {
        Parsed p(std::string_view(wire).substr(0, n));
        const size_t body_start = wire.find("\r\n\r\n") + 4;
        EXPECT_EQ(p.error == ParseError::ok, n >= body_start) << "cut at " << n;
        if (p.error == ParseError::ok) {
            EXPECT_EQ(p.msg.body(), std::string_view(wire).substr(body_start, n - body_start));
        }
    }
}

TEST(SipParser, SizeLimits) {
    // Exactly 64 header lines pass, 65 do not.
    std::string base = "INVITE sip:b@h SIP/2.0\nVia: SIP/2.0/UDP h\nFrom: <sip:a@h>\nTo: <sip:b@h>\n"
                       "Call-ID: c\nCSeq: 1 INVITE\n";
    for (int i = 0; i < 59; ++i) base += "X-H: " + std::to_string(i) + "\n";
    Parsed ok64(crlf(base + "\n"));
    ASSERT_EQ(ok64.error, ParseError::ok);
    EXPECT_EQ(ok64.msg.header_count(), kMaxHeaders);
    EXPECT_EQ(Parsed(crlf(base + "X-H: 59\n\n")).error, ParseError::too_many_headers);

    // kDatagramMax by default, configurable (capped at 65535).
    std::string big = request("X-Pad: " + std::string(3500, 'a') + "\n");
    EXPECT_EQ(Parsed(big).error, ParseError::ok);
    ParseOptions small;
    small.max_length = 512;
    EXPECT_EQ(Parsed(big, small).error, ParseError::oversize);
    std::string bigger = request("X-Pad: " + std::string(9000, 'a') + "\n");
    EXPECT_EQ(Parsed(bigger).error, ParseError::oversize);
    ParseOptions large;
    large.max_length = 1u << 20;
    EXPECT_EQ(Parsed(bigger, large).error, ParseError::ok);
    std::string huge = request("X-Pad: " + std::string(70000, 'a') + "\n");
    EXPECT_EQ(Parsed(huge, large).error, ParseError::oversize);
    // A header name longer than 255 bytes is refused rather than cut.
    EXPECT_EQ(Parsed(request(std::string(300, 'X') + ": 1\n")).error, ParseError::bad_header);
}

TEST(SipParser, WeirdButValid) {
    // Leading CRLFs, bare LF line ends, tabs, UTF-8, odd spacing, unknown headers.
    std::string wire = "\r\n\r\n";
    wire += "NOTIFY sips:[2001:db8::10]:5061;transport=tls SIP/2.0\n"
            "Via:SIP/2.0/TLS [2001:db8::1]:5061;branch=z9hG4bK-\xe2\x82\xac;rport=1;received=2001:db8::2\n"
            "From:\t<sips:a@[2001:db8::1]>;tag=\"q\"\n"
            "To :<sips:b@h>;TAG=abc\n"
            "cALL-iD:\tid\twith\ttabs\n"
            "CSeq:   99    NOTIFY\n"
            "X-\xe6\x97\xa5: n\n";  // the name fails (non-token)...
    Parsed bad(wire + "\n");
    EXPECT_EQ(bad.error, ParseError::bad_header);
    wire.erase(wire.rfind("X-"));
    wire += "Subject: \xe6\x97\xa5\xe6\x9c\xac\xf0\x9f\x98\x80\n"
            "Event: presence;id=1\n"
            "Subscription-State: active;expires=60\n"
            "\n";
    Parsed p(wire);
    ASSERT_EQ(p.error, ParseError::ok) << parse_error_name(p.error);
    EXPECT_EQ(p.msg.method(), Method::notify);
    EXPECT_EQ(p.msg.request_uri(), "sips:[2001:db8::10]:5061;transport=tls");
    Via top;
    ASSERT_EQ(p.msg.top_via(top), ParseError::ok);
    EXPECT_EQ(top.host, "[2001:db8::1]");
    EXPECT_EQ(top.received, "2001:db8::2");
    EXPECT_EQ(top.rport, 1);
    EXPECT_EQ(p.msg.from_tag(), "\"q\"");
    EXPECT_EQ(p.msg.to_tag(), "abc");
    EXPECT_EQ(p.msg.call_id(), "id\twith\ttabs");
    EXPECT_EQ(p.msg.cseq_number(), 99u);
    EXPECT_EQ(p.msg.header(HeaderId::subscription_state), "active;expires=60");
    EXPECT_EQ(p.msg.body(), "");
    SipUri u;
    ASSERT_TRUE(parse_sip_uri(p.msg.request_uri(), u));
    EXPECT_EQ(u.scheme, UriScheme::sips);
    EXPECT_EQ(u.host, "[2001:db8::10]");
    EXPECT_EQ(u.port, 5061);
}

TEST(SipParser, ReuseOfMessage) {
    SipMessage m;
    const std::string a = test::invite_with_sdp();
    const std::string b = crlf(test::kOk200);
    ASSERT_EQ(parse_message(a.data(), static_cast<uint32_t>(a.size()), m), ParseError::ok);
    ASSERT_EQ(parse_message(b.data(), static_cast<uint32_t>(b.size()), m), ParseError::ok);
    EXPECT_TRUE(m.is_response());
    EXPECT_EQ(m.method(), Method::none);
    EXPECT_EQ(m.request_uri(), "");
    EXPECT_EQ(m.header(HeaderId::content_type), "");
    EXPECT_EQ(m.count(HeaderId::via), 3u);
    EXPECT_EQ(m.header_count(), 9u);
    ASSERT_EQ(parse_message(a.data(), static_cast<uint32_t>(a.size()), m), ParseError::ok);
    EXPECT_EQ(m.count(HeaderId::via), 1u);
    EXPECT_EQ(m.status_code(), 0);
    EXPECT_EQ(m.reason_phrase(), "");
    // A failed parse leaves a message that is safe to query.
    EXPECT_NE(parse_message("garbage", 7, m), ParseError::ok);
    EXPECT_EQ(m.header(HeaderId::via), "");
    EXPECT_EQ(parse_message(nullptr, 0, m), ParseError::empty);
}

}  // namespace
}  // namespace sipwire::sip
