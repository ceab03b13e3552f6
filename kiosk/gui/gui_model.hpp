#pragma once
// What the GUI panels read and what they return (practice 9: panels read state and return intents;
// they never own map state). The window builds a Ui from the Session each frame and hands the
// intents the panels return to Session::apply.
//
//   Session ──Ui (read-only)──▶ desk_panels / touch (kiosk_panels) / wall_panels ──Intents──▶ Session::apply
#include "kiosk/session/map_model.hpp"
#include "kiosk/session/kiosk_look.hpp"
#include "kiosk/session/session.hpp"

#include <array>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

struct ImFont;

namespace onemap::app {

// The household look-up as the kiosk panel sees it.
struct LookupView {
    bool available = false;
    std::string factor_kind = "phone4";   // phone4 | pin | mixed
    double paused_s = 0;                  // the keypad is paused this much longer
    std::string message;                  // the last outcome, in words
    const data::HouseholdCard* card = nullptr;
    const std::map<std::string, PolicyCard, std::less<>>* items = nullptr;  // [household.KEY] texts
    std::string village_name;
    bool can_speak = false;
    double closes_in_s = 0;               // the card closes by itself after this long untouched
    const KioskTyping* typing = nullptr;  // what the keypads hold
};

struct UiFonts {
    ImFont* body = nullptr;
    ImFont* title = nullptr;
    ImFont* huge = nullptr;
};

// Everything a panel may read this frame.

struct Ui {
    const AppConfig& config;
    const AppState& state;
    const Strings& tr;
    const data::RegionIndex& regions;
    const data::Indicators& indicators;
    const MapModel& map;
    const std::vector<std::string>& periods;
    const std::vector<PolicyCard>& policy;
    UiFonts fonts{};
    float scale = 1;            // UI scale from the screen (1 = 1080p desk)
    float touch_px = 64;        // minimum touch target (kiosk)
    std::string focus{};        // region whose children are shown
    std::string hover{};        // region under the pointer
    bool projects = false, sites = false, labels = false, playing = false;
    int classes = 7;
    int method = 0;
    std::string message{};      // one-line status (export done, PIN wrong …)
    double idle_seconds = 0;
    bool admin_pad = false;     // kiosk: the PIN pad is open
    KioskScreen screen = KioskScreen::Home;  // kiosk
    // views of the session's lists (drawn every frame: never copied)
    std::span<const std::pair<std::string, std::string>> alerts{};  // newest first: region name, text
    std::string tour_city{};    // wall
    const std::vector<data::Project>* projects_list = nullptr;  // kiosk: the assistance projects
    std::span<const data::RuleResult> rules{};          // the selected region's rule results this period
    std::span<const data::Alert> region_alerts{};       // open alerts in the selected region (newest first)
    std::span<const data::RuleSummary> rule_summary{};  // wall: per rule, counties passing and failing
    std::int64_t open_alerts = 0;                   // wall: every open alert
    bool partly_real = false;                       // some layers imported from real files, the rest synthetic
    std::string synthetic_text{};                   // the mark: 演示数据, or which layers are still demo data
    LookupView lookup{};                            // kiosk: 查询我家
    std::string source_banner{};                    // --pg: the database cannot be read (which server, why); "" none
    std::string read_only_note{};                   // --pg desk: the connection may not change alerts; "" when it may
    // kiosk (适老化): the session (instruction, facts, 找我的村, pages), sizes in pixels from the
    // panel's millimetres, and the theme's colours
    const Session* session = nullptr;
    KioskSizes sizes{};
    double px_per_mm = 4;
    KioskPalette palette{};
};

// Panels record the screen rectangles of named widgets, so tests can click them and monitoring can see them.
struct WidgetRects {
    std::vector<std::pair<std::string, std::array<float, 4>>> rects;  // name → x, y, w, h
    void add(const std::string& name);     // the last ImGui item
    void target(const std::string& name);  // the last ImGui item, a touch target (its size and gaps are checked)
    std::vector<std::array<float, 4>> targets;
    int clipped_labels = 0;  // kiosk: buttons whose label is wider than the button
    // What the mode's panels cover along the window's edges (left, top, right, bottom; ImGui
    // units): the map centres the region it shows in the rest.
    std::array<float, 4> map_insets{};
    int missing_glyphs = 0;  // characters of shown bundle text the font atlas has no glyph for (missing_glyphs())
};

struct DeskLocal {   // widget-only state (what is typed, how a table is sorted)
    char search[128] = {};
    char note[256] = {};
    int sort_column = 0;
    bool sort_ascending = true;
};

std::vector<Intent> desk_panels(const Ui& ui, DeskLocal& local, WidgetRects& widgets);
std::vector<Intent> kiosk_panels(const Ui& ui, WidgetRects& widgets);
std::vector<Intent> wall_panels(const Ui& ui, WidgetRects& widgets);

// Shared drawing helpers.
// The rule whose pass/fail the map shows (metric "rule:R1"); nullptr when it shows a metric.
const data::RuleInfo* chosen_rule(const Ui& ui);
// A metric's name in the UI's language (the catalogue has Chinese and English names).
std::string metric_name(const Ui& ui, const data::Metric& metric);

// The legend of what the map shows, for the desk's legend panel and exported pictures: the
// metric's classes and "no data", or a rule's four statuses.
// The legend of the screen's panel (the language's metric name, values as the panels write them).
MapLegend map_legend(const Ui& ui);
// The legend drawn into an exported picture: picture_legend, as `onemap render` draws it, or the rule
// layer's statuses.
MapLegend export_legend(const Ui& ui);

// How many characters of `text` `font` has no glyph for (ImGui draws them as '?'): the atlas holds
// only the characters the application gathered before building it.
int missing_glyphs(const ImFont* font, std::string_view text);
// The 演示数据 mark, at the window's bottom-right corner, or with its top-right corner at
// (right, top) when those are given. Returns its left edge (the right edge given when none is drawn).
float synthetic_mark(const Ui& ui, float right = -1, float top = -1);
// --pg: the lost connection, centred in [x0, x1] with its top at y (above: its bottom), clear of the
// panels the mode draws there; recorded as the widget "source_banner".
void source_banner(const Ui& ui, WidgetRects& w, float x0, float x1, float y, bool above = false);

}  // namespace onemap::app
