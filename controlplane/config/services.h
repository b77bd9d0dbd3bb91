// The tables of sipwired's services beyond the SIP proxy: [registrar],
// [nat_keepalive] and the media keys of [rtp]. Called by build() in config.cc after
// the ports, SIP and RTP sections are loaded.
#pragma once

#include "config/config.h"
#include "config/reader.h"

namespace sipwire::config {

void load_registrar(const detail::Section& s, Config& c);
void load_keepalive(const detail::Section& s, Config& c);
void load_media(const detail::Section& s, Config& c);

}  // namespace sipwire::config
