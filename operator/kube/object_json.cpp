// object_json.cpp — see object_json.h.
#include "operator/kube/object_json.h"

#include <string>
#include <vector>

namespace keyroll::kube {
namespace {

using nlohmann::json;

// A SAX handler building the tree as json::parse does, except for the skipped values.
class DomWithoutManagedFields {
 public:
  explicit DomWithoutManagedFields(json& root) : root_(root) {}

  bool null() { return Value(nullptr); }
  bool boolean(bool v) { return Value(v); }
  bool number_integer(json::number_integer_t v) { return Value(v); }
  bool number_unsigned(json::number_unsigned_t v) { return Value(v); }
  bool number_float(json::number_float_t v, const json::string_t&) { return Value(v); }
  bool string(json::string_t& v) { return Value(std::move(v)); }
  bool binary(json::binary_t& v) { return Value(json::binary(v)); }  // never in JSON text

  bool start_object(std::size_t) {
    if (StartsOrInSkip()) return true;
    const bool is_metadata = key_ == "metadata";
    json* object = Place(json::object());
    stack_.push_back({object, is_metadata});
    return true;
  }
  bool key(json::string_t& k) {
    if (skipping_ > 0) return true;
    if (stack_.back().is_metadata && k == "managedFields") {
      skip_next_ = true;
      return true;
    }
    key_ = std::move(k);
    return true;
  }
  bool end_object() { return End(); }
  bool start_array(std::size_t) {
    if (StartsOrInSkip()) return true;
    json* array = Place(json::array());
    stack_.push_back({array, false});
    return true;
  }
  bool end_array() { return End(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

 private:
  struct Open {
    json* value;
    bool is_metadata;  // the object held under a "metadata" key
  };

  // An object or array opens: true when it is skipped (the skipped value, or inside it).
  bool StartsOrInSkip() {
    if (skipping_ > 0 || skip_next_) {
      skip_next_ = false;
      ++skipping_;
      return true;
    }
    return false;
  }
  template <typename T>
  bool Value(T&& v) {
    if (skipping_ > 0) return true;
    if (skip_next_) {  // a skipped key's plain value
      skip_next_ = false;
      return true;
    }
    Place(json(std::forward<T>(v)));
    return true;
  }
  bool End() {
    if (skipping_ > 0) {
      --skipping_;
      return true;
    }
    stack_.pop_back();
    return true;
  }
  // Puts `v` where the parser is (the root, the next array element, or the last key's
  // value); returns where it went.
  json* Place(json v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    json& parent = *stack_.back().value;
    if (parent.is_array()) {
      parent.push_back(std::move(v));
      return &parent.back();
    }
    json& slot = parent[key_];
    slot = std::move(v);
    key_.clear();
    return &slot;
  }

  json& root_;
  std::vector<Open> stack_;
  std::string key_;
  bool skip_next_ = false;
  int skipping_ = 0;  // open containers inside the skipped value
};

}  // namespace

json ParseObjectJson(std::string_view text) {
  json root;
  DomWithoutManagedFields handler(root);
  const bool ok = json::sax_parse(text.begin(), text.end(), &handler, nlohmann::detail::input_format_t::json, true);
  if (!ok) return json(json::value_t::discarded);
  return root;
}

}  // namespace keyroll::kube
