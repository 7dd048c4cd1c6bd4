#include "operator/kube/client.h"

#include <spdlog/spdlog.h>

#include "operator/kube/object_json.h"

namespace keyroll::kube {
namespace {

std::string Meta(const Object& o, const char* key) {
  if (!o.is_object()) return "";
  auto m = o.find("metadata");
  if (m == o.end() || !m->is_object()) return "";
  auto v = m->find(key);
  return v != m->end() && v->is_string() ? v->get<std::string>() : "";
}

}  // namespace

std::string NameOf(const Object& o) { return Meta(o, "name"); }
std::string NamespaceOf(const Object& o) { return Meta(o, "namespace"); }
std::string ResourceVersionOf(const Object& o) { return Meta(o, "resourceVersion"); }
std::string UidOf(const Object& o) { return Meta(o, "uid"); }

Client::Client(Config config, std::unique_ptr<Transport> transport)
    : config_(std::move(config)), transport_(std::move(transport)) {}

Result<std::unique_ptr<Client>> Client::Create(const Config& config, TransportOptions options) {
  auto t = Transport::Create(config, options);
  if (!t) return t.error();
  return std::unique_ptr<Client>(new Client(config, std::move(*t)));
}

Result<std::unique_ptr<Client>> Client::FromKubeconfig(const std::string& path, const std::string& context) {
  auto c = LoadConfig(path, context);
  if (!c) return c.error();
  return Create(*c);
}

Result<Object> Client::Request(const std::string& method, const std::string& path,
                               const std::string& body, const std::string& content_type) {
  auto res = transport_->Do({method, path, body, content_type, "application/json"});
  if (!res) return res.error();
  if (res->status < 200 || res->status > 299) {
    return ErrorFromResponse(res->status, res->body, res->retry_after);
  }
  auto j = ParseObjectJson(res->body);
  if (j.is_discarded()) {
    return DecodeError(method + " " + path + ": the answer (HTTP " + std::to_string(res->status) +
                       ") is not JSON");
  }
  return j;
}

Result<Object> Client::Write(const std::string& method, const std::string& path, const Object& body,
                             const std::string& content_type) {
  return Request(method, path, body.dump(), content_type);
}

Result<Object> Client::Get(const ResourceRef& r, const std::string& ns, const std::string& name) {
  return Request("GET", r.ObjectPath(ns, name));
}

Result<ObjectList> Client::List(const ResourceRef& r, const std::string& ns, const ListOptions& options) {
  auto res = Request("GET", r.CollectionPath(ns) + ListQuery(options));
  if (!res) return res.error();
  ObjectList list;
  const Object& j = *res;
  if (auto items = j.find("items"); items != j.end() && items->is_array()) {
    list.items = std::move(res->at("items").get_ref<Object::array_t&>());
  } else if (!(items != j.end() && items->is_null())) {
    return DecodeError("list of " + r.plural + ": the answer has no items");
  }
  if (auto m = j.find("metadata"); m != j.end() && m->is_object()) {
    list.resource_version = m->value("resourceVersion", "");
    list.continue_token = m->value("continue", "");
    if (auto rem = m->find("remainingItemCount"); rem != m->end() && rem->is_number_integer()) {
      list.remaining_item_count = rem->get<long long>();
    }
  }
  return list;
}

Result<std::string> Client::ListEach(const ResourceRef& r, const std::string& ns, ListOptions options,
                                     const std::function<void(Object&&)>& consume) {
  std::string resource_version;
  for (int page = 0;; ++page) {
    auto res = List(r, ns, options);
    if (!res) return res.error();
    if (page == 0) resource_version = res->resource_version;
    for (auto& item : res->items) consume(std::move(item));
    if (res->continue_token.empty()) break;
    options.continue_token = res->continue_token;
  }
  return resource_version;
}

Result<ObjectList> Client::ListAll(const ResourceRef& r, const std::string& ns, ListOptions options,
                                   const std::function<Object(const Object&)>& each) {
  ObjectList all;
  auto rv = ListEach(r, ns, std::move(options),
                     [&](Object&& item) { all.items.push_back(each ? each(item) : std::move(item)); });
  if (!rv) return rv.error();
  all.resource_version = std::move(*rv);
  return all;
}

Result<Object> Client::Create(const ResourceRef& r, const std::string& ns, const Object& object) {
  return Write("POST", r.CollectionPath(r.namespaced ? ns : ""), object, "application/json");
}

Result<Object> Client::Update(const ResourceRef& r, const std::string& ns, const Object& object) {
  return Write("PUT", r.ObjectPath(ns, NameOf(object)), object, "application/json");
}

Result<Object> Client::UpdateStatus(const ResourceRef& r, const std::string& ns, const Object& object) {
  return Write("PUT", r.ObjectPath(ns, NameOf(object), "status"), object, "application/json");
}

Result<Object> Client::MergePatch(const ResourceRef& r, const std::string& ns, const std::string& name,
                                  const Object& patch) {
  return Write("PATCH", r.ObjectPath(ns, name), patch, "application/merge-patch+json");
}

Result<Object> Client::MergePatchStatus(const ResourceRef& r, const std::string& ns,
                                        const std::string& name, const Object& patch) {
  return Write("PATCH", r.ObjectPath(ns, name, "status"), patch, "application/merge-patch+json");
}

Result<Object> Client::JsonPatch(const ResourceRef& r, const std::string& ns, const std::string& name,
                                 const Object& ops) {
  return Write("PATCH", r.ObjectPath(ns, name), ops, "application/json-patch+json");
}

EmptyResult Client::Delete(const ResourceRef& r, const std::string& ns, const std::string& name,
                           const DeleteOptions& options) {
  auto res = Request("DELETE", r.ObjectPath(ns, name), DeleteBody(options), "application/json");
  if (!res) return res.error();
  return Unit{};
}

EmptyResult Client::Watch(const ResourceRef& r, const std::string& ns, const WatchOptions& options,
                          StreamCanceller& canceller,
                          const std::function<bool(const WatchEvent&)>& on_event,
                          std::optional<std::chrono::milliseconds> read_timeout) {
  std::chrono::milliseconds timeout = read_timeout.value_or(
      std::chrono::seconds((options.timeout_seconds > 0 ? options.timeout_seconds : 1800) + 30));
  WatchDecoder decoder;
  std::vector<WatchEvent> events;
  std::optional<KubeError> stream_error;  // an ERROR event or garbage ends the stream
  bool stopped = false;
  auto deliver = [&]() {
    for (auto& ev : events) {
      if (ev.type == WatchEventType::kError) {
        int code = ev.object.value("code", 0);
        stream_error = ErrorFromStatus(code, ev.object.dump());
        return false;
      }
      if (!on_event(ev)) {
        stopped = true;
        return false;
      }
    }
    events.clear();
    return true;
  };
  std::string error_body;
  auto status = transport_->Stream(
      {"GET", r.CollectionPath(ns) + WatchQuery(options), "", "", "application/json"}, timeout, canceller,
      [&](std::string_view bytes) {
        if (auto fed = decoder.Feed(bytes, events); !fed) {
          stream_error = fed.error();
          return false;
        }
        return deliver();
      },
      &error_body);
  if (stream_error) return *stream_error;
  if (stopped) return Unit{};
  if (!status) return status.error();
  if (*status < 200 || *status > 299) return ErrorFromResponse(*status, error_body);
  if (auto fin = decoder.Finish(events); !fin) return fin.error();
  deliver();
  if (stream_error) return *stream_error;
  return Unit{};
}

}  // namespace keyroll::kube
