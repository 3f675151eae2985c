// The Secret Service backend (GNOME Keyring, KWallet, KeePassXC) through libsecret. GLib lives only in this
// plugin, never in the host. One item per profile in the default collection, schema org.credsh.AwsKeys,
// attribute `profile`. A locked collection is unlocked only when a person is there and a desktop can show its
// own prompt; otherwise the call fails with one line, and a store writes nothing.
#include "backends.hpp"

#include "base/text.hpp"

#include <libsecret/secret.h>

namespace credsh::keyring {

namespace {

const SecretSchema* schema() {
    static const SecretSchema s = {
        kSchemaName,
        SECRET_SCHEMA_NONE,
        {{"profile", SECRET_SCHEMA_ATTRIBUTE_STRING}, {nullptr, SECRET_SCHEMA_ATTRIBUTE_STRING}},
        0,
        nullptr,
        nullptr,
        nullptr,
        nullptr,
        nullptr,
        nullptr,
        nullptr};
    return &s;
}

Error gerror(const char* what, GError* e) {
    std::string msg = e && e->message ? e->message : "unknown error";
    if (e) g_error_free(e);
    return fail(std::string("the Secret Service: ") + what + ": " + printable(msg));
}

// The service, connected; the default collection, unlocked when allowed.
struct Session {
    SecretService* service = nullptr;
    SecretCollection* collection = nullptr;
    ~Session() {
        if (collection) g_object_unref(collection);
        if (service) g_object_unref(service);
    }
};

Result<void> open(Session& s, const Call& c) {
    GError* e = nullptr;
    s.service = secret_service_get_sync(SECRET_SERVICE_LOAD_COLLECTIONS, nullptr, &e);
    if (!s.service) return gerror("cannot connect", e);
    s.collection = secret_collection_for_alias_sync(s.service, SECRET_COLLECTION_DEFAULT,
                                                    SECRET_COLLECTION_NONE, nullptr, &e);
    if (!s.collection) {
        if (e) return gerror("no default keyring", e);
        return fail("the Secret Service has no default keyring (create one, e.g. with seahorse)");
    }
    if (!secret_collection_get_locked(s.collection)) return {};
    if (c.interactive && c.desktop) {
        GList* objects = g_list_append(nullptr, s.collection);
        GList* unlocked = nullptr;
        secret_service_unlock_sync(s.service, objects, nullptr, &unlocked, &e);
        g_list_free(objects);
        g_list_free_full(unlocked, g_object_unref);
        if (e) return gerror("unlocking the keyring", e);
        if (!secret_collection_get_locked(s.collection)) return {};
    }
    return fail(
        "the keyring is locked; unlock it (log in to the desktop session, or open it in seahorse) and run "
        "the command again");
}

GHashTable* attributes(const std::string& profile) {
    GHashTable* a = g_hash_table_new(g_str_hash, g_str_equal);
    g_hash_table_insert(a, const_cast<char*>("profile"), const_cast<char*>(profile.c_str()));
    return a;
}

} // namespace

Result<std::optional<Keys>> secret_service_get(const Call& c) {
    Session s;
    if (auto ok = open(s, c); !ok) return ok.error();
    GError* e = nullptr;
    GHashTable* attrs = attributes(c.profile);
    GList* items =
        secret_collection_search_sync(s.collection, schema(), attrs, SECRET_SEARCH_LOAD_SECRETS, nullptr, &e);
    g_hash_table_unref(attrs);
    if (e) return gerror("search", e);
    if (!items) return std::optional<Keys>();
    auto* item = static_cast<SecretItem*>(items->data);
    SecretValue* value = secret_item_get_secret(item);
    std::string text;
    if (value) {
        gsize n = 0;
        const gchar* p = secret_value_get(value, &n);
        text.assign(p, n);
        secret_value_unref(value);
    }
    g_list_free_full(items, g_object_unref);
    if (text.empty()) return fail("the Secret Service gave no secret for profile " + printable(c.profile));
    auto k = decode_keys(text);
    if (!k) return k.error();
    return std::optional<Keys>(*k);
}

Result<void> secret_service_put(const Call& c, const Keys& k) {
    Session s;
    if (auto ok = open(s, c); !ok) return ok.error();
    GError* e = nullptr;
    std::string label = "credsh: AWS keys of profile " + c.profile;
    std::string text = encode_keys(k);
    gboolean ok = secret_password_store_sync(schema(), SECRET_COLLECTION_DEFAULT, label.c_str(), text.c_str(),
                                             nullptr, &e, "profile", c.profile.c_str(), nullptr);
    if (!ok) return gerror("storing the keys", e);
    return {};
}

Result<bool> secret_service_remove(const Call& c) {
    Session s;
    if (auto ok = open(s, c); !ok) return ok.error();
    GError* e = nullptr;
    gboolean removed =
        secret_password_clear_sync(schema(), nullptr, &e, "profile", c.profile.c_str(), nullptr);
    if (e) return gerror("removing the keys", e);
    return removed != FALSE;
}

} // namespace credsh::keyring
