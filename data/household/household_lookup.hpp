#pragma once
// The kiosk's private look-up of one household's benefits (issue 7).
//
//   ID number ─ checksum ─▶ HMAC-SHA256(key) ─▶ households.id_hash          (prepared statements,
//   second factor ─ HMAC(key) ─ PBKDF2(salt) ─▶ == second_factor_hash        read-only bundle)
//        │                                              │
//        └──── LookupGuard: paused? locked? record ◀────┘──▶ HouseholdCard (wiped when closed)
//
// The key file lives outside the bundle; without it (or with another bundle's key) the look-up is
// unavailable. Nothing here logs or stores a number, a name or an amount.
#include "data/bundle/bundle.hpp"
#include "data/household/lookup_guard.hpp"
#include "data/household/privacy.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onemap::data {

struct HouseholdBenefit {
    std::string program;
    double amount = 0;
    std::string paid_date;  // 'YYYY-MM-DD', empty while pending
    bool paid = false;
};

struct HouseholdMeasure {
    std::string family, description, start_month;
};

// A policy item of the plan that applies to this household, in the terms of assets/policy/*.toml's
// [household.KEY] entries: transport_subsidy, public_welfare_job, yulu, micro_credit, relocation,
// medical, social_security, monitoring.
struct PolicyItem {
    std::string key;
    bool in_place = false;  // already received / arranged; otherwise the household can apply
};

struct HouseholdCard {
    std::string head_masked, village_code, household_type, contact_name, contact_phone;
    int members = 0, labour = 0, employed_members = 0;
    bool relocated = false, fully_supported = false;
    int year = 0;                          // the year the benefits are of (the bundle's latest)
    std::vector<HouseholdBenefit> benefits;
    std::vector<HouseholdMeasure> measures;
    std::vector<PolicyItem> items;
    std::string hash_prefix;               // 8 hex digits of the ID hash (what logs may carry)

    // Overwrite every byte the card holds (OpenSSL's cleanse, which the compiler may not drop), then empty it.
    void wipe();
    bool empty() const { return head_masked.empty() && benefits.empty() && measures.empty(); }
};

// Overwrite every byte of a string's buffer (its capacity, not only its size) with zeros, in place.
void cleanse(std::string& s);
// cleanse, then empty it and give its memory back (typed digits and other buffers outside the card).
void wipe_string(std::string& s);

struct LookupResult {
    LookupOutcome outcome = LookupOutcome::Unavailable;
    std::optional<HouseholdCard> card;  // only for Found
    double wait_s = 0;                  // Locked, Paused: seconds until it may be tried again
    int tries_left = 0;                 // WrongFactor: wrong factors left before the lock
    std::string hash_prefix;            // 8 hex digits of the ID hash when one was computed (for the log)
};

// Upper-cases a trailing x and drops spaces; anything else is left for valid_id_number to refuse.
std::string normalise_id_number(std::string_view typed);

// What a look-up needs to know of the whole household tables: the second factor the bundle asks for
// ("phone4", "pin", or "mixed" when households differ) and the year the cards show (the latest year
// of benefits, else of income). Deriving it reads every household and every benefit (90–210 ms on
// the demo province), so the writers of those tables store it, kept current by triggers
// (data/bundle/derived_meta.hpp), and a kiosk reads it at start.
struct LookupSummary {
    std::string factor_kind = "phone4";
    int year = 0;
    bool operator==(const LookupSummary&) const = default;
};
// The stored summary when it is current, else scanned.
LookupSummary household_lookup_summary(const Bundle& bundle);
LookupSummary scan_household_lookup_summary(const Bundle& bundle);
// Writers (demo, import, publish, prepare), inside their transaction after writing; throws
// BundleError when the bundle is read-only.
void store_household_lookup_summary(Bundle& bundle);
bool household_lookup_summary_stored(const Bundle& bundle);

class HouseholdLookup {
public:
    // `key` is the household key (`onemap keygen`, loaded by the caller); nullopt or another bundle's
    // key → available() is false and every look-up answers Unavailable.
    HouseholdLookup(const Bundle& bundle, std::optional<Key> key, LookupGuard& guard);
    ~HouseholdLookup();

    bool available() const { return m_available; }
    // Why not available, for the kiosk's log (names files, never people).
    const std::string& unavailable_reason() const { return m_reason; }
    // What the bundle asks for as the second factor: "phone4", "pin", or "mixed" when households differ.
    const std::string& factor_kind() const { return m_factor_kind; }
    int year() const { return m_year; }  // the year the cards show

    LookupResult look_up(std::string_view id_number, std::string_view factor);

private:
    HouseholdCard read_card(std::int64_t household_id, std::string_view id_hash) const;
    const Bundle& m_bundle;
    Key m_key;
    LookupGuard& m_guard;
    bool m_available = false;
    std::string m_reason, m_factor_kind = "phone4";
    int m_iterations = 1;
    int m_year = 0;
};

// Load the key file for a kiosk: missing, unreadable, readable by other users (group or other
// permission bits), or not a key → nullopt, with the reason in `why` (the file's name, never its content).
std::optional<Key> load_kiosk_key(const std::filesystem::path& path, std::string& why);

}  // namespace onemap::data
