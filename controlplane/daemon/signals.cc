#include "daemon/signals.h"

#include <pthread.h>

#include <cerrno>

namespace sipwire::daemon {

SignalSet::SignalSet(std::initializer_list<int> signals) {
    sigemptyset(&set_);
    for (int s : signals) sigaddset(&set_, s);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    signal(SIGPIPE, SIG_IGN);
}

int SignalSet::wait() const {
    for (;;) {
        const int s = sigwaitinfo(&set_, nullptr);
        if (s > 0) return s;
        if (errno != EINTR) return SIGTERM;  // cannot wait: behave as asked to stop
    }
}

}  // namespace sipwire::daemon
