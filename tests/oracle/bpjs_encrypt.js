#!/usr/bin/env node
// Independent BPJS encoder: builds random JSON payloads and encrypts them the
// way BPJS does (bpjs-api.md §3.2-3.3, the same stack as @ssecd/jkn): Node
// crypto SHA-256 key derivation, AES-256-CBC with PKCS#7, npm lz-string.
//
//   node bpjs_encrypt.js <seed> <count> <out.ndjson>
// Each output line: {"consId","secret","timestamp","plainB64","response","shape"}
//   plainB64 = Base64 of the exact UTF-8 bytes of the JSON payload
//   shape    = "bare" | "quoted" | "vclaim" | "pcare" | "antrean": how the test
//              should present `response` to the decoder
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const lz = require('lz-string');

function mulberry32(a) {
  return function () {
    a |= 0; a = (a + 0x6D2B79F5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['peserta', 'noKartu', 'nama', 'statusPeserta', 'kode', 'keterangan', 'AKTIF',
  'hakKelas', 'KELAS I', 'jenisPeserta', 'PEGAWAI SWASTA', 'provUmum', 'kdProvider', 'nmProvider',
  'tglLahir', 'umur', 'sep', 'noSep', 'diagnosa', 'poli', 'rujukan', 'list', 'faskes'];
const SPICE = ['Ñ', 'é', 'ü', 'ß', '€', '—', '“kutip”', '日本語', '한국어', 'Ω', 'ـعربي', '😀', '🏥', '𝄞',
  '\u0000', '\n', '\t', '"', '\\', '/', '\u2028', '\uFFFD', '\u00A0'];

function build(rand) {
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  function str() {
    let s = '';
    const n = Math.floor(rand() * 6);
    for (let i = 0; i < n; i++) s += rand() < 0.3 ? pick(SPICE) : pick(WORDS) + ' ';
    if (rand() < 0.2) s += Math.floor(rand() * 1e13).toString().padStart(13, '0');
    return s;
  }
  function value(depth) {
    const r = rand();
    if (depth > 3 || r < 0.35) return str();
    if (r < 0.45) return Math.floor(rand() * 100000) - 500;
    if (r < 0.5) return rand() < 0.5 ? null : rand() < 0.5;
    if (r < 0.7) {
      const a = [];
      const n = Math.floor(rand() * 8);
      for (let i = 0; i < n; i++) a.push(value(depth + 1));
      return a;
    }
    const o = {};
    const n = 1 + Math.floor(rand() * 6);
    for (let i = 0; i < n; i++) o[pick(WORDS) + (rand() < 0.3 ? i : '')] = value(depth + 1);
    return o;
  }
  const root = { response: value(0) };
  if (rand() < 0.1) {  // a few large list payloads (tens of KB)
    root.list = [];
    const n = 200 + Math.floor(rand() * 800);
    for (let i = 0; i < n; i++) root.list.push({ kode: String(i), nama: str(), nilai: value(2) });
  }
  return JSON.stringify(root);
}

function main() {
  const [seedArg, countArg, outPath] = process.argv.slice(2);
  if (!seedArg || !countArg || !outPath) {
    process.stderr.write('usage: bpjs_encrypt.js <seed> <count> <out.ndjson>\n');
    process.exit(2);
  }
  const rand = mulberry32(Number(seedArg));
  const shapes = ['bare', 'quoted', 'vclaim', 'pcare', 'antrean'];
  const lines = [];
  for (let i = 0; i < Number(countArg); i++) {
    const consId = String(1000 + Math.floor(rand() * 90000));
    const secret = Math.floor(rand() * 2 ** 32).toString(36) + 'Xy' + i;
    const timestamp = String(1600000000 + Math.floor(rand() * 200000000));
    const json = build(rand);
    const key = crypto.createHash('sha256').update(consId + secret + timestamp, 'utf8').digest();
    const iv = key.subarray(0, 16);
    const cipher = crypto.createCipheriv('aes-256-cbc', key, iv);
    const compressed = lz.compressToEncodedURIComponent(json);
    const response = Buffer.concat([cipher.update(compressed, 'utf8'), cipher.final()]).toString('base64');
    lines.push(JSON.stringify({
      consId, secret, timestamp,
      plainB64: Buffer.from(json, 'utf8').toString('base64'),
      response,
      shape: shapes[i % shapes.length],
    }));
  }
  fs.writeFileSync(outPath, lines.join('\n') + '\n');
}

main();
