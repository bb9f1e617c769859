# lib.sh — start, stop and query a local raftd cluster from a test script.
# Sourced by cluster_test.sh. Loopback addresses only; every process a test
# starts is recorded and killed by `cluster_cleanup` (installed as a trap).
#
# Needs: RAFTD, RAFTCTL, DIR (the test's data directory), BASE (a port base:
# peers listen on BASE+i, clients on BASE+10+i), N (nodes), OPTS (raftd flags).

peers_list() {
    local i list=""
    for i in $(seq 1 "$N"); do list="$list${list:+,}$i=127.0.0.1:$((BASE + i))"; done
    echo "$list"
}

cluster_list() {
    local i list=""
    for i in $(seq 1 "$N"); do list="$list${list:+,}127.0.0.1:$((BASE + 10 + i))"; done
    echo "$list"
}

# With RELAY=1, node I reaches node J through raftrelay's route I-J
# (listening on BASE+50+5I+J); its own address stays its real one.
peers_for() {
    local i list=""
    [ "${RELAY:-0}" = 1 ] || { peers_list; return; }
    for i in $(seq 1 "$N"); do
        if [ "$i" = "$1" ]; then
            list="$list${list:+,}$i=127.0.0.1:$((BASE + i))"
        else
            list="$list${list:+,}$i=127.0.0.1:$((BASE + 50 + 5 * $1 + i))"
        fi
    done
    echo "$list"
}

# start_relay: one raftrelay for every ordered pair, controlled by $DIR/faults.
start_relay() {
    local i j args=""
    for i in $(seq 1 "$N"); do
        for j in $(seq 1 "$N"); do
            [ "$i" = "$j" ] && continue
            args="$args --route $i-$j=127.0.0.1:$((BASE + 50 + 5 * i + j))>127.0.0.1:$((BASE + j))"
        done
    done
    : >"$DIR/faults"
    "$RAFTRELAY" $args --control "$DIR/faults" --seed "$BASE" >>"$DIR/relay.log" 2>&1 &
    echo $! >>"$DIR/all.pids"
}

# faults LINE...: replace the relay's fault state (see tools/raftrelay/relay.c).
faults() { printf '%s\n' "$@" >"$DIR/faults.tmp" && mv "$DIR/faults.tmp" "$DIR/faults"; }

# start_node I: run node I in the background, log in $DIR/nI.log.
start_node() {
    "$RAFTD" --id "$1" --peers "$(peers_for "$1")" --client "127.0.0.1:$((BASE + 10 + $1))" \
        --data "$DIR/n$1" $OPTS >>"$DIR/n$1.log" 2>&1 &
    echo $! >"$DIR/n$1.pid"
    echo $! >>"$DIR/all.pids"
}

start_cluster() {
    local i
    for i in $(seq 1 "$N"); do start_node "$i"; done
}

node_pid() { cat "$DIR/n$1.pid" 2>/dev/null; }

# kill9 I: SIGKILL node I and reap it.
kill9() {
    local pid
    pid=$(node_pid "$1")
    [ -n "$pid" ] || return 0
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rm -f "$DIR/n$1.pid"
}

cluster_cleanup() {
    local pid
    [ -f "$DIR/all.pids" ] || return 0
    while read -r pid; do kill -9 "$pid" 2>/dev/null; done <"$DIR/all.pids"
    while read -r pid; do wait "$pid" 2>/dev/null; done <"$DIR/all.pids"
    rm -f "$DIR/all.pids"
}

ctl() { "$RAFTCTL" --cluster "$(cluster_list)" --timeout "${CTL_TIMEOUT:-20}" "$@"; }

# wait_for TRIES CMD...: retry CMD every 0.1 s, at most TRIES times.
wait_for() {
    local tries=$1
    shift
    while [ "$tries" -gt 0 ]; do
        "$@" >/dev/null 2>&1 && return 0
        tries=$((tries - 1))
        sleep 0.1
    done
    return 1
}

# leader: the leader's id on stdout (waits up to 10 s).
leader() {
    local tries=100 id
    while [ $tries -gt 0 ]; do
        id=$(ctl --timeout 2 leader 2>/dev/null) && { echo "$id"; return 0; }
        tries=$((tries - 1))
        sleep 0.1
    done
    return 1
}

# nstat I KEY: one value from node I's status.
nstat() { ctl --timeout 2 --node "$1" status 2>/dev/null | sed -n "s/^$2=//p"; }

# converged: every node applied the same index with the same digest.
converged() {
    local i a d a1 d1
    a1=$(nstat 1 applied) d1=$(nstat 1 digest)
    [ -n "$a1" ] || return 1
    for i in $(seq 2 "$N"); do
        a=$(nstat "$i" applied) d=$(nstat "$i" digest)
        [ "$a" = "$a1" ] && [ "$d" = "$d1" ] || return 1
    done
}

# new_leader_seen I OLD: node I knows a leader, and it is not OLD.
new_leader_seen() {
    local v
    v=$(nstat "$1" leader)
    [ -n "$v" ] && [ "$v" != 0 ] && [ "$v" != "$2" ]
}

# is_leader I: the cluster's leader (highest term claiming it) is node I.
is_leader() { [ "$(ctl --timeout 1 leader 2>/dev/null)" = "$1" ]; }

exited() { ! kill -0 "$1" 2>/dev/null; }

# pick_base: a random BASE below the ephemeral port range whose 100 ports no
# socket on this machine uses now (concurrent test runs, other services).
pick_base() {
    local tries=50 b used line port
    while [ $tries -gt 0 ]; do
        tries=$((tries - 1))
        b=$((10000 + (RANDOM % 220) * 100))
        used=0
        while read -r _ line _; do
            port=${line##*:}
            [ "$port" = local_address ] && continue
            port=$((16#$port))
            if [ "$port" -ge "$b" ] && [ "$port" -lt $((b + 100)) ]; then used=1; break; fi
        done < <(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null)
        [ $used = 0 ] && { BASE=$b; return 0; }
    done
    return 1
}
