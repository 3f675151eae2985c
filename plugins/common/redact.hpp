// docs/security.md 35: the one redaction every plugin applies to what it shows. A server may echo the request
// it got - headers and body - in its error text (a proxy, a fake, a misbehaving service), so any text that
// came from a server, and every message a plugin hands to the host, has each secret of the call masked:
// source keys and session tokens, refresh and access tokens, client secrets, MFA codes, authorization codes
// and PKCE verifiers, bearer tokens. A secret is masked in every form a server is likely to echo it in: as
// sent, percent-encoded (form bodies and queries, either hex case), JSON-escaped, and as printable() escapes
// it. User information in a URL (scheme://user:password@host) is masked too (docs/security.md 45).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace credsh::plugin {

// Secrets shorter than this are not masked: they would mangle ordinary words and are not worth hiding.
constexpr std::size_t kMinSecretLength = 4;

// The forms of one secret that redact() looks for, longest first, without duplicates.
std::vector<std::string> secret_forms(std::string_view secret);

// `scheme://user:password@host` -> `scheme://****@host`, for every URL in the text.
std::string redact_userinfo(std::string text);

// The text with every form of every secret replaced by "****" and URL user information masked. Nothing else
// changes (no escaping): it may be applied to text that was already escaped.
std::string redact(std::string text, const std::vector<std::string>& secrets);

// A text from a server, for a message: redacted first (so a cut cannot leave part of a secret), then its
// first line only, at most `cap` bytes, then escaped for the terminal (printable()), then redacted again (an
// escape next to ordinary bytes can spell a secret).
std::string server_text(std::string_view text, const std::vector<std::string>& secrets,
                        std::size_t cap = 300);

} // namespace credsh::plugin
