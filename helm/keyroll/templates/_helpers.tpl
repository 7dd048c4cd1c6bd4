{{/* Names, labels and the operator's RBAC rules, shared by every template. */}}

{{/* Chart name, overridable with nameOverride. */}}
{{- define "keyroll.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-scoped name: fullnameOverride, else release name (+ chart name unless it contains it). */}}
{{- define "keyroll.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Selector labels: stable for the life of the release. */}}
{{- define "keyroll.selectorLabels" -}}
app.kubernetes.io/name: {{ include "keyroll.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Standard labels on every resource. */}}
{{- define "keyroll.labels" -}}
{{ include "keyroll.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: keyroll
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The ServiceAccount the operator runs as. */}}
{{- define "keyroll.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "keyroll.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The image reference; the tag defaults to the chart's appVersion. */}}
{{- define "keyroll.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/*
The operator's permissions, for the ClusterRole (all namespaces) or the Role (watchNamespace).
Plain YAML on purpose: a test checks that these, then keyroll.argoRolloutsRules, equal the
ClusterRole rules in deploy/rbac.yaml.
Why each verb: see deploy/rbac.yaml. No wildcards, no delete.
*/}}
{{- define "keyroll.rules" -}}
- apiGroups: [keyroll.dev]
  resources: [signingkeyrotations]
  verbs: [get, list, watch]
- apiGroups: [keyroll.dev]
  resources: [signingkeyrotations/status]
  verbs: [update]
- apiGroups: [keyroll.dev]
  resources: [signingkeyrotations/finalizers]
  verbs: [update]
- apiGroups: [""]
  resources: [secrets]
  verbs: [get, list, watch, create, update]
- apiGroups: [apps]
  resources: [deployments, statefulsets, daemonsets]
  verbs: [get, list, watch, patch]
- apiGroups: [batch]
  resources: [jobs, cronjobs]
  verbs: [list, watch]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
{{- end -}}

{{/*
Argo Rollouts consumers (argoRollouts.enabled), after keyroll.rules; plain YAML like it.
Without them keyroll treats Rollouts as not installed (it says so once in its log).
*/}}
{{- define "keyroll.argoRolloutsRules" -}}
- apiGroups: [argoproj.io]
  resources: [rollouts]
  verbs: [get, list, watch, patch]
{{- end -}}

{{/*
Pods list (podsList.enabled, off by default), after the others; plain YAML like them. As
deploy/components/list-pods: to name the pods of a stuck OnDelete rollout and bare Pods.
*/}}
{{- define "keyroll.podsListRules" -}}
- apiGroups: [""]
  resources: [pods]
  verbs: [list]
{{- end -}}
