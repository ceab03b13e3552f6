// The kiosk for elderly villagers (适老化): 大字 and 高对比 on every screen, one line per screen that
// says what to do, 朗读 of any screen, pages instead of scrolling, sentences with grouped numbers,
// the ID number masked on the keypad, and 找我的村 (find one's village by its pinyin initials or code).
#include "data/search/pinyin.hpp"
#include "kiosk/session/session.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace onemap::app {

// ── Numbers as sentences ─────────────────────────────────────────────────────────────────────────

std::string format_count(double value) {
    if (std::isnan(value)) return "—";
    const long long n = std::llround(std::abs(value));
    const std::string digits = std::to_string(n);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return (value < 0 && n != 0 ? "-" : "") + out;
}

std::string format_growth(double percent, const Strings& tr) {
    if (std::isnan(percent)) return "";
    if (std::abs(percent) < 0.05) return tr("growth_flat");
    return fmt::format(fmt::runtime(tr(percent > 0 ? "growth_up" : "growth_down")), fmt::format("{:.1f}%", std::abs(percent)));
}

std::string masked_id(const std::string& typed) {
    std::string out;
    const bool complete = typed.size() == 18;
    for (std::size_t i = 0; i < typed.size(); ++i) {
        if (i == 6 || i == 14) out += ' ';
        const bool birth = i >= 6 && i < 14;
        const bool just_typed = !complete && i + 1 == typed.size();
        out += birth && !just_typed ? '*' : typed[i];
    }
    return out;
}

// ── 大字, 高对比, pages ───────────────────────────────────────────────────────────────────────────

void Session::reset_access() {
    m_big = false;
    m_contrast = m_cfg.theme == Theme::HighContrast;  // the configured theme is where each visitor starts
    m_page = 0;
    data::wipe_string(m_find_query);
    m_find_results.clear();
}

int Session::items_per_page() const {
    if (m_screen == KioskScreen::Policy) return m_big ? 1 : 2;
    return m_big ? 1 : 3;  // the household card's sections: facts, benefits, measures, items, contact
}

std::vector<Session::CardSection> Session::card_sections() const {
    if (!m_card) return {};
    std::vector<CardSection> out{CardSection::Facts, CardSection::Benefits, CardSection::Measures};
    if (!m_card->items.empty()) out.push_back(CardSection::Items);
    if (!m_card->contact_name.empty() || !m_card->contact_phone.empty()) out.push_back(CardSection::Contact);
    return out;
}

int Session::pages() const {
    if (m_cfg.mode != Mode::Kiosk) return 0;
    std::size_t units = 0;
    if (m_screen == KioskScreen::Policy) units = m_policy.size();
    else if (m_screen == KioskScreen::Lookup && m_card) units = card_sections().size();
    else return 0;
    const auto per = static_cast<std::size_t>(items_per_page());
    return static_cast<int>(std::max<std::size_t>(1, (units + per - 1) / per));
}

// ── What each screen says ────────────────────────────────────────────────────────────────────────

std::string Session::instruction(Clock::time_point now) const {
    if (m_cfg.mode != Mode::Kiosk) return {};
    switch (m_screen) {
        case KioskScreen::Attract: return m_tr("kiosk_touch_to_start");
        case KioskScreen::Home: return m_tr("hint_home");
        case KioskScreen::Policy: return m_tr("hint_policy");
        case KioskScreen::Projects: return m_tr("hint_projects");
        case KioskScreen::Find: return m_tr("hint_find");
        case KioskScreen::Lookup:
            switch (lookup_step(now)) {
                case LookupStep::Id: return m_tr("hint_lookup_id");
                case LookupStep::Factor: return m_tr("hint_lookup_factor_" + factor_kind());
                case LookupStep::Paused: return m_tr("hint_lookup_paused");
                case LookupStep::Card: return m_tr("hint_card");
                case LookupStep::Unavailable: return m_tr("lookup_unavailable");
            }
    }
    return {};
}

std::vector<std::string> Session::facts(const std::string& code) const {
    std::vector<std::string> out;
    const data::RegionInfo* r = m_regions.find(code);
    if (!r) return out;
    const std::string& period = m_state.period;
    const double households = m_indicators.value(code, "tp_households", period).value_or(0);
    if (households < 5) {  // region figures under 5 households are not shown on public screens
        out.push_back(m_tr("kiosk_suppressed"));
        return out;
    }
    const double people = m_indicators.value(code, "tp_population", period).value_or(0);
    out.push_back(fmt::format(fmt::runtime(m_tr("kiosk_fact_households")), format_count(households), format_count(people)));
    if (const auto income = m_indicators.value(code, "tp_income_pc", period)) {
        const auto growth = m_indicators.value(code, "tp_income_growth", period);
        std::string line = fmt::format(fmt::runtime(m_tr("kiosk_fact_income")), period, format_count(*income));
        if (growth) line += m_tr("comma") + format_growth(*growth, m_tr);
        out.push_back(line + m_tr("full_stop"));
    }
    if (const auto rural = m_indicators.value(code, "rural_income_pc", period)) {
        out.push_back(fmt::format(fmt::runtime(m_tr("kiosk_fact_rural")), format_count(*rural)));
    }
    return out;
}

std::string Session::screen_text(Clock::time_point now) const {
    std::string t = instruction(now);
    auto add = [&t](const std::string& s) {
        if (s.empty()) return;
        if (!t.empty()) t += "\n";
        t += s;
    };
    switch (m_screen) {
        case KioskScreen::Home: {
            const std::string code = m_state.selected.empty() ? m_focus : m_state.selected;
            if (const data::RegionInfo* r = m_regions.find(code)) add(r->name);
            for (const auto& f : facts(code)) add(f);
            break;
        }
        case KioskScreen::Policy: {
            const std::size_t per = static_cast<std::size_t>(items_per_page());
            for (std::size_t i = static_cast<std::size_t>(m_page) * per; i < m_policy.size() && i < (static_cast<std::size_t>(m_page) + 1) * per; ++i) {
                add(m_policy[i].title);
                add(m_policy[i].body);
                add(m_tr("kiosk_next") + m_tr("colon") + m_policy[i].next);
            }
            break;
        }
        case KioskScreen::Projects: {
            int n = 0;
            for (const auto& p : m_project_list) {
                if (!near_home(p)) continue;
                add(p.name + m_tr("comma") + p.category);
                if (++n >= 10) break;
            }
            break;
        }
        case KioskScreen::Find:
            for (const auto& r : m_find_results) add(r.name + m_tr("comma") + r.township + m_tr("comma") + r.county);
            if (m_find_results.empty()) add(find_note());
            break;
        case KioskScreen::Lookup:
            if (m_card) return t + "\n" + speech_text(*m_card);
            if (lookup_step(now) == LookupStep::Id) add(m_tr("lookup_id_title") + m_tr("comma") + m_tr("lookup_id_hint"));
            if (lookup_step(now) == LookupStep::Factor) add(m_tr("lookup_factor_" + factor_kind()));
            break;
        case KioskScreen::Attract: break;
    }
    return t;
}

std::string Session::lookup_display() const {
    if (m_cfg.mode != Mode::Kiosk || m_screen != KioskScreen::Lookup || m_card) return {};
    if (!m_typing.at_factor) return masked_id(m_typing.id);
    return masked_id(m_typing.id) + "  " + std::string(m_typing.factor.size(), '*');
}

bool Session::near_home(const data::Project& p) const {
    const std::string home = home_code();
    return home.size() >= 6 ? p.county_code == home.substr(0, 6) || p.village_code.rfind(home, 0) == 0 : p.county_code.rfind(home, 0) == 0;
}

// ── 找我的村 ──────────────────────────────────────────────────────────────────────────────────────

std::string Session::find_note() const {
    if (!m_find_problem.empty() && m_find_query.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos) return m_tr("find_no_pinyin");
    if (m_find_query.empty()) return m_tr("find_start");
    if (m_find_results.empty()) return m_tr("find_none");
    return {};
}

void Session::find_key(const std::string& key) {
    if (m_cfg.mode != Mode::Kiosk || m_screen != KioskScreen::Find) return;
    if (key == "clear") {
        m_find_query.clear();
    } else if (key == "<") {
        if (!m_find_query.empty()) m_find_query.pop_back();
    } else if (key.size() == 1 && m_find_query.size() < 12) {
        const char c = key[0];
        const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        const bool digit = c >= '0' && c <= '9';
        const bool digits_so_far = m_find_query.find_first_not_of("0123456789") == std::string::npos;
        // one kind at a time: letters (pinyin initials) or digits (a region code)
        if (letter && (m_find_query.empty() || !digits_so_far)) m_find_query += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        else if (digit && digits_so_far) m_find_query += c;
    }
    run_find();
}

void Session::run_find() {
    m_find_results.clear();
    if (m_find_query.empty()) return;
    const bool by_code = m_find_query.find_first_not_of("0123456789") == std::string::npos;
    const data::PinyinInitials* initials = nullptr;
    if (!by_code) {
        try {
            initials = &data::PinyinInitials::shared();
        } catch (const std::exception& e) {
            m_find_problem = e.what();
            return;
        }
    }
    // Villages first, then townships; within each, names whose initials are exactly the query (张家村
    // for ZJC) before longer names that start with it; then by code.
    struct Hit {
        int rank;
        const data::RegionInfo* r;
    };
    std::vector<Hit> hits;
    const std::string home = home_code();
    for (const data::Level level : {data::Level::Village, data::Level::Township}) {
        for (const data::RegionInfo* r : m_regions.layer(level)) {
            if (r->level != level) continue;
            int rank = level == data::Level::Village ? 0 : 4;
            if (by_code) {
                if (r->code.rfind(m_find_query, 0) != 0) continue;
            } else {
                if (!data::initials_prefix(r->name, m_find_query, *initials)) continue;
                const std::string all = data::initials_of(r->name, *initials);
                // 张家村 / 张家村村民委员会: the query covers the name (up to its 村/社区 suffix)
                if (all.size() > m_find_query.size() + 5) rank += 1;
            }
            if (!home.empty() && r->code.rfind(home, 0) != 0) rank += 2;  // the kiosk's own area first
            hits.push_back({rank, r});
        }
    }
    std::stable_sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) { return a.rank != b.rank ? a.rank < b.rank : a.r->code < b.r->code; });
    for (const Hit& h : hits) {
        if (m_find_results.size() >= 8) break;
        FindResult res{h.r->code, h.r->name, {}, {}};
        for (const data::RegionInfo* up : m_regions.breadcrumbs(h.r->code)) {
            if (up->level == data::Level::Township && up != h.r) res.township = up->name;
            if (up->level == data::Level::County) res.county = up->name;
        }
        m_find_results.push_back(std::move(res));
    }
}

void Session::find_pick(const std::string& code, std::vector<Effect>& out) {
    if (m_cfg.mode != Mode::Kiosk || m_screen != KioskScreen::Find) return;
    if (std::none_of(m_find_results.begin(), m_find_results.end(), [&](const FindResult& r) { return r.code == code; })) return;
    const data::RegionInfo* r = m_regions.find(code);
    if (!r) return;
    set_screen(KioskScreen::Home, out);
    // the village among its neighbours: its township's villages drawn, the village selected
    focus(r->parent_code.empty() ? code : r->parent_code, 0.8);
    m_state.selected = code;
    m_map.set_selected(code);
    data::wipe_string(m_find_query);
    m_find_results.clear();
}

}  // namespace onemap::app
