#!/usr/bin/env node
// Differential-test oracle: the npm lz-string reference (pinned in
// package-lock.json) and Node's own UTF-8 codec.
//
//   node lz_oracle.js lz <in> <out>
//     in : one case per line, "<utf16-hex>\t<compressed-by-simpul>"
//          (utf16-hex: 4 hex digits per UTF-16 code unit, lone surrogates allowed)
//     out: one line per case,
//          "<lz compressed by npm>\t<utf16-hex of npm decompress(simpul's)>\t<hex of Buffer.from(s,'utf8')>"
//          ("!" in the second column when npm returned null)
//
//   node lz_oracle.js utf8 <in> <out>
//     in : one case per line, "<hex bytes>"
//     out: "<utf16-hex of Buffer.from(bytes).toString('utf8')>"
'use strict';
const fs = require('fs');
const lz = require('lz-string');

function unitsFromHex(hex) {
  let s = '';
  const parts = [];
  for (let i = 0; i < hex.length; i += 4) {
    parts.push(String.fromCharCode(parseInt(hex.substr(i, 4), 16)));
    if (parts.length === 8192) { s += parts.join(''); parts.length = 0; }
  }
  return s + parts.join('');
}

function hexFromUnits(s) {
  const out = new Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i).toString(16).padStart(4, '0');
  return out.join('');
}

function main() {
  const [mode, inPath, outPath] = process.argv.slice(2);
  if (!mode || !inPath || !outPath) {
    process.stderr.write('usage: lz_oracle.js lz|utf8 <in> <out>\n');
    process.exit(2);
  }
  const lines = fs.readFileSync(inPath, 'latin1').split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const out = [];
  for (const line of lines) {
    if (mode === 'lz') {
      const tab = line.indexOf('\t');
      const input = unitsFromHex(line.slice(0, tab));
      const ours = line.slice(tab + 1);
      const theirs = lz.compressToEncodedURIComponent(input);
      const back = lz.decompressFromEncodedURIComponent(ours);
      const utf8 = Buffer.from(input, 'utf8').toString('hex');
      out.push(theirs + '\t' + (back === null ? '!' : hexFromUnits(back)) + '\t' + utf8);
    } else if (mode === 'utf8') {
      out.push(hexFromUnits(Buffer.from(line, 'hex').toString('utf8')));
    } else {
      process.stderr.write('unknown mode ' + mode + '\n');
      process.exit(2);
    }
  }
  fs.writeFileSync(outPath, out.join('\n') + (out.length ? '\n' : ''));
}

main();
