/* ctoken: a credsh plugin written in C11 against the installed SDK (tests/shell/t_plugin_sdk.sh compiles it
 * with -std=c11 -Wall -Wextra -Wpedantic -Werror and `pkg-config --cflags credsh-plugin`). It serves a
 * profile from its own settings, so the test can drive every path without a server: key_id, secret,
 * expiration   what it returns as aws_access_key_id, aws_secret_access_key, expiration extra_name,
 * extra_value      when set: also env.<extra_name> = extra_value (the host's allow-list decides) Never used
 * outside the tests. */
#include <credsh/plugin_abi.h>

#include <stdio.h>
#include <string.h>

static const char* setting(const credsh_request* r, const char* key) {
    size_t i;
    for (i = 0; i < r->settings.count; ++i)
        if (strcmp(r->settings.items[i].key, key) == 0) return r->settings.items[i].value;
    return NULL;
}

static void* ctoken_create(void) {
    static int instance;
    return &instance;
}

static void ctoken_destroy(void* instance) {
    (void)instance;
}

static int32_t ctoken_call(void* instance, const credsh_request* r, const credsh_host* host) {
    const char* key_id = setting(r, "credsh.key_id");
    const char* secret = setting(r, "credsh.secret");
    const char* expiration = setting(r, "credsh.expiration");
    const char* extra_name = setting(r, "credsh.extra_name");
    const char* extra_value = setting(r, "credsh.extra_value");
    (void)instance;
    if (strcmp(r->operation, "credentials") != 0) return CREDSH_UNSUPPORTED;
    if (!key_id || !secret) {
        host->put(host->ctx, "message", "ctoken: set key_id and secret");
        return CREDSH_ERROR;
    }
    host->put(host->ctx, "aws_access_key_id", key_id);
    host->put(host->ctx, "aws_secret_access_key", secret);
    if (expiration) host->put(host->ctx, "expiration", expiration);
    if (extra_name && extra_value) {
        char key[128];
        int n = snprintf(key, sizeof key, "env.%s", extra_name);
        if (n < 0 || (size_t)n >= sizeof key) return CREDSH_ERROR;
        host->put(host->ctx, key, extra_value);
    }
    return CREDSH_OK;
}

CREDSH_DEFINE_PLUGIN("ctoken", "1.0-c", "C11 test plugin: keys from its settings", ctoken_create,
                     ctoken_destroy, ctoken_call);
