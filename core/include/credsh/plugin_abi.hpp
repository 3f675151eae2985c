// The only header a credsh plugin sees (docs/design.md §5).
//
// A C ABI on purpose: plain structs, function pointers and NUL-terminated UTF-8 strings, so that host and
// plugin share nothing that depends on the C++ standard library, the compiler or its flags. No C++ exception,
// allocation or std::function crosses the boundary: everything a plugin produces is copied into the host
// through `credsh_host::put` during the call, and every string it receives is borrowed for the call's
// duration only.
//
// The header is C11 as well as C++17 (and newer): a plugin may be written in C, or in any language that can
// call and export C functions. C code may include it as <credsh/plugin_abi.h>, its twin. It is installed with
// credsh, with the pkg-config file credsh-plugin.pc and the CMake package credsh (docs/plugins.md).
//
// A plugin exports exactly one symbol, CREDSH_PLUGIN_SYMBOL, a `const credsh_plugin_descriptor`. The host
// checks magic, ABI version and struct size before it reads any other field, and refuses a mismatch with a
// clear error. The host keeps the library loaded until every instance has been destroyed.
#pragma once

#include <stddef.h>
#include <stdint.h>

#define CREDSH_PLUGIN_MAGIC                                                                                  \
    UINT64_C(0x4755504853445243) // "CRDSHPUG" read as little-endian bytes; never changes
#define CREDSH_PLUGIN_ABI_VERSION 1u
#define CREDSH_PLUGIN_SYMBOL credsh_plugin_descriptor_v1
#define CREDSH_PLUGIN_SYMBOL_NAME "credsh_plugin_descriptor_v1"

#ifdef __cplusplus
#define CREDSH_EXTERN_C extern "C"
#define CREDSH_STATIC_ASSERT static_assert
extern "C" {
#else
#define CREDSH_EXTERN_C
#define CREDSH_STATIC_ASSERT _Static_assert
#endif

// Status of one call (what `call` returns, as an int32_t). C++ fixes the enum's type; in C an enum is an int,
// which must then be the same 32 bits: checked below in both languages.
#ifdef __cplusplus
enum credsh_status : int32_t {
#else
enum credsh_status {
#endif
    CREDSH_OK = 0,
    CREDSH_ERROR = 1,       // put("message", ...) says what went wrong, with context; never a secret
    CREDSH_NEEDS_LOGIN = 2, // a person must act first; put("hint", "credsh login dev") says how
    CREDSH_UNSUPPORTED = 3, // this plugin does not implement that operation
};
CREDSH_STATIC_ASSERT(sizeof(enum credsh_status) == sizeof(int32_t), "credsh_status must be 32 bits wide");

typedef struct credsh_kv {
    const char* key;
    const char* value;
} credsh_kv;

typedef struct credsh_kv_list {
    const credsh_kv* items;
    size_t count;
} credsh_kv_list;

// What the host asks for. Operations and the settings each receives are listed in ARCHITECTURE.md
// ("Plugin operations"); in short:
//   "credentials"  the profile's credentials (every plugin)
//   "login"        interactive sign-in (aws-sso device flow, mfa-sts MFA prompt); only with interactive = 1
//   "logout"       forget what login stored
//   other names    plugin-specific subcommands (aws-sso "accounts"; aws-sso "sign-in": which sign-in the
//                  settings use, no network and no person; keyring "store" with args access_key_id and
//                  secret_access_key, and "remove")
// A new operation or reply key is not an ABI change (a plugin answers an operation it does not know with
// CREDSH_UNSUPPORTED, and the host ignores keys it does not read); only a change of these structs is.
typedef struct credsh_request {
    uint32_t struct_size; // sizeof(credsh_request) as the host was built; fields are only ever appended
    const char* operation;
    const char* profile;     // the profile being served ("" when the operation has none)
    credsh_kv_list settings; // the profile's properties, keys lower-cased; plus "sso-session.KEY",
                             // "services.SERVICE.KEY" for the sections it references, and "credsh.KEY" for
                             // credsh's own [profile X] section
    credsh_kv_list env;      // the ambient environment: the shell's without credsh's own exports (a previous
                             // scope's AWS_REGION is not in it); plugins never call getenv()
    credsh_kv_list source; // source credentials for a chained step (aws_access_key_id, aws_secret_access_key,
                           // aws_session_token, expiration); empty otherwise
    credsh_kv_list args;   // operation arguments (e.g. "token_code", "write_config")
    const char* home;      // the directory that stands for ~ (from $HOME)
    int64_t now;           // epoch seconds; tests pin it
    int32_t timeout_ms;    // hard deadline for all network work in this call
    int32_t interactive; // 1: may read /dev/tty and open a browser; 0: a prompt hook, never wait on a person
} credsh_request;

// Services the host offers during one call. `ctx` is the host's; pass it back unchanged.
typedef struct credsh_host {
    uint32_t struct_size;
    void* ctx;
    // Output, copied by the host. A key put twice keeps the last value; a value may not hold a NUL byte.
    // Keys:
    //   credentials (and mfa-sts "assume-role", "assume-role-with-web-identity", "get-session-token"):
    //     aws_access_key_id, aws_secret_access_key, aws_session_token, expiration (ISO 8601 UTC),
    //     account_id, source (what produced them, for messages), "env.NAME" for any other variable to
    //     export (ASK_ACCESS_TOKEN, ...; NAME must be on the host's allow-list and named by the profile);
    //     mfa-sts also assumed_role_arn and assumed_role_id (STS's AssumedRoleUser, kept in the CLI cache
    //     entry);
    //   aws-sso "login": token_file (where the token was stored); "logout": removed ("1"/"0"), token_file;
    //   aws-sso "accounts": accounts (JSON array of {accountId, accountName, emailAddress, roles: [...]});
    //   aws-sso "sign-in": sign_in (the same for every profile that shares one SSO token: "sso-session NAME",
    //     or the start URL of a legacy profile; also what messages name), token_file;
    //   keyring (every operation): backend ("secret-service" or "pass"); "remove": removed ("1"/"0");
    //   any operation that fails: message (what went wrong, with context), hint (what to run next).
    void (*put)(void* ctx, const char* key, const char* value);
    // One line for the person at the terminal (stderr). Never a secret.
    void (*say)(void* ctx, const char* line);
    // Reads one line from the controlling terminal with echo off (only when interactive). Returns the number
    // of bytes stored (NUL-terminated, without the newline), or -1 when there is no terminal or the read
    // failed.
    int32_t (*read_secret)(void* ctx, const char* prompt, char* buf, size_t size);
} credsh_host;

typedef struct credsh_plugin_descriptor {
    uint64_t magic;       // CREDSH_PLUGIN_MAGIC
    uint32_t abi_version; // CREDSH_PLUGIN_ABI_VERSION
    uint32_t struct_size; // sizeof(credsh_plugin_descriptor) as the plugin was built
    const char* name;     // must equal the plugin's file stem: plugins/<name>/ -> credsh-<name>.so
    const char* version;
    const char* summary; // one line for `credsh plugins`
    // Returns an instance, or NULL on failure. Must not throw.
    void* (*create)(void);
    void (*destroy)(void* instance);
    // Runs one request. Must not throw; returns a credsh_status.
    int32_t (*call)(void* instance, const credsh_request* request, const credsh_host* host);
} credsh_plugin_descriptor;

#ifdef __cplusplus
} // extern "C"
#endif

// For plugin authors: defines the exported descriptor with default visibility (plugins build with hidden).
#define CREDSH_DEFINE_PLUGIN(NAME, VERSION, SUMMARY, CREATE, DESTROY, CALL)                                  \
    CREDSH_EXTERN_C __attribute__((visibility("default")))                                                   \
    const credsh_plugin_descriptor CREDSH_PLUGIN_SYMBOL = {CREDSH_PLUGIN_MAGIC,                              \
                                                           CREDSH_PLUGIN_ABI_VERSION,                        \
                                                           sizeof(credsh_plugin_descriptor),                 \
                                                           NAME,                                             \
                                                           VERSION,                                          \
                                                           SUMMARY,                                          \
                                                           CREATE,                                           \
                                                           DESTROY,                                          \
                                                           CALL}
