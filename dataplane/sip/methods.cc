// Method token <-> Method flag.
#include "sip/methods.h"

#include <array>

#include "sip/lex.h"

namespace sipwire::sip {
namespace {

struct Entry {
    std::string_view name;
    Method method;
};

constexpr std::array<Entry, 14> kMethods = {{
    {"INVITE", Method::invite},
    {"ACK", Method::ack},
    {"BYE", Method::bye},
    {"CANCEL", Method::cancel},
    {"OPTIONS", Method::options},
    {"REGISTER", Method::register_},
    {"PRACK", Method::prack},
    {"UPDATE", Method::update},
    {"INFO", Method::info},
    {"SUBSCRIBE", Method::subscribe},
    {"NOTIFY", Method::notify},
    {"REFER", Method::refer},
    {"MESSAGE", Method::message},
    {"PUBLISH", Method::publish},
}};

bool is(std::string_view token, std::string_view name) noexcept { return token == name; }

}  // namespace

Method method_from_token(std::string_view t) noexcept {
    if (t.empty()) return Method::none;
    // Switch on length, then the first letter: one comparison for a known method.
    switch (t.size()) {
        case 3:
            if (t[0] == 'A' && is(t, "ACK")) return Method::ack;
            if (t[0] == 'B' && is(t, "BYE")) return Method::bye;
            break;
        case 4:
            if (t[0] == 'I' && is(t, "INFO")) return Method::info;
            break;
        case 5:
            if (t[0] == 'P' && is(t, "PRACK")) return Method::prack;
            if (t[0] == 'R' && is(t, "REFER")) return Method::refer;
            break;
        case 6:
            if (t[0] == 'I' && is(t, "INVITE")) return Method::invite;
            if (t[0] == 'C' && is(t, "CANCEL")) return Method::cancel;
            if (t[0] == 'U' && is(t, "UPDATE")) return Method::update;
            if (t[0] == 'N' && is(t, "NOTIFY")) return Method::notify;
            break;
        case 7:
            if (t[0] == 'O' && is(t, "OPTIONS")) return Method::options;
            if (t[0] == 'M' && is(t, "MESSAGE")) return Method::message;
            if (t[0] == 'P' && is(t, "PUBLISH")) return Method::publish;
            break;
        case 8:
            if (t[0] == 'R' && is(t, "REGISTER")) return Method::register_;
            break;
        case 9:
            if (t[0] == 'S' && is(t, "SUBSCRIBE")) return Method::subscribe;
            break;
        default:
            break;
    }
    for (char c : t)
        if (!lex::is_token(c)) return Method::none;
    return Method::other;
}

std::string_view method_name(Method m) noexcept {
    for (const Entry& e : kMethods)
        if (e.method == m) return e.name;
    return {};
}

}  // namespace sipwire::sip
