#!/usr/bin/python3
"""schema_check: validate a manifest against a CRD's openAPIV3Schema, or Helm values against
values.schema.json, without an API server or helm.

  schema_check.py crd CRD.yaml RESOURCE.yaml
  schema_check.py values values.schema.json values.yaml

Prints "OK", or one line per error: ERROR<TAB>code<TAB>field<TAB>reason<TAB>message, using the
API server's vocabulary (field paths like spec.consumers.deployments[0], cause reasons like
FieldValueInvalid). Exit 0 valid, 1 invalid, 2 when the check itself cannot run.

How it approximates the API server (python3-jsonschema, draft-07):
- defaults are applied first; objects with properties reject unknown fields (strict field
  validation; reported as code 400 reason UnknownField, and then nothing else is checked);
- x-kubernetes-* keys are not JSON Schema: dropped, except x-kubernetes-validations, whose CEL
  rules are evaluated by the Python twins in CEL_RULES below. A rule without a twin is an error
  (exit 2), so the twins cannot silently fall behind the CRD. As on the server, CEL rules run
  only when the schema found nothing.
"""
import datetime
import json
import sys

import jsonschema
import yaml


def _has(obj, key):
    # CEL has(): present and not null ("null valued fields are treated as absent").
    return isinstance(obj, dict) and obj.get(key) is not None


def _size(obj, key):
    return len(obj[key]) if _has(obj, key) else 0


# Each CEL rule of the CRD, and a Python function of `self` that answers as CEL would.
CEL_RULES = {
    "has(self.qstash) != has(self.auth0)":
        lambda s: _has(s, "qstash") != _has(s, "auth0"),
    "has(self.name) != has(self.selector)":
        lambda s: _has(s, "name") != _has(s, "selector"),
    "!has(self.currentKey) || !has(self.nextKey) || self.currentKey != self.nextKey":
        lambda s: not _has(s, "currentKey") or not _has(s, "nextKey")
        or s["currentKey"] != s["nextKey"],
    "!has(self.rotation) || !has(self.rotation.revokePrevious) || !self.rotation.revokePrevious"
    " || has(self.provider.auth0)":
        lambda s: not _has(s, "rotation") or not _has(s["rotation"], "revokePrevious")
        or not s["rotation"]["revokePrevious"] or _has(s["provider"], "auth0"),
    "(has(self.matchLabels) && size(self.matchLabels) > 0) || (has(self.matchExpressions)"
    " && size(self.matchExpressions) > 0)":
        lambda s: _size(s, "matchLabels") > 0 or _size(s, "matchExpressions") > 0,
    "self.operator in ['In', 'NotIn'] ? (has(self.values) && size(self.values) > 0)"
    " : (!has(self.values) || size(self.values) == 0)":
        lambda s: _size(s, "values") > 0 if s["operator"] in ("In", "NotIn")
        else _size(s, "values") == 0,
}


class CheckError(Exception):
    """The check cannot run (bad input files, a CEL rule without a twin)."""


def field_path(parts):
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def normalize(value):
    # YAML timestamps and dates become the strings the API server would see.
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dict):
        return {str(k): normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    return value


def to_json_schema(node):
    """OpenAPI v3 structural schema -> JSON Schema with strict unknown-field handling."""
    if isinstance(node, list):
        return [to_json_schema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key.startswith("x-kubernetes-"):
            continue
        if key in ("properties",):
            out[key] = {k: to_json_schema(v) for k, v in value.items()}
        else:
            out[key] = to_json_schema(value)
    if ("properties" in node and "additionalProperties" not in node
            and not node.get("x-kubernetes-preserve-unknown-fields")):
        out["additionalProperties"] = False
    return out


def apply_defaults(value, schema):
    """Structural defaulting as the API server does it: set, then descend (also into defaults)."""
    if isinstance(value, dict) and schema.get("type") == "object":
        for key, prop in schema.get("properties", {}).items():
            if "default" in prop and value.get(key) is None:
                value[key] = json.loads(json.dumps(prop["default"]))
        for key, child in value.items():
            if key in schema.get("properties", {}):
                apply_defaults(child, schema["properties"][key])
            elif isinstance(schema.get("additionalProperties"), dict):
                apply_defaults(child, schema["additionalProperties"])
    elif isinstance(value, list) and "items" in schema:
        for child in value:
            apply_defaults(child, schema["items"])


def schema_errors(doc, schema, kube_style):
    errors = []
    for e in jsonschema.Draft7Validator(schema).iter_errors(doc):
        path = list(e.absolute_path)
        where = field_path(path) or "<root>"
        v = e.validator
        if not kube_style:
            errors.append(("422", where, v, e.message))
        elif v == "additionalProperties":
            for extra in sorted(set(e.instance) - set(e.schema.get("properties", {}))):
                field = field_path(path + [extra])
                errors.append(("400", field, "UnknownField",
                               f'strict decoding error: unknown field "{field}"'))
        elif v == "required":
            for missing in e.validator_value:
                if missing not in e.instance:
                    errors.append(("422", field_path(path + [missing]), "FieldValueRequired",
                                   "Required value"))
        elif v == "enum":
            allowed = ", ".join(json.dumps(a) for a in e.validator_value)
            errors.append(("422", where, "FieldValueNotSupported",
                           f"Unsupported value: {json.dumps(e.instance)}: supported values: {allowed}"))
        elif v == "type":
            errors.append(("422", where, "FieldValueTypeInvalid",
                           f"{where} in body must be of type {e.validator_value}"))
        elif v == "pattern":
            errors.append(("422", where, "FieldValueInvalid",
                           f"{where} in body should match '{e.validator_value}'"))
        elif v == "minimum":
            errors.append(("422", where, "FieldValueInvalid",
                           f"{where} in body should be greater than or equal to {e.validator_value}"))
        elif v == "maximum":
            errors.append(("422", where, "FieldValueInvalid",
                           f"{where} in body should be less than or equal to {e.validator_value}"))
        elif v == "maxLength":
            errors.append(("422", where, "FieldValueTooLong",
                           f"Too long: may not be longer than {e.validator_value}"))
        elif v in ("maxItems", "maxProperties"):
            errors.append(("422", where, "FieldValueTooMany",
                           f"Too many: must have at most {e.validator_value} items"))
        else:
            errors.append(("422", where, "FieldValueInvalid", e.message))
    unknown = [err for err in errors if err[2] == "UnknownField"]
    return unknown or errors  # strict decoding fails before validation


def cel_errors(value, schema, path):
    errors = []
    for rule in schema.get("x-kubernetes-validations", []):
        twin = CEL_RULES.get(rule["rule"])
        if twin is None:
            raise CheckError(f"no Python twin for CEL rule: {rule['rule']}")
        if not twin(value):
            message = rule.get("message", f"failed rule: {rule['rule']}")
            errors.append(("422", field_path(path) or "<root>", "FieldValueInvalid",
                           f'Invalid value: "object": {message}'))
    if isinstance(value, dict):
        for key, child in value.items():
            sub = schema.get("properties", {}).get(key)
            if sub is None and isinstance(schema.get("additionalProperties"), dict):
                sub = schema["additionalProperties"]
            if sub is not None:
                errors += cel_errors(child, sub, path + [key])
    elif isinstance(value, list) and "items" in schema:
        for i, child in enumerate(value):
            errors += cel_errors(child, schema["items"], path + [i])
    return errors


def load_single(path):
    with open(path, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    if len(docs) != 1:
        raise CheckError(f"{path}: expected one YAML document, found {len(docs)}")
    return normalize(docs[0])


def check_crd(crd_path, resource_path):
    crd = load_single(crd_path)
    versions = crd["spec"]["versions"]
    resource = load_single(resource_path)
    version = resource.get("apiVersion", "").split("/")[-1]
    matches = [v for v in versions if v["name"] == version]
    if not matches:
        raise CheckError(f"{resource_path}: CRD serves no version {version!r}")
    openapi = matches[0]["schema"]["openAPIV3Schema"]
    schema = to_json_schema(openapi)
    jsonschema.Draft7Validator.check_schema(schema)
    apply_defaults(resource, openapi)
    errors = schema_errors(resource, schema, kube_style=True)
    return errors or cel_errors(resource, openapi, [])


def check_values(schema_path, values_path):
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft7Validator.check_schema(schema)
    return schema_errors(load_single(values_path), schema, kube_style=False)


def main(argv):
    modes = {"crd": check_crd, "values": check_values}
    if len(argv) != 4 or argv[1] not in modes:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        errors = modes[argv[1]](argv[2], argv[3])
    except (CheckError, OSError, yaml.YAMLError, jsonschema.SchemaError, KeyError,
            TypeError, ValueError) as e:
        print(f"CHECK-FAILED\t{type(e).__name__}: {e}")
        return 2
    for err in errors:
        print("ERROR\t" + "\t".join(str(x) for x in err))
    if not errors:
        print("OK")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
