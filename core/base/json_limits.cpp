#include "base/json_limits.hpp"

namespace credsh {

namespace {

// A SAX consumer that only counts; returning false stops nlohmann's parser at once.
class Counter : public nlohmann::json_sax<nlohmann::json> {
  public:
    explicit Counter(const JsonLimits& l) : limits_(l) {}
    std::string violation;

    bool null() override { return value(); }
    bool boolean(bool) override { return value(); }
    bool number_integer(number_integer_t) override { return value(); }
    bool number_unsigned(number_unsigned_t) override { return value(); }
    bool number_float(number_float_t, const string_t&) override { return value(); }
    bool string(string_t&) override { return value(); }
    bool binary(binary_t&) override { return value(); }
    bool start_object(std::size_t) override { return open(); }
    bool key(string_t&) override { return true; }
    bool end_object() override { return close(); }
    bool start_array(std::size_t) override { return open(); }
    bool end_array() override { return close(); }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
        return false; // not ours to judge: the real parse says it is not JSON
    }

  private:
    // Every value (scalar or container) is one member of its parent.
    bool value() {
        if (++members_ > limits_.max_members) {
            violation = "more than " + std::to_string(limits_.max_members) + " members (the limit)";
            return false;
        }
        return true;
    }
    bool open() {
        if (!value()) return false;
        if (++depth_ > limits_.max_depth) {
            violation = "nested deeper than " + std::to_string(limits_.max_depth) + " levels (the limit)";
            return false;
        }
        return true;
    }
    bool close() {
        --depth_;
        return true;
    }
    const JsonLimits& limits_;
    std::size_t members_ = 0, depth_ = 0;
};

} // namespace

std::string json_limit_violation(std::string_view text, const JsonLimits& limits) {
    if (text.size() > limits.max_bytes)
        return "larger than " + std::to_string(limits.max_bytes) + " bytes (the limit)";
    if (text.find('\0') != std::string_view::npos) return "a NUL byte in the text";
    Counter counter(limits);
    nlohmann::json::sax_parse(text.begin(), text.end(), &counter, nlohmann::json::input_format_t::json,
                              /*strict=*/true);
    return counter.violation;
}

} // namespace credsh
