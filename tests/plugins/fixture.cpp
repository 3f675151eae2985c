// Fixture plugins for the loader tests (tests/unit/test_plugin_host.cpp, tests/shell/t_plugins.sh). One
// source, compiled once per FIXTURE_KIND (tests/plugins/CMakeLists.txt): a working plugin, and one plugin per
// defect the host must refuse or survive - each with the clear error the tests expect.
//
// The working plugin ("good") also records its life cycle in a marker file named by the setting "marker":
// "call" while running, "destroy" when the host destroys the instance, "unload" from the library's destructor
// (run by dlclose). The test reads the order back: an instance must be destroyed before its library unloads.
#include <credsh/plugin_abi.hpp>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#define FIXTURE_GOOD 1
#define FIXTURE_BAD_MAGIC 2
#define FIXTURE_OLD_ABI 3
#define FIXTURE_SHORT_STRUCT 4
#define FIXTURE_WRONG_NAME 5
#define FIXTURE_NO_DESCRIPTOR 6
#define FIXTURE_UNRESOLVED 7
#define FIXTURE_THROW_CREATE 8
#define FIXTURE_THROW_CALL 9
#define FIXTURE_NULL_CREATE 10
#define FIXTURE_BAD_STATUS 11

#ifndef FIXTURE_KIND
#error "FIXTURE_KIND must be defined"
#endif
#ifndef FIXTURE_NAME
#error "FIXTURE_NAME must be defined"
#endif
#ifndef FIXTURE_VERSION
#define FIXTURE_VERSION "1.0-fixture"
#endif

namespace {

// The marker file of the last call; the library destructor appends "unload" to it. A fixed buffer, not a
// std::string: static destructors of the library run in an unspecified order relative to ours.
char g_marker[4096];
int g_live_instances = 0;

[[maybe_unused]] void mark(const char* path, const char* what) {
    if (!path || !*path) return;
    if (FILE* f = std::fopen(path, "a")) {
        std::fprintf(f, "%s\n", what);
        std::fclose(f);
    }
}

struct Instance {
    char marker[4096];
};

[[maybe_unused]] const char* find(const credsh_kv_list& list, const char* key) {
    for (size_t i = 0; i < list.count; ++i)
        if (std::strcmp(list.items[i].key, key) == 0) return list.items[i].value;
    return nullptr;
}

#if FIXTURE_KIND == FIXTURE_UNRESOLVED
// Defined nowhere: dlopen with RTLD_NOW must refuse the library.
extern "C" int credsh_fixture_undefined_function(void);
#endif

extern "C" void* fixture_create(void) {
#if FIXTURE_KIND == FIXTURE_THROW_CREATE
    throw std::runtime_error("fixture create failed on purpose");
#elif FIXTURE_KIND == FIXTURE_NULL_CREATE
    return nullptr;
#else
    auto* inst = new Instance{};
    ++g_live_instances;
    return inst;
#endif
}

extern "C" void fixture_destroy(void* p) {
    auto* inst = static_cast<Instance*>(p);
    mark(inst->marker, "destroy");
    --g_live_instances;
    delete inst;
}

extern "C" int32_t fixture_call(void* p, const credsh_request* req, const credsh_host* host) {
    auto* inst = static_cast<Instance*>(p);
    if (const char* m = find(req->settings, "marker")) {
        std::snprintf(inst->marker, sizeof inst->marker, "%s", m);
        std::snprintf(g_marker, sizeof g_marker, "%s", m);
        mark(m, "call");
    }
#if FIXTURE_KIND == FIXTURE_THROW_CALL
    (void)host;
    if (find(req->settings, "throw_int")) throw 42; // not a std::exception
    throw std::logic_error("fixture call failed on purpose");
#elif FIXTURE_KIND == FIXTURE_BAD_STATUS
    (void)host;
    return 42;
#elif FIXTURE_KIND == FIXTURE_UNRESOLVED
    (void)host;
    return credsh_fixture_undefined_function();
#else
    host->put(host->ctx, "plugin", FIXTURE_NAME);
    host->put(host->ctx, "operation", req->operation);
    host->put(host->ctx, "profile", req->profile);
    host->put(host->ctx, "home", req->home);
    host->put(host->ctx, "now", std::to_string(req->now).c_str());
    host->put(host->ctx, "timeout_ms", std::to_string(req->timeout_ms).c_str());
    host->put(host->ctx, "interactive", std::to_string(req->interactive).c_str());
    host->put(host->ctx, "request_size_ok", req->struct_size >= sizeof(credsh_request) ? "1" : "0");
    host->put(host->ctx, "live_instances", std::to_string(g_live_instances).c_str());
    // Echo every list back with a prefix, so the test sees exactly what crossed the boundary.
    auto echo = [&](const credsh_kv_list& list, const std::string& prefix) {
        for (size_t i = 0; i < list.count; ++i)
            host->put(host->ctx, (prefix + list.items[i].key).c_str(), list.items[i].value);
    };
    echo(req->settings, "setting.");
    echo(req->source, "source.");
    echo(req->args, "arg.");
    if (const char* v = find(req->env, "FIXTURE_ENV")) host->put(host->ctx, "env.FIXTURE_ENV", v);
    // A reply that names a variable chosen by the test (docs/security.md 32: never one of credsh's own).
    if (const char* n = find(req->env, "FIXTURE_ENV_NAME"))
        host->put(host->ctx, ("env." + std::string(n)).c_str(), "/tmp/evil");
    host->put(host->ctx, "key", "first");
    host->put(host->ctx, "key", "last"); // a key put twice keeps the last value
    if (find(req->args, "say")) host->say(host->ctx, find(req->args, "say"));
    if (find(req->args, "read_secret")) {
        char buf[64];
        int32_t n = host->read_secret(host->ctx, "code: ", buf, sizeof buf);
        host->put(host->ctx, "read_secret", std::to_string(n).c_str());
    }
    if (const char* status = find(req->args, "status")) return static_cast<int32_t>(std::atoi(status));
    host->put(host->ctx, "aws_access_key_id", "AKIAFIXTURE");
    host->put(host->ctx, "aws_secret_access_key", "fixture-secret");
    return CREDSH_OK;
#endif
}

// The library's own destructor: runs when the host finally dlcloses it.
__attribute__((destructor)) void fixture_unloaded() {
    mark(g_marker, "unload");
}

} // namespace

#if FIXTURE_KIND == FIXTURE_NO_DESCRIPTOR
// A valid descriptor, but under another symbol name than the one the host looks for.
extern "C" __attribute__((visibility("default")))
const credsh_plugin_descriptor credsh_plugin_descriptor_v0 = {
#else
extern "C" __attribute__((visibility("default"))) const credsh_plugin_descriptor CREDSH_PLUGIN_SYMBOL = {
#endif
#if FIXTURE_KIND == FIXTURE_BAD_MAGIC
    UINT64_C(0x0123456789abcdef),
#else
    CREDSH_PLUGIN_MAGIC,
#endif
#if FIXTURE_KIND == FIXTURE_OLD_ABI
    0u,
#else
    CREDSH_PLUGIN_ABI_VERSION,
#endif
#if FIXTURE_KIND == FIXTURE_SHORT_STRUCT
    // As if built against an older header that had no `call` member yet.
    static_cast<uint32_t>(offsetof(credsh_plugin_descriptor, call)),
#else
    sizeof(credsh_plugin_descriptor),
#endif
#if FIXTURE_KIND == FIXTURE_WRONG_NAME
    "somebody-else",
#else
    FIXTURE_NAME,
#endif
    FIXTURE_VERSION, "loader test fixture (" FIXTURE_NAME ")", fixture_create, fixture_destroy, fixture_call};
