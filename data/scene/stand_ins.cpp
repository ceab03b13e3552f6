#include "data/scene/stand_ins.hpp"

namespace onemap::data {

std::vector<std::string> drawn_stand_ins(std::string_view code, const data::RegionIndex& regions,
                                         const std::function<bool(std::string_view)>& drawn) {
    std::vector<std::string> out;
    std::vector<std::string_view> todo{code};
    std::size_t visits = regions.size() + 1;  // a damaged tree with a loop in it ends too
    while (!todo.empty() && visits-- > 0) {
        const std::string_view c = todo.back();
        todo.pop_back();
        if (drawn(c)) {
            out.emplace_back(c);
            continue;
        }
        if (const data::RegionInfo* r = regions.find(c)) todo.insert(todo.end(), r->children.rbegin(), r->children.rend());
    }
    return out;
}

}  // namespace onemap::data
