// client: typed requests against the Kubernetes API (get, list, paged list, create,
// update, merge/JSON patch, the status subresource, delete with preconditions, watch).
// Objects are nlohmann::json; every call returns Result<T> (the value or a KubeError).
// Thread-safe: one Client serves all threads (pooled keep-alive connections).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/kube/config.h"
#include "operator/kube/resource.h"
#include "operator/kube/result.h"
#include "operator/kube/transport.h"
#include "operator/kube/watch_decoder.h"

namespace keyroll::kube {

using Object = nlohmann::json;

struct ObjectList {
  std::vector<Object> items;
  std::string resource_version;  // the list's metadata.resourceVersion
  std::string continue_token;    // non-empty when more pages follow
  std::optional<long long> remaining_item_count;
};

class Client {
 public:
  static Result<std::unique_ptr<Client>> Create(const Config& config, TransportOptions options = {});
  // LoadConfig(path, context) + Create.
  static Result<std::unique_ptr<Client>> FromKubeconfig(const std::string& path,
                                                        const std::string& context = "");

  const std::string& default_namespace() const { return config_.namespace_name; }
  const Config& config() const { return config_; }
  Transport& transport() { return *transport_; }

  Result<Object> Get(const ResourceRef& r, const std::string& ns, const std::string& name);
  Result<ObjectList> List(const ResourceRef& r, const std::string& ns, const ListOptions& options = {});
  // Follows `continue` until the last page; resource_version is the first page's. With
  // `each`, every item is replaced by each(item) as its page arrives, so a caller that keeps
  // a projection never holds the whole list of full objects at once.
  Result<ObjectList> ListAll(const ResourceRef& r, const std::string& ns, ListOptions options = {},
                             const std::function<Object(const Object&)>& each = nullptr);
  // The same, handing every item to `consume` as its page arrives and keeping nothing;
  // returns the list's resourceVersion.
  Result<std::string> ListEach(const ResourceRef& r, const std::string& ns, ListOptions options,
                               const std::function<void(Object&&)>& consume);

  Result<Object> Create(const ResourceRef& r, const std::string& ns, const Object& object);
  // PUT; the object's metadata.resourceVersion is the precondition (409 Conflict if stale).
  Result<Object> Update(const ResourceRef& r, const std::string& ns, const Object& object);
  Result<Object> UpdateStatus(const ResourceRef& r, const std::string& ns, const Object& object);
  // application/merge-patch+json (RFC 7386).
  Result<Object> MergePatch(const ResourceRef& r, const std::string& ns, const std::string& name,
                            const Object& patch);
  Result<Object> MergePatchStatus(const ResourceRef& r, const std::string& ns,
                                  const std::string& name, const Object& patch);
  // application/json-patch+json (RFC 6902): `ops` is an array of operations.
  Result<Object> JsonPatch(const ResourceRef& r, const std::string& ns, const std::string& name,
                           const Object& ops);
  EmptyResult Delete(const ResourceRef& r, const std::string& ns, const std::string& name,
                     const DeleteOptions& options = {});

  // Streams a watch, calling on_event for ADDED/MODIFIED/DELETED/BOOKMARK events (return
  // false to stop). Returns ok when the server ended the stream (timeoutSeconds) or
  // on_event stopped it; an error for a non-200 answer, an ERROR event (e.g. 410
  // Expired: IsGone), a cut connection or garbage. The read timeout defaults to the
  // watch's timeoutSeconds plus 30 s. canceller.Cancel() ends it promptly.
  EmptyResult Watch(const ResourceRef& r, const std::string& ns, const WatchOptions& options,
                    StreamCanceller& canceller,
                    const std::function<bool(const WatchEvent&)>& on_event,
                    std::optional<std::chrono::milliseconds> read_timeout = std::nullopt);

  // Any other request: the decoded JSON answer or a KubeError for non-2xx.
  Result<Object> Request(const std::string& method, const std::string& path,
                         const std::string& body = "", const std::string& content_type = "");

 private:
  Client(Config config, std::unique_ptr<Transport> transport);
  Result<Object> Write(const std::string& method, const std::string& path, const Object& body,
                       const std::string& content_type);

  Config config_;
  std::unique_ptr<Transport> transport_;
};

// metadata helpers
std::string NameOf(const Object& o);
std::string NamespaceOf(const Object& o);
std::string ResourceVersionOf(const Object& o);
std::string UidOf(const Object& o);

}  // namespace keyroll::kube
