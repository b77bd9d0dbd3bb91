#include "config/services.h"

#include <cstring>

#include "sipwire/location.h"

namespace sipwire::config {

namespace {

using detail::fail;
using detail::index_key;
using detail::quote;
using detail::Section;
using detail::Value;

bool domain_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

std::string lower(std::string s) {
    for (char& ch : s)
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch + 32);
    return s;
}

uint32_t round_up_pow2(uint32_t n) {
    uint32_t p = 1;
    while (p < n) p <<= 1;
    return p;
}

std::vector<std::string> string_list(const Section& s, std::string_view name) {
    std::vector<std::string> out;
    const Value* v = s.find(name);
    if (v == nullptr) return out;
    const std::string key = s.key(name);
    const auto& items = detail::as_array(*v, key);
    for (size_t i = 0; i < items.size(); ++i) out.push_back(detail::as_string(items[i], index_key(key, i)));
    return out;
}

bool flag(const Section& s, std::string_view name, bool fallback) {
    const Value* v = s.find(name);
    return v ? detail::as_boolean(*v, s.key(name)) : fallback;
}

}  // namespace

void load_registrar(const Section& s, Config& c) {
    s.reject_unknown({"domains", "realm", "database", "max_bindings", "min_expires_s", "max_expires_s",
                      "default_expires_s", "max_contacts", "nonce_lifetime_s", "algorithms"});
    RegistrarSettings& r = c.registrar;
    r = RegistrarSettings{};
    const Value* domains_v = s.find("domains");
    r.domains = string_list(s, "domains");
    if (s.present() && domains_v == nullptr)
        fail(s.line(), s.key("domains"), "missing: [registrar] needs the domains it serves");
    if (r.domains.size() > kMaxRegistrarDomains)
        fail(*domains_v, s.key("domains"),
             std::to_string(r.domains.size()) + " domains, at most " + std::to_string(kMaxRegistrarDomains));
    const auto& domain_values = domains_v ? detail::as_array(*domains_v, s.key("domains")) : Value::array_type{};
    for (size_t i = 0; i < r.domains.size(); ++i) {
        std::string d = lower(r.domains[i]);
        bool ok = !d.empty() && d.size() < kNameLen && d.size() < kAorMax - 1;
        for (const char ch : d) ok = ok && domain_char(ch);
        if (!ok)
            fail(domain_values[i], index_key(s.key("domains"), i),
                 "must be a host name or IPv4 address of at most 62 characters from [a-z0-9.-], got " +
                     quote(r.domains[i]));
        for (size_t j = 0; j < i; ++j)
            if (r.domains[j] == d)
                fail(domain_values[i], index_key(s.key("domains"), i), "duplicate domain " + quote(d));
        r.domains[i] = d;
        LocationConfig& loc = c.dataplane.location;
        std::memcpy(loc.domains[i], d.data(), d.size());
        loc.domain_lengths[i] = static_cast<uint8_t>(d.size());
        loc.domain_count = static_cast<uint32_t>(i + 1);
    }
    r.realm = s.string("realm").value_or(r.domains.empty() ? std::string() : r.domains[0]);
    if (const Value* v = s.find("realm"); v && (r.realm.empty() || r.realm.find('"') != std::string::npos))
        fail(*v, s.key("realm"), "must be non-empty and contain no double quote, got " + quote(r.realm));
    r.database = s.string("database").value_or(c.state_dir + "/" + c.instance + "-registrar.sqlite");
    if (const Value* v = s.find("database"); v && r.database.empty()) fail(*v, s.key("database"), "must not be empty");
    r.max_bindings = round_up_pow2(static_cast<uint32_t>(
        s.integer("max_bindings", kMinLocationBindings, kMaxLocationBindings).value_or(r.max_bindings)));
    r.min_expires_s = static_cast<uint32_t>(s.integer("min_expires_s", 1, 86400).value_or(r.min_expires_s));
    r.max_expires_s = static_cast<uint32_t>(s.integer("max_expires_s", 1, 604800).value_or(r.max_expires_s));
    r.default_expires_s =
        static_cast<uint32_t>(s.integer("default_expires_s", 1, 604800).value_or(r.default_expires_s));
    if (r.max_expires_s < r.min_expires_s)
        fail(s.find("max_expires_s") ? detail::line_of(*s.find("max_expires_s")) : s.line(), s.key("max_expires_s"),
             "must be at least min_expires_s (" + std::to_string(r.min_expires_s) + "), got " +
                 std::to_string(r.max_expires_s));
    if (r.default_expires_s < r.min_expires_s || r.default_expires_s > r.max_expires_s)
        fail(s.find("default_expires_s") ? detail::line_of(*s.find("default_expires_s")) : s.line(),
             s.key("default_expires_s"),
             "must be within min_expires_s..max_expires_s (" + std::to_string(r.min_expires_s) + ".." +
                 std::to_string(r.max_expires_s) + "), got " + std::to_string(r.default_expires_s));
    r.max_contacts = static_cast<uint32_t>(s.integer("max_contacts", 1, 64).value_or(r.max_contacts));
    r.nonce_lifetime_s = static_cast<uint32_t>(s.integer("nonce_lifetime_s", 10, 3600).value_or(r.nonce_lifetime_s));
    if (const Value* v = s.find("algorithms")) {
        r.algorithms = string_list(s, "algorithms");
        if (r.algorithms.empty()) fail(*v, s.key("algorithms"), "at least one of \"SHA-256\", \"MD5\"");
        for (size_t i = 0; i < r.algorithms.size(); ++i)
            if (r.algorithms[i] != "SHA-256" && r.algorithms[i] != "MD5")
                fail(detail::as_array(*v, s.key("algorithms"))[i], index_key(s.key("algorithms"), i),
                     "must be \"SHA-256\" or \"MD5\", got " + quote(r.algorithms[i]));
    }
}

void load_keepalive(const Section& s, Config& c) {
    s.reject_unknown({"enabled", "method", "interval_ms", "unreachable_after", "from_port"});
    KeepaliveSettings& k = c.keepalive;
    k = KeepaliveSettings{};
    k.enabled = flag(s, "enabled", true);
    if (const Value* v = s.find("method")) {
        k.method = detail::as_string(*v, s.key("method"));
        if (k.method != "options" && k.method != "crlf")
            fail(*v, s.key("method"), "must be \"options\" or \"crlf\", got " + quote(k.method));
    }
    k.interval_ms = static_cast<uint32_t>(s.integer("interval_ms", 100, 3'600'000).value_or(k.interval_ms));
    k.unreachable_after = static_cast<uint32_t>(s.integer("unreachable_after", 1, 100).value_or(k.unreachable_after));
    if (const Value* v = s.find("from_port")) {
        const int64_t n = detail::as_integer(*v, s.key("from_port"), 0, kMaxPorts - 1);
        if (n >= int64_t(c.ports.size()))
            fail(*v, s.key("from_port"),
                 "there is no port[" + std::to_string(n) + "]: " + std::to_string(c.ports.size()) +
                     " [[port]] table(s) configured");
        k.from_port = static_cast<uint32_t>(n);
    }
}

void load_media(const Section& s, Config& c) {
    MediaSettings& m = c.media;
    m = MediaSettings{};
    m.relay = flag(s, "relay", false);
    m.inactivity_timeout_s =
        static_cast<uint32_t>(s.integer("inactivity_timeout_s", 1, 86400).value_or(m.inactivity_timeout_s));
    m.offer_timeout_s = static_cast<uint32_t>(s.integer("offer_timeout_s", 1, 3600).value_or(m.offer_timeout_s));
    m.relatch_after_ms = static_cast<uint32_t>(s.integer("relatch_after_ms", 0, 600000).value_or(m.relatch_after_ms));
    m.zone = s.string("zone").value_or("");
    m.aliases = string_list(s, "aliases");
    MediaConfig& dp = c.dataplane.media;
    dp.relay = m.relay ? 1 : 0;
    dp.inactivity_timeout_ms = m.inactivity_timeout_s * 1000;
    dp.offer_timeout_ms = m.offer_timeout_s * 1000;
    dp.relatch_after_ms = m.relatch_after_ms;
}

}  // namespace sipwire::config
