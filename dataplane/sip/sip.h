// The SIP stage's parser API in one include.
#pragma once

#include "sip/header_names.h"
#include "sip/iterate.h"
#include "sip/message.h"
#include "sip/methods.h"
#include "sip/name_addr.h"
#include "sip/params.h"
#include "sip/uri.h"
#include "sip/via.h"
