#!/usr/bin/env bash
# A 2-worker grid on a BullMQ queue that survives a worker killed with SIGKILL mid-cell
# (docs/scale.md). Needs redis-server and the built bench (pnpm turbo run build --filter=@llminit/bench...).
# Usage: bash apps/bench/scripts/queue-demo.sh [DIR]   (everything, the log included, goes to DIR)
set -euo pipefail
dir=${1:-/tmp/llminit-queue-demo}
repo=$(cd "$(dirname "$0")/../../.." && pwd)
bench=(node "$repo/apps/bench/dist/bin.js")
rm -rf "$dir" && mkdir -p "$dir"
exec > >(tee "$dir/demo.log") 2>&1

port=$((20000 + RANDOM % 20000))
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
  --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
cleanup() {
  kill "$(cat "$dir/redis.pid" 2>/dev/null)" 2>/dev/null || true
  jobs -p | xargs -r kill 2>/dev/null || true
}
trap cleanup EXIT
until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done
queue="redis://127.0.0.1:$port/0"
echo "== Redis on 127.0.0.1:$port (no persistence); queue $queue"

echo "== a generated dataset: 600 users x 200 items, planted clusters, 16-d item vectors"
(cd "$repo/apps/bench" && node --input-type=module -e \
  "import { writeToyDataset } from '@llminit/pipeline/testing'; await writeToyDataset('$dir', { users: 600, items: 200 });")
grid=(--datasets "$dir/toy" --encoder "file:$dir/toy-vectors.npy" --models lightgcn --inits none,var --seeds 2
  --settings full --dim 16 --epochs 25 --patience 100 --batch-size 64 --cache-dir "$dir/cache")

echo "== enqueue"
"${bench[@]}" paper "${grid[@]}" --queue "$queue" --grid demo
worker() { # name; run as `worker NAME &`: exec makes $! the worker process itself
  exec "${bench[@]}" worker --queue "$queue" --grid demo --out "$dir/$1" --cache-dir "$dir/cache" \
    --lock-seconds 4 --stalled-check-seconds 2 --exit-when-empty 2> >(tee "$dir/$1.log" | sed "s/^/[$1] /" >&2)
}

echo "== worker w1 starts; w2 starts once w1 has a cell"
worker w1 &
w1=$!
until grep -q ": running" "$dir/w1.log" 2>/dev/null; do sleep 0.05; done
worker w2 &
w2=$!
cell=$(grep -m1 ": running" "$dir/w1.log" | sed -E 's/^worker [^ ]+: ([^:]+): running.*/\1/')
sleep 1
kill -9 "$w1"
echo "== killed w1 (pid $w1) with SIGKILL in the middle of $cell"
"${bench[@]}" status --queue "$queue" --grid demo
wait "$w2"
echo "== w2 exited: the queue is empty"
"${bench[@]}" status --queue "$queue" --grid demo

echo "== collect"
"${bench[@]}" collect --queue "$queue" --grid demo --out "$dir/collected"
echo "== the same grid run locally, for comparison"
"${bench[@]}" paper "${grid[@]}" --out "$dir/local" 2>/dev/null | tail -2
node -e '
const fs = require("fs");
const read = (f) => fs.readFileSync(f, "utf8").trim().split("\n").map((l) => JSON.parse(l));
const queued = read(process.argv[1]);
const local = new Map(read(process.argv[2]).map((r) => [r.id, r]));
const ids = queued.map((r) => r.id);
console.log(`results.jsonl: ${queued.length} lines, ${new Set(ids).size} distinct cells`);
for (const r of queued) {
  const same = JSON.stringify(r.test) === JSON.stringify(local.get(r.id)?.test);
  console.log(`${r.id}: ${r.status}, test recall@10 ${r.test["recall@10"].toFixed(4)} ndcg@10 ${r.test["ndcg@10"].toFixed(4)}; ` +
    `${same ? "same test metrics as the local run" : "DIFFERS from the local run"}`);
}
' "$dir/collected/results.jsonl" "$dir/local/results.jsonl"
if grep -q "$cell: ok" "$dir/w1.log"; then
  echo "== w1 had finished $cell before the kill: run again" && exit 1
fi
grep -q "$cell: ok" "$dir/w2.log" && echo "== $cell, killed on w1, was finished by w2"
