#!/usr/bin/env python3
"""Generates a reproducible Helm-heavy tree: N chart directories, each with
Chart.yaml, a large values.yaml (plus production/dev variants), templates and
a README, in the shapes real charts use. Same seed, same bytes.

    python3 bench/make_helm_corpus.py OUT_DIR [N_CHARTS] [--small-values]

--small-values keeps each values file to a few KB (app charts), where the
default writes 35-60 KB ones (bitnami-style, long commented blocks).
"""
import os
import random
import sys

SERVICES = ["postgresql", "redis", "mongodb", "rabbitmq", "clickhouse", "elasticsearch", "kafka", "minio", "keycloak", "grafana"]
WORDS = "api worker gateway auth billing search ingest notifier scheduler frontend backend cache queue report export".split()


def values(rng, name, prod, blocks=(150, 260)):
    out = [f"# Default values for {name}.", "# This is a YAML-formatted file.", "", "global:",
           "  imageRegistry: \"\"", "  imagePullSecrets: []", f"  storageClass: \"{rng.choice(['', 'standard', 'gp3'])}\"",
           f"  preserveExistingSecrets: {str(rng.random() < 0.3).lower()}", "",
           "image:", f"  repository: example/{name}", f"  tag: \"{rng.randint(1, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}\"",
           "  pullPolicy: IfNotPresent", "", f"replicaCount: {rng.randint(1, 5)}", ""]
    for svc in rng.sample(SERVICES, 4):
        out += [f"{svc}:", "  enabled: true", "  auth:", f"    enabled: {str(prod or rng.random() < 0.8).lower()}",
                "    username: app", "    password: \"\"", "    existingSecret: \"\"",
                "    secretKeys:", "      adminPasswordKey: admin-password", "      userPasswordKey: user-password",
                "  primary:", "    persistence:", "      enabled: true", f"      size: {rng.randint(1, 100)}Gi",
                "    resources:", "      requests:", f"        cpu: {rng.randint(100, 900)}m", f"        memory: {rng.randint(128, 2048)}Mi", ""]
    out += ["secrets:", f"  create: {str(rng.random() < 0.5).lower()}", f"  existingSecret: {name}-credentials",
            "  secretsFiles:", f"    - env/{name}-secrets.yaml", "",
            "env:", "  DATABASE_URL: postgresql://$(DB_USER):$(DB_PASSWORD)@$(DB_HOST):$(DB_PORT)/$(DB_NAME)",
            "  REDIS_URL: redis://:$(REDIS_PASSWORD)@redis-master:6379/0", f"  LOG_LEVEL: {rng.choice(['info', 'debug', 'warn'])}", ""]
    # Bulk: long commented configuration blocks, as in real charts.
    for i in range(rng.randint(*blocks)):
        key = "".join(rng.choice(WORDS).capitalize() for _ in range(2))
        out += [f"## @param {name}.{key[0].lower() + key[1:]}{i} {' '.join(rng.choice(WORDS) for _ in range(8))}",
                f"{key[0].lower() + key[1:]}{i}:", f"  enabled: {str(rng.random() < 0.5).lower()}",
                f"  annotations: {{}}", f"  labels: {{app.kubernetes.io/component: {rng.choice(WORDS)}}}",
                f"  timeoutSeconds: {rng.randint(1, 120)}", ""]
    return "\n".join(out) + "\n"


TEMPLATE = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "%(name)s.fullname" . }}
  labels:
    {{- include "%(name)s.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicaCount }}
  template:
    spec:
      containers:
        - name: %(name)s
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          env:
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: {{ .Values.secrets.existingSecret | default (printf "%%s-credentials" (include "%(name)s.fullname" .)) }}
                  key: password
"""

SECRET_TEMPLATE = """apiVersion: v1
kind: Secret
metadata:
  name: {{ include "%(name)s.fullname" . }}-credentials
type: Opaque
data:
  password: {{ .Values.postgresql.auth.password | default (randAlphaNum 24) | b64enc | quote }}
"""


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    blocks = (5, 20) if "--small-values" in sys.argv else (150, 260)
    out = args[0]
    n = int(args[1]) if len(args) > 1 else 600
    rng = random.Random(42)
    for i in range(n):
        name = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{i}"
        d = os.path.join(out, "charts", name)
        os.makedirs(os.path.join(d, "templates"), exist_ok=True)
        with open(os.path.join(d, "Chart.yaml"), "w") as f:
            f.write(f"apiVersion: v2\nname: {name}\nversion: 1.{i}.0\nappVersion: \"{rng.randint(1, 9)}.0\"\n"
                    "dependencies:\n  - name: postgresql\n    version: 15.x.x\n    repository: oci://registry-1.docker.io/bitnamicharts\n")
        with open(os.path.join(d, "values.yaml"), "w") as f:
            f.write(values(rng, name, prod=False, blocks=blocks))
        with open(os.path.join(d, "values-production.yaml"), "w") as f:
            f.write(values(rng, name, prod=True, blocks=blocks))
        with open(os.path.join(d, "templates", "deployment.yaml"), "w") as f:
            f.write(TEMPLATE % {"name": name})
        with open(os.path.join(d, "templates", "secret.yaml"), "w") as f:
            f.write(SECRET_TEMPLATE % {"name": name})
        with open(os.path.join(d, "README.md"), "w") as f:
            f.write(f"# {name}\n\n" + "\n".join(
                f"| `{rng.choice(WORDS)}.{rng.choice(WORDS)}` | {' '.join(rng.choice(WORDS) for _ in range(10))} | `\"\"` |"
                for _ in range(200)) + "\n")


if __name__ == "__main__":
    main()
