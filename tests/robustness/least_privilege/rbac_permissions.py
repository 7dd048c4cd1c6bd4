#!/usr/bin/env python3
"""Turns the rendered RBAC of deploy/ (`kubectl kustomize deploy/`) into the permissions the
keyroll ServiceAccount holds, one (apiGroup, resource, verb, namespace) per line of a JSON
list, for the fake API server's allow rules (tests/fakes/kube/access_control.h).

  rbac_permissions.py RENDERED_YAML OUTPUT_JSON

Only what is bound to system:serviceaccount:keyroll-system:keyroll counts: ClusterRoles
through ClusterRoleBindings (every namespace), Roles through RoleBindings (their namespace).
resourceNames and nonResourceURLs are refused: the fake cannot express them, and keyroll's
RBAC has none.
"""
import json
import sys

import yaml

SA_NAMESPACE, SA_NAME = "keyroll-system", "keyroll"


def binds_sa(binding):
    return any(s.get("kind") == "ServiceAccount" and s.get("name") == SA_NAME
               and s.get("namespace", binding["metadata"].get("namespace")) == SA_NAMESPACE
               for s in binding.get("subjects") or [])


def main():
    rendered, output = sys.argv[1], sys.argv[2]
    docs = [d for d in yaml.safe_load_all(open(rendered)) if d]
    roles = {(d["kind"], d["metadata"].get("namespace", ""), d["metadata"]["name"]): d
             for d in docs if d["kind"] in ("ClusterRole", "Role")}
    perms = []
    for b in docs:
        if b["kind"] not in ("ClusterRoleBinding", "RoleBinding") or not binds_sa(b):
            continue
        ref = b["roleRef"]
        ns = b["metadata"].get("namespace", "") if b["kind"] == "RoleBinding" else ""
        role = roles[(ref["kind"], ns if ref["kind"] == "Role" else "", ref["name"])]
        for rule in role.get("rules") or []:
            if rule.get("resourceNames") or rule.get("nonResourceURLs"):
                sys.exit("rbac_permissions: resourceNames/nonResourceURLs are not supported")
            for group in rule["apiGroups"]:
                for resource in rule["resources"]:
                    for verb in rule["verbs"]:
                        p = {"apiGroup": group, "resource": resource, "verb": verb, "namespace": ns,
                             "role": "%s/%s" % (ref["kind"], ref["name"])}
                        if p not in perms:
                            perms.append(p)
    if not perms:
        sys.exit("rbac_permissions: nothing is bound to the keyroll ServiceAccount")
    with open(output, "w") as f:
        json.dump(perms, f, indent=1)


if __name__ == "__main__":
    main()
