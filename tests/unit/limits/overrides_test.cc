#include "limits/overrides.h"

#include <arpa/inet.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "limits/override_store.h"
#include "limits_fixture.h"

namespace sipwire::limits {
namespace {

using nlohmann::json;
using testing::limits_config;
using testing::TempDir;

std::string change_error(const json& args) {
    LimitsChange c;
    return parse_change(args, c);
}

TEST(ParseChange, ValuesNullsAndReset) {
    LimitsChange c;
    ASSERT_EQ(parse_change({{"scope", "server"}, {"cps", 12.5}, {"burst", 3}, {"channels", 0}}, c),
              "");
    EXPECT_EQ(c.scope, "server");
    EXPECT_EQ(c.cps_milli.value, 12500u);
    EXPECT_EQ(c.burst.value, 3u);
    EXPECT_EQ(c.channels.value, 0u);
    EXPECT_FALSE(c.node_share.present);

    ASSERT_EQ(parse_change({{"scope", "set:switches"}, {"cps", nullptr}, {"reset", true}}, c), "");
    EXPECT_TRUE(c.cps_milli.present);
    EXPECT_FALSE(c.cps_milli.value);
    EXPECT_TRUE(c.reset);

    ASSERT_EQ(parse_change({{"node_share", 0.25}}, c), "");  // no scope needed
    EXPECT_EQ(c.node_share.value, 0.25);
    ASSERT_EQ(parse_change({{"node_share", 1}}, c), "");
}

TEST(ParseChange, RefusesWhatTheFileRefuses) {
    EXPECT_EQ(change_error({{"scope", "server"}, {"cps", 2000000}}),
              "cps: must be from 0 (unlimited) to 1000000, got 2000000");
    EXPECT_EQ(change_error({{"scope", "server"}, {"cps", -1}}),
              "cps: must be from 0 (unlimited) to 1000000, got -1");
    EXPECT_EQ(change_error({{"scope", "server"}, {"cps", 0.0001}}),
              "cps: must be 0 (unlimited) or at least 0.001, got 0.0001");
    EXPECT_EQ(change_error({{"scope", "server"}, {"cps", "50"}}),
              "cps: expected a number, got a string");
    EXPECT_EQ(change_error({{"scope", "server"}, {"burst", 0}}),
              "burst: must be from 1 to 1000000, got 0");
    EXPECT_EQ(change_error({{"scope", "server"}, {"burst", 2.5}}),
              "burst: expected an integer, got a fractional number");
    EXPECT_EQ(change_error({{"scope", "server"}, {"channels", 10000001}}),
              "channels: must be from 0 to 10000000, got 10000001");
    EXPECT_EQ(change_error({{"scope", "server"}, {"channels", -5}}),
              "channels: must be from 0 to 10000000, got -5");
    EXPECT_EQ(change_error({{"node_share", 0}}),
              "node_share: must be greater than 0 and at most 1, got 0");
    EXPECT_EQ(change_error({{"node_share", 1.5}}),
              "node_share: must be greater than 0 and at most 1, got 1.5");
    EXPECT_EQ(change_error({{"cps", 5}}),
              "scope is required with cps, burst, channels or reset (\"server\", \"set:<name>\" or "
              "\"source:<name>\")");
    EXPECT_EQ(change_error({{"scope", "server"}}),
              "nothing to change: give cps, burst, channels, node_share or reset");
    EXPECT_EQ(change_error({{"scope", "servr"}, {"cps", 1}}),
              "scope: must be \"server\", \"set:<name>\" or \"source:<name>\", got \"servr\"");
    EXPECT_EQ(change_error({{"scope", "set:"}, {"cps", 1}}),
              "scope: must be \"server\", \"set:<name>\" or \"source:<name>\", got \"set:\"");
    EXPECT_EQ(change_error({{"scope", "server"}, {"cpss", 1}}),
              "unknown argument \"cpss\" (known: scope, cps, burst, channels, node_share, reset)");
    EXPECT_EQ(change_error(json::array()), "expected an object of arguments, got an array");
}

TEST(ApplyChange, UnknownScopeRefusedAndClearsRemoveEntries) {
    const config::Config file = limits_config();
    LimitOverrides out;
    LimitsChange c;
    ASSERT_EQ(parse_change({{"scope", "source:nobody"}, {"cps", 1}}, c), "");
    EXPECT_EQ(apply_change(file, {}, c, out),
              "no scope \"source:nobody\" in the configuration (scopes: server, set:switches, "
              "set:spare, source:customer-a)");

    ASSERT_EQ(parse_change({{"scope", "set:spare"}, {"channels", 20}}, c), "");
    ASSERT_EQ(apply_change(file, {}, c, out), "");
    EXPECT_EQ(out.scopes.at("set:spare").channels, 20u);

    LimitOverrides cleared;
    ASSERT_EQ(parse_change({{"scope", "set:spare"}, {"channels", nullptr}}, c), "");
    ASSERT_EQ(apply_change(file, out, c, cleared), "");
    EXPECT_TRUE(cleared.scopes.empty());
}

TEST(ApplyOverrides, RebuildsTheSnapshotPart) {
    const config::Config file = limits_config();
    LimitOverrides o;
    o.node_share = 0.5;
    o.scopes["server"].channels = 200;
    o.scopes["set:switches"].cps_milli = 20000;
    o.scopes["set:gone"].cps_milli = 1000;
    std::vector<std::string> unused;
    const config::Config c = apply_overrides(file, o, &unused);
    EXPECT_EQ(unused, std::vector<std::string>{"set:gone"});
    const CallLimitsConfig& l = c.dataplane.limits;
    EXPECT_EQ(l.scopes[kServerScope].cps_milli, 50000u);  // 100 x 0.5
    EXPECT_EQ(l.scopes[kServerScope].burst, 5u);          // default: node cps / 10
    EXPECT_EQ(l.scopes[kServerScope].channels, 200u);
    EXPECT_EQ(l.scopes[kFirstSetScope].cps_milli, 10000u);  // 20 x 0.5
    EXPECT_EQ(l.scopes[kFirstSetScope].burst, 10u);         // explicit burst kept
    EXPECT_EQ(l.scopes[kFirstSetScope].channels, 500u);
    EXPECT_EQ(l.scopes[kFirstSourceScope].cps_milli, 5000u);
    // The file's values are untouched.
    EXPECT_EQ(file.dataplane.limits.scopes[kServerScope].cps_milli, 100000u);
    EXPECT_EQ(file.dataplane.limits.scopes[kServerScope].channels, 1000u);
}

TEST(OverridesJson, RoundTrip) {
    LimitOverrides o;
    o.node_share = 0.75;
    o.scopes["server"].cps_milli = 12500;
    o.scopes["server"].channels = 0;
    o.scopes["source:customer-a"].burst = 4;
    const json j = overrides_to_json(o);
    EXPECT_EQ(j["scopes"]["server"]["cps"], 12.5);
    EXPECT_EQ(j["version"], 1);
    LimitOverrides back;
    ASSERT_EQ(overrides_from_json(j, back), "");
    EXPECT_EQ(back, o);
}

TEST(OverridesJson, InvalidFilesRefused) {
    LimitOverrides o;
    EXPECT_EQ(overrides_from_json(json::array(), o), "expected a JSON object, got an array");
    EXPECT_EQ(overrides_from_json({{"scopes", json::object()}}, o), "version: expected 1");
    EXPECT_EQ(overrides_from_json(json::parse(R"({"version":1,"scopes":{"server":{"cps":-3}}})"), o),
              "scopes.\"server\".cps: must be from 0 (unlimited) to 1000000, got -3");
    EXPECT_EQ(overrides_from_json(json::parse(R"({"version":1,"scopes":{"x":{}}})"), o),
              "scopes.\"x\": not a scope name (\"server\", \"set:<name>\", \"source:<name>\")");
    EXPECT_EQ(overrides_from_json(json::parse(R"({"version":1,"node_share":2})"), o),
              "node_share: must be greater than 0 and at most 1, got 2");
    EXPECT_EQ(overrides_from_json(json::parse(R"({"version":1,"extra":2})"), o),
              "unknown key \"extra\"");
}

TEST(FileOverrideStore, MissingFileIsNoOverrides) {
    TempDir dir;
    FileOverrideStore store(overrides_path(dir.path(), "edge"));
    EXPECT_EQ(store.location(), dir.file("edge-limits.json"));
    LimitOverrides o;
    o.node_share = 0.5;
    std::string error;
    ASSERT_TRUE(store.load(o, error)) << error;
    EXPECT_TRUE(o.empty());
}

TEST(FileOverrideStore, SaveCreatesTheDirectoryAndLoadsBack) {
    TempDir dir;
    FileOverrideStore store(overrides_path(dir.path() + "/nested", "edge"));
    LimitOverrides o;
    o.scopes["server"].cps_milli = 50000;
    std::string error;
    ASSERT_TRUE(store.save(o, error)) << error;
    struct stat st {};
    ASSERT_EQ(stat((dir.path() + "/nested").c_str(), &st), 0);
    // Nothing but the file: the temporary file was renamed over it.
    size_t files = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir.path() + "/nested")) {
        ++files;
        EXPECT_EQ(e.path().filename(), "edge-limits.json");
    }
    EXPECT_EQ(files, 1u);
    FileOverrideStore again(store.location());  // a restarted sipwired
    LimitOverrides back;
    ASSERT_TRUE(again.load(back, error)) << error;
    EXPECT_EQ(back, o);
}

TEST(FileOverrideStore, BadFileIsAnErrorNamingIt) {
    TempDir dir;
    std::filesystem::create_directories(dir.path());
    const std::string path = dir.file("edge-limits.json");
    std::ofstream(path) << "{not json";
    FileOverrideStore store(path);
    LimitOverrides o;
    std::string error;
    EXPECT_FALSE(store.load(o, error));
    EXPECT_EQ(error, path + ": not valid JSON (fix or remove the file)");
    std::ofstream(path, std::ios::trunc) << R"({"version":1,"scopes":{"server":{"burst":0}}})";
    EXPECT_FALSE(store.load(o, error));
    EXPECT_EQ(error, path + ": scopes.\"server\".burst: must be from 1 to 1000000, got 0 (fix or "
                            "remove the file)");
}

TEST(FileOverrideStore, UnwritableDirectoryIsAnError) {
    FileOverrideStore store("/proc/sipwire-cannot-exist/x-limits.json");
    std::string error;
    EXPECT_FALSE(store.save(LimitOverrides{}, error));
    EXPECT_NE(error, "");
}

}  // namespace
}  // namespace sipwire::limits
