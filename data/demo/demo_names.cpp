#include "demo_names.hpp"

#include <array>
#include <string_view>

namespace onemap::data::demo {

namespace {
template <std::size_t N>
std::string_view pick(gis::Random& rng, const std::array<std::string_view, N>& pool) {
    return pool[static_cast<std::size_t>(rng.range(0, N - 1))];
}

constexpr std::array<std::string_view, 60> k_surnames{
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
    "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡",
    "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金"};
constexpr std::array<std::string_view, 28> k_place_suffix{
    "庄", "寨", "营", "楼", "集", "店", "岗", "屯", "湾", "桥", "河", "沟", "坡", "庙", "洼", "堂", "铺", "口",
    "园", "台", "湖", "村", "圪垱", "坟", "窑", "井", "岭", "滩"};
constexpr std::array<std::string_view, 12> k_place_prefix{"大", "小", "前", "后", "东", "西", "南", "北", "上", "下", "新", "老"};
constexpr std::array<std::string_view, 40> k_nature{
    "柳树", "杨树", "桃花", "石桥", "清水", "青山", "白沙", "黄土", "红石", "槐树", "枣林", "杏花", "梨园", "竹林",
    "双河", "三里", "五里", "七里", "十里", "古城", "龙泉", "凤凰", "金山", "银河", "马头", "牛角", "卧龙", "长岭",
    "高庙", "平安", "太平", "永安", "兴隆", "和平", "丰收", "富民", "团结", "光明", "胜利", "安乐"};
constexpr std::array<std::string_view, 24> k_streets{
    "建设路", "人民路", "解放路", "东风路", "文化路", "长江路", "黄河路", "新华", "城东", "城西", "城南", "城北",
    "中山路", "北京路", "花园路", "五一路", "健康路", "工业路", "车站", "新城", "滨河", "铁西", "向阳", "朝阳"};
constexpr std::array<std::string_view, 40> k_given{
    "建国", "秀兰", "桂英", "国强", "玉梅", "志刚", "海燕", "红霞", "春生", "金花", "德福", "淑珍", "保国", "凤英",
    "卫东", "丽娟", "小军", "子涵", "雨轩", "浩然", "明", "伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳",
    "勇", "军", "杰", "娟", "涛", "超", "霞", "平", "刚", "桂兰"};
constexpr std::array<std::string_view, 10> k_project_kind_plant{
    "食用菌种植基地", "蔬菜大棚", "中药材种植园", "花生种植合作社", "小杂粮基地", "果园", "茶园", "红薯种植基地", "花卉苗木基地", "艾草种植基地"};
}  // namespace

std::string township_name(gis::Random& rng, TownshipKind kind) {
    if (kind == TownshipKind::Subdistrict) return std::string(pick(rng, k_streets)) + "街道";
    std::string stem;
    if (rng.chance(0.6)) {
        stem = std::string(pick(rng, k_surnames)) + std::string(pick(rng, k_place_suffix));
    } else {
        stem = std::string(pick(rng, k_nature));
    }
    return stem + (kind == TownshipKind::Town ? "镇" : "乡");
}

std::string village_name(gis::Random& rng, bool community) {
    std::string stem;
    const double r = rng.uniform();
    if (community) {
        stem = rng.chance(0.5) ? std::string(pick(rng, k_streets)) : std::string(pick(rng, k_nature));
        return stem + "社区";
    }
    if (r < 0.45) {
        stem = std::string(pick(rng, k_surnames)) + std::string(pick(rng, k_place_suffix));
    } else if (r < 0.75) {
        stem = std::string(pick(rng, k_place_prefix)) + std::string(pick(rng, k_surnames)) + std::string(pick(rng, k_place_suffix));
    } else {
        stem = std::string(pick(rng, k_nature));
    }
    if (stem.size() >= 3 && stem.compare(stem.size() - 3, 3, "村") == 0) return stem;
    return stem + "村";
}

std::string person_name(gis::Random& rng) { return std::string(pick(rng, k_surnames)) + std::string(pick(rng, k_given)); }

std::string project_name(gis::Random& rng, const std::string& village_stem, const std::string& category) {
    if (category == "种植") return village_stem + std::string(pick(rng, k_project_kind_plant));
    if (category == "养殖") return village_stem + (rng.chance(0.5) ? "肉牛养殖场" : "生猪养殖合作社");
    if (category == "加工") return village_stem + (rng.chance(0.5) ? "农产品加工厂" : "帮扶车间");
    if (category == "光伏") return village_stem + "光伏电站";
    if (category == "乡村旅游") return village_stem + "乡村旅游示范点";
    if (category == "电商") return village_stem + "电商服务站";
    return village_stem + "手工编织帮扶车间";
}

std::string site_name(gis::Random& rng, const std::string& township_stem) {
    static constexpr std::array<std::string_view, 8> k_kinds{"幸福家园", "安居小区", "新村", "阳光社区", "和谐家园", "移民新村", "惠民小区", "康居苑"};
    return township_stem + std::string(pick(rng, k_kinds));
}

}  // namespace onemap::data::demo
