// The kiosk's own steps of the Session: the admin PIN pad (with a growing pause after wrong PINs) and
// 查询我家 — the ID keypad, the second factor, the guard's pauses, the card and its wiping. The rest
// of the session is in session.cpp.
#include "kiosk/session/session.hpp"

#include "data/bundle/text_format.hpp"
#include "data/household/household_key.hpp"
#include "data/household/privacy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>

namespace onemap::app {

std::string_view lookup_step_key(LookupStep step) {
    switch (step) {
        case LookupStep::Id: return "id";
        case LookupStep::Factor: return "factor";
        case LookupStep::Paused: return "paused";
        case LookupStep::Card: return "card";
        case LookupStep::Unavailable: return "unavailable";
    }
    return "id";
}

// ── The admin PIN pad ────────────────────────────────────────────────────────────────────────────

void Session::pin_key(const std::string& key, Clock::time_point now, std::vector<Effect>& out) {
    if (!m_admin_pad) return;
    if (key == "C") {
        data::wipe_string(m_typing.pin);
    } else if (key == "OK") {
        std::string pin = std::move(m_typing.pin);
        m_typing.pin.clear();
        admin_exit(pin, now, out);
        data::wipe_string(pin);
    } else if (key.size() == 1 && key[0] >= '0' && key[0] <= '9' && m_typing.pin.size() < 12) {
        m_typing.pin += key;
    }
}

// Three wrong PINs, then a pause before the next try that doubles each time: 30 s, 1 min, 2 min …
// up to an hour. (A PIN of 4–6 digits would otherwise fall to a patient guesser in hours.)
void Session::admin_exit(const std::string& pin, Clock::time_point now, std::vector<Effect>& out) {
    if (m_cfg.mode != Mode::Kiosk) return;
    m_admin_pad = false;
    data::wipe_string(m_typing.pin);
    if (pin.empty()) return;
    if (now < m_pin_pause_until) {
        m_message = fmt::format(fmt::runtime(m_tr("pin_paused")), static_cast<int>(std::ceil(std::chrono::duration<double>(m_pin_pause_until - now).count())));
        return;
    }
    if (!m_cfg.admin_pin_hash.empty() && check_pin(m_cfg.admin_pin_hash, pin)) {
        m_pin_failures = 0;
        m_leave = true;
        out.push_back({Effect::Kind::Leave, {}, {}});
        return;
    }
    m_message = m_tr("pin_wrong");
    if (++m_pin_failures >= 3) {
        const double pause = std::min(3600.0, 30.0 * std::pow(2.0, m_pin_failures - 3));
        m_pin_pause_until = now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(pause));
    }
}

double Session::pin_paused_s(Clock::time_point now) const {
    return std::max(0.0, std::chrono::duration<double>(m_pin_pause_until - now).count());
}

// ── Household look-up (kiosk) ────────────────────────────────────────────────────────────────────

void Session::open_lookup(Clock::time_point now) {
    std::string why;
    const auto key_path = m_cfg.household_key.empty() ? std::filesystem::path(m_cfg.bundle.string() + ".key") : m_cfg.household_key;
    std::optional<data::Key> key = data::load_kiosk_key(key_path, why);
    try {
        if (!m_source->bundle()) throw std::invalid_argument("the household look-up needs a bundle");
        const auto guard_path = m_cfg.lookup_guard.empty() ? default_lookup_guard_path() : m_cfg.lookup_guard;
        // Real households: a missing guard is not made afresh (deleting it would reset every counter).
        // The look-up stays off until an administrator runs `onemap guard init`. A demo's synthetic
        // households make their own.
        if (!m_source->bundle()->synthetic() && !data::LookupGuard::exists(guard_path)) {
            throw std::runtime_error(fmt::format("{}: the look-up guard is missing (deleted, or never made); an administrator "
                                                 "makes it with `onemap guard init --guard {}`", guard_path.string(), guard_path.string()));
        }
        // Tests drive the wall clock alone; a kiosk's pauses and locks also run on the boot clock.
        m_guard.emplace(data::LookupGuard::open(guard_path, m_opt.wall_clock ? m_opt.wall_clock : data::system_wall_clock(), {},
                                                m_opt.wall_clock ? data::BootClock{} : data::system_boot_clock()));
        m_lookup = std::make_unique<data::HouseholdLookup>(*m_source->bundle(), std::move(key), *m_guard);
        if (!m_lookup->available() && why.empty()) why = m_lookup->unavailable_reason();
        set_pause(now);  // the counters outlive a restart: a paused keypad stays paused
    } catch (const std::exception& e) {
        why = e.what();
        m_lookup.reset();
    }
    if (!m_lookup || !m_lookup->available()) fmt::print(stderr, "onemap kiosk: household look-up unavailable: {}\n", why);
}

std::string Session::factor_kind() const { return m_lookup ? m_lookup->factor_kind() : std::string("phone4"); }

double Session::lookup_paused_s(Clock::time_point now) const {
    return std::max(0.0, std::chrono::duration<double>(m_pause_until - now).count());
}

LookupStep Session::lookup_step(Clock::time_point now) const {
    if (!lookup_available()) return LookupStep::Unavailable;
    if (m_card) return LookupStep::Card;
    if (now < m_pause_until) return LookupStep::Paused;
    return m_typing.at_factor ? LookupStep::Factor : LookupStep::Id;
}

double Session::card_closes_in_s(Clock::time_point now) const {
    return std::max(0.0, std::min(m_cfg.card_timeout_s, m_cfg.idle_timeout_s) - idle_seconds(now));
}

void Session::log_lookup(data::LookupOutcome outcome, const std::string& hash_prefix) {
    // Time, outcome and a short prefix of the keyed hash: never a number, a name or an amount.
    fmt::print(stderr, "{} onemap kiosk: look-up {}{}\n", data::utc_now_iso(), data::outcome_key(outcome),
               hash_prefix.empty() ? std::string() : " h=" + hash_prefix);
    m_lookup_outcome = std::string(data::outcome_key(outcome));
}

void Session::set_pause(Clock::time_point now) {
    if (m_guard) m_pause_until = now + std::chrono::milliseconds(static_cast<long long>(m_guard->paused_for() * 1000));
}

// What may be typed next: an ID number is 17 digits then a digit or X; a second factor 4–8 digits
// (4 for a phone's last four). Anything longer or stranger is refused here, at the keypad.
void Session::lookup_key(const std::string& key, Clock::time_point now) {
    if (m_cfg.mode != Mode::Kiosk || m_screen != KioskScreen::Lookup || m_card || !lookup_available() || now < m_pause_until) return;
    std::string& typed = m_typing.at_factor ? m_typing.factor : m_typing.id;
    if (key == "<") {
        if (!typed.empty()) typed.pop_back();
        return;
    }
    if (key.size() != 1) return;
    char c = key[0];
    if (!m_typing.at_factor) {
        if (c == 'x') c = 'X';
        if (m_typing.id.size() >= 18) return;
        const bool digit = c >= '0' && c <= '9';
        if (!(digit || (c == 'X' && m_typing.id.size() == 17))) return;
        m_typing.id.push_back(c);
        return;
    }
    const std::size_t max = factor_kind() == "phone4" ? 4 : 8;
    if (m_typing.factor.size() >= max || c < '0' || c > '9') return;
    m_typing.factor.push_back(c);
}

void Session::lookup_next(Clock::time_point now) {
    if (m_typing.at_factor || m_typing.id.size() != 18 || now < m_pause_until) return;
    if (data::valid_id_number(m_typing.id)) {
        m_typing.at_factor = true;
        m_lookup_message.clear();
    } else {
        record_bad_id(now);
    }
}

void Session::record_bad_id(Clock::time_point now) {
    if (!m_guard) return;
    try {
        m_guard->record(data::LookupOutcome::BadId, {});
    } catch (const std::exception& e) {
        fmt::print(stderr, "onemap kiosk: {}\n", e.what());
    }
    log_lookup(data::LookupOutcome::BadId, {});
    m_lookup_message = m_tr("lookup_id_bad");
    set_pause(now);
}

void Session::submit_lookup(Clock::time_point now) {
    if (!m_lookup || !m_typing.at_factor || m_typing.factor.size() < 4 || now < m_pause_until) return;
    data::LookupResult r;
    try {
        r = m_lookup->look_up(m_typing.id, m_typing.factor);
    } catch (const std::exception& e) {
        fmt::print(stderr, "onemap kiosk: look-up failed: {}\n", e.what());  // file names and SQLite's words only
        r.outcome = data::LookupOutcome::Unavailable;
    }
    data::wipe_string(m_typing.factor);
    log_lookup(r.outcome, r.hash_prefix);
    using O = data::LookupOutcome;
    switch (r.outcome) {
        case O::Found:
            m_card = std::move(r.card);
            m_card_digest = data::sha256_hex("onemap-state|" + m_card->head_masked).substr(0, 16);  // once, not every frame
            data::wipe_string(m_typing.id);
            m_typing.at_factor = false;
            m_lookup_message.clear();
            m_page = 0;  // 大字 stays as the visitor chose it
            break;
        case O::WrongFactor:
        case O::NotFound:  // one answer for both: the screen never tells whether a number is registered
            m_lookup_message = fmt::format(fmt::runtime(m_tr("lookup_wrong_factor")), r.tries_left);
            break;
        case O::Locked:
            m_lookup_message = fmt::format(fmt::runtime(m_tr("lookup_locked")), static_cast<int>(std::ceil(r.wait_s / 60)));
            data::wipe_string(m_typing.id);
            m_typing.at_factor = false;
            break;
        case O::BadId:
            m_lookup_message = m_tr("lookup_id_bad");
            m_typing.at_factor = false;
            break;
        case O::Paused: m_lookup_message.clear(); break;
        case O::Unavailable: m_lookup_message = m_tr("lookup_unavailable"); break;
    }
    set_pause(now);
}

// Closing the look-up, by 结束, by walking away or by the idle reset: the card, the typed digits and
// the voice go; the window overwrites its own buffers that held the card's text.
void Session::close_lookup(std::vector<Effect>& out) {
    const bool had = m_card.has_value() || !m_typing.id.empty() || !m_typing.factor.empty();
    if (m_card) {
        m_card->wipe();
        m_card.reset();
    }
    m_card_digest.clear();
    data::wipe_string(m_typing.id);
    data::wipe_string(m_typing.factor);
    m_typing.at_factor = false;
    m_lookup_message.clear();
    m_page = 0;
    if (had) {
        out.push_back({Effect::Kind::StopSpeaking, {}, {}});
        out.push_back({Effect::Kind::ScrubUiBuffers, {}, {}});
    }
}

std::string Session::speech_text(const data::HouseholdCard& c) const {
    std::string t = m_tr("lookup_card_title") + "。";
    if (const data::RegionInfo* v = m_regions.find(c.village_code)) t += v->name + "。";
    t += c.household_type + "。";
    t += fmt::format(fmt::runtime(m_tr("lookup_benefits")), c.year) + "：";
    if (c.benefits.empty()) t += m_tr("lookup_benefits_none");
    for (const auto& b : c.benefits) {
        t += fmt::format("{}，{}，{}。", b.program, fmt::format(fmt::runtime(m_tr("lookup_yuan")), fmt::format("{:.0f}", b.amount)),
                         m_tr(b.paid ? "lookup_paid" : "lookup_pending"));
    }
    for (const auto& item : c.items) {
        const auto it = m_household_items.find(item.key);
        if (it == m_household_items.end()) continue;
        t += it->second.title + "。" + it->second.body + m_tr("kiosk_next") + "：" + it->second.next;
    }
    if (!c.contact_name.empty()) t += m_tr("lookup_contact") + "：" + c.contact_name + "，" + c.contact_phone + "。";
    return t;
}

}  // namespace onemap::app
