#include "pipeline/scope.hpp"

#include "base/text.hpp"

namespace credsh {

std::string_view scope_name(Scope s) {
    switch (s) {
    case Scope::command:
        return "command";
    case Scope::session:
        return "session";
    case Scope::directory:
        return "directory";
    case Scope::ambient:
        return "ambient";
    case Scope::default_:
        return "default";
    }
    return "?";
}

Selection select_scope(const ScopeInputs& in) {
    Selection sel;
    auto row = [&](Scope s, bool present, std::string profile, std::string detail) {
        sel.rows.push_back(ScopeRow{s, present, std::move(profile), std::move(detail)});
        if (present && !sel.winner) {
            sel.winner = s;
            sel.profile = sel.rows.back().profile;
        }
    };

    row(Scope::command, in.command_profile.has_value(), in.command_profile.value_or(""),
        in.command_profile ? "credsh exec -p" : "only inside `credsh exec`");
    row(Scope::session, in.session_profile.has_value(), in.session_profile.value_or(""),
        in.session_profile ? "credsh use" : "not set (credsh use NAME)");

    const DirLookup& d = in.dir;
    switch (d.status) {
    case DirStatus::none:
        row(Scope::directory, false, "", "no .credprofile from here to /");
        break;
    case DirStatus::allowed: {
        std::string name = d.content.profile.empty() ? d.content.ask_profile.value_or("") : d.content.profile;
        row(Scope::directory, true, name, printable(d.realpath));
        break;
    }
    case DirStatus::blocked:
        row(Scope::directory, false, "", "blocked: " + printable(d.realpath));
        break;
    case DirStatus::denied:
        row(Scope::directory, false, "", "denied: " + printable(d.realpath));
        break;
    case DirStatus::invalid:
        row(Scope::directory, false, "", "invalid: " + printable(d.realpath));
        break;
    }
    if (sel.winner == Scope::directory) {
        sel.region = d.content.region;
        sel.ask_profile = d.content.ask_profile;
    }

    bool ambient = in.ambient_aws_profile || in.ambient_ask_profile || in.ambient_env_keys;
    std::string ambient_name = in.ambient_aws_profile   ? *in.ambient_aws_profile
                               : in.ambient_ask_profile ? *in.ambient_ask_profile
                                                        : "";
    row(Scope::ambient, ambient, ambient_name,
        !ambient                 ? "nothing set before credsh"
        : in.ambient_aws_profile ? "AWS_PROFILE was set"
        : in.ambient_ask_profile ? "ASK_DEFAULT_PROFILE was set"
                                 : "AWS_ACCESS_KEY_ID was set");

    if (in.default_profile)
        row(Scope::default_, true, *in.default_profile, "default_profile in credsh config");
    else
        row(Scope::default_, in.default_profile_exists, in.default_profile_exists ? "default" : "",
            in.default_profile_exists ? "the profile named default (left to the SDKs)"
                                      : "no profile named default");

    if (sel.winner) {
        switch (*sel.winner) {
        case Scope::command:
        case Scope::session:
        case Scope::directory:
            sel.applies = true;
            break;
        case Scope::ambient:
            sel.applies = false;
            break;
        case Scope::default_:
            sel.applies = in.default_profile.has_value();
            break;
        }
    }
    return sel;
}

} // namespace credsh
