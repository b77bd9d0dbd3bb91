// The dispatcher's faces: the `dispatcher.list` control command and the
// sipwire_dispatcher_* Prometheus families. Both read one status provider (the
// snapshot publisher's view with the data plane's per-destination counters).
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>
#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "api/command_registry.h"
#include "dispatcher/publisher.h"

namespace sipwire::dispatcher {

using StatusProvider = std::function<std::vector<SetStatus>()>;

// {"sets":[{"name","dispatch","destinations":[{"address","port","weight","state",
//   "last_rtt_ms","last_probe_unix","last_answer_unix","probes_sent",
//   "probes_answered","calls_sent","registry_slot"}]}]}
nlohmann::json dispatcher_list_json(const std::vector<SetStatus>& sets);

void register_dispatcher_commands(api::CommandRegistry& registry, StatusProvider status);

// sipwire_dispatcher_requests_total, _destination_up, _probe_rtt_seconds,
// _probes_total{result="sent|answered"}, all {set, destination="ip:port"}.
class DispatcherCollector : public prometheus::Collectable {
public:
    explicit DispatcherCollector(StatusProvider status) : status_(std::move(status)) {}
    std::vector<prometheus::MetricFamily> Collect() const override;

private:
    StatusProvider status_;
};

}  // namespace sipwire::dispatcher
