# postfix-postscreen.sh -- sourced by bench/flood-bench.sh: a throw-away Postfix, postscreen in front of smtpd, as the
# peer that refuses the same flood. It is the gateway's job done the Postfix way: postscreen answers the blocked
# addresses itself (postscreen_access_list, postscreen_blacklist_action = drop: a 521 reply and the connection
# closed, smtpd never sees them) and hands every other client, once it has passed the pregreet test (the result
# is cached, so the first connection pays postscreen_greet_wait), to smtpd; the queue relays example.test to the
# sink. No DNS blocklist: postscreen consults its access list first, and its cache spares a client that passed
# every later lookup, so neither the flood nor the legitimate mail would reach one.
#
#   postscreen_up PORT SINK_PORT PROCESSES BLOCKED_CIDR DIR
#       builds the instance in DIR (emptied first), starts it, waits until PORT listens and a message from
#       127.0.0.1 reached the sink (count it with the caller's sink_count); PROCESSES bounds smtpd's processes
#   postscreen_ticks    CPU clock ticks of the instance so far: master (with its reaped children) and live children
#                       (stack_ticks from bench/lib/stack-cpu.sh, which the caller sources too)
#   postscreen_down     stops it and removes DIR

PS_DIR="" PS_MASTER=""

postscreen_up() {
  local port=$1 sink=$2 procs=$3 blocked=$4 etc
  PS_DIR=$5 etc=$5/etc
  rm -rf "$PS_DIR"
  mkdir -p "$etc" "$PS_DIR/spool" "$PS_DIR/data" "$PS_DIR/log"
  chmod 755 "$PS_DIR"
  chown postfix: "$PS_DIR/data"
  printf '%s reject\n' "$blocked" > "$etc/blocked.cidr"
  cat > "$etc/main.cf" <<EOF
compatibility_level = 3.6
config_directory = $etc
queue_directory = $PS_DIR/spool
data_directory = $PS_DIR/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $PS_DIR/log/maillog
maillog_file_prefixes = $PS_DIR
myhostname = postscreen.test
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
relay_domains = example.test
relay_recipient_maps =
transport_maps = inline:{ example.test=relay:[127.0.0.1]:$sink }
default_transport = error:5.7.1 no other destination in this benchmark
mynetworks = 127.0.0.1/32
smtpd_relay_restrictions = reject_unauth_destination
default_process_limit = $(( procs + 20 > 100 ? procs + 20 : 100 ))
postscreen_access_list = cidr:$etc/blocked.cidr
postscreen_blacklist_action = drop
postscreen_greet_action = enforce
# all legitimate mail comes from 127.0.0.1, as for the gateway (whose per-IP limit flood-bench.sh raises likewise)
postscreen_client_connection_count_limit = 0
smtpd_client_connection_count_limit = 0
biff = no
notify_classes =
EOF
  cat > "$etc/master.cf" <<EOF
127.0.0.1:$port inet n - n - 1 postscreen
smtpd     pass  -       -       n       -       -       smtpd
tlsproxy  unix  -       -       n       -       0       tlsproxy
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
proxymap  unix  -       -       n       -       -       proxymap
relay     unix  -       -       n       -       -       smtp
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
  postfix -c "$etc" check >&2 && postfix -c "$etc" start >/dev/null 2>&1 || { cat "$PS_DIR/log/maillog" >&2; return 1; }
  PS_MASTER=$(awk '{print $1; exit}' "$PS_DIR/spool/pid/master.pid")
  local before want
  before=$(sink_count); want=$(( ${before:-0} + 1 ))
  # the first connection from 127.0.0.1 waits out the pregreet test (6 s), then the cache lets it through
  smtp-source -s 1 -m 1 -f bench@example.org -t sink@example.test "127.0.0.1:$port" >&2 || return 1
  for _ in $(seq 300); do [[ "$(sink_count)" -ge $want ]] && return 0; sleep 0.1; done
  echo "postscreen_up: the probe did not reach the sink" >&2
  return 1
}

postscreen_ticks() {
  stack_ticks "$PS_MASTER" $(ps -o pid= --ppid "$PS_MASTER")
}

postscreen_down() {
  [[ -n "$PS_DIR" ]] || return 0
  postfix -c "$PS_DIR/etc" stop >/dev/null 2>&1
  rm -rf "$PS_DIR"
  PS_DIR=""
}
