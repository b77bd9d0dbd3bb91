// The stateless proxy's decision flow (see proxy.h): parse, classify, pick the next
// hop, collect the edits, copy once.
#include "proxy/proxy.h"

#include <cstring>

#include "proxy/address.h"
#include "proxy/branch.h"
#include "proxy/local_response.h"
#include "proxy/rewrite.h"
#include "limit/limiter.h"
#include "net/route.h"
#include "sip/sip.h"

namespace sipwire::proxy {
namespace {

using sip::HeaderField;
using sip::HeaderId;
using sip::Method;
using sip::ParseError;
using sip::SipMessage;
using sip::Via;

constexpr Result drop(DropReason reason) noexcept { return {Action::drop, reason, 0, 0, 0, 0}; }
constexpr Result no_send(Action action) noexcept { return {action, DropReason::count, 0, 0, 0, 0}; }

constexpr std::string_view kOptionsHeaders[] = {
    "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, PRACK, UPDATE, INFO, SUBSCRIBE, NOTIFY, REFER, "
    "MESSAGE, PUBLISH\r\n"
    "Accept: application/sdp\r\n",
};

// Methods that create a dialog (or a subscription): Record-Route them when initial.
constexpr Method kRecordRouted = Method::invite | Method::subscribe | Method::refer | Method::notify;

struct NextHop {
    uint32_t ip = 0;        // network byte order
    uint16_t port = 0;      // network byte order
    bool dispatched = false;
    uint16_t registry_slot = 0;
};

constexpr std::string_view kFailoverMarkerLine = "X-Sipwire-Failover: 1\r\n";

// Lines of our own Route values removed from one request at most (two values after
// double record-routing, usually on one line); more: dropped sip_unroutable.
constexpr uint32_t kMaxOwnRouteLines = 4;
// One edit per such line, plus at most 6 others (our Via, received and rport,
// Record-Route, Max-Forwards, the failover marker): the edit list never fills.
static_assert(kMaxOwnRouteLines + 6 <= EditList::kMaxEdits);

class Stage {
public:
    Stage(const Inbound& in, const DataplaneConfig& config, char* out, uint16_t capacity,
          SipCounters& counters, limit::Limiter* limiter, Interfaces interfaces) noexcept
        : in_(in), cfg_(config), out_(out), capacity_(capacity), counters_(counters),
          limiter_(limiter != nullptr && limiter->tracking() ? limiter : nullptr),
          interfaces_(interfaces) {}

    Result run() noexcept {
        // Reassembled datagrams may exceed one ring slot: accept what the parser can.
        const ParseError e = sip::parse_message(reinterpret_cast<const char*>(in_.payload),
                                                in_.length, msg_,
                                                sip::ParseOptions{sip::kMaxMessageLength});
        if (e != ParseError::ok) return parse_failed(e);
        return msg_.is_request() ? request() : response();
    }

private:
    // --- addresses ---------------------------------------------------------------------
    // Our address on the port a datagram to `dst_ip` leaves by (net::route(), the rule
    // the transmit path follows); the ingress address when there is no route or no
    // interface view.
    uint32_t egress_ip(uint32_t dst_ip) const noexcept {
        const uint32_t n = interfaces_.count < kMaxPorts ? interfaces_.count : kMaxPorts;
        if (interfaces_.ports == nullptr || n == 0) return in_.dst_ip;
        const net::Route r = net::route(interfaces_.ports, n, dst_ip);
        return r.port < 0 ? in_.dst_ip : interfaces_.ports[r.port].ipv4;
    }
    bool is_our_ip(uint32_t ip) const noexcept {
        if (ip == in_.dst_ip) return true;
        const uint32_t n = cfg_.port_count < kMaxPorts ? cfg_.port_count : kMaxPorts;
        for (uint32_t i = 0; i < n; ++i)
            if (cfg_.ports[i].ipv4 == ip) return true;
        return false;
    }
    bool is_our_sip_port(uint16_t port_host) const noexcept {
        if (port_host == to_host16(in_.dst_port)) return true;
        for (const uint16_t p : cfg_.sip_ports)
            if (p != 0 && p == port_host) return true;
        return false;
    }
    // A SIP URI naming one of our addresses, with one of our ports or none.
    bool uri_is_us(std::string_view uri_text, bool allow_user) const noexcept {
        sip::SipUri uri;
        uint32_t ip = 0;
        return sip::parse_sip_uri(uri_text, uri) && (allow_user || uri.user.empty()) && parse_ipv4(uri.host, ip) &&
               is_our_ip(ip) && (uri.port_text.empty() || is_our_sip_port(uri.port));
    }
    // The IPv4 literal host and port (5060 when absent) of a SIP URI.
    static bool uri_address(std::string_view uri_text, NextHop& hop) noexcept {
        sip::SipUri uri;
        if (!sip::parse_sip_uri(uri_text, uri) || !parse_ipv4(uri.host, hop.ip)) return false;
        hop.port = to_net16(uri.port_text.empty() ? kDefaultSipPort : uri.port);
        return true;
    }

    // Small writes into the stack buffers of inserted lines: copies of a fixed size
    // (plain moves, where a variable-size memcpy would become a slow `rep movs`).
    template <size_t N>
    static size_t put_fixed(char* buf, size_t at, const char (&text)[N]) noexcept {
        std::memcpy(buf + at, text, N - 1);
        return at + N - 1;
    }
    // "a.b.c.d:port": the whole HostPort buffer is copied, its length kept.
    static size_t put_host_port(char* buf, size_t at, const HostPort& hp) noexcept {
        std::memcpy(buf + at, hp.text, sizeof hp.text);
        return at + hp.length;
    }

    uint32_t offset_of(std::string_view v) const noexcept { return static_cast<uint32_t>(v.data() - msg_.data()); }
    const HeaderField& first_line(HeaderId id) const noexcept { return msg_.headers()[msg_.first_index(id)]; }

    // Start line to end of body: leading CRLFs (keep-alive framing) and bytes after
    // Content-Length are not sent on.
    uint32_t message_begin() const noexcept {
        uint32_t i = 0;
        while (i < msg_.length() && (msg_.data()[i] == '\r' || msg_.data()[i] == '\n')) ++i;
        return i;
    }
    uint32_t message_end() const noexcept { return msg_.body_offset() + static_cast<uint32_t>(msg_.body().size()); }

    // --- results -----------------------------------------------------------------------
    Result copy_out(const EditList& edits, const NextHop& hop, uint32_t src_ip) noexcept {
        const uint32_t begin = message_begin();
        const uint32_t end = message_end();
        const int64_t length = int64_t{end} - begin + edits.growth();
        if (length > capacity_) return drop(DropReason::sip_too_large);
        Writer w(out_, capacity_);
        if (!apply_edits(msg_.data(), begin, end, edits, w)) return drop(DropReason::sip_too_large);
        return {Action::forward, DropReason::count, hop.ip, hop.port, static_cast<uint16_t>(w.length()), src_ip};
    }

    Result local_reply(const Via& top, SipLocalResponse which, std::string_view reason,
                       const std::string_view* extra = nullptr, uint32_t extra_count = 0) noexcept {
        EditList edits;
        TopViaScratch scratch;
        add_top_via_edits(msg_, top, in_.src_ip, in_.src_port, scratch, edits);
        const LocalResponse r{kSipLocalResponseCodes[static_cast<unsigned>(which)], reason, extra, extra_count,
                              to_tag().empty()};
        const uint32_t length = write_local_response(msg_, edits, r, out_, capacity_);
        if (length == 0) return drop(DropReason::sip_too_large);
        counters_.local_responses[static_cast<unsigned>(which)].add(1);
        return {Action::reply, DropReason::count, in_.src_ip, in_.src_port, static_cast<uint16_t>(length),
                egress_ip(in_.src_ip)};
    }

    // --- parse errors --------------------------------------------------------------------
    Result parse_failed(ParseError e) noexcept {
        if (e == ParseError::empty) {
            counters_.keepalives.add(1);
            return no_send(Action::consumed);
        }
        counters_.parse_errors[static_cast<unsigned>(e)].add(1);
        // Answerable: a request (not ACK) whose header lines are all known, with the
        // lines a response copies.
        if (!sip::headers_indexed(e) || !msg_.is_request() || msg_.method() == Method::ack) {
            return drop(DropReason::sip_invalid);
        }
        for (const HeaderId id : {HeaderId::from, HeaderId::to, HeaderId::call_id, HeaderId::cseq})
            if (msg_.header(id).empty()) return drop(DropReason::sip_invalid);
        Via top;
        if (!msg_.has(HeaderId::via) || msg_.top_via(top) != ParseError::ok) return drop(DropReason::sip_invalid);
        const std::string_view warning[] = {"Warning: 399 sipwire \"", sip::parse_error_phrase(e), "\"\r\n"};
        return local_reply(top, SipLocalResponse::bad_request, "Bad Request", warning, 3);
    }

    // --- requests ------------------------------------------------------------------------
    Result request() noexcept {
        counters_.requests_received.add(1);
        Via top;
        if (msg_.top_via(top) != ParseError::ok) return bad_via();
        const Method method = msg_.method();
        const bool ack = method == Method::ack;

        if (method == Method::options && to_tag().empty() && uri_is_us(msg_.request_uri(), false))
            return local_reply(top, SipLocalResponse::options_ok, "OK", kOptionsHeaders, 1);
        if (ack && is_local_tag(to_tag(), msg_.call_id(), msg_.cseq_number())) return no_send(Action::consumed);
        if (msg_.max_forwards() == 0) {
            if (ack) return drop(DropReason::sip_invalid);
            return local_reply(top, SipLocalResponse::too_many_hops, "Too Many Hops");
        }

        Branch branch;
        make_branch(msg_, top, branch);
        if (looped(branch)) {
            if (ack) return drop(DropReason::sip_invalid);
            return local_reply(top, SipLocalResponse::loop_detected, "Loop Detected");
        }

        EditList edits;
        NextHop hop;
        bool routed = false;
        if (msg_.has(HeaderId::route)) {
            // Loose routing (RFC 3261 16.4): every value of ours on top is removed —
            // two after double record-routing (RFC 5658) — and the request goes to the
            // next Route value. Another proxy's value on top (a pre-loaded route set)
            // stays and is where the request goes (16.6 step 6).
            std::string_view next;
            bool has_next = false;
            bool removed = false;
            uint32_t lines = 0;
            for (uint8_t i = msg_.first_index(HeaderId::route); i != sip::kNoHeader && !has_next;
                 i = msg_.headers()[i].next_same) {
                const HeaderField& h = msg_.headers()[i];
                std::string_view rest = msg_.value(h);
                std::string_view value;
                std::string_view first_ours;
                while (!has_next && sip::next_value(rest, value)) {
                    if (!route_is_us(value)) {
                        next = value;
                        has_next = true;
                    } else if (first_ours.empty()) {
                        first_ours = value;
                    }
                }
                if (first_ours.empty()) continue;
                // The whole line when every value on it is ours, else up to the next value.
                const bool ok = ++lines <= kMaxOwnRouteLines &&
                                (has_next ? edits.remove(offset_of(first_ours), offset_of(next) - offset_of(first_ours))
                                          : edits.remove(h.name_offset, line_end(msg_, h) - h.name_offset));
                if (!ok) return drop(DropReason::sip_unroutable);
                removed = true;
            }
            if (has_next) {
                sip::NameAddr na;
                if (!sip::parse_name_addr(next, na) || !uri_address(na.uri, hop))
                    return drop(DropReason::sip_unroutable);
                routed = true;
            } else if (removed) {
                // The Request-URI when it is another host's IPv4 literal; ours or a
                // host name: the dispatcher (a UA's pre-loaded outbound-proxy route).
                routed = uri_address(msg_.request_uri(), hop) && !is_our_ip(hop.ip);
            }
        }
        if (!routed && !dispatch(hop)) {
            if (ack) return drop(DropReason::sip_unroutable);
            return local_reply(top, SipLocalResponse::no_destination, "Service Unavailable");
        }

        // Call limits: admission of new calls, the requests of calls failed over.
        bool add_marker = false;
        if (limiter_ != nullptr) {
            if (method == Method::invite && to_tag().empty()) {
                const bool marked = cfg_.limits.failover_ipv4 != 0 && !msg_.header(kFailoverMarkerName).empty();
                const limit::NewCall call{call_hash(), in_.src_ip,
                                          hop.dispatched ? static_cast<uint8_t>(cfg_.sip.dispatch_set) : kNoScope,
                                          marked, limiter_->enabled() ? tag_key(msg_.from_tag()) : 0};
                switch (limiter_->admit_invite(call)) {
                case limit::Verdict::unlimited:
                case limit::Verdict::admitted:
                case limit::Verdict::retransmission:
                    break;
                case limit::Verdict::failed_over:
                    to_failover(hop);
                    add_marker = !marked;
                    break;
                case limit::Verdict::rejected:
                    return at_capacity(top);
                }
            } else {
                const limit::RequestKind kind = method == Method::cancel ? limit::RequestKind::cancel
                                                : method == Method::bye  ? limit::RequestKind::bye
                                                : ack                    ? limit::RequestKind::ack
                                                                         : limit::RequestKind::other;
                const limit::Follow follow = limiter_->on_request(call_hash(), kind);
                if ((follow == limit::Follow::failover_early && (ack || method == Method::cancel)) ||
                    (follow != limit::Follow::normal && !routed))
                    to_failover(hop);
            }
        }

        // Our Via on top; Record-Route and an added Max-Forwards after it, in that order.
        // Both name the address of the port the request leaves by, so responses and
        // in-dialog requests come back on that side.
        const uint32_t egress = egress_ip(hop.ip);
        HostPort self;
        self.set(egress, in_.dst_port);
        const uint32_t via_at = first_line(HeaderId::via).name_offset;
        char via_line[32 + sizeof self.text + kBranchLength];
        size_t n = put_fixed(via_line, 0, "Via: SIP/2.0/UDP ");
        n = put_host_port(via_line, n, self);
        n = put_fixed(via_line, n, ";branch=");
        std::memcpy(via_line + n, branch.text, kBranchLength);
        n = put_fixed(via_line, n + kBranchLength, "\r\n");
        edits.insert(via_at, {via_line, n});

        TopViaScratch scratch;
        add_top_via_edits(msg_, top, in_.src_ip, in_.src_port, scratch, edits);

        // Leaving by another port than it arrived on: double record-routing (RFC 5658),
        // the egress address on top (the next hop's side), then the ingress address
        // (the previous hop's side), so in-dialog requests from either side reach an
        // address of ours they can reach.
        char rr_line[48 + 2 * sizeof self.text];
        if (cfg_.sip.record_route != 0 && sip::any_of(method, kRecordRouted) && to_tag().empty()) {
            size_t k = put_fixed(rr_line, 0, "Record-Route: <sip:");
            k = put_host_port(rr_line, k, self);
            if (egress != in_.dst_ip) {
                HostPort ingress;
                ingress.set(in_.dst_ip, in_.dst_port);
                k = put_fixed(rr_line, k, ";lr>, <sip:");
                k = put_host_port(rr_line, k, ingress);
            }
            k = put_fixed(rr_line, k, ";lr>\r\n");
            const uint32_t at = msg_.has(HeaderId::record_route) ? first_line(HeaderId::record_route).name_offset : via_at;
            edits.insert(at, {rr_line, k});
        }

        char mf[10];
        if (msg_.has_max_forwards()) {
            const HeaderField& h = first_line(HeaderId::max_forwards);
            edits.add(h.value_offset, h.value_length, {mf, format_uint(msg_.max_forwards() - 1, mf)});
        } else {
            edits.insert(via_at, "Max-Forwards: 70\r\n");
        }
        if (add_marker) edits.insert(via_at, kFailoverMarkerLine);

        const Result r = copy_out(edits, hop, egress);
        if (r.action != Action::forward) return r;
        counters_.requests_forwarded.add(1);
        if (hop.dispatched) {
            counters_.requests_dispatched.add(1);
            if (hop.registry_slot < kMaxDestinations) counters_.destination_requests[hop.registry_slot].add(1);
        }
        return r;
    }

    uint64_t call_hash() noexcept {
        if (!call_hash_known_) {
            call_hash_ = call_id_hash(msg_.call_id());
            call_hash_known_ = true;
        }
        return call_hash_;
    }

    // A From / To tag as the dialog table keeps it: the Call-ID hash of the tag, in 32 bits.
    static uint32_t tag_key(std::string_view tag) noexcept { return limit::dialog_tag(call_id_hash(tag)); }

    void to_failover(NextHop& hop) const noexcept {
        hop.ip = cfg_.limits.failover_ipv4;
        hop.port = cfg_.limits.failover_port != 0 ? cfg_.limits.failover_port : to_net16(kDefaultSipPort);
        hop.dispatched = false;
    }

    // 503 with Retry-After: a new call over a limit, with no failover.
    Result at_capacity(const Via& top) noexcept {
        char seconds[10];
        const std::string_view retry_after[] = {"Retry-After: ", {seconds, format_uint(cfg_.limits.retry_after_s, seconds)},
                                                "\r\n"};
        return local_reply(top, SipLocalResponse::at_capacity, "Service Unavailable", retry_after, 3);
    }

    // The To tag, parsed once and only when a decision needs it; a To value without
    // any ';' has none.
    std::string_view to_tag() noexcept {
        if (!to_tag_known_) {
            const std::string_view to = msg_.header(HeaderId::to);
            if (to.find(';') != std::string_view::npos) to_tag_ = msg_.to_tag();
            to_tag_known_ = true;
        }
        return to_tag_;
    }

    bool route_is_us(std::string_view route_value) const noexcept {
        sip::NameAddr na;
        return sip::parse_name_addr(route_value, na) && uri_is_us(na.uri, true);
    }

    // RFC 3261 16.3 step 4: a Via of ours whose branch carries the loop part we
    // would put there now.
    bool looped(const Branch& branch) const noexcept {
        // Cheap filter first: a Via line holding our loop part's 16 hex digits.
        bool candidate = false;
        for (uint8_t i = msg_.first_index(HeaderId::via); i != sip::kNoHeader && !candidate;
             i = msg_.headers()[i].next_same)
            candidate = msg_.value(msg_.headers()[i]).find(branch.loop_part()) != std::string_view::npos;
        if (!candidate) return false;
        sip::ViaIterator it(msg_);
        Via v;
        while (it.next(v)) {
            if (!same_loop_part(v.branch, branch)) continue;
            uint32_t ip = 0;
            if (parse_ipv4(v.host, ip) && is_our_ip(ip) && is_our_sip_port(v.port_text.empty() ? kDefaultSipPort : v.port))
                return true;
        }
        return false;
    }

    // The dispatcher: false when there is no destination (503).
    bool dispatch(NextHop& hop) noexcept {
        const uint16_t set = cfg_.sip.dispatch_set;
        if (set == kNoDestination || set >= cfg_.destination_set_count || set >= kMaxDestinationSets) {
            // No dispatcher: the Request-URI when it names another host by address.
            return uri_address(msg_.request_uri(), hop) && !is_our_ip(hop.ip);
        }
        const DestinationSetConfig& ds = cfg_.destination_sets[set];
        const uint16_t index = ds.table[call_hash() % kDispatchTableSize];
        if (index == kNoDestination || index >= ds.count) return false;
        const uint32_t d = uint32_t{ds.first} + index;
        if (d >= cfg_.destination_count || d >= kMaxDestinations) return false;
        const DestinationConfig& dest = cfg_.destinations[d];
        hop.ip = dest.ipv4;
        hop.port = dest.port;
        hop.dispatched = true;
        hop.registry_slot = dest.registry_slot;
        return true;
    }

    // --- responses -----------------------------------------------------------------------
    Result response() noexcept {
        counters_.responses_received.add(1);
        // Each Via value parsed once: ours on top, then the next one.
        const HeaderField& h = first_line(HeaderId::via);
        std::string_view after_top = msg_.value(h);
        Via top;
        if (sip::next_via(after_top, top) <= 0) return bad_via();
        // Any of our addresses: a response comes back on the port its request left by,
        // which need not be the one the request arrived on.
        uint32_t ip = 0;
        const uint16_t port = top.port_text.empty() ? kDefaultSipPort : top.port;
        if (!parse_ipv4(top.host, ip) || !is_our_ip(ip) || !is_our_sip_port(port))
            return drop(DropReason::sip_response_not_ours);

        Via next;
        std::string_view rest = after_top;
        int found = sip::next_via(rest, next);
        for (uint8_t i = h.next_same; found == 0 && i != sip::kNoHeader; i = msg_.headers()[i].next_same) {
            rest = msg_.value(msg_.headers()[i]);
            found = sip::next_via(rest, next);
        }
        if (found < 0) return bad_via();
        if (limiter_ != nullptr && msg_.status_code() >= 200) {
            // The callee's tag comes with the 2xx; a BYE's response copies its From and
            // To: only a BYE of the call's own dialog ends the call.
            if (msg_.cseq_method() == Method::invite)
                limiter_->on_final_response(call_hash(), msg_.status_code(), tag_key(to_tag()));
            else if (msg_.cseq_method() == Method::bye)
                limiter_->on_bye_response(call_hash(), msg_.status_code(), tag_key(msg_.from_tag()),
                                          tag_key(to_tag()));
        }
        if (found == 0) {
            counters_.responses_punted.add(1);
            return no_send(Action::punt);
        }
        NextHop hop;
        if (!parse_ipv4(next.received.empty() ? next.host : next.received, hop.ip))
            return drop(DropReason::sip_unroutable);
        hop.port = to_net16(next.rport != 0 ? next.rport : next.port != 0 ? next.port : kDefaultSipPort);

        // Our value removed: the line, or the value up to the next one on its line.
        EditList edits;
        remove_first_value(msg_, h, top.protocol_name, after_top, edits);
        const Result r = copy_out(edits, hop, egress_ip(hop.ip));
        if (r.action == Action::forward) counters_.responses_forwarded.add(1);
        return r;
    }

    Result bad_via() noexcept {
        counters_.parse_errors[static_cast<unsigned>(ParseError::bad_via)].add(1);
        return drop(DropReason::sip_invalid);
    }

    const Inbound& in_;
    const DataplaneConfig& cfg_;
    char* out_;
    uint16_t capacity_;
    SipCounters& counters_;
    limit::Limiter* limiter_;  // nullptr: no limit configured
    Interfaces interfaces_;
    uint64_t call_hash_ = 0;
    bool call_hash_known_ = false;
    std::string_view to_tag_;
    bool to_tag_known_ = false;
    SipMessage msg_;
};

}  // namespace

Result handle_sip(const Inbound& in, const DataplaneConfig& config, uint8_t* out, uint16_t out_capacity,
                  SipCounters& counters, limit::Limiter* limiter, Interfaces interfaces) noexcept {
    Stage stage(in, config, reinterpret_cast<char*>(out), out_capacity, counters, limiter, interfaces);
    return stage.run();
}

}  // namespace sipwire::proxy
