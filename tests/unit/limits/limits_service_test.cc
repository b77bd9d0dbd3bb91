#include "limits/limits_service.h"

#include <arpa/inet.h>

#include <fstream>
#include <memory>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "limits/override_store.h"
#include "limits_fixture.h"

namespace sipwire::limits {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using testing::limits_config;
using testing::TempDir;

// Records what would reach the snapshot publisher.
struct FakePublisher {
    std::vector<std::shared_ptr<const config::Config>> published;
    bool fail = false;

    LimitsService::PublishFn fn() {
        return [this](std::shared_ptr<const config::Config> c) {
            if (fail) return PublishResult{0, "every snapshot slot is held"};
            published.push_back(std::move(c));
            return PublishResult{published.size(), ""};
        };
    }
    const CallLimitsConfig& last() const { return published.back()->dataplane.limits; }
};

LimitsChange change(const json& args) {
    LimitsChange c;
    EXPECT_EQ(parse_change(args, c), "");
    return c;
}

class LimitsServiceTest : public ::testing::Test {
protected:
    std::shared_ptr<const config::Config> file(const std::string& toml = testing::kLimitsToml) {
        return std::make_shared<const config::Config>(limits_config(toml));
    }

    TempDir dir;
    FileOverrideStore store{overrides_path(dir.path(), "edge")};
    FakePublisher publisher;
};

TEST_F(LimitsServiceTest, FileLimitsPublishedWithoutOverrides) {
    LimitsService service(store, publisher.fn());
    std::string error;
    ASSERT_TRUE(service.load(error)) << error;
    EXPECT_EQ(service.publish(file()).generation, 1u);
    EXPECT_EQ(publisher.last().scopes[kServerScope].cps_milli, 100000u);
    EXPECT_EQ(publisher.last().scopes[kServerScope].channels, 1000u);
    EXPECT_EQ(service.effective(), publisher.published.back());
}

TEST_F(LimitsServiceTest, SetPublishesSavesAndSurvivesRestartAndReload) {
    {
        LimitsService service(store, publisher.fn());
        service.publish(file());
        const PublishResult r =
            service.set(change({{"scope", "server"}, {"cps", 50}, {"channels", 200}}));
        ASSERT_EQ(r.error, "");
        EXPECT_EQ(r.generation, 2u);
        EXPECT_EQ(publisher.last().scopes[kServerScope].cps_milli, 50000u);
        EXPECT_EQ(publisher.last().scopes[kServerScope].channels, 200u);
        // Other scopes keep the file's values.
        EXPECT_EQ(publisher.last().scopes[kFirstSetScope].cps_milli, 50000u);
        EXPECT_EQ(publisher.last().failover_port, htons(5080));

        ASSERT_EQ(service.set(change({{"node_share", 0.5}})).error, "");
        EXPECT_EQ(publisher.last().scopes[kServerScope].cps_milli, 25000u);
        EXPECT_EQ(publisher.last().scopes[kFirstSourceScope].cps_milli, 5000u);
    }

    // A restarted sipwired: a new service reading the same file.
    FakePublisher after_restart;
    LimitsService restarted(store, after_restart.fn());
    std::string error;
    ASSERT_TRUE(restarted.load(error)) << error;
    restarted.publish(file());
    EXPECT_EQ(after_restart.last().scopes[kServerScope].cps_milli, 25000u);
    EXPECT_EQ(after_restart.last().scopes[kServerScope].channels, 200u);

    // A reload (the file changed elsewhere) keeps the overrides and says that the
    // file's new server cps is shadowed.
    std::string edited = testing::kLimitsToml;
    edited.replace(edited.find("cps = 100"), 9, "cps = 400");
    edited.replace(edited.find("name = \"spare\""), 14, "name = \"other\"");
    std::vector<std::string> warnings;
    ASSERT_NE(restarted.publish(file(edited), &warnings).generation, 0u);
    EXPECT_EQ(after_restart.last().scopes[kServerScope].cps_milli, 25000u);
    EXPECT_EQ(after_restart.last().scopes[kFirstSetScope + 1].cps_milli, 0u);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_THAT(warnings[0], HasSubstr("the file's cps changed to 400 but the runtime override 50"));
}

TEST_F(LimitsServiceTest, ResetGoesBackToTheFile) {
    LimitsService service(store, publisher.fn());
    service.publish(file());
    ASSERT_EQ(service.set(change({{"scope", "set:switches"}, {"channels", 5}})).error, "");
    EXPECT_EQ(publisher.last().scopes[kFirstSetScope].channels, 5u);
    ASSERT_EQ(service.set(change({{"scope", "set:switches"}, {"reset", true}})).error, "");
    EXPECT_EQ(publisher.last().scopes[kFirstSetScope].channels, 500u);
    EXPECT_TRUE(service.overrides().empty());
    LimitOverrides saved;
    std::string error;
    ASSERT_TRUE(store.load(saved, error));
    EXPECT_TRUE(saved.empty());
}

TEST_F(LimitsServiceTest, RefusedChangeLeavesEverythingAsItWas) {
    LimitsService service(store, publisher.fn());
    service.publish(file());
    ASSERT_EQ(service.set(change({{"scope", "server"}, {"cps", 60}})).error, "");
    const size_t published = publisher.published.size();

    const PublishResult unknown = service.set(change({{"scope", "set:nope"}, {"cps", 1}}));
    EXPECT_EQ(unknown.generation, 0u);
    EXPECT_THAT(unknown.error, HasSubstr("no scope \"set:nope\""));
    EXPECT_EQ(publisher.published.size(), published);

    // The publisher refuses (every slot held): the saved file goes back too.
    publisher.fail = true;
    const PublishResult failed = service.set(change({{"scope", "server"}, {"cps", 70}}));
    EXPECT_EQ(failed.generation, 0u);
    EXPECT_EQ(failed.error, "every snapshot slot is held");
    EXPECT_EQ(service.overrides().scopes.at("server").cps_milli, 60000u);
    LimitOverrides saved;
    std::string error;
    ASSERT_TRUE(store.load(saved, error));
    EXPECT_EQ(saved.scopes.at("server").cps_milli, 60000u);
}

TEST_F(LimitsServiceTest, UnsavableChangeRefused) {
    FileOverrideStore bad("/proc/sipwire-cannot-exist/edge-limits.json");
    LimitsService service(bad, publisher.fn());
    service.publish(file());
    const PublishResult r = service.set(change({{"scope", "server"}, {"cps", 1}}));
    EXPECT_EQ(r.generation, 0u);
    EXPECT_THAT(r.error, HasSubstr("limits unchanged: cannot save them"));
    EXPECT_EQ(publisher.published.size(), 1u);
}

TEST_F(LimitsServiceTest, BadStateFileRefusedAtLoad) {
    std::filesystem::create_directories(dir.path());
    std::ofstream(store.location()) << R"({"version":1,"node_share":-1})";
    LimitsService service(store, publisher.fn());
    std::string error;
    EXPECT_FALSE(service.load(error));
    EXPECT_THAT(error, HasSubstr("node_share: must be greater than 0"));
}

TEST_F(LimitsServiceTest, OverridesOfRemovedScopesDroppedOnReload) {
    LimitsService service(store, publisher.fn());
    service.publish(file());
    ASSERT_EQ(service.set(change({{"scope", "set:spare"}, {"cps", 3}})).error, "");
    std::string edited = testing::kLimitsToml;
    edited.replace(edited.find("name = \"spare\""), 14, "name = \"other\"");
    std::vector<std::string> warnings;
    service.publish(file(edited), &warnings);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_THAT(warnings[0], HasSubstr("override of set:spare dropped"));
    EXPECT_TRUE(service.overrides().empty());
    LimitOverrides saved;
    std::string error;
    ASSERT_TRUE(store.load(saved, error));
    EXPECT_TRUE(saved.empty());
}

TEST_F(LimitsServiceTest, SetBeforeStartRefused) {
    LimitsService service(store, publisher.fn());
    EXPECT_EQ(service.set(change({{"node_share", 0.5}})).error, "no configuration is running yet");
}

}  // namespace
}  // namespace sipwire::limits
