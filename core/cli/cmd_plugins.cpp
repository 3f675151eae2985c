// credsh plugins [--names]: what the plugin host finds, in search order, with versions and problems, where
// each came from (CREDSH_PLUGIN_PATH, user dir, build tree, system dir), whether it shadows a plugin credsh
// ships, which later files of the same name it hides, and which files were refused (docs/security.md 40).
// Listing loads each plugin to validate it; nothing else in credsh loads a plugin that no profile needs.
#include "base/text.hpp"
#include "cli/cli.hpp"

namespace credsh {

int cmd_plugins(Context& ctx, const Args& args) {
    po::options_description desc("options");
    desc.add_options()("names", "print only the names of usable plugins (for completion)");
    int rc = 0;
    auto vm = parse_args(ctx, args, desc, {}, "plugins [--names]",
                         "Lists the plugins found, where they were found, their versions and any problem; "
                         "exits 1 when one found is unusable (or none is found).",
                         rc);
    if (!vm) return rc;
    PluginHost* host = ctx.plugins();
    auto found = host->list();
    if (vm->count("names")) {
        bool bad = false;
        for (const auto& p : found) {
            if (p.problem.empty())
                ctx.out(p.name + "\n");
            else
                bad = true;
        }
        return bad ? 1 : 0; // as below: non-zero when something found cannot be used
    }
    std::string dirs;
    for (const auto& d : host->search_path())
        dirs += "  " + printable(d.path) + " (" + origin_name(d.origin) + ")\n";
    if (found.empty()) {
        ctx.out("no plugins found; searched:\n" + dirs);
        return 1;
    }
    // One entry per name (the first usable file in search order), its file and origin on the next line, then
    // the files of the same name it hides and those refused.
    int bad = 0;
    for (const auto& p : found) {
        if (p.problem.empty()) {
            ctx.out(printable(p.name) + " " + printable(p.version) + "  " + printable(p.summary) + "\n");
        } else {
            ++bad;
            ctx.out(printable(p.name) + " UNUSABLE: " + p.problem + "\n");
        }
        ctx.out("    " + printable(p.path) + " (" + origin_name(p.origin) + ")\n");
        for (const auto& h : p.shadows)
            ctx.out("    hides " + h + "\n");
        for (const auto& r : p.refused)
            ctx.out("    refused " + r + "\n");
        if (p.shadows_builtin)
            ctx.out("    SHADOWS the built-in plugin " + printable(p.name) + ": credsh's own is not used\n");
    }
    if (bad) ctx.warn(std::to_string(bad) + (bad == 1 ? " plugin is" : " plugins are") + " unusable");
    return bad ? 1 : 0;
}

} // namespace credsh
