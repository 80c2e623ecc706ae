#!/bin/sh
# Run by the one-shot `temporal-namespace` service of docker-compose.yml (image temporalio/admin-tools)
# once the frontend answers: creates Bihuan's namespace if it does not exist. The Bihuan services
# start only after this exits 0, so their first call never meets "namespace not found".
set -eu

NAMESPACE=${TEMPORAL_NAMESPACE:-default}
ADDRESS=${TEMPORAL_ADDRESS:-temporal:7233}

attempt=0
until temporal operator cluster health --address "$ADDRESS" > /dev/null 2>&1; do
  attempt=$((attempt + 1))
  if [ "$attempt" -ge 60 ]; then
    echo "temporal-namespace: the frontend at ${ADDRESS} did not answer SERVING within 5 minutes" >&2
    exit 1
  fi
  echo "temporal-namespace: waiting for the frontend at ${ADDRESS} (${attempt})"
  sleep 5
done

if temporal operator namespace describe --namespace "$NAMESPACE" --address "$ADDRESS" > /dev/null 2>&1; then
  echo "temporal-namespace: ${NAMESPACE} exists"
else
  # Retention of closed workflow histories (the read model in PostgreSQL keeps the record).
  temporal operator namespace create --namespace "$NAMESPACE" --retention "${TEMPORAL_NAMESPACE_RETENTION:-720h}" \
    --address "$ADDRESS"
  echo "temporal-namespace: created ${NAMESPACE}"
fi
# Listing search attributes goes through the frontend's namespace cache: once this answers, the
# workers' registration of Bihuan's attributes will too.
until temporal operator search-attribute list --namespace "$NAMESPACE" --address "$ADDRESS" > /dev/null 2>&1; do
  echo "temporal-namespace: waiting for ${NAMESPACE} to reach the frontend's cache"
  sleep 2
done
