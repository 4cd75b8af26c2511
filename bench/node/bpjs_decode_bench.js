#!/usr/bin/env node
// The Node stack BPJS clients use (@ssecd/jkn: Node crypto + npm lz-string +
// JSON.parse), decoding the same bodies as bench/bpjs_decode_bench.cpp.
//
//   node bench/node/bpjs_decode_bench.js <inputs.tsv> [repetitions=5] [seconds-per-rep=0.5]
// inputs.tsv comes from the C++ bench (SIMPUL_BPJS_BENCH_INPUTS=<file>).
// Prints one JSON object: {"<label>": {"median_ns": ..., "reps_ns": [...]}, ...}
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const lz = require(path.join(__dirname, '..', '..', 'tests', 'oracle', 'node_modules', 'lz-string'));

function decode(consId, secret, timestamp, body) {
  const envelope = JSON.parse(body);
  const key = crypto.createHash('sha256').update(consId + secret + timestamp, 'utf8').digest();
  const decipher = crypto.createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  const compressed = decipher.update(envelope.response, 'base64', 'utf8') + decipher.final('utf8');
  const json = lz.decompressFromEncodedURIComponent(compressed);
  return { json, value: JSON.parse(json) };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function main() {
  const [inputs, repsArg, secondsArg] = process.argv.slice(2);
  if (!inputs) {
    process.stderr.write('usage: bpjs_decode_bench.js <inputs.tsv> [repetitions] [seconds-per-rep]\n');
    process.exit(2);
  }
  const reps = Number(repsArg || 5);
  const budgetNs = BigInt(Math.round(Number(secondsArg || 0.5) * 1e9));
  const results = {};
  for (const line of fs.readFileSync(inputs, 'utf8').split('\n')) {
    if (!line) continue;
    const [label, consId, secret, timestamp, plainBytes, body] = line.split('\t');
    // Check once that the decode is right before timing it.
    const first = decode(consId, secret, timestamp, body);
    if (Buffer.byteLength(first.json, 'utf8') !== Number(plainBytes)) {
      throw new Error(`${label}: decoded ${Buffer.byteLength(first.json, 'utf8')} bytes, expected ${plainBytes}`);
    }
    // Warm up the JIT.
    const warmEnd = process.hrtime.bigint() + budgetNs;
    while (process.hrtime.bigint() < warmEnd) decode(consId, secret, timestamp, body);
    const perRep = [];
    for (let r = 0; r < reps; r++) {
      let n = 0;
      const start = process.hrtime.bigint();
      let now = start;
      while (now - start < budgetNs) {
        decode(consId, secret, timestamp, body);
        n++;
        now = process.hrtime.bigint();
      }
      perRep.push(Number(now - start) / n);
    }
    results[label] = { median_ns: median(perRep), reps_ns: perRep, payload_bytes: Number(plainBytes) };
  }
  process.stdout.write(JSON.stringify(results) + '\n');
}

main();
