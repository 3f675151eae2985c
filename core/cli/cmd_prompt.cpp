// credsh prompt: the prompt segment from the CREDSH_* variables the hook keeps exported. For prompts that
// must not spawn a process at all, use the shell variable $CREDSH_PROMPT the hook keeps current instead.
#include "base/text.hpp"
#include "cli/cli.hpp"
#include "config/credsh_config.hpp"
#include "pipeline/prompt.hpp"

namespace credsh {

int cmd_prompt(Context& ctx, const Args& args) {
    po::options_description desc("options");
    std::string format;
    desc.add_options()(
        "format,f", po::value(&format),
        "%p profile, %r region, %t time left, %s scope marker, %e error (! failed, !login), %b blocked, %a "
        "ASK profile, %v its vendor "
        "id; "
        "(...) shows only if a token inside is non-empty");
    po::positional_options_description pos;
    int rc = 0;
    auto vm =
        parse_args(ctx, args, desc, pos, "prompt [--format FORMAT]",
                   "Prints the prompt segment for the current shell, e.g. aws:dev (eu-west-1) 54m.", rc);
    if (!vm) return rc;
    if (format.empty()) {
        auto config = load_credsh_config(ctx.env);
        format = config ? config->prompt_format : std::string(kDefaultPromptFormat);
    }
    PromptValues v;
    v.profile = ctx.env.get("CREDSH_PROFILE").value_or("");
    v.region = ctx.env.get("CREDSH_REGION").value_or("");
    v.ask_profile = ctx.env.get("CREDSH_ASK_PROFILE").value_or("");
    v.ask_vendor_id = ctx.env.get("CREDSH_ASK_VENDOR_ID").value_or("");
    v.blocked = ctx.env.get_nonempty("CREDSH_BLOCKED") ? "blocked" : "";
    if (auto e = ctx.env.get_nonempty("CREDSH_ERROR"))
        v.error = std::string(*e == "login" ? kLoginMark : kErrorMark);
    std::string scope = ctx.env.get("CREDSH_SCOPE").value_or("");
    // Built then moved: GCC 12's -O3 -Wrestrict misfires on assigning a short literal to a std::string
    // (PR105329).
    v.scope_marker = std::string(scope == "session"   ? "*"
                                 : scope == "ambient" ? "~"
                                 : scope == "command" ? "!"
                                                      : "");
    if (auto e = ctx.env.get_nonempty("CREDSH_EXPIRES")) {
        char* end = nullptr;
        long long exp = std::strtoll(e->c_str(), &end, 10);
        if (end && *end == '\0') v.time_left = human_duration(exp - ctx.now);
    }
    std::string s = format_prompt(format, v);
    ctx.out(s.empty() ? s : s + "\n"); // format_prompt escapes: never twice
    return 0;
}

} // namespace credsh
