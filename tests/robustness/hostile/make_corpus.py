#!/usr/bin/env python3
"""Writes the hostile SigningKeyRotation corpus (one *.yaml per case) next to this script.

Each case is a valid base resource with one hostile change. Every file starts with
  # hostile: <what is wrong>
  # expect: field=<path the InvalidSpec message must name>
and holds one object named hostile-<file name>. The files are committed; rerun this after
editing a case (python3 tests/robustness/hostile/make_corpus.py). Huge and deeply nested
values are generated here so the corpus stays reviewable as code.
"""
import copy
import os
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
Q = "spec.provider.qstash"
REF = Q + ".tokenSecretRef"


def base(name):
    return {
        "apiVersion": "keyroll.dev/v1alpha1",
        "kind": "SigningKeyRotation",
        "metadata": {"name": "hostile-" + name},
        "spec": {
            "provider": {"qstash": {"tokenSecretRef": {"name": "qstash", "key": "QSTASH_TOKEN"}}},
            "target": {"secretName": "hostile-" + name + "-keys"},
        },
    }


def put(obj, path, value):
    """Sets obj[path...] = value; DELETE removes the key."""
    node = obj
    for k in path[:-1]:
        node = node.setdefault(k, {})
    if value is DELETE:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value


DELETE = object()


def nested(depth, leaf="x", kind="map"):
    v = leaf
    for _ in range(depth):
        v = {"a": v} if kind == "map" else [v]
    return v


HUGE = "a" * 100_000
HUGE_NAME = "q" * 100_000
UNICODE = "qst\u00e4sh-\u2603-\U0001F511"
RTL = "\u202eqstash"  # right-to-left override

# (file, what, field, [(path, value), ...])
CASES = [
    # the envelope
    ("spec-string", "spec is a string", "spec", [(["spec"], "hello")]),
    ("spec-array", "spec is a list", "spec", [(["spec"], [1, 2, 3])]),
    ("spec-null", "spec is null", "spec", [(["spec"], None)]),
    ("spec-missing", "spec is missing", "spec", [(["spec"], DELETE)]),
    ("spec-number", "spec is a number", "spec", [(["spec"], 42)]),
    ("spec-unknown-typo", "a typo'd field (rotaton)", "spec.rotaton", [(["spec", "rotaton"], {"suspend": True})]),
    ("spec-deep-nesting", "an unknown field holding 200 nested lists", "spec.extra",
     [(["spec", "extra"], nested(200, kind="list"))]),
    ("rotate-request-huge", "the rotate-request annotation is 10 000 bytes",
     "metadata.annotations[keyroll.dev/rotate-request]",
     [(["metadata", "annotations"], {"keyroll.dev/rotate-request": "r" * 10_000})]),
    ("rotate-request-control", "the rotate-request annotation holds control characters",
     "metadata.annotations[keyroll.dev/rotate-request]",
     [(["metadata", "annotations"], {"keyroll.dev/rotate-request": "a\u0000b\u001bc\nd"})]),
    # provider
    ("provider-array", "provider is a list", "spec.provider", [(["spec", "provider"], [{"qstash": {}}])]),
    ("provider-number", "provider is a number", "spec.provider", [(["spec", "provider"], 7)]),
    ("provider-empty", "provider is an empty object", "spec.provider", [(["spec", "provider"], {})]),
    ("provider-null", "provider is null", "spec.provider", [(["spec", "provider"], None)]),
    ("provider-qstash-null", "qstash: null and nothing else", "spec.provider",
     [(["spec", "provider"], {"qstash": None})]),
    ("provider-unknown", "an unknown provider (vault)", "spec.provider.vault",
     [(["spec", "provider"], {"vault": {"path": "x"}})]),
    ("provider-both", "both qstash and auth0", "spec.provider",
     [(["spec", "provider", "auth0"], {"domain": "t.eu.auth0.com", "clientSecretRef": {"name": "a0"}})]),
    ("qstash-string", "qstash is a string", Q, [(["spec", "provider", "qstash"], "token-here")]),
    ("qstash-array", "qstash is a list where an object goes", Q, [(["spec", "provider", "qstash"], [{"tokenSecretRef": {"name": "qstash"}}])]),
    ("token-ref-missing", "no tokenSecretRef", REF, [(["spec", "provider", "qstash", "tokenSecretRef"], DELETE)]),
    ("token-ref-null", "tokenSecretRef is null", REF, [(["spec", "provider", "qstash", "tokenSecretRef"], None)]),
    ("token-ref-string", "tokenSecretRef is a string", REF, [(["spec", "provider", "qstash", "tokenSecretRef"], "qstash")]),
    ("token-ref-name-number", "the token Secret's name is a number", REF + ".name",
     [(["spec", "provider", "qstash", "tokenSecretRef", "name"], 12345)]),
    ("token-ref-name-array", "the token Secret's name is a list", REF + ".name",
     [(["spec", "provider", "qstash", "tokenSecretRef", "name"], ["qstash"])]),
    ("token-ref-name-empty", "the token Secret's name is empty", REF + ".name",
     [(["spec", "provider", "qstash", "tokenSecretRef", "name"], "")]),
    ("token-ref-name-huge", "the token Secret's name is 100 000 bytes", REF + ".name",
     [(["spec", "provider", "qstash", "tokenSecretRef", "name"], HUGE_NAME)]),
    ("token-ref-name-unicode", "the token Secret's name has umlauts and emoji", REF + ".name",
     [(["spec", "provider", "qstash", "tokenSecretRef", "name"], UNICODE)]),
    ("token-ref-name-rtl", "the token Secret's name has a right-to-left override", REF + ".name",
     [(["spec", "provider", "qstash", "tokenSecretRef", "name"], RTL)]),
    ("token-ref-name-traversal", "the token Secret's name is a path", REF + ".name",
     [(["spec", "provider", "qstash", "tokenSecretRef", "name"], "../kube-system/admin")]),
    ("token-ref-key-slash", "the token key has a slash", REF + ".key",
     [(["spec", "provider", "qstash", "tokenSecretRef", "key"], "a/b")]),
    ("token-ref-key-dotdot", "the token key is ..", REF + ".key",
     [(["spec", "provider", "qstash", "tokenSecretRef", "key"], "..")]),
    ("token-ref-other-namespace", "the token Secret is in kube-system", REF + ".namespace",
     [(["spec", "provider", "qstash", "tokenSecretRef", "namespace"], "kube-system")]),
    ("url-http", "a plain-http provider URL", Q + ".url", [(["spec", "provider", "qstash", "url"], "http://qstash.upstash.io")]),
    ("url-userinfo", "credentials in the URL", Q + ".url", [(["spec", "provider", "qstash", "url"], "https://user:pass@qstash.upstash.io")]),
    ("url-query", "a query string in the URL", Q + ".url", [(["spec", "provider", "qstash", "url"], "https://qstash.upstash.io/?token=abc")]),
    ("url-huge", "a 100 000-byte URL", Q + ".url", [(["spec", "provider", "qstash", "url"], "https://" + HUGE + ".io")]),
    ("url-nul", "a NUL byte in the URL", Q + ".url", [(["spec", "provider", "qstash", "url"], "https://qstash.upstash.io\u0000.evil.com")]),
    ("url-number", "the URL is a number", Q + ".url", [(["spec", "provider", "qstash", "url"], 443)]),
    ("url-file-scheme", "a file: URL", Q + ".url", [(["spec", "provider", "qstash", "url"], "file:///etc/passwd")]),
    ("auth0-domain-path", "the Auth0 domain carries a path", "spec.provider.auth0.domain",
     [(["spec", "provider"], {"auth0": {"domain": "evil.com/steal?x=", "clientSecretRef": {"name": "a0"}}})]),
    ("auth0-ref-other-namespace", "the Auth0 client Secret is in another namespace",
     "spec.provider.auth0.clientSecretRef.namespace",
     [(["spec", "provider"], {"auth0": {"domain": "t.eu.auth0.com", "clientSecretRef": {"name": "a0", "namespace": "other"}}})]),
    ("auth0-no-ref", "Auth0 without clientSecretRef", "spec.provider.auth0.clientSecretRef",
     [(["spec", "provider"], {"auth0": {"domain": "t.eu.auth0.com"}})]),
    # target
    ("target-array", "target is a list", "spec.target", [(["spec", "target"], ["hostile-keys"])]),
    ("target-other-namespace", "the target Secret in another namespace", "spec.target.namespace",
     [(["spec", "target", "namespace"], "kube-system")]),
    ("target-name-uppercase", "secretName has capitals", "spec.target.secretName", [(["spec", "target", "secretName"], "Keys")]),
    ("target-name-huge", "secretName is 100 000 bytes", "spec.target.secretName", [(["spec", "target", "secretName"], HUGE)]),
    ("target-name-unicode", "secretName is unicode", "spec.target.secretName", [(["spec", "target", "secretName"], UNICODE)]),
    ("target-name-bool", "secretName is a boolean", "spec.target.secretName", [(["spec", "target", "secretName"], True)]),
    ("target-same-keys", "currentKey equals nextKey", "spec.target.nextKey",
     [(["spec", "target", "currentKey"], "K"), (["spec", "target", "nextKey"], "K")]),
    ("target-key-space", "currentKey has a space", "spec.target.currentKey", [(["spec", "target", "currentKey"], "A B")]),
    ("target-key-empty", "nextKey is empty", "spec.target.nextKey", [(["spec", "target", "nextKey"], "")]),
    ("target-labels-array", "labels is a list", "spec.target.labels", [(["spec", "target", "labels"], ["a=b"])]),
    ("target-labels-number-value", "a label value is a number", "spec.target.labels",
     [(["spec", "target", "labels"], {"tier": 1})]),
    ("target-labels-too-many", "200 labels", "spec.target.labels",
     [(["spec", "target", "labels"], {"l%d" % i: "v" for i in range(200)})]),
    ("target-labels-deep", "a label value nested 200 maps deep", "spec.target.labels",
     [(["spec", "target", "labels"], {"a": nested(200)})]),
    ("target-labels-managed-by", "overrides the managed-by label", "spec.target.labels",
     [(["spec", "target", "labels"], {"app.kubernetes.io/managed-by": "me"})]),
    ("target-annotations-reserved", "sets a keyroll.dev/ annotation", "spec.target.annotations",
     [(["spec", "target", "annotations"], {"keyroll.dev/keys-hash": "forged"})]),
    ("target-annotations-huge", "a 100 000-byte annotation", "spec.target.annotations",
     [(["spec", "target", "annotations"], {"note": HUGE})]),
    ("target-deletion-lowercase", "deletionPolicy delete (lowercase)", "spec.target.deletionPolicy",
     [(["spec", "target", "deletionPolicy"], "delete")]),
    ("target-deletion-object", "deletionPolicy is an object", "spec.target.deletionPolicy",
     [(["spec", "target", "deletionPolicy"], {"Delete": True})]),
    # durations
    ("refresh-zero", "refreshInterval 0s", "spec.refreshInterval", [(["spec", "refreshInterval"], "0s")]),
    ("refresh-negative", "refreshInterval -5m", "spec.refreshInterval", [(["spec", "refreshInterval"], "-5m")]),
    ("refresh-overflow", "refreshInterval beyond int64 nanoseconds", "spec.refreshInterval",
     [(["spec", "refreshInterval"], "9999999999999999999h")]),
    ("refresh-number", "refreshInterval is a number", "spec.refreshInterval", [(["spec", "refreshInterval"], 300)]),
    ("refresh-fraction", "refreshInterval 10.5s", "spec.refreshInterval", [(["spec", "refreshInterval"], "10.5s")]),
    ("refresh-no-unit", "refreshInterval 300", "spec.refreshInterval", [(["spec", "refreshInterval"], "300")]),
    ("refresh-fullwidth", "refreshInterval in full-width digits", "spec.refreshInterval", [(["spec", "refreshInterval"], "\uff15m")]),
    ("max-key-age-zero", "maxKeyAge 0s", "spec.rotation.maxKeyAge", [(["spec", "rotation"], {"maxKeyAge": "0s"})]),
    ("max-key-age-absurd", "maxKeyAge 1000000h (114 years)", "spec.rotation.maxKeyAge",
     [(["spec", "rotation"], {"maxKeyAge": "1000000h"})]),
    ("min-interval-negative", "minInterval -1h", "spec.rotation.minInterval", [(["spec", "rotation"], {"minInterval": "-1h"})]),
    ("min-interval-many-units", "minInterval as 64 chained units", "spec.rotation.minInterval",
     [(["spec", "rotation"], {"minInterval": "1h" * 40})]),
    # rotation and cron
    ("rotation-string", "rotation is a string", "spec.rotation", [(["spec", "rotation"], "weekly")]),
    ("cron-six-fields", "a seconds field", "spec.rotation.schedule", [(["spec", "rotation"], {"schedule": "0 0 3 * * 1"})]),
    ("cron-minute-60", "minute 60", "spec.rotation.schedule", [(["spec", "rotation"], {"schedule": "60 * * * *"})]),
    ("cron-step-zero", "step */0", "spec.rotation.schedule", [(["spec", "rotation"], {"schedule": "*/0 * * * *"})]),
    ("cron-step-huge", "step beyond int", "spec.rotation.schedule", [(["spec", "rotation"], {"schedule": "*/99999999999999999999 * * * *"})]),
    ("cron-reversed-range", "range 5-1", "spec.rotation.schedule", [(["spec", "rotation"], {"schedule": "5-1 * * * *"})]),
    ("cron-feb-30", "a date that never comes (30 February)", "spec.rotation.schedule",
     [(["spec", "rotation"], {"schedule": "0 0 30 2 *"})]),
    ("cron-dow-8", "day of week 8", "spec.rotation.schedule", [(["spec", "rotation"], {"schedule": "0 3 * * 8"})]),
    ("cron-reboot", "@reboot", "spec.rotation.schedule", [(["spec", "rotation"], {"schedule": "@reboot"})]),
    ("cron-huge", "a 10 000-byte schedule", "spec.rotation.schedule", [(["spec", "rotation"], {"schedule": "1," * 5000 + "2 * * * *"})]),
    ("cron-fullwidth", "full-width digits", "spec.rotation.schedule", [(["spec", "rotation"], {"schedule": "\uff10 \uff13 * * *"})]),
    ("cron-number", "schedule is a number", "spec.rotation.schedule", [(["spec", "rotation"], {"schedule": 5})]),
    ("cron-negative", "minute -1", "spec.rotation.schedule", [(["spec", "rotation"], {"schedule": "-1 * * * *"})]),
    ("time-zone-unknown", "time zone Mars/Olympus_Mons", "spec.rotation.timeZone",
     [(["spec", "rotation"], {"schedule": "0 3 * * *", "timeZone": "Mars/Olympus_Mons"})]),
    ("time-zone-traversal", "a time zone that is a path", "spec.rotation.timeZone",
     [(["spec", "rotation"], {"schedule": "0 3 * * *", "timeZone": "../../../../etc/passwd"})]),
    ("time-zone-huge", "a 100 000-byte time zone", "spec.rotation.timeZone",
     [(["spec", "rotation"], {"timeZone": HUGE})]),
    ("request-id-object", "requestID is an object", "spec.rotation.requestID",
     [(["spec", "rotation"], {"requestID": {"id": 1}})]),
    ("request-id-huge", "requestID is 100 000 bytes", "spec.rotation.requestID", [(["spec", "rotation"], {"requestID": HUGE})]),
    ("suspend-string", "suspend \"yes\"", "spec.rotation.suspend", [(["spec", "rotation"], {"suspend": "yes"})]),
    # consumers
    ("consumers-array", "consumers is a list", "spec.consumers", [(["spec", "consumers"], [{"name": "api"}])]),
    ("deployments-object", "deployments is an object where a list goes", "spec.consumers.deployments",
     [(["spec", "consumers"], {"deployments": {"name": "api"}})]),
    ("deployments-too-many", "1000 deployments", "spec.consumers.deployments",
     [(["spec", "consumers"], {"deployments": [{"name": "d%d" % i} for i in range(1000)]})]),
    ("deployment-string", "a deployment given as a string", "spec.consumers.deployments[0]",
     [(["spec", "consumers"], {"deployments": ["api"]})]),
    ("deployment-null", "a null deployment entry", "spec.consumers.deployments[0]",
     [(["spec", "consumers"], {"deployments": [None]})]),
    ("deployment-other-namespace", "a consumer in kube-system", "spec.consumers.deployments[0].namespace",
     [(["spec", "consumers"], {"deployments": [{"name": "coredns", "namespace": "kube-system"}]})]),
    ("deployment-duplicate", "the same deployment twice", "spec.consumers.deployments[1].name",
     [(["spec", "consumers"], {"deployments": [{"name": "api"}, {"name": "api"}]})]),
    ("selector-empty", "an empty selector (every Deployment)", "spec.consumers.deployments[0].selector",
     [(["spec", "consumers"], {"deployments": [{"selector": {}}]})]),
    ("selector-empty-parts", "empty matchLabels and matchExpressions (every Deployment)",
     "spec.consumers.deployments[0].selector",
     [(["spec", "consumers"], {"deployments": [{"selector": {"matchLabels": {}, "matchExpressions": []}}]})]),
    ("selector-bad-operator", "operator Like", "spec.consumers.deployments[0].selector.matchExpressions[0].operator",
     [(["spec", "consumers"], {"deployments": [{"selector": {"matchExpressions": [{"key": "app", "operator": "Like", "values": ["a"]}]}}]})]),
    ("selector-in-no-values", "In without values", "spec.consumers.deployments[0].selector.matchExpressions[0].values",
     [(["spec", "consumers"], {"deployments": [{"selector": {"matchExpressions": [{"key": "app", "operator": "In"}]}}]})]),
    ("selector-value-long", "a 64-character label value", "spec.consumers.deployments[0].selector.matchLabels",
     [(["spec", "consumers"], {"deployments": [{"selector": {"matchLabels": {"app": "v" * 64}}}]})]),
    ("restart-unknown", "restart Always", "spec.consumers.restart", [(["spec", "consumers"], {"restart": "Always"})]),
    ("restarts-zero", "maxConcurrentRestarts 0", "spec.consumers.maxConcurrentRestarts",
     [(["spec", "consumers"], {"maxConcurrentRestarts": 0})]),
    ("restarts-negative", "maxConcurrentRestarts -1", "spec.consumers.maxConcurrentRestarts",
     [(["spec", "consumers"], {"maxConcurrentRestarts": -1})]),
    ("restarts-uint64-max", "maxConcurrentRestarts 2^64-1", "spec.consumers.maxConcurrentRestarts",
     [(["spec", "consumers"], {"maxConcurrentRestarts": 18446744073709551615})]),
    ("restarts-float", "maxConcurrentRestarts 2.5", "spec.consumers.maxConcurrentRestarts",
     [(["spec", "consumers"], {"maxConcurrentRestarts": 2.5})]),
    ("restarts-huge-float", "maxConcurrentRestarts 1e300", "spec.consumers.maxConcurrentRestarts",
     [(["spec", "consumers"], {"maxConcurrentRestarts": 1e300})]),
    ("restarts-string", "maxConcurrentRestarts \"2\"", "spec.consumers.maxConcurrentRestarts",
     [(["spec", "consumers"], {"maxConcurrentRestarts": "2"})]),
    ("discover-string", "discover \"true\"", "spec.consumers.discover", [(["spec", "consumers"], {"discover": "true"})]),
]

# Written as raw text: YAML that PyYAML would not emit.
RAW = {
    "duplicate-keys": ("the same key twice, both values invalid (last one wins on the server)",
                       "spec.rotation.schedule",
                       "spec:\n  provider:\n    qstash:\n      tokenSecretRef: {name: qstash, key: QSTASH_TOKEN}\n"
                       "  target: {secretName: hostile-duplicate-keys-keys}\n"
                       "  rotation:\n    schedule: \"61 * * * *\"\n    schedule: \"* 25 * * *\"\n"),
}


def main():
    for f in os.listdir(HERE):
        if f.endswith(".yaml"):
            os.remove(os.path.join(HERE, f))
    for name, what, field, changes in CASES:
        obj = base(name)
        for path, value in changes:
            put(obj, path, value if value is DELETE else copy.deepcopy(value))
        text = yaml.safe_dump(obj, sort_keys=False, allow_unicode=True, width=1 << 30)
        with open(os.path.join(HERE, name + ".yaml"), "w", encoding="utf-8") as out:
            out.write("# hostile: %s\n# expect: field=%s\n%s" % (what, field, text))
    for name, (what, field, spec) in RAW.items():
        head = ("apiVersion: keyroll.dev/v1alpha1\nkind: SigningKeyRotation\n"
                "metadata:\n  name: hostile-%s\n" % name)
        with open(os.path.join(HERE, name + ".yaml"), "w", encoding="utf-8") as out:
            out.write("# hostile: %s\n# expect: field=%s\n%s%s" % (what, field, head, spec))
    print(len(CASES) + len(RAW), "files")


if __name__ == "__main__":
    main()
