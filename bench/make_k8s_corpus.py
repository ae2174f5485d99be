#!/usr/bin/env python3
"""Generates a reproducible Kubernetes-manifest tree: N app manifests (a
Deployment whose env takes its password from a Secret via secretKeyRef, and
a Service, in one multi-document file) and a few CRDs of ~250 KB, as a
chart's `crds/` directory or a rendered-manifests repository holds them.
Nothing in it is a finding; it measures what reading manifests costs.

    python3 bench/make_k8s_corpus.py OUT_DIR [N_APPS]
"""
import os
import random
import sys

APP = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels:
    app: {name}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
        - name: app
          image: registry.example.com/{name}:1.{minor}.0
          ports:
            - containerPort: 8080
          env:
            - name: LOG_LEVEL
              value: info
            - name: DB_HOST
              value: postgres.default.svc
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: {name}-db
                  key: password
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector:
    app: {name}
  ports:
    - port: 80
      targetPort: 8080
"""


def crd(j):
    out = ["apiVersion: apiextensions.k8s.io/v1", "kind: CustomResourceDefinition", "metadata:",
           f"  name: things{j}.example.com", "spec:", "  versions:", "  - name: v1", "    schema:",
           "      openAPIV3Schema:", "        properties:"]
    for k in range(3000):
        out += [f"          field{k}:",
                f"            description: Field {k} configures the thing; see the secretRef for credentials.",
                "            type: string"]
    return "\n".join(out) + "\n"


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    rng = random.Random(3)
    os.makedirs(os.path.join(out, "apps"), exist_ok=True)
    os.makedirs(os.path.join(out, "crds"), exist_ok=True)
    for i in range(n):
        name = f"svc-{i}"
        with open(os.path.join(out, "apps", f"{name}.yaml"), "w") as f:
            f.write(APP.format(name=name, replicas=rng.randint(1, 5), minor=rng.randint(0, 40)))
    for j in range(max(1, n // 100)):
        with open(os.path.join(out, "crds", f"crd{j}.yaml"), "w") as f:
            f.write(crd(j))


if __name__ == "__main__":
    main()
