#pragma once
// The guard in front of the kiosk's household look-up: how many times someone may guess, and a
// record of every attempt. It is a small SQLite file of its own, kept OUTSIDE the bundle (the kiosk
// opens its bundle read-only), so the counters survive a restart and a bundle swap.
//
//   attempt ──▶ paused?  (five failures of any kind in a row pause the keypad for 30 s)
//           ──▶ locked?  (five wrong second factors for one ID number — a registered household's or
//                         nobody's, counted alike — lock it: 15 minutes, then 1 hour, then a day)
//           ──▶ record(outcome, hash) ──▶ counters + audit row (time, outcome, 8-hex hash prefix)
//
// Nothing of a person is stored here: the household is named by its keyed ID hash only (the same
// HMAC the bundle holds), and the audit keeps 8 hex digits of it.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace onemap::data {

// Seconds since the Unix epoch. Wall-clock time, because a lock must outlast a restart; tests inject their own.
using WallClock = std::function<double()>;
WallClock system_wall_clock();

// A clock nobody can set: seconds since this boot (CLOCK_BOOTTIME, which counts suspend too) and the
// boot's id. Within one boot the guard's time runs on it, so setting the wall clock forward or back
// neither ends nor stretches a pause or a lock; after a reboot it goes on from the wall clock (never
// earlier than the latest attempt). An empty BootClock: wall clock only (tests).
struct BootTime {
    std::string boot_id;
    double seconds = 0;
};
using BootClock = std::function<BootTime()>;
BootClock system_boot_clock();

enum class LookupOutcome {
    Found,        // ID and second factor right: the card is shown
    WrongFactor,  // the household exists, the second factor is wrong
    NotFound,     // no household with that ID number
    Locked,       // the household's look-up is locked (too many wrong factors)
    Paused,       // the keypad is paused (too many failures in a row)
    BadId,        // not an ID number (length or check character): refused at the keypad
    Unavailable,  // no key on this kiosk, or not the bundle's
};
std::string_view outcome_key(LookupOutcome outcome);  // "found", "wrong_factor", …

struct GuardLimits {
    int household_failures = 5;      // wrong factors for one household …
    double household_lock_s = 900;   // … lock it this long the first time (then ×4, then ×96)
    int run_failures = 5;            // failures of any kind in a row …
    double pause_s = 30;             // … pause the keypad this long
};

struct GuardAuditRow {
    double time = 0;
    std::string outcome;      // outcome_key
    std::string hash_prefix;  // 8 hex digits of the ID hash, empty when there was none (BadId)
};

class GuardError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class LookupGuard {
public:
    // Opens (creating it and its folder, mode 0600) the guard file. Throws GuardError naming the file.
    static LookupGuard open(const std::filesystem::path& path, WallClock clock = system_wall_clock(), GuardLimits limits = {},
                            BootClock boot = {});
    // Whether a guard file is there (and is one). A kiosk on real data does not create a missing guard:
    // deleting it would reset every counter, so it stays locked until `onemap guard init` makes one.
    static bool exists(const std::filesystem::path& path);
    ~LookupGuard();
    LookupGuard(LookupGuard&&) noexcept;
    LookupGuard& operator=(LookupGuard&&) noexcept;

    double paused_for() const;                            // seconds the keypad stays paused; 0 when it is not
    double locked_for(std::string_view id_hash) const;    // seconds the household stays locked; 0 when it is not
    // The guard's time: since the latest attempt of this boot, that attempt's time plus the boot clock's
    // seconds since; otherwise the wall clock, never earlier than the latest attempt it recorded.
    double now() const;
    int failures_left(std::string_view id_hash) const;    // wrong factors left before the lock
    // Count an attempt and append it to the audit. WrongFactor on the last allowed try locks the household.
    void record(LookupOutcome outcome, std::string_view id_hash);
    std::vector<GuardAuditRow> audit(std::size_t limit = 100) const;  // newest first
    struct Summary {
        std::int64_t locked = 0;          // households locked now
        std::int64_t counting = 0;        // households with wrong factors counted, not locked
        std::int64_t attempts = 0;        // audit rows
        double paused_for = 0;
    };
    Summary summary() const;
    const GuardLimits& limits() const { return m_limits; }
    const std::filesystem::path& path() const { return m_path; }

private:
    struct Db;
    LookupGuard(std::unique_ptr<Db> db, std::filesystem::path path, WallClock clock, GuardLimits limits, BootClock boot);
    std::unique_ptr<Db> m_db;
    std::filesystem::path m_path;
    WallClock m_clock;
    BootClock m_boot;
    GuardLimits m_limits;
};

}  // namespace onemap::data
