// The process environment as a value. Nothing in credsh reads getenv() directly: main() snapshots environ
// once and passes an Env down, so tests inject whatever environment they need (docs/design.md §7, no hidden
// globals).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace credsh {

// Variable names, looked up without building a string.
struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using NameSet = std::unordered_set<std::string, NameHash, std::equal_to<>>;

class Env {
  public:
    Env() = default;
    explicit Env(std::map<std::string, std::string> vars) : vars_(std::move(vars)) {}
    static Env from_environ(char** envp);

    // The value, or nullopt when unset. An empty value is "set and empty", distinct from unset.
    std::optional<std::string> get(std::string_view name) const;
    // The value when set and non-empty, else nullopt (how the SDKs treat most AWS_* variables).
    std::optional<std::string> get_nonempty(std::string_view name) const;
    void set(const std::string& name, std::string value) { vars_[name] = std::move(value); }
    void unset(const std::string& name) { vars_.erase(name); }
    const std::map<std::string, std::string>& vars() const {
        note("*");
        return vars_;
    }
    // NAME=value strings for execve.
    std::vector<std::string> to_strings() const;

    // $HOME, falling back to the passwd entry only when HOME is unset.
    std::string home() const;

    // From now on, every name looked up through this Env or a copy of it is added to `names`; a read of the
    // whole environment (vars(), to_strings(): a plugin's or a child's) adds "*". `credsh export --memo`
    // uses it to say which variables its result depends on.
    void record_reads(std::shared_ptr<NameSet> names) { reads_ = std::move(names); }

  private:
    void note(std::string_view name) const {
        if (reads_ && reads_->find(name) == reads_->end()) reads_->emplace(name);
    }
    std::map<std::string, std::string> vars_;
    std::shared_ptr<NameSet> reads_; // shared by copies: they read the same environment
};

} // namespace credsh
