// Issue 7: the kiosk's private household look-up — checksum, keyed hashes, the lockout with an
// injected clock, counters that survive a restart, the audit, wiping, and the key file's rules.
#include "data/bundle.hpp"
#include "data/demo.hpp"
#include "data/household_key.hpp"
#include "data/household_lookup.hpp"
#include "data/lookup_guard.hpp"
#include "data/privacy.hpp"
#include "fixtures.hpp"
#include "kiosk/config.hpp"
#include "kiosk/speech.hpp"

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <sys/stat.h>

namespace fs = std::filesystem;
using namespace onemap;
using data::LookupOutcome;

namespace {

// A demo bundle of its own (seed 7), with three sample households' credentials.
struct LookupBundle {
    fs::path bundle, key;
    std::vector<data::DemoSample> samples;
};

const LookupBundle& lookup_bundle() {
    static const LookupBundle b = [] {
        LookupBundle out;
        data::DemoOptions opt;
        opt.scale = data::DemoScale::Test;
        opt.seed = 7;
        opt.samples = 3;
        opt.out = test::temp_dir() / "lookup-seed7.gpkg";
        opt.overwrite = true;
        out.samples = data::generate_demo(opt).samples;
        out.bundle = opt.out;
        out.key = opt.out.string() + ".key";
        return out;
    }();
    return b;
}

struct FakeClock {
    double now = 1.8e9;
    data::WallClock fn() {
        return [this] { return now; };
    }
};

fs::path fresh(const std::string& name) {
    const auto p = test::temp_dir() / name;
    fs::remove(p);
    return p;
}

std::string wrong_factor(const std::string& right) { return right == "0000" ? "1111" : "0000"; }

}  // namespace

TEST(HouseholdLookup, IdChecksumValidInvalidAndLowerCaseX) {
    EXPECT_TRUE(data::valid_id_number("11010519491231002X"));
    EXPECT_TRUE(data::valid_id_number("11010519491231002x")) << "a lower-case x is the same check character";
    EXPECT_EQ(data::normalise_id_number("11010519491231002x"), "11010519491231002X");
    EXPECT_EQ(data::normalise_id_number("110105 19491231 002x"), "11010519491231002X");
    EXPECT_FALSE(data::valid_id_number("110105194912310021")) << "wrong check character";
    EXPECT_FALSE(data::valid_id_number("11010519491231002")) << "17 characters";
    EXPECT_FALSE(data::valid_id_number("1101051949123100X2")) << "X only as the last character";
    EXPECT_FALSE(data::valid_id_number("11010519491231002XX"));
}

TEST(HouseholdLookup, RightFactorFindsTheCardWrongFactorDoesNot) {
    const auto& lb = lookup_bundle();
    FakeClock clock;
    auto guard = data::LookupGuard::open(fresh("guard-find.db"), clock.fn());
    const data::Bundle bundle = data::Bundle::open(lb.bundle, data::OpenMode::ReadOnly);
    data::HouseholdLookup lookup(bundle, data::load_key_file(lb.key), guard);
    ASSERT_TRUE(lookup.available()) << lookup.unavailable_reason();
    EXPECT_EQ(lookup.factor_kind(), "phone4");
    const auto& s = lb.samples.at(0);

    auto r = lookup.look_up(s.id_number, wrong_factor(s.second_factor));
    EXPECT_EQ(r.outcome, LookupOutcome::WrongFactor);
    EXPECT_FALSE(r.card.has_value());
    EXPECT_EQ(r.tries_left, 4);

    r = lookup.look_up(s.id_number, s.second_factor);
    ASSERT_EQ(r.outcome, LookupOutcome::Found);
    ASSERT_TRUE(r.card.has_value());
    EXPECT_EQ(r.card->head_masked, s.head_name_masked);
    EXPECT_EQ(r.card->village_code, s.village_code);
    EXPECT_EQ(r.card->hash_prefix, data::hmac_sha256_hex(data::load_key_file(lb.key), s.id_number).substr(0, 8));
    EXPECT_GT(r.card->year, 2000);
    EXPECT_GT(r.card->members, 0);
    EXPECT_FALSE(r.card->household_type.empty());

    // Another valid ID number that is nobody's.
    std::string other = "41010119800101001";
    other += data::id_check_character(other);
    EXPECT_EQ(lookup.look_up(other, "1234").outcome, LookupOutcome::NotFound);
    EXPECT_EQ(lookup.look_up("410101198001010010", "1234").outcome == LookupOutcome::BadId, !data::valid_id_number("410101198001010010"));
}

TEST(HouseholdLookup, FiveWrongFactorsLockTheHouseholdForFifteenMinutes) {
    const auto& lb = lookup_bundle();
    FakeClock clock;
    const auto path = fresh("guard-lock.db");
    const data::Bundle bundle = data::Bundle::open(lb.bundle, data::OpenMode::ReadOnly);
    const auto& s = lb.samples.at(1);
    {
        auto guard = data::LookupGuard::open(path, clock.fn());
        data::HouseholdLookup lookup(bundle, data::load_key_file(lb.key), guard);
        for (int i = 0; i < 4; ++i) {
            const auto r = lookup.look_up(s.id_number, wrong_factor(s.second_factor));
            EXPECT_EQ(r.outcome, LookupOutcome::WrongFactor) << "try " << i + 1;
            EXPECT_EQ(r.tries_left, 4 - i);
            clock.now += 40;  // slowly, so the keypad's pause is not what stops it
        }
        const auto fifth = lookup.look_up(s.id_number, wrong_factor(s.second_factor));
        EXPECT_EQ(fifth.outcome, LookupOutcome::Locked) << "the fifth wrong factor locks the household";
        EXPECT_NEAR(fifth.wait_s, 900, 1);
        clock.now += 40;
        EXPECT_EQ(lookup.look_up(s.id_number, s.second_factor).outcome, LookupOutcome::Locked) << "even the right factor, while locked";
    }
    // A restart (a new guard on the same file) keeps the lock.
    clock.now += 60;
    auto guard = data::LookupGuard::open(path, clock.fn());
    data::HouseholdLookup lookup(bundle, data::load_key_file(lb.key), guard);
    const auto r = lookup.look_up(s.id_number, s.second_factor);
    EXPECT_EQ(r.outcome, LookupOutcome::Locked) << "the lock survives a restart";
    EXPECT_NEAR(r.wait_s, 900 - 40 - 60, 1);
    clock.now += 900;
    EXPECT_EQ(lookup.look_up(s.id_number, s.second_factor).outcome, LookupOutcome::Found) << "after 15 minutes it opens again";
    // Another household was never locked.
    EXPECT_EQ(lookup.look_up(lb.samples.at(2).id_number, lb.samples.at(2).second_factor).outcome, LookupOutcome::Found);
}

TEST(HouseholdLookup, FiveFailuresOfAnyKindInARowPauseTheKeypadForThirtySeconds) {
    const auto& lb = lookup_bundle();
    FakeClock clock;
    const auto path = fresh("guard-pause.db");
    const data::Bundle bundle = data::Bundle::open(lb.bundle, data::OpenMode::ReadOnly);
    std::string nobody = "41010119800101001";
    nobody += data::id_check_character(nobody);
    const auto& s = lb.samples.at(0);
    {
        auto guard = data::LookupGuard::open(path, clock.fn());
        data::HouseholdLookup lookup(bundle, data::load_key_file(lb.key), guard);
        EXPECT_EQ(lookup.look_up(nobody, "1234").outcome, LookupOutcome::NotFound);
        EXPECT_EQ(lookup.look_up("123", "1234").outcome, LookupOutcome::BadId);
        EXPECT_EQ(lookup.look_up(s.id_number, wrong_factor(s.second_factor)).outcome, LookupOutcome::WrongFactor);
        EXPECT_EQ(lookup.look_up(nobody, "1234").outcome, LookupOutcome::NotFound);
        EXPECT_DOUBLE_EQ(guard.paused_for(), 0);
        EXPECT_EQ(lookup.look_up(nobody, "1234").outcome, LookupOutcome::NotFound);
        EXPECT_NEAR(guard.paused_for(), 30, 0.01) << "the fifth failure in a row pauses the keypad";
        clock.now += 29;
        const auto r = lookup.look_up(s.id_number, s.second_factor);
        EXPECT_EQ(r.outcome, LookupOutcome::Paused) << "nothing is looked up while paused, not even the right answer";
        EXPECT_NEAR(r.wait_s, 1, 0.01);
    }
    clock.now += 2;
    auto guard = data::LookupGuard::open(path, clock.fn());
    data::HouseholdLookup lookup(bundle, data::load_key_file(lb.key), guard);
    EXPECT_EQ(lookup.look_up(s.id_number, s.second_factor).outcome, LookupOutcome::Found) << "after 30 s the keypad works again";
    // A success ends the run: four more failures do not pause it.
    for (int i = 0; i < 4; ++i) lookup.look_up(nobody, "1234");
    EXPECT_DOUBLE_EQ(guard.paused_for(), 0);
}

TEST(HouseholdLookup, PauseCounterSurvivesARestart) {
    FakeClock clock;
    const auto path = fresh("guard-run.db");
    for (int i = 0; i < 3; ++i) data::LookupGuard::open(path, clock.fn()).record(LookupOutcome::NotFound, "abcdef0123456789");
    auto guard = data::LookupGuard::open(path, clock.fn());
    guard.record(LookupOutcome::BadId, {});
    EXPECT_DOUBLE_EQ(guard.paused_for(), 0);
    data::LookupGuard::open(path, clock.fn()).record(LookupOutcome::NotFound, "abcdef0123456789");
    EXPECT_NEAR(guard.paused_for(), 30, 0.01) << "five failures across restarts still pause the keypad";
}

TEST(HouseholdLookup, AuditKeepsOutcomeTimeAndHashPrefixOnlyAndIsAppendOnly) {
    const auto& lb = lookup_bundle();
    FakeClock clock;
    const auto path = fresh("guard-audit.db");
    const data::Bundle bundle = data::Bundle::open(lb.bundle, data::OpenMode::ReadOnly);
    const auto& s = lb.samples.at(2);
    {
        auto guard = data::LookupGuard::open(path, clock.fn());
        data::HouseholdLookup lookup(bundle, data::load_key_file(lb.key), guard);
        lookup.look_up(s.id_number, wrong_factor(s.second_factor));
        clock.now += 5;
        lookup.look_up(s.id_number, s.second_factor);
        const auto rows = guard.audit();
        ASSERT_EQ(rows.size(), 2u);
        EXPECT_EQ(rows[0].outcome, "found");
        EXPECT_EQ(rows[1].outcome, "wrong_factor");
        EXPECT_DOUBLE_EQ(rows[0].time, clock.now);
        const std::string hash = data::hmac_sha256_hex(data::load_key_file(lb.key), s.id_number);
        EXPECT_EQ(rows[0].hash_prefix, hash.substr(0, 8));
    }
    // Nothing of the person in the guard file: not the ID number, not the factor, not the masked name.
    const std::string bytes = test::read_file(path);
    EXPECT_EQ(bytes.find(s.id_number), std::string::npos);
    EXPECT_EQ(bytes.find(s.head_name_masked), std::string::npos);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    EXPECT_NE(sqlite3_exec(db, "UPDATE lookup_audit SET outcome = 'found'", nullptr, nullptr, nullptr), SQLITE_OK);
    EXPECT_NE(sqlite3_exec(db, "DELETE FROM lookup_audit", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
    EXPECT_EQ(data::LookupGuard::open(path, clock.fn()).audit().size(), 2u) << "audit rows are never updated or deleted";
}

TEST(HouseholdLookup, TheBundleHoldsNoIdNumbersAndIsNotChangedByLookUps) {
    const auto& lb = lookup_bundle();
    const std::string before = data::sha256_hex(test::read_file(lb.bundle));
    for (const auto& s : lb.samples) EXPECT_EQ(test::read_file(lb.bundle).find(s.id_number), std::string::npos);
    FakeClock clock;
    auto guard = data::LookupGuard::open(fresh("guard-ro.db"), clock.fn());
    {
        const data::Bundle bundle = data::Bundle::open(lb.bundle, data::OpenMode::ReadOnly);
        ASSERT_TRUE(bundle.read_only());
        data::HouseholdLookup lookup(bundle, data::load_key_file(lb.key), guard);
        for (const auto& s : lb.samples) EXPECT_EQ(lookup.look_up(s.id_number, s.second_factor).outcome, LookupOutcome::Found);
        lookup.look_up(lb.samples[0].id_number, wrong_factor(lb.samples[0].second_factor));
    }
    EXPECT_EQ(data::sha256_hex(test::read_file(lb.bundle)), before);
}

TEST(HouseholdLookup, WithoutTheRightKeyTheServiceIsUnavailable) {
    const auto& lb = lookup_bundle();
    FakeClock clock;
    auto guard = data::LookupGuard::open(fresh("guard-key.db"), clock.fn());
    const data::Bundle bundle = data::Bundle::open(lb.bundle, data::OpenMode::ReadOnly);
    {
        data::HouseholdLookup lookup(bundle, std::nullopt, guard);
        EXPECT_FALSE(lookup.available());
        EXPECT_EQ(lookup.look_up(lb.samples[0].id_number, lb.samples[0].second_factor).outcome, LookupOutcome::Unavailable);
    }
    {
        data::HouseholdLookup lookup(bundle, data::generate_key(), guard);
        EXPECT_FALSE(lookup.available()) << "another bundle's key";
        EXPECT_NE(lookup.unavailable_reason().find("not this bundle's"), std::string::npos) << lookup.unavailable_reason();
    }
    std::string why;
    EXPECT_FALSE(data::load_kiosk_key(test::temp_dir() / "no-such.key", why).has_value());
    EXPECT_NE(why.find("no-such.key"), std::string::npos);
    const auto loose = test::temp_dir() / "loose.key";
    fs::copy_file(lb.key, loose, fs::copy_options::overwrite_existing);
    ::chmod(loose.c_str(), 0644);
    EXPECT_FALSE(data::load_kiosk_key(loose, why).has_value()) << "a key other users can read is refused";
    EXPECT_NE(why.find("chmod 600"), std::string::npos) << why;
    ::chmod(loose.c_str(), 0600);
    EXPECT_TRUE(data::load_kiosk_key(loose, why).has_value()) << why;
}

TEST(HouseholdLookup, WipingOverwritesAndEmptiesEverything) {
    std::string digits(40, '7');  // longer than the small-string buffer
    data::cleanse(digits);
    ASSERT_EQ(digits.size(), 40u);
    EXPECT_EQ(digits, std::string(40, '\0')) << "every byte overwritten in place";
    std::string typed = "410225197604212159";
    data::wipe_string(typed);
    EXPECT_TRUE(typed.empty());

    const auto& lb = lookup_bundle();
    FakeClock clock;
    auto guard = data::LookupGuard::open(fresh("guard-wipe.db"), clock.fn());
    const data::Bundle bundle = data::Bundle::open(lb.bundle, data::OpenMode::ReadOnly);
    data::HouseholdLookup lookup(bundle, data::load_key_file(lb.key), guard);
    auto r = lookup.look_up(lb.samples[0].id_number, lb.samples[0].second_factor);
    ASSERT_TRUE(r.card.has_value());
    r.card->wipe();
    EXPECT_TRUE(r.card->empty());
    EXPECT_TRUE(r.card->village_code.empty());
    EXPECT_TRUE(r.card->contact_phone.empty());
    EXPECT_TRUE(r.card->contact_name.empty());
    EXPECT_TRUE(r.card->items.empty());
    EXPECT_TRUE(r.card->hash_prefix.empty());
    EXPECT_EQ(r.card->members, 0);
}

TEST(HouseholdLookup, CardGlyphsCoverNamesAndPrograms) {
    const data::Bundle bundle = data::Bundle::open(lookup_bundle().bundle, data::OpenMode::ReadOnly);
    const std::string glyphs = data::household_card_glyphs(bundle);
    for (const auto& s : lookup_bundle().samples) {
        const std::string surname = s.head_name_masked.substr(0, 3);  // one CJK character in UTF-8
        EXPECT_NE(glyphs.find(surname), std::string::npos) << surname;
    }
    EXPECT_NE(glyphs.find("雨"), std::string::npos);
    EXPECT_EQ(glyphs.find(lookup_bundle().samples[0].head_name_masked), std::string::npos) << "characters, not whole names";
}

TEST(HouseholdLookup, PolicyItemsFollowTheHouseholdsRecords) {
    // Every item a card lists has a text in both policy files, and households with a transport subsidy
    // paid this year show it as received.
    const auto& lb = lookup_bundle();
    FakeClock clock;
    auto guard = data::LookupGuard::open(fresh("guard-items.db"), clock.fn());
    const data::Bundle bundle = data::Bundle::open(lb.bundle, data::OpenMode::ReadOnly);
    data::HouseholdLookup lookup(bundle, data::load_key_file(lb.key), guard);
    for (const auto& s : lb.samples) {
        const auto r = lookup.look_up(s.id_number, s.second_factor);
        ASSERT_TRUE(r.card);
        const bool paid_transport = std::any_of(r.card->benefits.begin(), r.card->benefits.end(),
                                                [](const auto& b) { return b.program == "跨省务工交通补贴"; });
        const bool item = std::any_of(r.card->items.begin(), r.card->items.end(),
                                      [](const auto& i) { return i.key == "transport_subsidy" && i.in_place; });
        EXPECT_EQ(paid_transport, item);
        for (const auto& i : r.card->items) {
            const std::string header = "[household." + i.key + "]";
            EXPECT_NE(test::read_file(fs::path(ONEMAP_SOURCE_DIR) / "assets/policy/zh-CN.toml").find(header), std::string::npos) << header;
            EXPECT_NE(test::read_file(fs::path(ONEMAP_SOURCE_DIR) / "assets/policy/en.toml").find(header), std::string::npos) << header;
        }
    }
}

TEST(KioskSpeech, TextGoesThroughStandardInputAndStopEndsTheVoice) {
    const auto out = fresh("speech.txt");
    {
        app::Speech speech("cat > " + out.string());
        ASSERT_TRUE(speech.available());
        speech.say("您家的帮扶情况");
        for (int i = 0; i < 50 && speech.speaking(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(test::read_file(out), "您家的帮扶情况");
    app::Speech slow("sleep 30");
    slow.say("x");
    EXPECT_TRUE(slow.speaking());
    const auto t0 = std::chrono::steady_clock::now();
    slow.stop();
    EXPECT_FALSE(slow.speaking());
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5)) << "stop() ends the voice's whole process group";
    EXPECT_FALSE(app::Speech("no-such-speech-program --stdin").available());
    EXPECT_FALSE(app::Speech("").available());
}

TEST(KioskConfig, LookUpKeysAreReadAndCheckedAgainstTheirRange) {
    const auto cfg = test::temp_dir() / "lookup.toml";
    std::ofstream(cfg) << "[kiosk]\nhousehold_key = \"keys/h.key\"\nlookup_guard = \"/var/lib/onemap/g.db\"\ncard_timeout_s = 45\n"
                          "speech_command = \"\"\n";
    const auto c = app::load_config(cfg, app::Mode::Kiosk);
    EXPECT_EQ(c.household_key, cfg.parent_path() / "keys/h.key") << "relative to the config file";
    EXPECT_EQ(c.lookup_guard, fs::path("/var/lib/onemap/g.db"));
    EXPECT_DOUBLE_EQ(c.card_timeout_s, 45);
    EXPECT_TRUE(c.speech_command.empty());
    std::ofstream(cfg) << "[kiosk]\ncard_timeout_s = 1\n";
    try {
        app::load_config(cfg, app::Mode::Kiosk);
        ADD_FAILURE() << "a 1 s card timeout is accepted";
    } catch (const app::ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("kiosk.card_timeout_s"), std::string::npos) << e.what();
    }
}
