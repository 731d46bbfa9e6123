{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "fedgan.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: the release name, with the chart name unless the release name contains it. */}}
{{- define "fedgan.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "fedgan.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The four services: values key and Kubernetes name, "key:name" separated by spaces. */}}
{{- define "fedgan.serviceKeys" -}}
filter:filter clientUpdate:client-update aggregator:aggregator imageRender:image-render
{{- end }}

{{- define "fedgan.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fedgan.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "fedgan.labels" -}}
helm.sh/chart: {{ include "fedgan.chart" . }}
{{ include "fedgan.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: fedgan
{{- end }}

{{- define "fedgan.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "fedgan.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "fedgan.kafkaBootstrap" -}}
{{- if eq .Values.kafka.mode "strimzi" }}
{{- printf "%s-kafka-bootstrap:9092" (include "fedgan.fullname" .) }}
{{- else }}
{{- required "kafka.bootstrapServers is required with kafka.mode=external" .Values.kafka.bootstrapServers }}
{{- end }}
{{- end }}

{{- define "fedgan.s3Endpoint" -}}
{{- if eq .Values.s3.mode "standalone" }}
{{- printf "http://%s-minio:9000" (include "fedgan.fullname" .) }}
{{- else }}
{{- required "s3.endpoint is required with s3.mode=external" .Values.s3.endpoint }}
{{- end }}
{{- end }}

{{- define "fedgan.s3SecretName" -}}
{{- default (printf "%s-s3" (include "fedgan.fullname" .)) .Values.s3.existingSecret }}
{{- end }}

{{/* Image of a service: (dict "root" $ "name" "client-update" "gpu" true) */}}
{{- define "fedgan.image" -}}
{{- $img := .root.Values.image }}
{{- $tag := default .root.Chart.AppVersion $img.tag }}
{{- if .gpu }}{{ $tag = printf "%s%s" $tag .root.Values.gpu.imageTagSuffix }}{{ end }}
{{- if $img.registry }}
{{- printf "%s/%s/%s:%s" $img.registry $img.repositoryPrefix .name $tag }}
{{- else }}
{{- printf "%s/%s:%s" $img.repositoryPrefix .name $tag }}
{{- end }}
{{- end }}

{{/* Topic name from its short name. */}}
{{- define "fedgan.topic" -}}
fedgan.{{ . }}
{{- end }}
