// object_json.cpp — see object_json.h.
#include "operator/kube/object_json.h"

#include <string>
#include <utility>
#include <vector>

namespace keyroll::kube {
namespace {

using nlohmann::json;

// A SAX handler building the tree as json::parse does (nlohmann's json_sax_dom_parser: a
// key's slot is made when the key is read, values are built in place), except for the
// skipped values.
class DomWithoutManagedFields {
 public:
  explicit DomWithoutManagedFields(json& root) : root_(root) {}

  bool null() { return Value(nullptr); }
  bool boolean(bool v) { return Value(v); }
  bool number_integer(json::number_integer_t v) { return Value(v); }
  bool number_unsigned(json::number_unsigned_t v) { return Value(v); }
  bool number_float(json::number_float_t v, const json::string_t&) { return Value(v); }
  bool string(json::string_t& v) { return Value(v); }  // copied: the lexer reuses its buffer
  bool binary(json::binary_t& v) { return Value(json::binary(v)); }  // never in JSON text

  bool start_object(std::size_t) {
    if (StartsOrInSkip()) return true;
    // The key read last names this object only when its parent is an object.
    const bool is_metadata = !stack_.empty() && stack_.back().value->is_object() && key_is_metadata_;
    stack_.push_back({Place(json::value_t::object), is_metadata});
    return true;
  }
  bool key(json::string_t& k) {
    if (skipping_ > 0) return true;
    if (stack_.back().is_metadata && k == std::string_view("managedFields")) {
      skip_next_ = true;
      return true;
    }
    // The last of duplicate keys wins, as with json::parse.
    element_ = &stack_.back().value->get_ref<json::object_t&>()[k];
    key_is_metadata_ = k == std::string_view("metadata");  // the length first: no strlen per key
    return true;
  }
  bool end_object() { return End(); }
  bool start_array(std::size_t) {
    if (StartsOrInSkip()) return true;
    stack_.push_back({Place(json::value_t::array), false});
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
    Place(std::forward<T>(v));
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
  // Builds the value where the parser is: the root, the next array element, or the slot of
  // the key read last. Returns where it went.
  template <typename T>
  json* Place(T&& v) {
    if (stack_.empty()) {
      root_ = json(std::forward<T>(v));
      return &root_;
    }
    json& parent = *stack_.back().value;
    if (parent.is_array()) {
      auto& array = parent.get_ref<json::array_t&>();
      array.emplace_back(std::forward<T>(v));
      return &array.back();
    }
    *element_ = json(std::forward<T>(v));
    return element_;
  }

  json& root_;
  std::vector<Open> stack_;
  json* element_ = nullptr;  // the slot of the key read last
  bool key_is_metadata_ = false;
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
