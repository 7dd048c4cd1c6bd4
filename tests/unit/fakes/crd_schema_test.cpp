// CrdSchema (the fake API server's structural schema): each keyword the issue lists, with the
// causes worded as apiextensions-apiserver words them (field.Error bodies around kube-openapi's
// messages). The whole-request shapes are compared with real captures in
// tests/integration/fake_kube_crd_schema_test.cpp.
#include <gtest/gtest.h>

#include "tests/fakes/kube/crd_schema.h"

namespace keyroll::fakes {
namespace {
namespace KEYROLL_UNITY_ID {

using json = nlohmann::json;

CrdSchema Schema(const std::string& spec_properties, const std::string& extra = "") {
  return CrdSchema(json::parse(R"({"type": "object", "properties": {"spec": {"type": "object", )" + extra +
                               R"("properties": )" + spec_properties + "}}}"));
}

json Obj(const std::string& spec) {
  return json::parse(R"({"apiVersion": "x.dev/v1", "kind": "X", "metadata": {"name": "a", "junk": 1}, "spec": )" +
                     spec + "}");
}

// "field: reason: message" of each cause.
std::vector<std::string> Causes(const CrdSchema& s, const json& o) {
  std::vector<std::string> out;
  for (const auto& c : s.Validate(o)) out.push_back(c.field + " | " + c.reason + " | " + c.message);
  return out;
}

TEST(CrdSchema, PrunesUnknownFieldsButKeepsTypeMetaAndMetadata) {
  CrdSchema s = Schema(R"({"a": {"type": "string"}, "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true,
                          "properties": {"known": {"type": "object", "properties": {}}}}})");
  json o = Obj(R"({"a": "x", "b": 1, "free": {"anything": {"deep": 1}, "known": {"gone": 1}}})");
  o["status"] = {{"x", 1}};
  auto pruned = s.PruneAndDefault(o);
  EXPECT_EQ(pruned, (std::vector<std::string>{"spec.b", "spec.free.known.gone", "status"}));
  EXPECT_EQ(o["spec"], json::parse(R"({"a": "x", "free": {"anything": {"deep": 1}, "known": {}}})"));
  EXPECT_EQ(o["metadata"]["junk"], 1) << "metadata is the API server's, not the schema's";
  EXPECT_EQ(o["kind"], "X");
}

TEST(CrdSchema, DefaultsFillAbsentFieldsAndDescendIntoDefaults) {
  CrdSchema s = Schema(R"({"r": {"type": "object", "default": {}, "properties": {
                          "tz": {"type": "string", "default": "UTC"},
                          "n": {"type": "integer", "default": 1, "nullable": true}}},
                          "list": {"type": "array", "items": {"type": "object", "properties": {
                          "mode": {"type": "string", "default": "On"}}}},
                          "gone": {"type": "string"}})");
  json o = Obj(R"({"list": [{}, {"mode": "Off"}], "gone": null})");
  s.PruneAndDefault(o);
  EXPECT_EQ(o["spec"], json::parse(R"({"r": {"tz": "UTC", "n": 1}, "list": [{"mode": "On"}, {"mode": "Off"}]})"))
      << "a null in a non-nullable field without default is dropped";
  json kept = Obj(R"({"r": {"n": null, "tz": null}})");
  s.PruneAndDefault(kept);
  EXPECT_TRUE(kept["spec"]["r"]["n"].is_null()) << "nullable: the null stays";
  EXPECT_EQ(kept["spec"]["r"]["tz"], "UTC") << "non-nullable null: defaulted";
  EXPECT_TRUE(s.Validate(kept).empty());
}

TEST(CrdSchema, TypesRequiredAndEnum) {
  CrdSchema s = Schema(R"({"s": {"type": "string"}, "i": {"type": "integer"}, "b": {"type": "boolean"},
                          "e": {"type": "string", "enum": ["A", "B"]}, "n": {"type": "number"}})",
                       R"("required": ["s"], )");
  EXPECT_EQ(Causes(s, Obj(R"({"i": "1", "b": "true", "e": "C", "n": 1})")),
            (std::vector<std::string>{
                "spec.s | FieldValueRequired | Required value",
                "spec.b | FieldValueTypeInvalid | Invalid value: \"string\": spec.b in body must be of type boolean: \"string\"",
                "spec.e | FieldValueNotSupported | Unsupported value: \"C\": supported values: \"A\", \"B\"",
                "spec.i | FieldValueTypeInvalid | Invalid value: \"string\": spec.i in body must be of type integer: \"string\"",
            }))
      << "required first, then each property (a real server's order is Go map order)";
  EXPECT_TRUE(Causes(s, Obj(R"({"s": "", "i": 2.0, "n": 1.5})")).empty()) << "2.0 is a JSON integer";
  EXPECT_FALSE(s.HasCelRules());
}

TEST(CrdSchema, StringsLengthsPatternAndDateTime) {
  CrdSchema s = Schema(R"({"name": {"type": "string", "minLength": 2, "maxLength": 4, "pattern": "^[a-z]+$"},
                          "at": {"type": "string", "format": "date-time"}})");
  EXPECT_EQ(Causes(s, Obj(R"({"name": "a"})")),
            (std::vector<std::string>{"spec.name | FieldValueInvalid | Invalid value: \"a\": spec.name in body should be at least 2 chars long"}));
  EXPECT_EQ(Causes(s, Obj(R"({"name": "abcde"})")),
            (std::vector<std::string>{"spec.name | FieldValueTooLong | Too long: may not be longer than 4"}));
  EXPECT_EQ(Causes(s, Obj(R"({"name": "AB"})")),
            (std::vector<std::string>{"spec.name | FieldValueInvalid | Invalid value: \"AB\": spec.name in body should match '^[a-z]+$'"}));
  EXPECT_TRUE(Causes(s, Obj(R"({"name": "abcd", "at": "2026-12-06T06:15:08Z"})")).empty());
  EXPECT_EQ(Causes(s, Obj("{\"name\": \"\xc3\xa4\xc3\xa4\xc3\xa4\"}")).size(), 1u)
      << "3 characters (6 bytes) are within maxLength 4: only the pattern fails";
  EXPECT_EQ(Causes(s, Obj(R"({"at": "yesterday"})")),
            (std::vector<std::string>{"spec.at | FieldValueTypeInvalid | Invalid value: \"yesterday\": spec.at in body must be of type date-time: \"yesterday\""}));
}

TEST(CrdSchema, RangesItemsAndProperties) {
  CrdSchema s = Schema(R"({"n": {"type": "integer", "minimum": 1, "maximum": 10},
                          "x": {"type": "number", "minimum": 0, "exclusiveMinimum": true},
                          "l": {"type": "array", "maxItems": 2, "items": {"type": "string", "maxLength": 1}},
                          "m": {"type": "object", "maxProperties": 1, "additionalProperties": {"type": "string"}}})");
  EXPECT_EQ(Causes(s, Obj(R"({"n": 11, "x": 0, "l": ["a", "b", "cc"], "m": {"a": "1", "b": 2}})")),
            (std::vector<std::string>{
                "spec.l | FieldValueTooMany | Too many: 3: must have at most 2 items",
                "spec.l[2] | FieldValueTooLong | Too long: may not be longer than 1",
                "spec.m | FieldValueTooMany | Too many: 2: must have at most 1 items",
                "spec.m.b | FieldValueTypeInvalid | Invalid value: \"integer\": spec.m.b in body must be of type string: \"integer\"",
                "spec.n | FieldValueInvalid | Invalid value: 11: spec.n in body should be less than or equal to 10",
                "spec.x | FieldValueInvalid | Invalid value: 0: spec.x in body should be greater than 0",
            }));
  EXPECT_EQ(Causes(s, Obj(R"({"n": 0})")),
            (std::vector<std::string>{"spec.n | FieldValueInvalid | Invalid value: 0: spec.n in body should be greater than or equal to 1"}));
}

TEST(CrdSchema, NullableIntOrStringAndPreserveUnknownFields) {
  CrdSchema s = Schema(R"({"port": {"x-kubernetes-int-or-string": true},
                          "opt": {"type": "string", "nullable": true},
                          "any": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                          "list": {"type": "array", "items": {"type": "string"}}})");
  EXPECT_TRUE(Causes(s, Obj(R"({"port": 8080, "opt": null, "any": {"x": [1]}})")).empty());
  EXPECT_TRUE(Causes(s, Obj(R"({"port": "http"})")).empty());
  EXPECT_EQ(Causes(s, Obj(R"({"port": true, "list": [null]})")),
            (std::vector<std::string>{
                "spec.list[0] | FieldValueTypeInvalid | Invalid value: \"null\": spec.list[0] in body must be of type string: \"null\"",
                "spec.port | FieldValueTypeInvalid | Invalid value: \"boolean\": spec.port in body must be of type integer,string: \"boolean\"",
            }));
}

TEST(CrdSchema, ListMapKeysAreUnique) {
  CrdSchema s = Schema(R"({"conditions": {"type": "array", "x-kubernetes-list-type": "map",
                          "x-kubernetes-list-map-keys": ["type"], "items": {"type": "object", "properties": {
                          "type": {"type": "string"}, "status": {"type": "string"}}}}})");
  EXPECT_EQ(Causes(s, Obj(R"({"conditions": [{"type": "Ready", "status": "True"}, {"type": "Ready", "status": "False"}]})")),
            (std::vector<std::string>{
                "spec.conditions[1] | FieldValueDuplicate | Duplicate value: map[string]interface {}{\"type\":\"Ready\"}"}));
}

TEST(CrdSchema, BlockingErrorsSayCelRulesWereNotChecked) {
  CrdSchema s = Schema(R"({"a": {"type": "string", "pattern": "^x$"}, "b": {"type": "string"}})",
                       R"("x-kubernetes-validations": [{"rule": "true"}], )");
  EXPECT_TRUE(s.HasCelRules());
  // A pattern error does not block CEL on a real server: no extra cause.
  EXPECT_EQ(Causes(s, Obj(R"({"a": "y"})")).size(), 1u);
  auto causes = Causes(s, Obj(R"({"b": 1})"));
  ASSERT_EQ(causes.size(), 2u);
  EXPECT_EQ(causes[1],
            "<nil> | FieldValueInvalid | Invalid value: \"null\": some validation rules were not checked because the "
            "object was invalid; correct the existing errors to complete validation");
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::fakes
