// Issue 7: the kiosk's private household look-up — checksum, keyed hashes, the lockout with an
// injected clock, counters that survive a restart, the audit, wiping, and the key file's rules.
#include "data/bundle/bundle.hpp"
#include "data/demo/demo.hpp"
#include "data/household/household_glyphs.hpp"
#include "data/household/household_key.hpp"
#include "data/household/household_lookup.hpp"
#include "data/household/lookup_guard.hpp"
#include "data/household/privacy.hpp"
#include "fixtures.hpp"
#include "kiosk/session/config.hpp"
#include "kiosk/gui/speech.hpp"

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string_view>
#include <thread>
#include <vector>

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
        out.bundle = test::temp_dir() / "lookup-seed7.gpkg";
        out.samples = test::demo_with_samples(out.bundle, 7, 3).samples;
        out.key = out.bundle.string() + ".key";
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

// Issue 23, case 9: an ID number that is nobody's is answered as a registered one with a wrong
// factor — the same tries left, the same lock — so the kiosk does not tell who is registered.
TEST(HouseholdLookup, AnUnregisteredNumberLooksLikeAWrongFactorAndLocksAlike) {
    const auto& lb = lookup_bundle();
    FakeClock clock;
    const auto path = fresh("guard-nobody.db");
    const data::Bundle bundle = data::Bundle::open(lb.bundle, data::OpenMode::ReadOnly);
    std::string nobody = "41010119800101002";
    nobody += data::id_check_character(nobody);
    auto guard = data::LookupGuard::open(path, clock.fn());
    data::HouseholdLookup lookup(bundle, data::load_key_file(lb.key), guard);
    const auto& s = lb.samples.at(0);
    for (int i = 0; i < 4; ++i) {
        const auto a = lookup.look_up(nobody, "1234");
        EXPECT_EQ(a.outcome, LookupOutcome::NotFound);
        EXPECT_EQ(a.tries_left, 4 - i) << "counted as a wrong factor is";
        clock.now += 40;
    }
    const auto fifth = lookup.look_up(nobody, "1234");
    EXPECT_EQ(fifth.outcome, LookupOutcome::Locked) << "nobody's number locks as a household's does";
    EXPECT_NEAR(fifth.wait_s, 900, 1);
    clock.now += 40;  // past the keypad's pause (five failures in a row)
    const auto registered = lookup.look_up(s.id_number, wrong_factor(s.second_factor));
    EXPECT_EQ(registered.outcome, LookupOutcome::WrongFactor);
    EXPECT_EQ(registered.tries_left, 4) << "the same count as nobody's first try";
    const auto audit = guard.audit(20);
    EXPECT_EQ(std::count_if(audit.begin(), audit.end(), [](const data::GuardAuditRow& r) { return r.outcome == "not_found"; }), 5)
        << "the audit keeps the truth";
}

// Issue 23, case 10: each lock of the same number lasts longer, and a clock set back shortens none.
TEST(HouseholdLookup, LocksEscalateAndAClockSetBackDoesNotUndoThem) {
    const auto& lb = lookup_bundle();
    FakeClock clock;
    const auto path = fresh("guard-escalate.db");
    const data::Bundle bundle = data::Bundle::open(lb.bundle, data::OpenMode::ReadOnly);
    const auto& s = lb.samples.at(1);
    auto guard = data::LookupGuard::open(path, clock.fn());
    data::HouseholdLookup lookup(bundle, data::load_key_file(lb.key), guard);
    auto lock_once = [&] {
        data::LookupResult r;
        for (int i = 0; i < 5; ++i) {
            r = lookup.look_up(s.id_number, wrong_factor(s.second_factor));
            clock.now += 40;  // past the keypad's pause
        }
        return r;
    };
    const double expected[] = {900, 3600, 86400};
    for (const double want : expected) {
        const auto r = lock_once();
        ASSERT_EQ(r.outcome, LookupOutcome::Locked);
        EXPECT_NEAR(r.wait_s, want, 1) << "lock after lock";
        EXPECT_NEAR(guard.locked_for(data::hmac_sha256_hex(data::load_key_file(lb.key), s.id_number)), want - 40, 1);
        if (want == 86400) {
            clock.now -= 3 * 86400;  // set the clock back three days
            const double left = guard.locked_for(data::hmac_sha256_hex(data::load_key_file(lb.key), s.id_number));
            EXPECT_GE(left, want - 41) << "a clock set back does not undo the lock";
            EXPECT_LE(left, want) << "nor lengthen it past its length";
            clock.now += 3 * 86400;
        }
        clock.now += want;
    }
    EXPECT_EQ(lookup.look_up(s.id_number, s.second_factor).outcome, LookupOutcome::Found);
}

// Issue 23 case 10: within a boot the guard's time runs on the boot clock. A wall clock set forward a
// day ends neither the lock nor the pause; 900 s of boot time does. After a reboot the wall clock
// counts again (never earlier than the latest attempt).
TEST(HouseholdLookup, WithinABootAClockSetForwardEndsNoLockAndNoPause) {
    const auto& lb = lookup_bundle();
    FakeClock clock;
    data::BootTime boot{"boot-a", 1000};
    const auto path = fresh("guard-boot.db");
    const data::Bundle bundle = data::Bundle::open(lb.bundle, data::OpenMode::ReadOnly);
    const auto& s = lb.samples.at(2);
    const std::string hash = data::hmac_sha256_hex(data::load_key_file(lb.key), s.id_number);
    auto guard = data::LookupGuard::open(path, clock.fn(), {}, [&boot] { return boot; });
    data::HouseholdLookup lookup(bundle, data::load_key_file(lb.key), guard);
    data::LookupResult r;
    for (int i = 0; i < 5; ++i) r = lookup.look_up(s.id_number, wrong_factor(s.second_factor));
    ASSERT_EQ(r.outcome, LookupOutcome::Locked);
    EXPECT_NEAR(guard.paused_for(), 30, 1) << "five failures in a row pause the keypad";
    clock.now += 86400;  // the wall clock set a day forward
    EXPECT_NEAR(guard.paused_for(), 30, 1) << "the wall clock does not end a pause";
    EXPECT_NEAR(guard.locked_for(hash), 900, 1) << "nor a lock";
    boot.seconds += 40;
    EXPECT_EQ(guard.paused_for(), 0);
    EXPECT_NEAR(guard.locked_for(hash), 860, 1);
    EXPECT_EQ(lookup.look_up(s.id_number, s.second_factor).outcome, LookupOutcome::Locked);
    boot.seconds += 861;
    EXPECT_EQ(guard.locked_for(hash), 0) << "900 s of boot time end it";
    // Another boot: the wall clock again, not earlier than the latest attempt.
    for (int i = 0; i < 5; ++i) {
        r = lookup.look_up(s.id_number, wrong_factor(s.second_factor));
        boot.seconds += 40;  // past the keypad's pause
    }
    ASSERT_EQ(r.outcome, LookupOutcome::Locked);
    EXPECT_NEAR(guard.locked_for(hash), 3600 - 40, 2) << "the second lock: an hour";
    boot = {"boot-b", 5};
    clock.now -= 10 * 86400;  // and the wall clock set back ten days
    EXPECT_NEAR(guard.locked_for(hash), 3600, 2) << "a reboot with the clock set back undoes nothing";
}

// `onemap guard`: what an administrator runs to give a kiosk on real households its guard.
TEST(HouseholdLookup, GuardInitMakesTheGuardOnceAndStatusShowsItsCounters) {
    const auto path = fresh("guard-cli.db");
    auto r = test::run_onemap("guard status --guard " + path.string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("onemap guard init"), std::string::npos) << r.err;
    r = test::run_onemap("guard init --guard " + path.string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(data::LookupGuard::exists(path));
    EXPECT_EQ(fs::status(path).permissions() & (fs::perms::group_all | fs::perms::others_all), fs::perms::none);
    {
        auto g = data::LookupGuard::open(path);
        g.record(LookupOutcome::WrongFactor, "abcdef0123456789");
    }
    r = test::run_onemap("guard init --guard " + path.string());
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("already"), std::string::npos) << r.out;
    r = test::run_onemap("guard status --guard " + path.string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("households with wrong tries counted: 1"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("attempts on record: 1"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("abcdef"), std::string::npos) << "no hash in the output";
    std::ofstream(test::temp_dir() / "not-a-guard.db") << "hello";
    r = test::run_onemap("guard init --guard " + (test::temp_dir() / "not-a-guard.db").string());
    EXPECT_EQ(r.exit_code, 2);
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

namespace {
// The characters of a text, one UTF-8 sequence each (the card's texts are well-formed).
std::vector<std::string> characters(std::string_view text) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
        out.emplace_back(text.substr(i, n));
        i += n;
    }
    return out;
}
// The set the slow way, as the kiosk once built it: SELECT DISTINCT of each card column.
std::set<std::string> distinct_characters(const data::Bundle& b) {
    std::set<std::string> out;
    for (const char* sql : {"SELECT DISTINCT head_name_masked FROM households", "SELECT DISTINCT household_type FROM households",
                            "SELECT DISTINCT contact_name FROM households", "SELECT DISTINCT program FROM benefits",
                            "SELECT DISTINCT family FROM measures", "SELECT DISTINCT description FROM measures"}) {
        sqlite3_stmt* st = nullptr;
        EXPECT_EQ(sqlite3_prepare_v2(b.db(), sql, -1, &st, nullptr), SQLITE_OK) << sql;
        while (sqlite3_step(st) == SQLITE_ROW) {
            if (const auto* t = sqlite3_column_text(st, 0)) {
                for (auto& c : characters(reinterpret_cast<const char*>(t))) out.insert(std::move(c));
            }
        }
        sqlite3_finalize(st);
    }
    return out;
}
std::string joined(const std::set<std::string>& chars) {
    std::string out;
    for (const auto& c : chars) out += c;
    return out;
}
}  // namespace

TEST(HouseholdLookup, CardGlyphsHoldEveryCharacterOfEveryCardAndAreStoredByTheDemo) {
    const auto& lb = lookup_bundle();
    const data::Bundle bundle = data::Bundle::open(lb.bundle, data::OpenMode::ReadOnly);
    EXPECT_TRUE(data::household_card_glyphs_stored(bundle)) << "the demo stores the set, so a kiosk need not scan";
    const std::string glyphs = data::household_card_glyphs(bundle);
    EXPECT_EQ(glyphs, data::scan_household_card_glyphs(bundle)) << "the stored set is the tables' own";
    EXPECT_EQ(glyphs, joined(distinct_characters(bundle))) << "each distinct character once, in code point order";
    EXPECT_GT(characters(glyphs).size(), 50u);

    // What the card really shows, for each sample household.
    FakeClock clock;
    auto guard = data::LookupGuard::open(fresh("guard-glyphs.db"), clock.fn());
    data::HouseholdLookup lookup(bundle, data::load_key_file(lb.key), guard);
    for (const auto& s : lb.samples) {
        const auto r = lookup.look_up(s.id_number, s.second_factor);
        ASSERT_TRUE(r.card);
        std::vector<std::string> texts{r.card->head_masked, r.card->household_type, r.card->contact_name};
        for (const auto& b : r.card->benefits) texts.push_back(b.program);
        for (const auto& m : r.card->measures) {
            texts.push_back(m.family);
            texts.push_back(m.description);
        }
        EXPECT_FALSE(r.card->benefits.empty() && r.card->measures.empty()) << "a sample with nothing on its card tests little";
        for (const auto& text : texts) {
            for (const auto& c : characters(text)) EXPECT_NE(glyphs.find(c), std::string::npos) << "a card character missing: " << c;
        }
    }
}

TEST(HouseholdLookup, StoredCardGlyphsGoWhenAnyProgramChangesTheCardsTables) {
    const auto path = fresh("glyphs-triggers.gpkg");
    fs::copy_file(lookup_bundle().bundle, path);
    data::Bundle b = data::Bundle::open(path, data::OpenMode::ReadWrite);
    ASSERT_TRUE(data::household_card_glyphs_stored(b));
    auto restore = [&] {
        data::Transaction tx(b);
        EXPECT_EQ(data::store_household_card_glyphs(b), characters(data::scan_household_card_glyphs(b)).size());
        tx.commit();
        EXPECT_TRUE(data::household_card_glyphs_stored(b));
    };
    // Characters no demo name or measure uses.
    const struct {
        const char* sql;
        const char* character;  // now on a card; "" for a change that removes one
    } changes[] = {
        {"UPDATE households SET head_name_masked = '龘*甲' WHERE household_id = 1", "龘"},
        {"UPDATE households SET household_type = '一般脱贫户鬯' WHERE household_id = 2", "鬯"},
        {"UPDATE households SET contact_name = '饕餮' WHERE household_id = 3", "饕"},
        {"INSERT INTO benefits(household_id, year, program, amount, status) VALUES (1, 2025, '麤补贴', 100, 'pending')", "麤"},
        {"UPDATE measures SET description = '魑魅魍魉' WHERE measure_id = (SELECT min(measure_id) FROM measures)", "魍"},
        {"INSERT INTO measures(household_id, family, description, start_month) VALUES (1, '爨', '灶', '2025-01')", "爨"},
        {"INSERT INTO households(id_hash, village_code, head_name_masked, members, labour, household_type, second_factor_salt, "
         "second_factor_hash) VALUES ('ab', '0', '齉*', 1, 0, '一般脱贫户', 's', 'h')", "齉"},
        {"DELETE FROM measures WHERE description = '魑魅魍魉'", ""},
        {"DELETE FROM benefits WHERE program = '麤补贴'", ""},
        {"DELETE FROM households WHERE id_hash = 'ab'", ""},
    };
    for (const auto& c : changes) {
        b.exec(c.sql);
        EXPECT_FALSE(data::household_card_glyphs_stored(b)) << c.sql;
        const std::string glyphs = data::household_card_glyphs(b);
        EXPECT_EQ(glyphs, data::scan_household_card_glyphs(b)) << c.sql;
        if (*c.character) {
            EXPECT_NE(glyphs.find(c.character), std::string::npos) << c.sql;
        }
        restore();
        if (*c.character) {
            EXPECT_NE(data::household_card_glyphs(b).find(c.character), std::string::npos) << c.sql;
        }
    }
    EXPECT_EQ(data::household_card_glyphs(b).find("魍"), std::string::npos) << "a deleted row's characters go with it";

    // Columns the card does not show leave the set alone.
    b.exec("UPDATE households SET members = members + 1 WHERE household_id = 1; UPDATE benefits SET amount = amount + 1 WHERE benefit_id = 1;"
           "UPDATE measures SET start_month = '2025-02' WHERE measure_id = 1");
    EXPECT_TRUE(data::household_card_glyphs_stored(b));

    // A stored row without its triggers (copied in from elsewhere, or a trigger dropped) is not trusted.
    b.exec("DROP TRIGGER measures_glyphs_insert; UPDATE meta SET value = 'x' WHERE key = 'household_card_glyphs'");
    EXPECT_FALSE(data::household_card_glyphs_stored(b));
    EXPECT_EQ(data::household_card_glyphs(b), data::scan_household_card_glyphs(b));
    restore();
    EXPECT_NE(data::household_card_glyphs(b), "x");

    // A read-only bundle cannot store it.
    data::Bundle ro = data::Bundle::open(path, data::OpenMode::ReadOnly);
    EXPECT_THROW(data::store_household_card_glyphs(ro), data::BundleError);
}

TEST(HouseholdLookup, PrepareStoresTheCardGlyphsOfABundleWithoutThem) {
    // A bundle from before the set was stored: no row, no triggers.
    const auto path = fresh("glyphs-prepare.gpkg");
    fs::copy_file(lookup_bundle().bundle, path);
    std::string expected;
    {
        data::Bundle b = data::Bundle::open(path, data::OpenMode::ReadWrite);
        b.exec("DELETE FROM meta WHERE key = 'household_card_glyphs'");
        sqlite3_stmt* st = nullptr;
        ASSERT_EQ(sqlite3_prepare_v2(b.db(), "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_glyphs_%'", -1, &st, nullptr), SQLITE_OK);
        std::vector<std::string> triggers;
        while (sqlite3_step(st) == SQLITE_ROW) triggers.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
        sqlite3_finalize(st);
        EXPECT_EQ(triggers.size(), 9u);
        for (const auto& t : triggers) b.exec("DROP TRIGGER " + t);
        EXPECT_FALSE(data::household_card_glyphs_stored(b));
        expected = data::household_card_glyphs(b);  // scanned
    }
    const auto r = test::run_onemap("prepare --bundle " + path.string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find(fmt::format("household card characters stored: {} in", characters(expected).size())), std::string::npos) << r.out;
    const data::Bundle b = data::Bundle::open(path, data::OpenMode::ReadOnly);
    EXPECT_TRUE(data::household_card_glyphs_stored(b));
    EXPECT_EQ(data::household_card_glyphs(b), expected);
    const auto again = test::run_onemap("prepare --bundle " + path.string());
    EXPECT_EQ(again.out.find("household card characters"), std::string::npos) << "a current set is left as it is";
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

// What a look-up needs of the whole tables is stored by the writers and read at a kiosk's start; any
// change of what it is derived from drops it, and then it is derived again.
TEST(HouseholdLookup, LookUpSummaryIsStoredAndGoesWhenItsTablesChange) {
    const auto path = fresh("lookup-summary.gpkg");
    fs::copy_file(lookup_bundle().bundle, path);
    data::Bundle b = data::Bundle::open(path, data::OpenMode::ReadWrite);
    ASSERT_TRUE(data::household_lookup_summary_stored(b)) << "the demo stores it";
    const data::LookupSummary scanned = data::scan_household_lookup_summary(b);
    EXPECT_GT(scanned.year, 2000);
    EXPECT_EQ(data::household_lookup_summary(b), scanned);
    b.set_meta("household_lookup_summary", "pin 1999");  // what is read is what is stored
    EXPECT_EQ(data::household_lookup_summary(b), (data::LookupSummary{"pin", 1999}));
    auto store = [&] {
        data::Transaction tx(b);
        data::store_household_lookup_summary(b);
        tx.commit();
        ASSERT_TRUE(data::household_lookup_summary_stored(b));
    };
    store();
    b.exec("INSERT INTO benefits(household_id, year, program, amount, status) VALUES (1, 2031, '补贴', 100, 'pending')");
    EXPECT_FALSE(data::household_lookup_summary_stored(b));
    EXPECT_EQ(data::household_lookup_summary(b).year, 2031);
    store();
    b.exec("UPDATE households SET second_factor_kind = 'pin' WHERE household_id = 1");
    EXPECT_FALSE(data::household_lookup_summary_stored(b));
    EXPECT_EQ(data::household_lookup_summary(b).factor_kind, "mixed");
    store();
    b.exec("DELETE FROM benefits WHERE year = 2031");
    EXPECT_FALSE(data::household_lookup_summary_stored(b));
    EXPECT_EQ(data::household_lookup_summary(b).year, scanned.year);
    store();
    b.exec("UPDATE households SET members = members + 1 WHERE household_id = 1");
    EXPECT_TRUE(data::household_lookup_summary_stored(b)) << "other columns leave it";
    b.set_meta("household_lookup_summary", "garbled");
    EXPECT_EQ(data::household_lookup_summary(b), data::scan_household_lookup_summary(b)) << "a value it cannot read is derived again";
}
