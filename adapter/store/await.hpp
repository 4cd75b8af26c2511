#pragma once
// Awaiting a Store operation from a coroutine without blocking an io thread:
//
//   IdempotencyBegin b = co_await store::await<IdempotencyBegin>(
//       [&](Store::Completion<IdempotencyBegin> done) { store.begin_idempotency(request, std::move(done)); });
//
// The store completes on its writer thread; the coroutine resumes on its own
// executor. A store error is rethrown in the coroutine.
#include <exception>
#include <memory>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "adapter/store/store.hpp"

namespace simpul::adapter::store {

template <class T, class Start>
boost::asio::awaitable<T> await(Start start) {
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(std::exception_ptr, T)>(
      [start = std::move(start)](auto handler) mutable {
        // Store completions are std::function (copyable); the handler is move-only.
        using Handler = decltype(handler);
        auto shared = std::make_shared<Handler>(std::move(handler));
        start(Store::Completion<T>([shared](std::exception_ptr error, T value) {
          auto ex = boost::asio::get_associated_executor(*shared);
          boost::asio::post(ex, [shared, error, value = std::move(value)]() mutable {
            std::move (*shared)(error, std::move(value));
          });
        }));
      },
      boost::asio::use_awaitable);
}

}  // namespace simpul::adapter::store
