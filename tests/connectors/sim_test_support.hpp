#pragma once
// Shared by the simulator suites: one HTTP exchange with a simulator on loopback
// (Beast, bounded by a 30 s deadline), JSON parsing, and the /sim control API.
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "connectors/sim/json_util.hpp"

namespace simpul::testing::sim {

struct Http {
  bool answered = false;  // false: the connection closed without a response
  unsigned status = 0;
  std::string body;
  std::string content_type;
  std::string location;
  std::string retry_after;
};

// `headers`: a range of {name, value} pairs, or of structs with .name and .value.
template <class Headers = std::vector<std::pair<std::string, std::string>>>
Http send_raw(std::uint16_t port, const std::string& method, const std::string& target, const std::string& body,
              const Headers& headers) {
  namespace asio = boost::asio;
  namespace beast = boost::beast;
  namespace bhttp = beast::http;
  asio::io_context ioc;
  Http out;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        constexpr auto tup = asio::as_tuple(asio::use_awaitable);
        beast::tcp_stream s(co_await asio::this_coro::executor);
        s.expires_after(std::chrono::seconds(30));  // a bound, never an assertion
        auto [cec] = co_await s.async_connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), tup);
        if (cec) co_return;
        bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
        req.set(bhttp::field::host, "127.0.0.1");
        for (const auto& h : headers) {
          if constexpr (requires { h.name; }) {
            req.set(h.name, h.value);
          } else {
            req.set(h.first, h.second);
          }
        }
        req.body() = body;
        req.prepare_payload();
        auto [wec, wn] = co_await bhttp::async_write(s, req, tup);
        if (wec) co_return;
        beast::flat_buffer buf;
        bhttp::response<bhttp::string_body> res;
        auto [rec, rn] = co_await bhttp::async_read(s, buf, res, tup);
        if (rec) co_return;
        out.answered = true;
        out.status = res.result_int();
        out.body = res.body();
        out.content_type = std::string(res[bhttp::field::content_type]);
        out.location = std::string(res[bhttp::field::location]);
        out.retry_after = std::string(res[bhttp::field::retry_after]);
      },
      asio::detached);
  ioc.run();
  return out;
}

inline Http send_raw(std::uint16_t port, const std::string& method, const std::string& target) {
  return send_raw(port, method, target, {}, std::vector<std::pair<std::string, std::string>>{});
}

inline rapidjson::Document parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.data(), text.size());
  EXPECT_FALSE(d.HasParseError()) << text;
  return d;
}

// GET /sim/state, parsed.
inline rapidjson::Document sim_state(std::uint16_t port) {
  Http h = send_raw(port, "GET", "/sim/state");
  EXPECT_EQ(h.status, 200u);
  return parse(h.body);
}

// An integer of /sim/state at `path` ("vclaim.sep_count"), -1 when absent.
inline std::int64_t sim_state_int(std::uint16_t port, const char* path) {
  auto d = sim_state(port);
  auto v = connectors::sim::json::integer(d, path);
  return v ? *v : -1;
}

// POST /sim/faults; the answer must be 200.
inline void set_sim_faults(std::uint16_t port, const std::string& json) {
  Http h = send_raw(port, "POST", "/sim/faults", json,
                    std::vector<std::pair<std::string, std::string>>{{"Content-Type", "application/json"}});
  ASSERT_EQ(h.status, 200u) << h.body;
}

}  // namespace simpul::testing::sim
