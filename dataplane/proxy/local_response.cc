// Our own responses (see local_response.h).
#include "proxy/local_response.h"

#include "proxy/address.h"
#include "proxy/branch.h"

namespace sipwire::proxy {

uint32_t write_local_response(const sip::SipMessage& req, const EditList& top_via_edits,
                              const LocalResponse& response, char* out, uint32_t capacity) noexcept {
    Writer w(out, capacity);
    char code[3] = {static_cast<char>('0' + response.code / 100 % 10),
                    static_cast<char>('0' + response.code / 10 % 10), static_cast<char>('0' + response.code % 10)};
    w.put("SIP/2.0 ");
    w.put({code, 3});
    w.put(" ");
    w.put(response.reason);
    w.put("\r\n");

    // Every Via line in order; the first with the top Via's edits applied.
    bool first = true;
    for (uint8_t i = req.first_index(sip::HeaderId::via); i != sip::kNoHeader; i = req.headers()[i].next_same) {
        const sip::HeaderField& h = req.headers()[i];
        w.put("Via: ");
        if (first) {
            if (!apply_edits(req.data(), h.value_offset, h.value_offset + h.value_length, top_via_edits, w))
                return 0;
            first = false;
        } else {
            w.put(req.value(h));
        }
        w.put("\r\n");
    }

    w.put("From: ");
    w.put(req.header(sip::HeaderId::from));
    w.put("\r\nTo: ");
    w.put(req.header(sip::HeaderId::to));
    if (response.add_to_tag) {
        LocalTag tag;
        make_local_tag(req.call_id(), cseq_leading_number(req.header(sip::HeaderId::cseq)), tag);
        w.put(";tag=");
        w.put(tag.view());
    }
    w.put("\r\nCall-ID: ");
    w.put(req.call_id());
    w.put("\r\nCSeq: ");
    w.put(req.header(sip::HeaderId::cseq));
    w.put("\r\n");
    for (uint32_t i = 0; i < response.extra_count; ++i) w.put(response.extra[i]);
    w.put("Server: sipwire\r\nContent-Length: 0\r\n\r\n");
    return w.ok() ? static_cast<uint32_t>(w.length()) : 0;
}

}  // namespace sipwire::proxy
