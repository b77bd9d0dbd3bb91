// Leveled logging to stderr for both processes: start-up, shutdown, reloads and
// other rare events. Never called per packet.
#pragma once

#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <string_view>

namespace sipwire::log {

enum class Level { debug = 0, info = 1, warning = 2, error = 3 };

inline Level& threshold() {
    static Level level = Level::info;
    return level;
}

// Returns false for an unknown name.
inline bool set_level(std::string_view name) {
    if (name == "debug") threshold() = Level::debug;
    else if (name == "info") threshold() = Level::info;
    else if (name == "warning") threshold() = Level::warning;
    else if (name == "error") threshold() = Level::error;
    else return false;
    return true;
}

__attribute__((format(printf, 2, 3))) inline void write(Level level, const char* fmt, ...) {
    if (level < threshold()) return;
    static const char* const names[] = {"debug", "info", "warning", "error"};
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    tm t{};
    gmtime_r(&ts.tv_sec, &t);
    char line[1024];
    int n = std::snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s: ",
                          t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min,
                          t.tm_sec, ts.tv_nsec / 1000000, names[int(level)]);
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(line + n, sizeof line - size_t(n), fmt, ap);
    va_end(ap);
    std::fprintf(stderr, "%s\n", line);
}

}  // namespace sipwire::log

#define SIPWIRE_LOG_DEBUG(...) ::sipwire::log::write(::sipwire::log::Level::debug, __VA_ARGS__)
#define SIPWIRE_LOG_INFO(...) ::sipwire::log::write(::sipwire::log::Level::info, __VA_ARGS__)
#define SIPWIRE_LOG_WARNING(...) ::sipwire::log::write(::sipwire::log::Level::warning, __VA_ARGS__)
#define SIPWIRE_LOG_ERROR(...) ::sipwire::log::write(::sipwire::log::Level::error, __VA_ARGS__)
