#!/bin/bash
# Authorises (or withdraws) a Pitwall unit's support key on the relay.
#
#   register-unit-key.sh add --unit ID --port PORT --until TIME [--keys FILE] < unit-key.pub
#   register-unit-key.sh remove --unit ID [--keys FILE]
#   register-unit-key.sh sweep [--keys FILE]        drop lines whose expiry-time has passed
#
# TIME is anything `date -d` reads (the unit's expiresAt, e.g. 2026-12-06T15:00:00Z), at most
# 8 hours ahead; it is rounded up to the minute (sshd's expiry-time has minutes). The line
# written allows one listen port on the relay's loopback and nothing else:
#   restrict,port-forwarding,permitlisten="127.0.0.1:PORT",command="/bin/false",expiry-time="…Z" KEY pitwall-unit=ID
# (`restrict` alone still runs commands; command="/bin/false" stops that.) One line per unit:
# adding replaces the unit's earlier key. The file is replaced whole (temp + rename) under a lock.
set -euo pipefail
umask 022

keys=/etc/pitwall-relay/authorized_keys/pitwall-relay
cmd=${1:-}
[ -n "$cmd" ] && shift
unit="" port="" until=""
while [ $# -gt 0 ]; do
  case "$1" in
    --unit) unit=${2:-}; shift 2 ;;
    --port) port=${2:-}; shift 2 ;;
    --until) until=${2:-}; shift 2 ;;
    --keys) keys=${2:-}; shift 2 ;;
    *) echo "register-unit-key: unknown argument \"${1:0:40}\"" >&2; exit 2 ;;
  esac
done

fail() { echo "register-unit-key: $*" >&2; exit 2; }
check_unit() { [[ "$unit" =~ ^[A-Za-z0-9-]{1,64}$ ]] || fail "--unit must be the unit id (letters, digits, -)"; }

# Rewrites the keys file without the lines of UNIT (if set) and without expired ones (if SWEEP=1),
# then appends LINE (if set).
rewrite() {
  local line=${1:-} drop_unit=${2:-} sweep=${3:-0}
  mkdir -p "$(dirname "$keys")"
  touch "$keys"
  local now tmp
  now=$(date -u +%Y%m%d%H%M)
  tmp=$(mktemp "$keys.tmp-XXXXXX")
  while IFS= read -r l || [ -n "$l" ]; do
    [ -z "$l" ] && continue
    if [ -n "$drop_unit" ] && [[ "$l" == *" pitwall-unit=$drop_unit" ]]; then continue; fi
    if [ "$sweep" = 1 ] && [[ "$l" =~ expiry-time=\"([0-9]{12})Z\" ]] && [ "${BASH_REMATCH[1]}" -le "$now" ]; then continue; fi
    printf '%s\n' "$l"
  done < "$keys" > "$tmp"
  [ -n "$line" ] && printf '%s\n' "$line" >> "$tmp"
  chmod 644 "$tmp"
  mv -f "$tmp" "$keys"
}

mkdir -p "$(dirname "$keys")"
exec 9>>"$keys.lock"
flock 9

case "$cmd" in
  add)
    check_unit
    [[ "$port" =~ ^[0-9]{4,5}$ ]] && [ "$port" -ge 1024 ] && [ "$port" -le 65535 ] || fail "--port must be 1024-65535"
    [ -n "$until" ] || fail "--until is required (the end of the unit's support mode)"
    end=$(date -u -d "$until" +%s 2>/dev/null) || fail "--until \"${until:0:40}\" is not a time"
    now=$(date -u +%s)
    [ "$end" -gt "$now" ] || fail "--until is in the past"
    [ "$end" -le $((now + 8 * 3600 + 60)) ] || fail "--until is more than 8 hours ahead"
    end=$(( (end + 59) / 60 * 60 ))
    expiry=$(date -u -d "@$end" +%Y%m%d%H%MZ)
    # One public key of type ssh-ed25519, nothing else on the line (options cannot be smuggled in).
    IFS= read -r pub || true
    rest=$(cat)
    [ -z "${rest//[$'\n\r\t ']/}" ] || fail "stdin must be one key, one line"
    [[ "$pub" =~ ^ssh-ed25519\ ([A-Za-z0-9+/]+=*)(\ [ -~]*)?$ ]] || fail "stdin must be one ssh-ed25519 public key"
    body="ssh-ed25519 ${BASH_REMATCH[1]}"
    printf '%s\n' "$body" | ssh-keygen -l -f - >/dev/null 2>&1 || fail "stdin is not a valid public key"
    rewrite "restrict,port-forwarding,permitlisten=\"127.0.0.1:$port\",command=\"/bin/false\",expiry-time=\"$expiry\" $body pitwall-unit=$unit" "$unit" 1
    echo "registered unit $unit: listen 127.0.0.1:$port until $expiry"
    ;;
  remove)
    check_unit
    rewrite "" "$unit" 0
    echo "removed unit $unit"
    ;;
  sweep)
    rewrite "" "" 1
    ;;
  *)
    fail "usage: register-unit-key.sh add|remove|sweep (see the top of this file)"
    ;;
esac
