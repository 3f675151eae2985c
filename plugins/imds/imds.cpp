// credsh-imds: credentials of the machine credsh runs on - an EC2 instance profile (IMDSv2, ec2.cpp) or an
// ECS task / EKS Pod Identity role (container.cpp) - for `credential_source = Ec2InstanceMetadata |
// EcsContainer` (alone, or as the source of a role_arn profile: the core then hands the result to mfa-sts),
// and for credsh's own `[profile X] plugin = imds` (credsh.credential_source, default Ec2InstanceMetadata).
//
// Nothing is cached here, nor by the core for a credential_source step (as in botocore: the instance's
// credentials are always at hand; a `plugin = imds` profile is cached like any plugin profile). What keeps
// the prompt from asking IMDS every time is the shell's state, which holds the exported credentials until 15
// minutes before they expire (tests/shell/t_imds_prompt.sh).
#include "base/text.hpp"
#include "expiry.hpp"
#include "fetch.hpp"

namespace credsh::imds {

Lookup env_lookup(const plugin::Request& req) {
    return [&req](const std::string& name) { return req.env(name); };
}

Lookup setting_lookup(const plugin::Request& req) {
    return [&req](const std::string& key) {
        auto v = req.setting(key);
        return v ? v : req.setting("credsh." + key);
    };
}

} // namespace credsh::imds

namespace {

using namespace credsh;
using namespace credsh::plugin;

int32_t run(const Request& req, const Output& out) {
    if (req.operation() != "credentials") return CREDSH_UNSUPPORTED;
    // The container endpoint's token (the file's content is redacted where it is read, container.cpp).
    if (auto t = req.env("AWS_CONTAINER_AUTHORIZATION_TOKEN")) out.add_secret(*t);
    std::string source = imds::setting_lookup(req)("credential_source").value_or("Ec2InstanceMetadata");
    imds::Deadline deadline(req.timeout_ms());
    Result<imds::Fetched> got = fail("");
    if (source == "Ec2InstanceMetadata")
        got = imds::fetch_ec2(req, deadline);
    else if (source == "EcsContainer")
        got = imds::fetch_container(req, deadline);
    else
        return out.error("credential_source " + printable(source) +
                         " is not Ec2InstanceMetadata or EcsContainer");
    if (!got) return out.error(got.error().message);
    if (!got->clock_warning.empty()) out.say(got->clock_warning);
    const imds::MetadataCredentials& c = got->creds;
    // Never hand out what is already expired (IMDS may serve stale credentials while it cannot refresh them);
    // docs/security.md 46, the helper every plugin shares.
    auto expires = checked_expiry(c.expiration, req.now(), got->source + ": the credentials");
    if (!expires) return out.error(expires.error().message);
    out.put("aws_access_key_id", c.access_key_id);
    out.put("aws_secret_access_key", c.secret_access_key);
    out.put("aws_session_token", c.token);
    out.put("expiration", format_iso8601(*expires));
    if (!c.account_id.empty()) out.put("account_id", c.account_id);
    out.put("source", got->source);
    return CREDSH_OK;
}

} // namespace

CREDSH_CXX_PLUGIN("imds", "1.0.0", "EC2 instance metadata (IMDSv2) and ECS/EKS container credentials", run);
