// Signals of sipwired, taken synchronously by the main thread: they are blocked
// before any thread starts (threads inherit the mask), then waited for here.
#pragma once

#include <signal.h>

#include <initializer_list>

namespace sipwire::daemon {

class SignalSet {
public:
    // Blocks `signals` in the calling thread; call before starting threads.
    // Also ignores SIGPIPE (a control client that went away is not fatal).
    explicit SignalSet(std::initializer_list<int> signals);

    // Blocks until one of the signals arrives and returns its number.
    int wait() const;

private:
    sigset_t set_{};
};

}  // namespace sipwire::daemon
