// Branch, loop and local-tag hashes (see branch.h).
#include "proxy/branch.h"

#include "sip/header_names.h"

namespace sipwire::proxy {
namespace {

constexpr uint64_t kTransactionSeed = 0x7472616e73616374ull;  // "transact"
constexpr uint64_t kLoopSeed = 0x6c6f6f7064657465ull;         // "loopdete"
constexpr uint64_t kTagSeed = 0x6c6f63616c746167ull;          // "localtag"

}  // namespace

uint32_t cseq_leading_number(std::string_view v) noexcept {
    uint64_t n = 0;
    for (size_t i = 0; i < v.size() && i < 10 && v[i] >= '0' && v[i] <= '9'; ++i)
        n = n * 10 + static_cast<uint64_t>(v[i] - '0');
    return static_cast<uint32_t>(n);
}

std::string_view tag_for_hash(std::string_view v) noexcept {
    const size_t gt = v.rfind('>');
    size_t i = gt == std::string_view::npos ? 0 : gt + 1;
    for (; i + 5 <= v.size(); ++i) {
        if (v[i] != ';') continue;
        size_t j = i + 1;
        while (j < v.size() && (v[j] == ' ' || v[j] == '\t')) ++j;
        if (v.size() - j < 4 || (v[j] | 0x20) != 't' || (v[j + 1] | 0x20) != 'a' || (v[j + 2] | 0x20) != 'g' ||
            v[j + 3] != '=')
            continue;
        const size_t b = j + 4;
        size_t e = b;
        while (e < v.size() && v[e] != ';' && v[e] != ',' && v[e] != ' ' && v[e] != '\t' && v[e] != '\r' &&
               v[e] != '\n')
            ++e;
        return v.substr(b, e - b);
    }
    return {};
}

void make_branch(const sip::SipMessage& msg, const sip::Via& top, Branch& out) noexcept {
    const std::string_view ruri = msg.request_uri();
    const uint32_t cseq = msg.cseq_number();
    const std::string_view from_tag = tag_for_hash(msg.header(sip::HeaderId::from));
    // sent-by as written, "host" or "host:port" (one span of the message).
    const std::string_view sent_by =
        top.port_text.empty()
            ? top.host
            : std::string_view(top.host.data(), static_cast<size_t>(top.port_text.data() + top.port_text.size() -
                                                                     top.host.data()));

    Hasher tx(kTransactionSeed);
    if (top.branch.size() > kMagicCookie.size() && top.branch.substr(0, 7) == kMagicCookie) {
        tx.add(top.branch).add(sent_by).add(ruri);
    } else {
        tx.add(msg.call_id()).add(cseq).add(from_tag).add(ruri).add(sent_by).add(top.params);
    }

    Hasher loop(kLoopSeed);
    loop.add(msg.call_id()).add(cseq).add(from_tag).add(ruri);
    for (uint8_t i = msg.first_index(sip::HeaderId::route); i != sip::kNoHeader; i = msg.headers()[i].next_same)
        loop.add(msg.value(msg.headers()[i]));

    std::memcpy(out.text, kMagicCookie.data(), 7);
    format_hex64(tx.value(), out.text + 7);
    format_hex64(loop.value(), out.text + 7 + 16);
}

void make_local_tag(std::string_view call_id, uint32_t cseq_number, LocalTag& out) noexcept {
    out.text[0] = 's';
    out.text[1] = 'w';
    format_hex64(Hasher(kTagSeed).add(call_id).add(cseq_number).value(), out.text + 2);
}

bool is_local_tag(std::string_view to_tag, std::string_view call_id, uint32_t cseq_number) noexcept {
    if (to_tag.size() != kLocalTagLength || to_tag[0] != 's' || to_tag[1] != 'w') return false;
    LocalTag t;
    make_local_tag(call_id, cseq_number, t);
    return to_tag == t.view();
}

}  // namespace sipwire::proxy
