// Reading STS's query-protocol replies (docs/protocols.md §1): a small, tolerant XML reader that knows only
// what credsh needs - the Credentials, the AssumedRoleUser, and an ErrorResponse's Code and Message.
//
// Why not an XML library: the replies are small and flat, and the plugin should not pull in a DOM parser for
// five fields. "Tolerant" means: namespace prefixes are ignored (sts:Credentials), attributes are skipped,
// the five predefined entities, numeric references and CDATA are decoded, comments / processing instructions
// / DOCTYPE are skipped (no entity from a DOCTYPE is ever expanded), and both error shapes are understood -
// AWS's <ErrorResponse><Error><Code> and moto's <ErrorResponse><Errors><Error><Code>. Pure: no I/O,
// unit-tested.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace credsh::sts {

struct Reply {
    // Credentials (empty when absent).
    std::string access_key_id, secret_access_key, session_token, expiration;
    // AssumeRole / AssumeRoleWithWebIdentity only.
    std::string assumed_role_arn, assumed_role_id;
    // An ErrorResponse (empty when absent).
    std::string error_code, error_message;

    bool has_credentials() const { return !access_key_id.empty() && !secret_access_key.empty(); }
    bool is_error() const { return !error_code.empty(); }
};

Reply parse_reply(std::string_view xml);

// The text of every leaf element, as ("Parent/Child/Leaf" with local names, text) pairs in document order.
// Exposed for the tests; stops quietly at malformed input (what was read so far is kept).
std::vector<std::pair<std::string, std::string>> leaf_elements(std::string_view xml);

} // namespace credsh::sts
