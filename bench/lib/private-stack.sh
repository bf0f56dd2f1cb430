# private-stack.sh -- sourced by the benchmark scripts: the environment of a local stack on private ports.
#
#   private_stack_env BASE_PORT SINK_PORT DATA_DIR
#     exports GATEWAY_* so that ./gateway up keeps its data in DATA_DIR and listens on BASE_PORT+25 (SMTP),
#     +92/+93 (Kafka), +32 (PostgreSQL), +80..+83 (HTTP of admin-api, smtp-ingress, policy-service,
#     queue-service), accepts mail for example.test and relays everything to 127.0.0.1:SINK_PORT.

private_stack_env() {
  local base=$1
  export GATEWAY_DATA_DIR="$3"
  export GATEWAY_SMTP_PORT=$((base + 25)) GATEWAY_KAFKA_PORT=$((base + 92)) GATEWAY_KAFKA_CONTROLLER_PORT=$((base + 93))
  export GATEWAY_POSTGRES_PORT=$((base + 32)) GATEWAY_HTTP_PORT_ADMIN_API=$((base + 80))
  export GATEWAY_HTTP_PORT_SMTP_INGRESS=$((base + 81)) GATEWAY_HTTP_PORT_POLICY_SERVICE=$((base + 82))
  export GATEWAY_HTTP_PORT_QUEUE_SERVICE=$((base + 83))
  export GATEWAY_SMTP_ACCEPTED_DOMAINS=example.test GATEWAY_DELIVERY_ROUTES="*=[127.0.0.1]:$2"
}
