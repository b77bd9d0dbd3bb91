// sipwired's registrar (RFC 3261 section 10): answers REGISTER requests the data
// plane punts for our domains, keeps bindings (AOR -> contacts) in the SQLite store
// and in the segment's location table (the data plane routes from it), and purges
// expired bindings. The keepalive pinger reports contact reachability back here.
//
// Thread-safety: every public method may be called from any thread (the punt
// reader's, the keepalive pinger's, the control API's); one mutex serializes them,
// which also makes the registrar the location table's single writer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "dispatcher/prober.h"
#include "sipwire/datagram.h"
#include "sipwire/layout.h"

namespace sipwire::registrar {

// One binding as the API, the keepalive pinger and the tests see it.
struct ContactInfo {
    uint64_t id = 0;            // stable while the binding lives (store row id)
    std::string aor;            // "user@domain"
    std::string contact;        // Contact URI as registered
    uint32_t ipv4 = 0;          // where it is reached (received / rport), host byte order
    uint16_t port = 0;          // host byte order
    uint16_t port_index = 0;    // data-plane port the REGISTER arrived on
    uint32_t local_ipv4 = 0;    // our address the REGISTER was sent to, host byte order
    uint16_t local_port = 0;    // our SIP port it was sent to, host byte order
    uint16_t q_milli = 1000;
    uint64_t expires_unix_s = 0;
    std::string call_id;
    uint32_t cseq = 0;
    std::string user_agent;
    uint32_t record = 0;        // location table record index
    // Written by the keepalive pinger through set_reachability().
    bool reachable = true;
    int64_t last_rtt_us = -1;   // -1 = no answered ping yet
    uint32_t missed_pings = 0;
};

struct RegistrarStats {
    uint64_t bindings = 0;                         // live bindings, all domains
    std::vector<std::pair<std::string, uint64_t>> bindings_by_domain;
    std::vector<std::pair<std::string, uint64_t>> outcomes;  // REGISTER outcome label -> count
    uint64_t users = 0;                            // provisioned users
};

class Registrar {
public:
    virtual ~Registrar() = default;

    // Opens the store (creating its tables), loads users and unexpired bindings into
    // the location table. False with `error` naming the file when the store cannot be
    // used.
    virtual bool open(std::string& error) = 0;

    // A punted REGISTER (payload = the whole SIP message). The response goes back
    // through `sender` from the address and port the request was sent to.
    virtual void on_register(const Datagram& request) = 0;

    // Removes bindings past their expiry (store and table). Called about once a second.
    virtual void purge_expired() = 0;

    // Users: digest credentials in the store. `password` is not stored, only HA1s
    // (MD5 and SHA-256 of user:realm:password).
    virtual bool add_user(const std::string& user, const std::string& domain, const std::string& password,
                          std::string& error) = 0;
    virtual bool delete_user(const std::string& user, const std::string& domain) = 0;
    virtual std::vector<std::string> list_users(size_t limit) const = 0;  // "user@domain"

    // Bindings.
    virtual std::vector<ContactInfo> list(size_t limit) const = 0;
    virtual std::vector<ContactInfo> show(const std::string& aor) const = 0;
    virtual size_t remove(const std::string& aor) = 0;  // bindings removed
    virtual std::vector<ContactInfo> snapshot() const = 0;  // every live binding (keepalive)

    // Keepalive results: false when the binding no longer exists.
    virtual bool set_reachability(uint64_t id, bool reachable, int64_t rtt_us, uint32_t missed) = 0;

    virtual RegistrarStats stats() const = 0;
};

// The real one. `sender` is sipwired's shared RingSender; `segment` must stay mapped.
std::unique_ptr<Registrar> make_registrar(const config::RegistrarSettings& settings, SegmentView segment,
                                          dispatcher::ProbeSender& sender);

}  // namespace sipwire::registrar
