// Command-line parsing of profile names that start with '-' (docs/security.md 36): attach_option_values()
// and Boost.Program_options together, with the options `exec` and `use` declare.
#include "cli/cli.hpp"

#include <catch2/catch.hpp>

using namespace credsh;

namespace {

struct Parsed {
    std::string profile;
    std::vector<std::string> command;
};

// exec's options: -p/--profile NAME, the command after `--` (cmd_exec.cpp).
Parsed parse_exec(const Args& args) {
    po::options_description desc;
    Parsed p;
    desc.add_options()("profile,p", po::value(&p.profile), "")("mode", po::value<std::string>(),
                                                               "")("command", po::value(&p.command), "");
    po::positional_options_description pos;
    pos.add("command", -1);
    po::variables_map vm;
    po::store(po::command_line_parser(attach_option_values(args, desc)).options(desc).positional(pos).run(),
              vm);
    po::notify(vm);
    return p;
}

// use's options: NAME or --profile NAME, --clear, and what the hook adds (cmd_use.cpp).
Parsed parse_use(const Args& args) {
    po::options_description desc;
    Parsed p;
    desc.add_options()("profile", po::value(&p.profile), "")("clear", "")(
        "shell", po::value<std::string>(), "")("session", po::value<std::string>(), "");
    po::positional_options_description pos;
    pos.add("profile", 1);
    po::variables_map vm;
    po::store(po::command_line_parser(attach_option_values(args, desc)).options(desc).positional(pos).run(),
              vm);
    po::notify(vm);
    return p;
}

} // namespace

TEST_CASE("attach_option_values joins an option with its value, whatever the value starts with", "[cli]") {
    po::options_description desc;
    desc.add_options()("profile,p", po::value<std::string>(), "")("mode", po::value<std::string>(), "")(
        "json", "")("command", po::value<std::vector<std::string>>(), "");
    struct Row {
        Args in, out;
    };
    const Row rows[] = {
        {{"-p", "-dev", "--", "env"}, {"--profile=-dev", "--", "env"}},
        {{"-p=-dev", "--", "env"}, {"--profile=-dev", "--", "env"}},
        {{"--profile", "--x", "--", "env"}, {"--profile=--x", "--", "env"}},
        {{"-p", "dev", "--", "-p", "x"}, {"--profile=dev", "--", "-p", "x"}}, // the command's own words stay
        {{"-p", "--", "env"}, {"-p", "--", "env"}},                           // `--` is never a value
        {{"-p"}, {"-p"}},                                                     // no value: Boost says so
        {{"--mode", "-k", "-p-x"}, {"--mode=-k", "-p-x"}},
        {{"--json", "-p", "x"}, {"--json", "--profile=x"}},      // a switch takes no value
        {{"--profile=", "--json"}, {"--profile", "", "--json"}}, // empty: Boost refuses `--profile=`
        {{"-p", ""}, {"--profile", ""}},
    };
    for (const auto& r : rows)
        CHECK(attach_option_values(r.in, desc) == r.out);
}

TEST_CASE("exec -p and use reach every valid profile name, including those that start with '-'", "[cli]") {
    // Names as .credprofile allows them: 1-64 of A-Z a-z 0-9 . _ @ + = , - (valid_profile_name).
    for (std::string name :
         {"-dev", "--dev", "-", "-p", "-h", "--help", "-x=y", "=a", "dev", "a,b@c+d.e_f"}) {
        INFO("name: " << name);
        for (const Args& args :
             {Args{"-p", name, "--", "env"}, Args{"-p=" + name, "--", "env"},
              Args{"--profile", name, "--", "env"}, Args{"--profile=" + name, "--", "env"}}) {
            Parsed p = parse_exec(args);
            CHECK(p.profile == name);
            CHECK(p.command == std::vector<std::string>{"env"});
        }
        // `credsh use` as the hook runs it: its own options first, then the user's words.
        CHECK(parse_use({"--shell", "bash", "--session", "", "--", name}).profile == name);
        CHECK(parse_use({"--shell", "bash", "--session", "", "--profile", name}).profile == name);
        CHECK(parse_use({"--shell", "bash", "--session=", "--profile", name}).profile ==
              name); // as the hooks
    }
    // Without attach_option_values Boost refuses `-p -p` (a value that is also an option): the case this
    // exists for.
    po::options_description desc;
    desc.add_options()("profile,p", po::value<std::string>(), "");
    po::variables_map vm;
    CHECK_THROWS(po::store(po::command_line_parser(Args{"-p", "-p"}).options(desc).run(), vm));
}

TEST_CASE("use: a word that is none of its options is the profile name", "[cli]") {
    const auto use_args = [](const Args& a) {
        return dash_words_as_value(a, {"--clear", "--help", "-h"}, {"--profile", "--shell", "--session"},
                                   "profile");
    };
    CHECK(use_args({"--shell", "bash", "--session", "-s", "-dev"}) ==
          Args{"--shell", "bash", "--session", "-s", "--profile=-dev"});
    CHECK(use_args({"--shell=zsh", "--session=", "--x"}) ==
          Args{"--shell=zsh", "--session=", "--profile=--x"});
    CHECK(use_args({"--clear"}) == Args{"--clear"});
    CHECK(use_args({"-h"}) == Args{"-h"});
    CHECK(use_args({"--", "--clear"}) == Args{"--", "--clear"});
    CHECK(use_args({"--profile", "-h"}) == Args{"--profile", "-h"}); // attach_option_values joins them
    CHECK(use_args({"dev"}) == Args{"dev"});
    for (std::string name : {"-dev", "--dev", "-p", "-x=y", "-"}) {
        INFO("name: " << name);
        CHECK(parse_use(use_args({"--shell", "bash", "--session", "", name})).profile == name);
        // The session name may start with '-' too: the hook passes it with every call.
        CHECK(parse_use(use_args({"--shell", "bash", "--session", name, name})).profile == name);
    }
}
