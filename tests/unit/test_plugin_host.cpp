// The plugin host against real shared libraries: the fixture plugins of tests/plugins/ (one defect each),
// loaded with dlopen exactly as credsh loads its plugins. Asserts the exact error each defect produces, what
// crosses the ABI in both directions, and the lifetime rule: an instance is destroyed before its library is
// unloaded, and the library stays mapped until the host is gone.
#include "helpers.hpp"

#include "pipeline/plugin_host.hpp"

#include <cstddef>
#include <fcntl.h>
#include <filesystem>
#include <link.h>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

using namespace credsh;
using credsh::test::read_file;
using credsh::test::TempDir;
using credsh::test::write_file;

namespace {

const std::string kFixtures = CREDSH_FIXTURE_PLUGIN_DIR;

std::string fixture(const std::string& name) {
    return kFixtures + "/credsh-" + name + ".so";
}

// A host that looks only in `path` (no directories relative to an executable); the install directory is
// always searched last, and holds no fixture.
Env env_with_path(const std::string& path) {
    return Env({{"CREDSH_PLUGIN_PATH", path}, {"FIXTURE_ENV", "from-env"}});
}

// Whether a library with this real path is mapped into the process now.
bool is_mapped(const std::string& path) {
    struct Query {
        std::string want;
        bool found = false;
    } q{std::filesystem::canonical(path).string()};
    dl_iterate_phdr(
        [](dl_phdr_info* info, size_t, void* data) {
            auto* query = static_cast<Query*>(data);
            std::error_code ec;
            if (info->dlpi_name && *info->dlpi_name &&
                std::filesystem::canonical(info->dlpi_name, ec).string() == query->want)
                query->found = true;
            return 0;
        },
        &q);
    return q.found;
}

PluginCall simple_call() {
    PluginCall c;
    c.operation = "credentials";
    c.profile = "dev";
    c.home = "/home/someone";
    c.now = 1700000000;
    c.timeout_ms = 1234;
    return c;
}

// Reads what the host wrote for the person at the terminal.
struct Pipe {
    int fds[2] = {-1, -1};
    Pipe() { REQUIRE(::pipe2(fds, O_NONBLOCK) == 0); }
    ~Pipe() {
        ::close(fds[0]);
        ::close(fds[1]);
    }
    std::string drain() const {
        std::string out;
        char buf[4096];
        ssize_t n;
        while ((n = ::read(fds[0], buf, sizeof buf)) > 0)
            out.append(buf, static_cast<std::size_t>(n));
        return out;
    }
};

} // namespace

TEST_CASE("validate_descriptor checks magic, then ABI version, then size, then fields", "[plugin_host]") {
    credsh_plugin_descriptor d{};
    d.magic = CREDSH_PLUGIN_MAGIC;
    d.abi_version = CREDSH_PLUGIN_ABI_VERSION;
    d.struct_size = sizeof d;
    d.name = "x";
    d.version = "1";
    d.create = [] { return static_cast<void*>(nullptr); };
    d.destroy = [](void*) {};
    d.call = [](void*, const credsh_request*, const credsh_host*) { return int32_t{0}; };
    CHECK(validate_descriptor(&d, "x"));
    CHECK(validate_descriptor(nullptr, "x").error().message == "no descriptor");

    auto bad = d;
    bad.magic = 1;
    bad.abi_version = 7; // magic is judged first: nothing else in a foreign struct means anything
    CHECK(validate_descriptor(&bad, "x").error().message == "not a credsh plugin (wrong magic number)");
    bad = d;
    bad.abi_version = 2;
    bad.struct_size = 1; // the version is judged before the size: a newer ABI may have a different layout
    CHECK(validate_descriptor(&bad, "x").error().message ==
          "built for plugin ABI 2, this credsh speaks ABI 1 (rebuild the plugin against this credsh)");
    bad = d;
    bad.struct_size = sizeof d - 1;
    CHECK(validate_descriptor(&bad, "x").error().message ==
          "descriptor is " + std::to_string(sizeof d - 1) + " bytes, expected at least " +
              std::to_string(sizeof d) + " (built against an older header)");
    bad = d;
    bad.struct_size = sizeof d + 16; // appended fields from a newer header: fine
    CHECK(validate_descriptor(&bad, "x"));
    for (int field = 0; field < 5; ++field) {
        bad = d;
        if (field == 0) bad.name = nullptr;
        if (field == 1) bad.version = nullptr;
        if (field == 2) bad.create = nullptr;
        if (field == 3) bad.destroy = nullptr;
        if (field == 4) bad.call = nullptr;
        CHECK(validate_descriptor(&bad, "x").error().message ==
              "descriptor has an empty name, version or function");
    }
    CHECK(validate_descriptor(&d, "y").error().message ==
          "file is named for plugin y but the plugin calls itself x");
}

TEST_CASE("a defective plugin is refused with a clear error naming the file", "[plugin_host]") {
    REQUIRE(std::filesystem::exists(fixture("good")));
    PluginHost host(env_with_path(kFixtures), "");
    auto refused = [&](const std::string& name) {
        auto r = host.call(name, simple_call());
        REQUIRE_FALSE(r);
        CHECK(r.error().kind == ErrorKind::failed);
        return r.error().message;
    };
    auto at = [](const std::string& name) { return "plugin " + name + " (" + fixture(name) + "): "; };
    CHECK(refused("badmagic") == at("badmagic") + "not a credsh plugin (wrong magic number)");
    CHECK(refused("oldabi") ==
          at("oldabi") + "built for plugin ABI 0, this credsh speaks ABI 1 (rebuild the plugin against this "
                         "credsh)");
    const std::string short_size = std::to_string(offsetof(credsh_plugin_descriptor, call));
    const std::string full_size = std::to_string(sizeof(credsh_plugin_descriptor));
    CHECK(refused("shortstruct") == at("shortstruct") + "descriptor is " + short_size +
                                        " bytes, expected at least " + full_size +
                                        " (built against an older header)");
    CHECK(refused("wrongname") == at("wrongname") +
                                      "file is named for plugin wrongname but the plugin calls itself "
                                      "somebody-else");
    CHECK(refused("nodescriptor") ==
          at("nodescriptor") + "not a credsh plugin (no credsh_plugin_descriptor_v1 symbol)");
    CHECK(refused("unresolved") ==
          at("unresolved") + "cannot be loaded: undefined symbol: credsh_fixture_undefined_function");
    CHECK(refused("notso") == at("notso") + "cannot be loaded: invalid ELF header");
    // Loading worked, running did not: no exception escapes the host, and the status must be one it knows.
    CHECK(refused("throwcreate") ==
          "plugin throwcreate: threw an exception (fixture create failed on purpose)");
    CHECK(refused("throwcall") == "plugin throwcall: threw an exception (fixture call failed on purpose)");
    PluginCall throws_int = simple_call();
    throws_int.settings["throw_int"] = "1";
    auto r = host.call("throwcall", throws_int);
    REQUIRE_FALSE(r);
    CHECK(r.error().message == "plugin throwcall: threw an exception");
    CHECK(refused("nullcreate") == "plugin nullcreate: could not create an instance");
    CHECK(refused("badstatus") == "plugin badstatus: returned unknown status 42");

    auto missing = host.call("nosuch", simple_call());
    REQUIRE_FALSE(missing);
    CHECK(missing.error().kind == ErrorKind::not_found);
    CHECK(missing.error().message == "plugin nosuch is not installed (looked in " + kFixtures + ", " +
                                         std::string(CREDSH_PLUGIN_DIR) + ")");
    // A name is never a path.
    CHECK(refused("../good") == "plugin ../good: not a valid plugin name");
    CHECK(refused("") == "plugin : not a valid plugin name");
}

TEST_CASE("a file too short to be ELF, and a directory named like a plugin", "[plugin_host]") {
    TempDir dir;
    write_file(dir.path / "credsh-tiny.so", "tiny\n");
    std::filesystem::create_directories(dir.path /
                                        "credsh-good.so"); // not a file: must not hide the real one
    PluginHost host(env_with_path(dir.str() + ":" + kFixtures), "");
    auto r = host.call("tiny", simple_call());
    REQUIRE_FALSE(r);
    CHECK(r.error().message ==
          "plugin tiny (" + dir.str() + "/credsh-tiny.so): cannot be loaded: file too short");
    auto good = host.call("good", simple_call());
    REQUIRE(good);
    CHECK(good->get("plugin") == "good");
    bool listed_dir = false;
    for (const auto& p : host.list())
        if (p.name == "good") listed_dir = p.path != fixture("good");
    CHECK_FALSE(listed_dir);
}

TEST_CASE("the good plugin sees the request and its outputs arrive", "[plugin_host]") {
    Pipe err;
    PluginHost host(env_with_path(kFixtures), "", err.fds[1]);
    PluginCall c = simple_call();
    c.settings = {{"region", "eu-west-1"}, {"credsh.x", "y"}};
    c.source = {{"aws_access_key_id", "AKIASOURCE"}};
    c.args = {{"token_code", "123456"}, {"say", "hello\x1b[31m there"}, {"read_secret", "1"}};
    auto r = host.call("good", c);
    REQUIRE(r);
    CHECK(r->status == CREDSH_OK);
    const auto& out = r->out;
    CHECK(out.at("plugin") == "good");
    CHECK(out.at("operation") == "credentials");
    CHECK(out.at("profile") == "dev");
    CHECK(out.at("home") == "/home/someone");
    CHECK(out.at("now") == "1700000000");
    CHECK(out.at("timeout_ms") == "1234");
    CHECK(out.at("interactive") == "0");
    CHECK(out.at("request_size_ok") == "1");
    CHECK(out.at("live_instances") == "1");
    CHECK(out.at("setting.region") == "eu-west-1");
    CHECK(out.at("setting.credsh.x") == "y");
    CHECK(out.at("source.aws_access_key_id") == "AKIASOURCE");
    CHECK(out.at("arg.token_code") == "123456");
    CHECK(out.at("env.FIXTURE_ENV") == "from-env"); // the host's environment is the plugin's
    CHECK(out.at("key") == "last");
    CHECK(out.at("read_secret") == "-1"); // not interactive: no terminal read
    CHECK(r->get("aws_access_key_id") == "AKIAFIXTURE");
    CHECK(r->get("absent").empty());
    // say(): one line for the person, escaped.
    CHECK(err.drain() == "credsh: hello\\x1b[31m there\n");

    // Statuses the ABI defines pass through as replies; the instance from the last call is gone.
    c.args = {{"status", "2"}};
    auto login = host.call("good", c);
    REQUIRE(login);
    CHECK(login->status == CREDSH_NEEDS_LOGIN);
    CHECK(login->get("live_instances") == "1");
    c.args = {{"status", "3"}};
    CHECK(host.call("good", c)->status == CREDSH_UNSUPPORTED);
    c.args = {{"status", "1"}};
    CHECK(host.call("good", c)->status == CREDSH_ERROR);
    c.args = {{"status", "-1"}};
    auto neg = host.call("good", c);
    REQUIRE_FALSE(neg);
    CHECK(neg.error().message == "plugin good: returned unknown status -1");
}

TEST_CASE("an instance is destroyed before its library unloads, which happens only with the host",
          "[plugin_host]") {
    TempDir dir;
    const std::string marker = (dir.path / "marker").string();
    const std::string good = fixture("good"), throwing = fixture("throwcall");
    REQUIRE_FALSE(is_mapped(good)); // no other test's host is alive
    {
        PluginHost host(env_with_path(kFixtures), "");
        CHECK_FALSE(is_mapped(good)); // creating a host loads nothing
        PluginCall c = simple_call();
        c.settings["marker"] = marker;
        REQUIRE(host.call("good", c));
        CHECK(read_file(marker) == "call\ndestroy\n");
        CHECK(is_mapped(good)); // kept for the next call, not reloaded each time
        REQUIRE(host.call("good", c));
        CHECK(read_file(marker) == "call\ndestroy\ncall\ndestroy\n");
        // A call that throws still has its instance destroyed.
        auto r = host.call("throwcall", c);
        REQUIRE_FALSE(r);
        CHECK(read_file(marker) == "call\ndestroy\ncall\ndestroy\ncall\ndestroy\n");
        CHECK(is_mapped(throwing));
    }
    CHECK_FALSE(is_mapped(good));
    CHECK_FALSE(is_mapped(throwing));
    // Both libraries' destructors ran (each appends "unload" to the last marker it saw), after every destroy.
    CHECK(read_file(marker) == "call\ndestroy\ncall\ndestroy\ncall\ndestroy\nunload\nunload\n");
}

TEST_CASE("list() shows every plugin found, first per name, with versions or the reason it is unusable",
          "[plugin_host]") {
    PluginHost host(env_with_path(kFixtures), "");
    std::map<std::string, PluginInfo> by_name;
    for (auto& p : host.list())
        by_name[p.name] = p;
    std::map<std::string, std::string> expect_problem = {
        {"badmagic", "not a credsh plugin (wrong magic number)"},
        {"badstatus", ""},
        {"good", ""},
        {"nodescriptor", "not a credsh plugin (no credsh_plugin_descriptor_v1 symbol)"},
        {"notso", "cannot be loaded: invalid ELF header"},
        {"nullcreate", ""},
        {"oldabi",
         "built for plugin ABI 0, this credsh speaks ABI 1 (rebuild the plugin against this credsh)"},
        {"shortstruct", "descriptor is " + std::to_string(offsetof(credsh_plugin_descriptor, call)) +
                            " bytes, expected at least " + std::to_string(sizeof(credsh_plugin_descriptor)) +
                            " (built against an older header)"},
        {"throwcall", ""},
        {"throwcreate", ""},
        {"unresolved", "cannot be loaded: undefined symbol: credsh_fixture_undefined_function"},
        {"wrongname", "file is named for plugin wrongname but the plugin calls itself somebody-else"},
    };
    for (const auto& [name, problem] : expect_problem) {
        INFO(name);
        REQUIRE(by_name.count(name));
        CHECK(by_name[name].problem == problem);
        CHECK(by_name[name].path == fixture(name));
        CHECK(by_name[name].version == (problem.empty() ? "1.0-fixture" : ""));
    }
    CHECK(by_name["good"].summary == "loader test fixture (good)");

    // Search order: the first directory of CREDSH_PLUGIN_PATH wins, for list() and call() alike.
    for (bool shadow_first : {true, false}) {
        std::string shadow = kFixtures + "/shadow";
        PluginHost h(env_with_path(shadow_first ? shadow + ":" + kFixtures : kFixtures + ":" + shadow), "");
        std::string version;
        for (const auto& p : h.list())
            if (p.name == "good") version = p.version;
        CHECK(version == (shadow_first ? "2.0-shadow" : "1.0-fixture"));
        auto r = h.call("good", simple_call());
        REQUIRE(r);
        CHECK(r->get("plugin") == "good");
    }
}

TEST_CASE("search_path: CREDSH_PLUGIN_PATH, the build tree only from the build tree, then the install "
          "directories",
          "[plugin_host]") {
    // An installed binary (not in the build tree it was built in) never searches <exe>/../plugins.
    PluginHost host(Env(std::map<std::string, std::string>{{"CREDSH_PLUGIN_PATH", "/a::/b"}}),
                    "/opt/credsh/bin");
    std::vector<SearchDir> want = {{"/a", PluginOrigin::env_path},
                                   {"/b", PluginOrigin::env_path},
                                   {"/opt/credsh/bin/../lib/credsh/plugins", PluginOrigin::system_dir},
                                   {CREDSH_PLUGIN_DIR, PluginOrigin::system_dir}};
    CHECK(host.search_path() == want);
    CHECK(host.search_dirs() ==
          std::vector<std::string>{"/a", "/b", "/opt/credsh/bin/../lib/credsh/plugins", CREDSH_PLUGIN_DIR});
    PluginHost none(Env{}, "");
    CHECK(none.search_dirs() == std::vector<std::string>{CREDSH_PLUGIN_DIR});
    // The build tree's bin directory (where credsh is built): its plugins come after CREDSH_PLUGIN_PATH.
    PluginHost built(Env{}, CREDSH_BUILD_BIN_DIR);
    auto path = built.search_path();
    REQUIRE(path.size() == 3);
    CHECK(path[0] == SearchDir{std::string(CREDSH_BUILD_BIN_DIR) + "/../plugins", PluginOrigin::build_tree});
    CHECK(path[1].origin == PluginOrigin::system_dir);
}

TEST_CASE("search_path: the user's own directory after CREDSH_PLUGIN_PATH, before the build tree and the "
          "install directories",
          "[plugin_host]") {
    PluginHost xdg(Env({{"CREDSH_PLUGIN_PATH", "/a"}, {"XDG_DATA_HOME", "/x/data"}, {"HOME", "/home/u"}}),
                   CREDSH_BUILD_BIN_DIR);
    auto path = xdg.search_path();
    REQUIRE(path.size() == 5);
    CHECK(path[0] == SearchDir{"/a", PluginOrigin::env_path});
    CHECK(path[1] == SearchDir{"/x/data/credsh/plugins", PluginOrigin::user_dir});
    CHECK(path[2].origin == PluginOrigin::build_tree);
    CHECK(path[3].origin == PluginOrigin::system_dir);
    CHECK(std::string(origin_name(PluginOrigin::user_dir)) == "user dir");
    // No XDG_DATA_HOME, or a relative one (the XDG spec says to ignore it): ~/.local/share.
    for (const char* data : {"", "relative/data"}) {
        PluginHost home(Env({{"XDG_DATA_HOME", data}, {"HOME", "/home/u"}}), "");
        CHECK(home.search_path().front() ==
              SearchDir{"/home/u/.local/share/credsh/plugins", PluginOrigin::user_dir});
    }
    // Neither: no user directory (never guessed).
    CHECK(PluginHost(Env{}, "").search_path().size() == 1);
}

TEST_CASE("the user's directory: only the user's files; a built-in name is flagged and said",
          "[plugin_host]") {
    TempDir dir;
    const std::string user = dir.str() + "/data/credsh/plugins";
    std::filesystem::create_directories(user);
    ::chmod(user.c_str(), 0700);
    std::filesystem::copy_file(kFixtures + "/builtin-name/credsh-imds.so", user + "/credsh-imds.so");
    std::filesystem::copy_file(fixture("good"), user + "/credsh-good.so");
    Pipe err;
    {
        PluginHost host(Env({{"XDG_DATA_HOME", dir.str() + "/data"}}), "", err.fds[1]);
        auto found = host.list();
        std::map<std::string, PluginInfo> by;
        for (auto& p : found)
            by[p.name] = p;
        REQUIRE(by.count("imds"));
        CHECK(by["imds"].origin == PluginOrigin::user_dir);
        CHECK(by["imds"].shadows_builtin);
        REQUIRE(by.count("good"));
        CHECK(by["good"].origin == PluginOrigin::user_dir);
        CHECK_FALSE(by["good"].shadows_builtin);
    }
    {
        PluginHost host(Env({{"XDG_DATA_HOME", dir.str() + "/data"}}), "", err.fds[1]);
        auto r = host.call("imds", simple_call());
        REQUIRE(r);
        CHECK(r->status == CREDSH_OK);
    }
    CHECK(err.drain() ==
          "credsh: plugin imds: using " + user + "/credsh-imds.so (user dir), not the built-in one\n");
    // Root's file is not expected among a user's own plugins (a system directory may hold root's).
    CHECK(unsafe_owner_or_mode(0, 0100755, 1000, false) == "owned by uid 0, not you");
    CHECK(unsafe_owner_or_mode(1001, 0100755, 1000, false) == "owned by uid 1001, not you");
    CHECK_FALSE(unsafe_owner_or_mode(1000, 0100755, 1000, false));
}

TEST_CASE("owner and mode rules for plugin files and directories", "[plugin_host]") {
    CHECK_FALSE(unsafe_owner_or_mode(1000, 0100755, 1000));
    CHECK_FALSE(unsafe_owner_or_mode(0, 040755, 1000));
    CHECK(unsafe_owner_or_mode(1001, 0100644, 1000) == "owned by uid 1001, not you or root");
    CHECK(unsafe_owner_or_mode(0, 040775, 1000) == "writable by group or others (mode 0775)");
    CHECK(unsafe_owner_or_mode(1000, 0100646, 1000) == "writable by group or others (mode 0646)");
    CHECK(unsafe_owner_or_mode(1000, 041777, 1000) == "writable by group or others (mode 1777)");
}

TEST_CASE("refused plugin files: foreign owner, loose mode, a link out of the directory, a relative path",
          "[plugin_host]") {
    TempDir dir;
    Pipe err;
    const std::string d = dir.str();
    std::filesystem::create_directories(d + "/loose");
    std::filesystem::create_directories(d + "/ok");
    std::filesystem::copy_file(fixture("good"), d + "/loose/credsh-good.so");
    std::filesystem::copy_file(fixture("good"), d + "/ok/credsh-linked.so");
    ::chmod((d + "/loose/credsh-good.so").c_str(), 0664);
    std::filesystem::create_symlink(fixture("good"), d + "/ok/credsh-good.so");      // out of the directory
    std::filesystem::create_symlink("credsh-linked.so", d + "/ok/credsh-inside.so"); // same directory: fine
    {
        PluginHost host(env_with_path(d + "/loose:" + d + "/ok:relative/dir"), "", err.fds[1]);
        auto r = host.call("good", simple_call());
        REQUIRE_FALSE(r);
        CHECK(r.error().kind == ErrorKind::not_found);
        // The inside link is a different plugin name than its target, so the descriptor check refuses it -
        // after the file checks let it through.
        auto inside = host.call("inside", simple_call());
        REQUIRE_FALSE(inside);
        CHECK(inside.error().message.find(
                  "file is named for plugin inside but the plugin calls itself good") != std::string::npos);
    }
    std::string said = err.drain();
    CHECK(said.find("credsh: CREDSH_PLUGIN_PATH entry relative/dir is not an absolute path; ignored\n") !=
          std::string::npos);
    CHECK(said.find("credsh: plugin good: " + d +
                    "/loose/credsh-good.so is writable by group or others (mode 0664); refused\n") !=
          std::string::npos);
    CHECK(said.find("credsh: plugin good: " + d +
                    "/ok/credsh-good.so is a symbolic link out of its directory (to " + fixture("good") +
                    "); refused\n") != std::string::npos);

    // A group-writable directory is not searched at all.
    ::chmod((d + "/loose").c_str(), 0775);
    ::chmod((d + "/loose/credsh-good.so").c_str(), 0644);
    Pipe err2;
    {
        PluginHost host(env_with_path(d + "/loose:" + kFixtures), "", err2.fds[1]);
        auto r = host.call("good", simple_call());
        REQUIRE(r); // from the fixtures, the next directory
    }
    CHECK(err2.drain() == "credsh: plugin directory " + d +
                              "/loose is writable by group or others (mode 0775); not searched\n");
}
