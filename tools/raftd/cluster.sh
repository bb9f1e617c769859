#!/bin/bash
# cluster.sh — a local 3-node raftd cluster on 127.0.0.1 (make cluster /
# make cluster-stop). Peers on 127.0.0.1:7001-7003, clients on
# 127.0.0.1:8001-8003, data and logs in DIR/n1..n3. Loopback only.
#
# usage: cluster.sh start RAFTD RAFTCTL DIR
#        cluster.sh stop - - DIR
set -u
cmd=$1 RAFTD=$2 RAFTCTL=$3 DIR=$4
PEERS=1=127.0.0.1:7001,2=127.0.0.1:7002,3=127.0.0.1:7003
CLUSTER=127.0.0.1:8001,127.0.0.1:8002,127.0.0.1:8003

running() { [ -f "$DIR/n$1.pid" ] && kill -0 "$(cat "$DIR/n$1.pid")" 2>/dev/null; }

start() {
    mkdir -p "$DIR"
    for i in 1 2 3; do
        if running $i; then
            echo "node $i already running (pid $(cat "$DIR/n$i.pid"))"
            continue
        fi
        setsid "$RAFTD" --id $i --peers $PEERS --client 127.0.0.1:800$i --data "$DIR/n$i" \
            ${RAFTD_OPTS:-} </dev/null >>"$DIR/n$i.log" 2>&1 &
        echo $! >"$DIR/n$i.pid"
    done
    for try in $(seq 50); do # at most 5 s for a leader
        leader=$("$RAFTCTL" --cluster $CLUSTER --timeout 1 leader 2>/dev/null) && break
        sleep 0.1
    done
    echo "raftd cluster: 3 nodes on 127.0.0.1, leader: node ${leader:-(none yet)}"
    echo "  data and logs:  $DIR/n1 .. n3, $DIR/n1.log .. n3.log"
    echo "  talk to it:     $RAFTCTL --cluster $CLUSTER append hello world"
    echo "                  $RAFTCTL --cluster $CLUSTER query --last 10"
    echo "                  $RAFTCTL --cluster $CLUSTER status"
    echo "  break it:       kill -9 \$(cat $DIR/n1.pid); then make cluster restarts it"
    echo "  stop it:        make cluster-stop"
}

stop() {
    for i in 1 2 3; do
        running $i || { rm -f "$DIR/n$i.pid"; continue; }
        pid=$(cat "$DIR/n$i.pid")
        kill "$pid"
        for try in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
        rm -f "$DIR/n$i.pid"
        echo "stopped node $i (pid $pid)"
    done
}

case $cmd in
start) start ;;
stop) stop ;;
*) echo "usage: cluster.sh start|stop RAFTD RAFTCTL DIR" >&2; exit 2 ;;
esac
