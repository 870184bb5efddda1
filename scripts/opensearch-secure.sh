# Sourced by scripts/opensearch-local.sh for `start --secure`: the security plugin as users run it (TLS on HTTP and
# transport from a CA of our own, basic auth against the internal user database), an admin, and a harness user
# holding only the roles of scripts/opensearch-roles.json (the same roles docs/OPENSEARCH.md gives users to paste).
#
# Everything a client needs lands in $SEC_DIR (0700), kept across restarts so passwords and certificates stay valid:
#   ca.pem               the CA certificate (--opensearch-ca)
#   admin.password       the admin's password (all_access)
#   beir-bench.password  the harness user's password (roles beir-bench and beir-bench-ml)
#   curl.conf            curl options (CA, admin credentials) this script uses, so no password is ever in `ps`
# The node copies ca.pem, node.pem and node-key.pem into its own config folder.
# Expects from the caller: OS_HOME, PORT, INSTALL, JAVA_HOME_DIR, RUN_USER, log, die.

SEC_DIR="$OS_HOME/security-$PORT"
HARNESS_USER=beir-bench
ROLES_FILE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/opensearch-roles.json"
# The node certificate's subject, which the transport layer accepts from its peers (plugins.security.nodes_dn).
NODE_DN="CN=beir-bench-node,OU=beir-bench,O=beir-bench"

# secure_certs: a CA, and a node certificate it signs for 127.0.0.1 and localhost (keys in PKCS#8, which the
# plugin requires). Made once per port.
secure_certs() {
  [[ -s "$SEC_DIR/node.pem" ]] && return 0
  command -v openssl >/dev/null || die "openssl not found: it makes the secured node's certificates"
  mkdir -p "$SEC_DIR" && chmod 700 "$SEC_DIR"
  log "generating a CA and a node certificate in $SEC_DIR"
  local d=$SEC_DIR
  openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$d/ca-key.pem"
  openssl req -new -x509 -sha256 -days 3650 -key "$d/ca-key.pem" -subj "/O=beir-bench/OU=beir-bench/CN=beir-bench local CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign -out "$d/ca.pem"
  openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$d/node-key.pem"
  openssl req -new -key "$d/node-key.pem" -subj "/O=beir-bench/OU=beir-bench/CN=beir-bench-node" -out "$d/node.csr"
  printf '%s\n' 'subjectAltName=IP:127.0.0.1,DNS:localhost' 'keyUsage=critical,digitalSignature,keyEncipherment' \
    'extendedKeyUsage=serverAuth,clientAuth' 'basicConstraints=CA:FALSE' >"$d/node.ext"
  openssl x509 -req -sha256 -days 3650 -in "$d/node.csr" -CA "$d/ca.pem" -CAkey "$d/ca-key.pem" -CAcreateserial \
    -extfile "$d/node.ext" -out "$d/node.pem" 2>/dev/null
  rm -f "$d/node.csr" "$d/node.ext" "$d/ca.srl"
}

# secure_password <user>: that user's password, generated once (24 random characters, no shell metacharacters).
secure_password() {
  local file="$SEC_DIR/$1.password"
  [[ -s "$file" ]] || (umask 077 && openssl rand -base64 18 | tr '+/' '-_' >"$file")
  cat "$file"
}

# secure_configure_node <node dir>: certificates, the plugin's settings and its initial configuration (the admin
# only; the harness user and its roles come through the REST API in secure_apply_users, as users would add them).
secure_configure_node() {
  local dir=$1
  secure_certs
  cp "$SEC_DIR/ca.pem" "$SEC_DIR/node.pem" "$SEC_DIR/node-key.pem" "$dir/config/"
  cat >>"$dir/config/opensearch.yml" <<YML
plugins.security.ssl.transport.pemcert_filepath: node.pem
plugins.security.ssl.transport.pemkey_filepath: node-key.pem
plugins.security.ssl.transport.pemtrustedcas_filepath: ca.pem
plugins.security.ssl.transport.enforce_hostname_verification: false
plugins.security.ssl.http.enabled: true
plugins.security.ssl.http.pemcert_filepath: node.pem
plugins.security.ssl.http.pemkey_filepath: node-key.pem
plugins.security.ssl.http.pemtrustedcas_filepath: ca.pem
plugins.security.nodes_dn: ["$NODE_DN"]
plugins.security.allow_default_init_securityindex: true
plugins.security.restapi.roles_enabled: ["all_access"]
plugins.security.system_indices.enabled: true
plugins.security.system_indices.indices: [".plugins-ml-*", ".opendistro-job-scheduler-lock", ".opensearch-knn-models", ".opendistro_security"]
YML
  # The initial security index (read on first start only): the admin, mapped to all_access.
  local hash
  hash=$(ADMIN_PASSWORD=$(secure_password admin) OPENSEARCH_JAVA_HOME="$JAVA_HOME_DIR" \
    bash "$INSTALL/plugins/opensearch-security/tools/hash.sh" -env ADMIN_PASSWORD | tail -n 1)
  [[ $hash == '$2'* ]] || die "the security plugin's hash.sh gave no bcrypt hash"
  cat >"$dir/config/opensearch-security/internal_users.yml" <<YML
_meta: {type: "internalusers", config_version: 2}
admin:
  hash: "$hash"
  reserved: true
  backend_roles: ["admin"]
  description: "beir-bench local admin"
YML
  cat >"$dir/config/opensearch-security/roles_mapping.yml" <<'YML'
_meta: {type: "rolesmapping", config_version: 2}
all_access:
  reserved: false
  backend_roles: ["admin"]
YML
  if [[ $(id -u) -eq 0 ]]; then chown -R "$RUN_USER:" "$dir/config"; fi
  (umask 077 && printf 'cacert = "%s"\nuser = "admin:%s"\n' "$SEC_DIR/ca.pem" "$(secure_password admin)" >"$SEC_DIR/curl.conf")
}

# secure_api <method> <path>: a security REST API call as admin, the JSON body on stdin.
secure_api() {
  curl -fsS -m 30 -K "$SEC_DIR/curl.conf" -X "$1" "$URL/_plugins/_security/api/$2" -H 'Content-Type: application/json' -d @- >/dev/null ||
    die "the security API refused $1 $2 on $URL"
}

# secure_apply_users: the roles of scripts/opensearch-roles.json, and the harness user mapped to them (idempotent).
secure_apply_users() {
  # One line per role: its name, a tab, its JSON body.
  local lines role body
  lines=$(node -e 'const fs = require("fs");
    for (const [name, role] of Object.entries(JSON.parse(fs.readFileSync(process.argv[1], "utf8")))) console.log(`${name}\t${JSON.stringify(role)}`)' "$ROLES_FILE") ||
    die "cannot read the roles of $ROLES_FILE"
  while IFS=$'\t' read -r role body; do
    printf '%s' "$body" | secure_api PUT "roles/$role"
    printf '{"users": ["%s"]}' "$HARNESS_USER" | secure_api PUT "rolesmapping/$role"
  done <<<"$lines"
  printf '{"password": "%s"}' "$(secure_password "$HARNESS_USER")" | secure_api PUT "internalusers/$HARNESS_USER"
  log "user $HARNESS_USER (roles $(cut -f1 <<<"$lines" | paste -sd, -)): password in $SEC_DIR/$HARNESS_USER.password, CA $SEC_DIR/ca.pem"
}
