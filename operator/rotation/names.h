// names.h — Kubernetes name and value rules (apimachinery's validation), each returning
// an error message or nullopt. Only printable ASCII passes where Kubernetes requires it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace keyroll::rotation {

// RFC 1123 subdomain: lowercase alphanumerics, '-' and '.', ≤ 253, alnum at both ends.
std::optional<std::string> CheckDnsSubdomain(std::string_view s);
// RFC 1123 label: lowercase alphanumerics and '-', ≤ 63, alnum at both ends.
std::optional<std::string> CheckDnsLabel(std::string_view s);
// A Secret data key: [-._a-zA-Z0-9]+, ≤ 253, not "." or "..".
std::optional<std::string> CheckSecretDataKey(std::string_view s);
// Label/annotation key: [prefix/]name, prefix a DNS subdomain, name ≤ 63 [A-Za-z0-9-_.].
std::optional<std::string> CheckQualifiedName(std::string_view s);
// Label value: ≤ 63, empty or [A-Za-z0-9-_.] with alnum ends.
std::optional<std::string> CheckLabelValue(std::string_view s);
// Free text (requestID, annotation values): valid UTF-8, no control characters, ≤ max.
std::optional<std::string> CheckFreeText(std::string_view s, size_t max_bytes);
// https://host[:port][/path] without userinfo, query or fragment.
std::optional<std::string> CheckHttpsUrl(std::string_view s);
// host or host:port (Auth0 tenant domain).
std::optional<std::string> CheckHostPort(std::string_view s);

bool IsValidUtf8(std::string_view s);

}  // namespace keyroll::rotation
