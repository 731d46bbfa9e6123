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
{{- printf "%s-kafka-bootstrap:%s" (include "fedgan.fullname" .) (ternary "9093" "9092" .Values.kafka.security.enabled) }}
{{- else }}
{{- required "kafka.bootstrapServers is required with kafka.mode=external" .Values.kafka.bootstrapServers }}
{{- end }}
{{- end }}

{{- define "fedgan.s3Endpoint" -}}
{{- if eq .Values.s3.mode "standalone" }}
{{- printf "https://%s-minio:9000" (include "fedgan.fullname" .) }}
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

{{/* The Kafka identities: values key and name, "key:name" separated by spaces (files/kafka-access.json users). */}}
{{- define "fedgan.kafkaIdentities" -}}
filter:filter clientUpdate:client-update aggregator:aggregator imageRender:image-render submitter:submitter
{{- end }}

{{/* Kafka user (and Secret) of an identity: (dict "root" $ "key" "clientUpdate" "name" "client-update") */}}
{{- define "fedgan.kafkaUser" -}}
{{- default (printf "%s-%s" (include "fedgan.fullname" .root) .name) (index .root.Values.kafka.security.users .key) }}
{{- end }}

{{- define "fedgan.kafkaCaSecret" -}}
{{- $default := ternary "cluster-ca-cert" "kafka-ca" (eq .Values.kafka.mode "strimzi") }}
{{- default (printf "%s-%s" (include "fedgan.fullname" .) $default) .Values.kafka.security.caSecret }}
{{- end }}

{{/* Where the brokers' CA certificate is mounted in every pod that talks to Kafka. */}}
{{- define "fedgan.kafkaCaPath" -}}
/etc/fedgan/kafka-ca/ca.crt
{{- end }}

{{/* The Kafka client settings of an identity as container env (Quarkus reads KAFKA_* as kafka.*):
     (dict "root" $ "key" "filter" "name" "filter"). Nothing when kafka.security.enabled is false. */}}
{{- define "fedgan.kafkaClientEnv" -}}
{{- if .root.Values.kafka.security.enabled }}
- name: KAFKA_SECURITY_PROTOCOL
  value: SASL_SSL
- name: KAFKA_SASL_MECHANISM
  value: {{ .root.Values.kafka.security.saslMechanism | quote }}
- name: KAFKA_SASL_JAAS_CONFIG
  valueFrom:
    secretKeyRef:
      name: {{ include "fedgan.kafkaUser" . }}
      key: sasl.jaas.config
- name: KAFKA_SSL_TRUSTSTORE_TYPE
  value: PEM
- name: KAFKA_SSL_TRUSTSTORE_LOCATION
  value: {{ include "fedgan.kafkaCaPath" .root }}
{{- end }}
{{- end }}

{{/* The CA volume and its mount for the container env above (nothing without security). */}}
{{- define "fedgan.kafkaCaVolume" -}}
{{- if .Values.kafka.security.enabled }}
- name: kafka-ca
  secret:
    secretName: {{ include "fedgan.kafkaCaSecret" . }}
    items:
      - key: {{ .Values.kafka.security.caKey }}
        path: ca.crt
{{- end }}
{{- end }}
{{- define "fedgan.kafkaCaMount" -}}
{{- if .Values.kafka.security.enabled }}
- name: kafka-ca
  mountPath: /etc/fedgan/kafka-ca
  readOnly: true
{{- end }}
{{- end }}

{{/* For the Kafka command-line tools: writes the client settings of the env above to $1 (a shell function). */}}
{{- define "fedgan.kafkaClientConfigScript" -}}
client_config() {
  : > "$1"
  if [ -n "${KAFKA_SECURITY_PROTOCOL:-}" ]; then
    printf '%s\n' "security.protocol=$KAFKA_SECURITY_PROTOCOL" "sasl.mechanism=$KAFKA_SASL_MECHANISM" \
      "sasl.jaas.config=$KAFKA_SASL_JAAS_CONFIG" "ssl.truststore.type=$KAFKA_SSL_TRUSTSTORE_TYPE" \
      "ssl.truststore.location=$KAFKA_SSL_TRUSTSTORE_LOCATION" > "$1"
  fi
}
{{- end }}

{{/* The Secret of a service's S3 credential: (dict "root" $ "key" "clientUpdate" "name" "client-update"). */}}
{{- define "fedgan.s3ServiceSecret" -}}
{{- if .root.Values.s3.perService.enabled }}
{{- default (printf "%s-s3-%s" (include "fedgan.fullname" .root) .name) (index .root.Values.s3.perService.secrets .key) }}
{{- else }}
{{- include "fedgan.s3SecretName" .root }}
{{- end }}
{{- end }}

{{/* The Secret and key of the CA certificate the services trust for S3, "name key"; empty: the JVM's default. */}}
{{- define "fedgan.s3Ca" -}}
{{- if eq .Values.s3.mode "standalone" }}
{{- printf "%s-minio-tls ca.crt" (include "fedgan.fullname" .) }}
{{- else if .Values.s3.tls.caSecret }}
{{- printf "%s %s" .Values.s3.tls.caSecret .Values.s3.tls.caKey }}
{{- end }}
{{- end }}
