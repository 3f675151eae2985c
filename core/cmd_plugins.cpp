// credsh plugins [--names]: what the plugin host finds, in search order, with versions and problems. Listing
// loads each plugin to validate it; nothing else in credsh loads a plugin that no profile needs.
#include "cli.hpp"
#include "text.hpp"

namespace credsh {

int cmd_plugins(Context& ctx, const Args& args) {
    po::options_description desc("options");
    desc.add_options()("names", "print only the names of usable plugins (for completion)");
    int rc = 0;
    auto vm = parse_args(ctx, args, desc, {}, "plugins [--names]",
                         "Lists the plugins found, where they were found, their versions and any problem.", rc);
    if (!vm) return rc;
    PluginHost* host = ctx.plugins();
    auto found = host->list();
    if (vm->count("names")) {
        for (const auto& p : found)
            if (p.problem.empty()) ctx.out(p.name + "\n");
        return 0;
    }
    std::string dirs;
    for (const auto& d : host->search_dirs()) dirs += "  " + printable(d) + "\n";
    if (found.empty()) {
        ctx.out("no plugins found; searched:\n" + dirs);
        return 1;
    }
    int bad = 0;
    for (const auto& p : found) {
        if (p.problem.empty()) {
            ctx.out(p.name + " " + printable(p.version) + "  " + printable(p.summary) + "\n    " + printable(p.path) + "\n");
        } else {
            ++bad;
            ctx.out(p.name + " UNUSABLE: " + p.problem + "\n");
        }
    }
    return bad ? 1 : 0;
}

} // namespace credsh
