#!/usr/bin/python3
"""schema_check: validate Helm values against values.schema.json without helm.

  schema_check.py values values.schema.json values.yaml

Prints "OK", or one line per error: ERROR<TAB>code<TAB>field<TAB>reason<TAB>message.
Exit 0 valid, 1 invalid, 2 when the check itself cannot run. (Resources against the CRD are
checked in C++ with the fake API server's schema code and a real CEL evaluator:
tests/manifests/crd_check.h.)
"""
import datetime
import json
import sys

import jsonschema
import yaml


class CheckError(Exception):
    """The check cannot run (bad input files)."""


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


def load_single(path):
    with open(path, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    if len(docs) != 1:
        raise CheckError(f"{path}: expected one YAML document, found {len(docs)}")
    return normalize(docs[0])


def check_values(schema_path, values_path):
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft7Validator.check_schema(schema)
    return schema_errors(load_single(values_path), schema, kube_style=False)


def main(argv):
    modes = {"values": check_values}
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
