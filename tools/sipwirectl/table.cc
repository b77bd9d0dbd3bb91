#include "table.h"

#include <algorithm>

namespace sipwire::ctl {

void Table::print(std::ostream& out) const {
    std::vector<size_t> width(columns_.size());
    for (size_t c = 0; c < columns_.size(); ++c) width[c] = columns_[c].title.size();
    for (const auto& row : rows_)
        for (size_t c = 0; c < row.size() && c < width.size(); ++c)
            width[c] = std::max(width[c], row[c].size());

    auto line = [&](const std::vector<std::string>& cells) {
        std::string s;
        for (size_t c = 0; c < columns_.size(); ++c) {
            const std::string& v = c < cells.size() ? cells[c] : std::string();
            const std::string pad(width[c] - std::min(width[c], v.size()), ' ');
            const bool last = c + 1 == columns_.size();
            if (c > 0) s += "  ";
            if (columns_[c].align == Align::right) s += pad + v;
            else s += last ? v : v + pad;
        }
        while (!s.empty() && s.back() == ' ') s.pop_back();
        out << s << '\n';
    };
    std::vector<std::string> titles;
    for (const Column& c : columns_) titles.push_back(c.title);
    line(titles);
    for (const auto& row : rows_) line(row);
}

}  // namespace sipwire::ctl
