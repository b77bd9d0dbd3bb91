// Checks made before rte_eal_init so that the mistakes a newcomer makes get one line
// saying what to do, instead of pages of EAL output.
#pragma once

#include <string>

#include "sipwire/dataplane_config.h"

namespace sipwire::dp {

// Empty when the machine can run these EAL arguments, else what to do about it.
std::string preflight(const BootConfig& boot);

}  // namespace sipwire::dp
