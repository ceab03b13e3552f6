#pragma once
// The session under all three modes (desk, kiosk, wall): the view state and every screen's logic,
// with no GL, GLFW or ImGui. It changes only through apply(): map clicks, panel buttons, keys and
// timers are Intents; what needs the window (a PNG export, the voice, wiping the UI's buffers,
// leaving) comes back as Effects. The clock is passed in, so tests drive hours in microseconds.
//
//   window (kiosk/gui/) ──Intents + now──▶ Session::apply ──▶ state(), map() (MapModel), lookup …
//          ▲                                      │
//          └──────────── Effects ◀────────────────┘
//
// The kiosk's screens (KioskScreen) are a state machine:
//
//                     any touch
//        ┌─────────┐ ─────────▶ ┌──────┐ ◀──────▶ Policy
//        │ Attract │            │ Home │ ◀──────▶ Projects
//        └─────────┘ ◀───────── └──────┘ ◀──────▶ Lookup ── 结束 / card timeout ──▶ Home
//             ▲      idle timeout   │   ◀──────▶ Find (找我的村) ── a result ──▶ Home, at that village
//             │   (from every screen; the look-up, the PIN pad, 大字 and 高对比 are reset)
//             └── every 8 s: the next child of the home region
//
// Policy, Projects, Lookup and Find reach each other directly too; Attract is left only for Home.
// On every screen but Attract: 返回首页, 大字 (LargeText), 高对比 (Contrast) and 朗读 (SpeakScreen).
#include "data/bundle/features.hpp"
#include "data/bundle/region_index.hpp"
#include "data/bundle/source.hpp"
#include "data/household/household_lookup.hpp"
#include "data/household/lookup_guard.hpp"
#include "data/policy/alerts.hpp"
#include "data/policy/catalogue.hpp"
#include "data/policy/rules.hpp"
#include "data/scene/map_scene.hpp"
#include "kiosk/session/map_model.hpp"
#include "kiosk/session/app_state.hpp"
#include "kiosk/session/config.hpp"
#include "kiosk/session/strings.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace onemap::app {

using Clock = std::chrono::steady_clock;

struct Intent {
    enum class Kind {
        Touch,          // any input at all (pointer, wheel, key): the kiosk wakes, idle timers restart
        Tick,           // time passed: idle reset, attract, tour, year play, card and keypad timers
        Hover,          // the pointer is over this region of the drawn level (text = code; "" none)
        Focus,          // show this region and its children (text = code)
        Select,         // a tap or click on the map or a list: drill down, or highlight a region without children drawn (text = code)
        Back,           // up one level
        Escape,         // the Esc key: back, on the desk
        SecondaryClick, // the right mouse button on the map: back, on the desk
        Home,           // the configured home region (kiosk) or the province
        SetMetric,      // text = metric key or rule:R…
        SetPeriod,      // text = YYYY
        SetMethod,      // number = render::ClassMethod
        SetClasses,     // number = classes
        TogglePlay,
        ToggleProjects,
        ToggleSites,
        ToggleLabels,
        ExportPng,      // → Effect::ExportPng; the window answers with Exported
        Exported,       // text = path written; number = 1 done, 0 failed
        ExportCsv,
        CompareToggle,  // desk: put the region (text = code) beside the others in the comparison, or take it out
        CompareClear,   // desk: empty the comparison
        CompareExport,  // desk: the comparison as CSV
        Screen,         // kiosk: text = home | policy | projects | lookup (admin: the PIN pad)
        Language,       // text = zh-CN | en (takes effect at the next start)
        AdminChord,     // kiosk: Ctrl+Alt+Shift+Q — the PIN pad opens
        PinKey,         // kiosk PIN pad: text = a digit, "C" (clear) or "OK" (check the PIN)
        AdminCancel,    // kiosk PIN pad: closed without a PIN
        AdminExit,      // text = the PIN (as typed elsewhere): leave when it is right
        Zoom,           // number = +1 in, -1 out, about the centre
        AlertStep,      // number = alert id, text = note: move the alert one step on
        LookupKey,      // kiosk 查询我家 keypad: text = one character typed, or "<" (erase one)
        LookupNext,     // 下一步 on a complete ID number (a wrong check character counts as a failure)
        LookupChangeId, // back from the second factor to the ID number
        LookupSubmit,   // look the household up
        LookupClose,    // 结束 — close and wipe the household card
        LookupBig,      // 大字 on the card (the same as LargeText)
        LargeText,      // kiosk 大字: every screen's text larger (until the idle reset)
        Contrast,       // kiosk 高对比: the high-contrast theme (until the idle reset)
        SpeakScreen,    // kiosk 朗读: the screen's text read aloud → Effect::Speak
        Page,           // kiosk 上一页/下一页 on the policy cards and the household card: number = -1 or +1
        FindKey,        // kiosk 找我的村 keyboard: text = a letter A–Z or digit, "<" (erase one) or "clear"
        FindPick,       // kiosk 找我的村: text = the code of a result; the map goes there and Home shows it
        LookupSpeak,    // 朗读 the card → Effect::Speak
        DataChanged,    // --pg: these tables changed (text = names, comma-separated)
        SourceProblem,  // --pg: why the database cannot be read now (text; "" when it can)
        ReloadRefused,  // a new bundle file is not shown (text = why)
        BundleFile,     // the file shown is this inode (number)
        ResumeTour,     // wall: text = the city the tour showed before a restart; it goes on from there
        ScreensOnline,  // text = "n/m": screens online of those that report (kiosk/service/beacon.hpp)
    };
    Intent(Kind k, std::string t = {}, std::int64_t n = 0) : kind(k), text(std::move(t)), number(n) {}
    Kind kind;
    std::string text;
    std::int64_t number = 0;
};

struct Effect {
    enum class Kind {
        ExportPng,       // write the map as it is shown, with its legend, to `path`; then apply Exported
        Speak,           // read `text` aloud (it stops what is being said first)
        StopSpeaking,
        ScrubUiBuffers,  // overwrite the UI's text and vertex buffers: they held a household card
        Leave,           // the admin PIN was right: end the program
    };
    Kind kind;
    std::string text;
    std::filesystem::path path;
    bool operator==(const Effect&) const = default;
};

// The kiosk's screens; see the diagram above.
enum class KioskScreen { Home, Policy, Projects, Lookup, Find, Attract };
std::string_view screen_key(KioskScreen screen);  // "home" …, as the state file says
std::optional<KioskScreen> parse_screen(std::string_view key);
bool screen_step_allowed(KioskScreen from, KioskScreen to);

// The look-up keypad's step as the state file says: id | factor | paused | card | unavailable.
enum class LookupStep { Id, Factor, Paused, Card, Unavailable };
std::string_view lookup_step_key(LookupStep step);

inline constexpr std::size_t k_compare_max = 4;  // desk: regions side by side at most
// desk: the indicators the comparison shows (a row each) and exports (a column each)
inline constexpr std::string_view k_compare_metrics[] = {"tp_income_pc", "rural_income_pc", "tp_income_growth", "growth_gap", "income_ratio",
                                                         "tp_population", "monitored_population", "below_line_population", "migrant_workers"};

// A value as the panels show it: grouped digits and the metric's unit ("—" for none).
std::string format_value(double value, const data::Metric* metric);
// A count for a sentence: thousands grouped (300,000); a change on the year before in words
// (比上年增长 8.1% / 比上年下降 1.2% / 与上年持平, or the English).
std::string format_count(double value);
std::string format_growth(double percent, const Strings& tr);

// A look-up keypad's display: the ID number in groups, its birth date (digits 7–14) starred but for
// the digit just typed, and all of it but the first 6 and last 4 once complete (410102 ******** 9734).
std::string masked_id(const std::string& typed);

// 找我的村: one result — a village (or township) with the places above it.
struct FindResult {
    std::string code, name, township, county;
};

struct PolicyCard {
    std::string title, body, next;
};
std::vector<PolicyCard> load_policy(std::string_view language);
// The look-up card's policy items: [household.KEY] entries of the same policy file.
std::map<std::string, PolicyCard, std::less<>> load_household_items(std::string_view language);

// What a bundle file (or the database) brings, read without GL — on a worker thread when a new file
// arrives, so the screen keeps moving meanwhile.
struct SessionData {
    std::unique_ptr<data::Source> source;
    data::RegionIndex regions;
    data::SceneLoad scene;
    std::vector<std::string> periods;  // the years with indicators
    // kiosk: the characters it shows beyond its own texts and region names (household cards, projects)
    std::string extra_glyphs;
    std::vector<data::Project> projects;  // kiosk: the project list (身边的项目)
};
// The bundle at config.bundle, or with `pg_url` that PostgreSQL database (`pg_region`: only that
// region, its ancestors and descendants). The render cache is stored into the bundle by desk and
// wall, never by a kiosk, and never into a synced snapshot.
SessionData load_session_data(const AppConfig& config, const std::string& pg_url = {}, const std::string& pg_region = {});

struct SessionOptions {
    std::filesystem::path export_dir = ".";
    bool can_speak = false;           // the window has a voice (kiosk/gui/speech.hpp)
    bool open_household_lookup = true;  // kiosk: open the look-up (its key and guard files)
    data::WallClock wall_clock;         // the look-up guard's clock (its locks outlast a restart); empty: the system's
};

// What the kiosk's keypads hold (never published: only how many characters).
struct KioskTyping {
    std::string pin;
    std::string id, factor;
    bool at_factor = false;
};

class Session {
public:
    // Throws data::BundleError / std::invalid_argument when the data cannot be shown (no years, an
    // unknown home_region) with a message for the person starting it.
    Session(AppConfig config, SessionData data, Clock::time_point now, SessionOptions options = {});
    ~Session();  // wipes the household card and the typed digits
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    std::vector<Effect> apply(const Intent& intent, Clock::time_point now);

    // Take over from the session that showed the previous file what still makes sense on this one.
    // Kiosk: the home screen (or the attract loop it was in). Desk: indicator, year, classes, layers,
    // comparison, and the focus and selection where those regions still exist. Wall: the tour goes on.
    void take_over(const Session& old);

    // ── read-only, for the panels and the state file ──
    const AppConfig& config() const { return m_cfg; }
    Mode mode() const { return m_cfg.mode; }
    const Strings& strings() const { return m_tr; }
    const data::RegionIndex& regions() const { return m_regions; }
    const data::Indicators& indicators() const { return m_indicators; }
    data::Source& source() const { return *m_source; }
    const MapModel& map() const { return m_map; }
    MapModel& map() { return m_map; }  // the window takes its camera moves (MapView::sync)
    const std::vector<std::string>& periods() const { return m_periods; }
    const std::vector<PolicyCard>& policy() const { return m_policy; }
    const std::map<std::string, PolicyCard, std::less<>>& household_items() const { return m_household_items; }
    const std::string& extra_glyphs() const { return m_extra_glyphs; }
    const std::vector<data::Project>& project_list() const { return m_project_list; }
    bool near_home(const data::Project& p) const;  // kiosk 身边的项目: in the home region (its county, for a township or village)

    // The state as the state file shows it, but for what only the window knows (widgets, anchors,
    // map area, view rectangle): those the window adds.
    AppState state(Clock::time_point now) const;
    std::optional<KioskScreen> kiosk_screen() const { return m_cfg.mode == Mode::Kiosk ? std::optional(m_screen) : std::nullopt; }
    const std::string& focus() const { return m_focus; }
    const std::string& selected() const { return m_state.selected; }
    const std::string& hover() const { return m_map.hover(); }
    const std::string& metric() const { return m_state.metric; }
    const std::string& period() const { return m_state.period; }
    const std::string& message() const { return m_message; }
    const std::string& tour_city() const { return m_tour_city; }
    std::string home_code() const;
    bool projects() const { return m_projects; }
    bool sites() const { return m_sites; }
    bool labels() const { return m_map.labels(); }
    bool playing() const { return m_playing; }
    int classes() const { return m_classes; }
    render::ClassMethod method() const { return m_method; }
    bool admin_pad() const { return m_admin_pad; }
    double pin_paused_s(Clock::time_point now) const;  // after wrong PINs, seconds until the next may be tried
    double idle_seconds(Clock::time_point now) const;
    const std::vector<std::pair<std::string, std::string>>& ticker() const { return m_alerts; }
    std::int64_t open_alerts() const { return m_open_alerts; }
    bool partly_real() const { return m_partly_real; }
    const std::string& synthetic_text() const { return m_mark; }
    const std::vector<data::RuleResult>& rules() const { return m_rules; }
    const std::vector<data::Alert>& region_alerts() const { return m_region_alerts; }
    const std::vector<data::RuleSummary>& rule_summary() const { return m_rule_summary; }
    const std::string& source_banner() const { return m_source_banner; }
    std::string read_only_note() const;

    // 查询我家
    const KioskTyping& typing() const { return m_typing; }
    bool lookup_available() const { return m_lookup && m_lookup->available(); }
    std::string factor_kind() const;          // phone4 | pin | mixed
    double lookup_paused_s(Clock::time_point now) const;
    LookupStep lookup_step(Clock::time_point now) const;
    const std::string& lookup_message() const { return m_lookup_message; }
    const data::HouseholdCard* card() const { return m_card ? &*m_card : nullptr; }
    bool card_big() const { return m_big; }
    bool can_speak() const { return m_opt.can_speak; }
    double card_closes_in_s(Clock::time_point now) const;
    // Elderly-friendly kiosk (适老化): 大字, 高对比, the line that says what to do, pages, 找我的村.
    bool large_text() const { return m_big; }
    bool high_contrast() const { return m_contrast; }
    std::string instruction(Clock::time_point now) const;     // one line: what to do on this screen
    std::vector<std::string> facts(const std::string& code) const;  // home: the place in sentences
    std::string screen_text(Clock::time_point now) const;     // what 朗读 reads: the instruction and the screen's text
    int page() const { return m_page; }
    int pages() const;                                        // of the policy cards or the household card
    int items_per_page() const;                               // policy cards (or card sections) on one page
    // The household card's sections in order, those it has (items and contact only when there are any):
    // what the pages count and the screen draws.
    enum class CardSection { Facts, Benefits, Measures, Items, Contact };
    std::vector<CardSection> card_sections() const;
    std::string lookup_display() const;                       // what the look-up's big line shows
    const std::string& find_query() const { return m_find_query; }
    const std::vector<FindResult>& find_results() const { return m_find_results; }
    std::string find_note() const;                            // why nothing is found, or how to search ("" when results show)

    // Seconds until a timer needs a Tick (kiosk idle reset, wall tour, year play), for the event wait.
    double next_timer(Clock::time_point now) const;
    // A kiosk takes a new bundle file only between visitors (home or attract, PIN pad closed).
    bool reload_allowed() const;
    int reloads() const { return m_state.bundle_reloads; }
    bool leave_requested() const { return m_leave; }

private:
    void touch(Clock::time_point now, std::vector<Effect>& out);
    void tick(Clock::time_point now, std::vector<Effect>& out);
    void set_screen(KioskScreen to, std::vector<Effect>& out);
    void tour_step(Clock::time_point now);
    void resume_tour(const std::string& city, Clock::time_point now);
    void attract_step(Clock::time_point now);
    int level_for_focus(const std::string& code) const;
    void focus(const std::string& code, double seconds);
    void go_home(double seconds) { focus(home_code(), seconds); }
    void recolor();
    std::string rule_period(const data::RuleInfo& info) const;
    void refresh_panel();
    void alert_step(std::int64_t id, const std::string& note);
    void click_region(const std::string& code);
    void back();
    void play_step(Clock::time_point now);
    void set_points();
    void export_csv();
    void export_compare_csv();
    void write_regions_csv(const std::filesystem::path& path, const std::vector<std::string>& codes, const std::vector<std::string>& metrics);
    void data_changed(const std::set<std::string>& tables);
    void set_source_problem(const std::string& problem);
    void load_alerts();
    void pin_key(const std::string& key, Clock::time_point now, std::vector<Effect>& out);
    void admin_exit(const std::string& pin, Clock::time_point now, std::vector<Effect>& out);
    // 查询我家
    void open_lookup(Clock::time_point now);
    void log_lookup(data::LookupOutcome outcome, const std::string& hash_prefix);
    void set_pause(Clock::time_point now);
    void lookup_key(const std::string& key, Clock::time_point now);
    void lookup_next(Clock::time_point now);
    void record_bad_id(Clock::time_point now);
    void submit_lookup(Clock::time_point now);
    void close_lookup(std::vector<Effect>& out);
    std::string speech_text(const data::HouseholdCard& c) const;
    // 找我的村 (kiosk/session/session_access.cpp)
    void find_key(const std::string& key);
    void find_pick(const std::string& code, std::vector<Effect>& out);
    void run_find();
    void reset_access();

    AppConfig m_cfg;
    SessionOptions m_opt;
    Strings m_tr;
    std::unique_ptr<data::Source> m_source;
    data::RegionIndex m_regions;
    data::Indicators m_indicators;
    data::SceneLoad m_scene;  // before m_map, which reads it
    MapModel m_map;
    std::vector<PolicyCard> m_policy;
    std::map<std::string, PolicyCard, std::less<>> m_household_items;
    std::vector<std::string> m_periods;
    AppState m_state;
    KioskScreen m_screen = KioskScreen::Home;
    std::string m_focus, m_message, m_tour_city;
    bool m_projects = false, m_sites = false, m_playing = false, m_admin_pad = false, m_leave = false, m_had_input = false;
    int m_classes = 7;
    render::ClassMethod m_method = render::ClassMethod::Quantile;
    Clock::time_point m_last_input, m_last_tour, m_last_play;
    std::size_t m_attract = 0;
    std::vector<std::pair<std::string, std::string>> m_alerts;
    std::int64_t m_open_alerts = 0;
    bool m_partly_real = false;
    std::string m_mark;           // the 演示数据 mark's text: all demo, or which layers still are
    std::string m_source_banner;  // --pg: the connection is lost (which server, why)
    std::vector<data::Project> m_project_list;
    std::string m_extra_glyphs;
    std::vector<data::RuleResult> m_rules;
    std::vector<data::Alert> m_region_alerts;
    std::vector<data::RuleSummary> m_rule_summary;
    int m_pin_failures = 0;                 // wrong admin PINs since the last right one
    Clock::time_point m_pin_pause_until{};  // no PIN is checked before this
    // 查询我家
    KioskTyping m_typing;
    std::optional<data::LookupGuard> m_guard;
    std::unique_ptr<data::HouseholdLookup> m_lookup;
    std::optional<data::HouseholdCard> m_card;
    std::string m_lookup_message, m_lookup_outcome;
    std::string m_card_digest;  // for the state file: a digest of the card's masked name, never the name
    Clock::time_point m_pause_until{};
    bool m_big = false;        // 大字, on every screen
    bool m_contrast = false;   // 高对比
    int m_page = 0;            // of the policy cards / the household card
    std::string m_find_query;
    std::vector<FindResult> m_find_results;
    std::string m_find_problem;  // the pinyin data could not be read: codes only
};

}  // namespace onemap::app
