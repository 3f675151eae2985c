// credsh status [--explain] [--json]: what is active in this shell and why - the profile, its scope, what
// serves it (the planned chain's last step, and the whole chain). Never runs a provider and never prints a
// secret: key ids show as ****WXYZ, secrets and tokens only as "set".
#include "base/text.hpp"
#include "cli/cli.hpp"

#include <nlohmann/json.hpp>

namespace credsh {

namespace {

std::string shown_value(const std::string& name, const std::string& value) {
    if (name == "AWS_ACCESS_KEY_ID") return redact(value);
    if (name.find("SECRET") != std::string::npos || name.find("TOKEN") != std::string::npos)
        return "(set, hidden)";
    return printable(value);
}

// --json: the same facts, machine-readable.
nlohmann::json status_json(const ExportPlan& plan) {
    const Selection& sel = plan.selection;
    nlohmann::json j;
    j["profile"] = plan.aws_profile.empty() && !sel.applies ? sel.profile : plan.aws_profile;
    j["ask_profile"] = plan.ask_profile;
    j["scope"] = sel.winner ? std::string(scope_name(*sel.winner)) : "";
    j["applies"] = sel.applies;
    j["provider"] = plan.provider;
    j["chain"] = plan.chain;
    j["region"] = plan.region;
    j["export_mode"] = std::string(export_mode_name(plan.mode));
    if (plan.expires) j["expires"] = format_iso8601(*plan.expires);
    j["scopes"] = nlohmann::json::array();
    for (const auto& r : sel.rows)
        j["scopes"].push_back({{"scope", scope_name(r.scope)},
                               {"present", r.present},
                               {"profile", r.profile},
                               {"detail", r.detail},
                               {"winner", sel.winner == r.scope}});
    nlohmann::json exported = nlohmann::json::object();
    for (const auto& [name, value] : plan.desired)
        if (value) exported[name] = shown_value(name, *value);
    j["exported"] = exported;
    j["messages"] = plan.messages;
    j["error"] = plan.error; // "", "failed" or "login"
    j["error_message"] = plan.error_message;
    j["set_by_hand"] = nlohmann::json::array();
    for (const auto& h : plan.hand)
        j["set_by_hand"].push_back({{"variable", h.name}, {"value", h.value}, {"credsh_choice", h.choice}});
    return j;
}

// The summary: the profile and its scope, ASK profile, region, what serves it.
std::string status_text(const ExportPlan& plan, std::int64_t now) {
    const Selection& sel = plan.selection;
    std::string out;
    if (!sel.winner) {
        out += "no profile is active (no .credprofile here, no session profile, no default)\n";
    } else {
        std::string name =
            sel.applies ? (plan.aws_profile.empty() ? plan.ask_profile : plan.aws_profile) : sel.profile;
        out += "profile   " + name + "  (" + std::string(scope_name(*sel.winner)) + " scope";
        for (const auto& r : sel.rows)
            if (r.scope == *sel.winner) out += ": " + r.detail;
        out += ")\n";
        // What the shell holds against credsh's choice (values are printable()/redact()ed in the plan).
        for (const auto& h : plan.hand)
            out += "          " + h.name + "=" + h.value + " was set by hand; credsh's choice was " +
                   h.choice + "\n";
        if (!plan.ask_profile.empty()) out += "ask       " + plan.ask_profile + "\n";
        if (!plan.region.empty()) out += "region    " + plan.region + "\n";
        if (sel.applies && !plan.provider.empty()) {
            out += "provider  " + plan.provider +
                   " (export mode: " + std::string(export_mode_name(plan.mode)) + ")";
            if (plan.expires)
                out += ", expires " + format_iso8601(*plan.expires) + " (" +
                       human_duration(*plan.expires - now) + ")";
            out += "\n";
        }
        // The steps resolution runs for it (core/pipeline/chain.hpp), names and ARNs from the files made
        // printable.
        if (sel.applies && !plan.chain.empty()) out += "chain     " + printable(plan.chain) + "\n";
        if (!sel.applies)
            out += "          the environment is left as it was; the SDKs resolve it themselves\n";
        // What failed (the shell's last export, remembered in its state) and what happens next.
        if (plan.error == "login")
            out += "error     needs a login: " + printable(plan.error_message) + "\n";
        else if (!plan.error.empty())
            out += "error     no usable credentials: " + printable(plan.error_message) + "\n";
    }
    return out;
}

// --explain: the whole scope table, the winner marked, and every managed variable as it should be now.
std::string status_explain(const ExportPlan& plan) {
    const Selection& sel = plan.selection;
    std::string out;
    out += "\nscopes (highest rank first; > marks the one that applies):\n";
    for (const auto& r : sel.rows) {
        std::string name(scope_name(r.scope));
        out += std::string(sel.winner == r.scope ? "> " : "  ") + name + std::string(11 - name.size(), ' ') +
               (r.present ? r.profile : "-") +
               std::string(r.present && r.profile.size() < 16 ? 16 - r.profile.size() : 1, ' ') + r.detail +
               "\n";
    }
    out += "\nvariables credsh manages (as they should be now):\n";
    size_t unset = 0;
    for (const auto& [name, value] : plan.desired) {
        if (value)
            out += "  " + name + "=" + shown_value(name, *value) + "\n";
        else
            ++unset;
    }
    out += "  (" + std::to_string(unset) + " others unset: stale keys and other tools' variables)\n";
    return out;
}

} // namespace

int cmd_status(Context& ctx, const Args& args) {
    po::options_description desc("options");
    std::string session;
    desc.add_options()("explain", "show the whole scope table, the winner marked")(
        "json", "machine-readable")("session", po::value(&session), "set by the hook's credsh function")(
        "stdin-state", "read the shell's remembered state from stdin (the hook's credsh function does)");
    po::positional_options_description pos;
    int rc = 0;
    auto vm = parse_args(
        ctx, args, desc, pos, "status [--explain] [--json]",
        "Shows which profile is active in this shell, from which scope, and what is exported.", rc);
    if (!vm) return rc;
    if (vm->count("stdin-state")) ctx.state = read_state_from_stdin(ctx);
    ExportRequest req = base_request(ctx);
    req.resolve = false;
    if (!session.empty()) req.session_profile = session;
    ExportPlan plan = plan_export(req);
    if (vm->count("json")) {
        ctx.out(status_json(plan).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
        return plan.failed ? 1 : 0;
    }
    std::string out = status_text(plan, ctx.now);
    if (vm->count("explain")) out += status_explain(plan);
    for (const auto& m : plan.messages)
        ctx.err(m + "\n");
    ctx.out(out);
    return plan.failed ? 1 : 0;
}

} // namespace credsh
