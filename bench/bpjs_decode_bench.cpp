// Full decode of one encrypted BPJS response, the hot path of every V-Claim /
// P-Care / Antrean call: envelope parse, key derivation (one per request
// timestamp), Base64, AES-256-CBC, lz-string, UTF-16 -> UTF-8, and a RapidJSON
// DOM parse of the decoded payload (what a caller does next).
//
// Inputs are BPJS-like JSON payloads of ~1 KB, ~10 KB and ~100 KB made from a
// fixed seed. With SIMPUL_BPJS_BENCH_INPUTS=<file> the inputs are also written
// to that file so bench/node/bpjs_decode_bench.js decodes exactly the same
// bodies (bench/bpjs_decode_compare.sh runs both).
#include <benchmark/benchmark.h>
#include <rapidjson/document.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "connectors/bpjs/codec.hpp"
#include "connectors/bpjs/crypto.hpp"
#include "connectors/bpjs/envelope.hpp"
#include "connectors/bpjs/lzstring.hpp"

namespace bpjs = simpul::connectors::bpjs;

namespace {

struct BenchInput {
  std::string label;
  std::string cons_id;
  std::string secret;
  std::string timestamp;
  std::string plaintext;  // UTF-8 JSON
  std::string body;       // V-Claim envelope with the encrypted response
};

// A peserta-list payload of at least target_bytes, deterministic.
std::string make_payload(std::size_t target_bytes, unsigned seed) {
  std::mt19937 rng(seed);
  static const char* const kNames[] = {"SITI AMINAH", "BUDI SANTOSO", "I GUSTI NGURAH", "NYOMAN \xC3\x91OMAN",
                                       "AGUS SALIM", "DEWI LESTARI", "MUH. RIDWAN", "RATNA SARI"};
  static const char* const kKelas[] = {"KELAS I", "KELAS II", "KELAS III"};
  static const char* const kJenis[] = {"PEGAWAI SWASTA", "PBI (APBN)", "PEKERJA MANDIRI", "PNS DAERAH"};
  std::string s = "{\"list\":[";
  int i = 0;
  while (s.size() < target_bytes) {
    if (i > 0) s += ',';
    char kartu[16];
    std::snprintf(kartu, sizeof kartu, "%013u", static_cast<unsigned>(rng() % 1000000000u) * 7u + static_cast<unsigned>(i));
    s += "{\"noKartu\":\"";
    s += kartu;
    s += "\",\"nama\":\"";
    s += kNames[rng() % 8];
    s += "\",\"hakKelas\":{\"kode\":\"" + std::to_string(1 + rng() % 3) + "\",\"keterangan\":\"" + kKelas[rng() % 3] +
         "\"},\"jenisPeserta\":{\"kode\":\"" + std::to_string(10 + rng() % 20) + "\",\"keterangan\":\"" +
         kJenis[rng() % 4] + "\"},\"statusPeserta\":{\"kode\":\"0\",\"keterangan\":\"AKTIF\"},\"tglLahir\":\"19" +
         std::to_string(50 + rng() % 50) + "-0" + std::to_string(1 + rng() % 9) + "-1" + std::to_string(rng() % 10) +
         "\",\"umur\":{\"umurSekarang\":\"" + std::to_string(rng() % 90) + " tahun\"},\"provUmum\":{\"kdProvider\":\"0" +
         std::to_string(100 + rng() % 900) + "U0" + std::to_string(10 + rng() % 90) + "\",\"nmProvider\":\"PUSKESMAS " +
         kNames[rng() % 8] + "\"}}";
    ++i;
  }
  s += "]}";
  return s;
}

std::vector<BenchInput> make_inputs() {
  std::vector<BenchInput> inputs;
  const std::pair<const char*, std::size_t> sizes[] = {{"1KB", 1024}, {"10KB", 10 * 1024}, {"100KB", 100 * 1024}};
  unsigned seed = 1;
  for (const auto& [label, bytes] : sizes) {
    BenchInput in;
    in.label = label;
    in.cons_id = "12345";
    in.secret = "s3cr3tKey";
    in.timestamp = std::to_string(1700000000 + seed);
    in.plaintext = make_payload(bytes, seed++);
    auto enc = bpjs::encrypt_response(in.plaintext, in.cons_id, in.secret, in.timestamp);
    if (!enc) {
      std::cerr << "encrypt failed: " << enc.error().reason << '\n';
      std::exit(1);
    }
    in.body = bpjs::write_envelope(bpjs::EnvelopeStyle::vclaim, 200, "OK", bpjs::json_quote(*enc));
    inputs.push_back(std::move(in));
  }
  return inputs;
}

const std::vector<BenchInput>& inputs() {
  static const std::vector<BenchInput> v = make_inputs();
  return v;
}

// Base64 + AES + lz + RapidJSON DOM parse: the pipeline a client runs when it
// parses the payload itself (check_json off: the DOM parse is the check).
// This is the number compared with Node (which does exactly these steps).
void BM_BpjsDecodeResponse(benchmark::State& state) {
  const BenchInput& in = inputs()[static_cast<std::size_t>(state.range(0))];
  state.SetLabel(in.label);
  bpjs::DecodeOptions options;
  options.check_json = false;
  for (auto _ : state) {
    const bpjs::AesKey key = bpjs::derive_response_key(in.cons_id, in.secret, in.timestamp);
    auto decoded = bpjs::decode_response(in.body, 200, key, options);
    if (!decoded || !decoded->encrypted) {
      state.SkipWithError("decode failed");
      break;
    }
    rapidjson::Document doc;
    doc.Parse(decoded->response_json.data(), decoded->response_json.size());
    if (doc.HasParseError() || !doc.IsObject()) {
      state.SkipWithError("payload is not a JSON object");
      break;
    }
    benchmark::DoNotOptimize(doc);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(in.plaintext.size()));
  state.counters["payload_bytes"] = static_cast<double>(in.plaintext.size());
}
BENCHMARK(BM_BpjsDecodeResponse)->Arg(0)->Arg(1)->Arg(2);

// The default decode_response (with its own JSON check) and then the DOM parse.
void BM_BpjsDecodeResponseChecked(benchmark::State& state) {
  const BenchInput& in = inputs()[static_cast<std::size_t>(state.range(0))];
  state.SetLabel(in.label);
  for (auto _ : state) {
    const bpjs::AesKey key = bpjs::derive_response_key(in.cons_id, in.secret, in.timestamp);
    auto decoded = bpjs::decode_response(in.body, 200, key);
    if (!decoded || !decoded->encrypted) {
      state.SkipWithError("decode failed");
      break;
    }
    rapidjson::Document doc;
    doc.Parse(decoded->response_json.data(), decoded->response_json.size());
    benchmark::DoNotOptimize(doc);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(in.plaintext.size()));
}
BENCHMARK(BM_BpjsDecodeResponseChecked)->Arg(0)->Arg(1)->Arg(2);

// The stages on their own, for profiling the 100 KB case.
void BM_BpjsLzDecode100KB(benchmark::State& state) {
  const BenchInput& in = inputs()[2];
  const bpjs::AesKey key = bpjs::derive_response_key(in.cons_id, in.secret, in.timestamp);
  auto env = bpjs::parse_envelope(in.body, 200);
  auto cipher = bpjs::base64_decode(env->response_string);
  auto lz = bpjs::aes256cbc_decrypt(key, *cipher);
  for (auto _ : state) {
    auto text = bpjs::lz_decompress_from_encoded_uri_component_to_utf8(*lz);
    benchmark::DoNotOptimize(text);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(in.plaintext.size()));
}
BENCHMARK(BM_BpjsLzDecode100KB);

// Stage costs for the 100 KB case (to see where the time goes).
void BM_Bpjs100KBStage(benchmark::State& state) {
  const BenchInput& in = inputs()[2];
  const bpjs::AesKey key = bpjs::derive_response_key(in.cons_id, in.secret, in.timestamp);
  auto env = bpjs::parse_envelope(in.body, 200);
  auto cipher = bpjs::base64_decode(env->response_string);
  auto lz = bpjs::aes256cbc_decrypt(key, *cipher);
  const int stage = static_cast<int>(state.range(0));
  static const char* const kStages[] = {"envelope", "base64", "aes", "json-validate", "json-dom"};
  state.SetLabel(kStages[stage]);
  for (auto _ : state) {
    switch (stage) {
      case 0: benchmark::DoNotOptimize(bpjs::parse_envelope(in.body, 200)); break;
      case 1: benchmark::DoNotOptimize(bpjs::base64_decode(env->response_string)); break;
      case 2: benchmark::DoNotOptimize(bpjs::aes256cbc_decrypt(key, *cipher)); break;
      case 3: benchmark::DoNotOptimize(bpjs::json_syntax_error(in.plaintext)); break;
      default: {
        rapidjson::Document doc;
        doc.Parse(in.plaintext.data(), in.plaintext.size());
        benchmark::DoNotOptimize(doc);
      }
    }
  }
}
BENCHMARK(BM_Bpjs100KBStage)->DenseRange(0, 4);

void write_inputs(const char* path) {
  std::ofstream out(path, std::ios::binary);
  // label \t consId \t secret \t timestamp \t plaintext-bytes \t body
  for (const auto& in : inputs()) {
    out << in.label << '\t' << in.cons_id << '\t' << in.secret << '\t' << in.timestamp << '\t'
        << in.plaintext.size() << '\t' << in.body << '\n';
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (const char* path = std::getenv("SIMPUL_BPJS_BENCH_INPUTS")) write_inputs(path);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
